"""Inter-annotator agreement between two passes of the same documents.

Pass A and pass B are paired by the matcher ``toolkit eval`` uses (:mod:`toolkit.metrics.pairing`,
with A in the gold's place): one matcher for ``eval``, ``show``, ``agree`` and ``adjudicate``.
Agreement counts the exact pairs of that optimal one-to-one matching, which is symmetric:

- **mentions**: F1 = 2|A∩B| / (|A| + |B|) over mention spans ``(start, end)``, and over
  ``(start, end, entity type)``;
- **coreference**: MUC, B-cubed, CEAF-e and their mean (CoNLL F1) with pass A's clusters as key and
  pass B's as response (:mod:`toolkit.metrics.coreference`), each cluster a set of mention spans;
- **events**: F1 over trigger spans, over ``(trigger span, event type)``, and over arguments
  ``(trigger span, event type, role, argument span)``; Cohen's kappa on realis over the triggers
  paired with the same type;
- **stances**: a stance of A and one of B can pair when their holders are the same entity (the
  two holder entities share a mention span) and their targets are the same (same topic; events
  paired with the same trigger span and type; entities sharing a mention span), the matching
  preferring pairs with the same label. Over those pairs: Cohen's kappa on the labels
  (scikit-learn), and the raw agreement; and F1 over whole (holder, target, label) triples and
  over (holder, target) pairs.

Every figure is computed from counts summed over documents (``overall``), and per document.
F1 with no item on either side, and kappa on fewer than two paired items or a single label on
both sides, are ``None`` (undefined), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from toolkit.checks.validate import load_corpus
from toolkit.metrics.coreference import METRICS, PRCounts, coref_scores
from toolkit.metrics.formulas import dice as _dice, value as _value
from toolkit.metrics.pairing import DocumentMatch, match_document
from toolkit.model.document import Document


def dice(credit: float, predicted: float, gold: float) -> float | None:
    return _value(_dice(credit, predicted, gold))


@dataclass
class Overlap:
    """|A|, |B| and |A∩B| of one comparison; ``+`` merges documents."""

    a: int = 0
    b: int = 0
    both: int = 0

    def __add__(self, other: "Overlap") -> "Overlap":
        return Overlap(self.a + other.a, self.b + other.b, self.both + other.both)

    @property
    def f1(self) -> float | None:
        """2|A∩B| / (|A| + |B|): the F1 of either pass scored against the other."""
        return dice(self.both, self.a, self.b)


@dataclass
class DocAgreement:
    doc_id: str
    differences: list[dict] = field(default_factory=list)
    overlaps: dict[str, Overlap] = field(default_factory=dict)
    coref: dict[str, PRCounts] = field(default_factory=dict)
    realis_pairs: list[tuple[str, str]] = field(default_factory=list)
    stance_pairs: list[tuple[str, str]] = field(default_factory=list)


def _kappa(pairs: list[tuple[str, str]]) -> float | None:
    if len(pairs) < 2:
        return None
    a, b = zip(*pairs)
    if len(set(a) | set(b)) < 2:
        return None
    value = cohen_kappa_score(list(a), list(b))
    return None if value != value else float(value)  # nan -> None


def _both(pairs, at_least: int) -> int:
    return sum(1 for x in pairs if x.gold is not None and x.pred is not None and x.level >= at_least)


def compare_documents(a: Document, b: Document) -> DocAgreement:
    """Agreement of two annotations of the same text: pass A paired with pass B by the matcher
    ``toolkit eval`` uses (:func:`toolkit.metrics.pairing.match_document`, A in the gold's place).

    The exact-match counts are those of the optimal one-to-one matching: same span (level 3 or 4)
    and same span and type (level 4) for mentions, same span and same span and type for triggers,
    (trigger span, event type, role, argument span) for arguments; realis is compared over the
    triggers paired with the same type, stance labels over the paired (holder, target) stances.
    """
    out = DocAgreement(a.doc_id)
    m = match_document(a, b)
    n_a, n_b = len(m.gold_mentions), len(m.pred_mentions)
    out.overlaps["mention span"] = Overlap(n_a, n_b, _both(m.mentions, 3))
    out.overlaps["mention span+type"] = Overlap(n_a, n_b, _both(m.mentions, 4))
    out.coref = coref_scores([[x.span.offsets for x in e.mentions] for e in a.entities],
                             [[x.span.offsets for x in e.mentions] for e in b.entities])
    out.overlaps["trigger span"] = Overlap(len(a.events), len(b.events), _both(m.triggers, 1))
    out.overlaps["trigger span+type"] = Overlap(len(a.events), len(b.events), _both(m.triggers, 2))
    out.overlaps["argument"] = Overlap(len(m.gold_arguments), len(m.pred_arguments),
                                       _both(m.arguments["argument_classification_attached"], 1))
    out.realis_pairs = [(a.events[x.gold].realis, b.events[x.pred].realis) for x in sorted(m.triggers, key=_by_gold)
                        if x.gold is not None and x.pred is not None and x.level == 2]
    pairs = [x for x in sorted(m.stance_pairs, key=_by_gold) if x.gold is not None and x.pred is not None]
    out.stance_pairs = [(a.stances[x.gold].label, b.stances[x.pred].label) for x in pairs]
    out.overlaps["stance holder+target"] = Overlap(len(a.stances), len(b.stances), len(pairs))
    out.overlaps["stance holder+target+label"] = Overlap(len(a.stances), len(b.stances), _both(m.stance_triples, 1))
    out.differences = list(_differences(a, b, m))
    return out


def _by_gold(x) -> tuple:
    return (x.gold if x.gold is not None else 1 << 30, x.pred if x.pred is not None else 1 << 30)


@dataclass
class AgreementReport:
    """Per-document and overall agreement; ``table()`` gives one row per document plus ``overall``."""

    documents: list[DocAgreement]
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)

    @staticmethod
    def _row(doc_id: str, overlaps: dict[str, Overlap], coref: dict[str, PRCounts], realis, stance) -> dict:
        row: dict = {"doc_id": doc_id}
        for name in ("mention span", "mention span+type"):
            row[f"{name} F1"] = overlaps[name].f1
        for m in METRICS:
            row[f"coref {m} F1"] = coref[m].f1
        f1s = [coref[m].f1 for m in METRICS]
        row["coref CoNLL F1"] = None if None in f1s else sum(f1s) / 3
        for name in ("trigger span", "trigger span+type", "argument"):
            row[f"{name} F1"] = overlaps[name].f1
        row["realis kappa"] = _kappa(realis)
        row["stance pairs"] = len(stance)
        row["stance pair F1"] = overlaps["stance holder+target"].f1
        row["stance triple F1"] = overlaps["stance holder+target+label"].f1
        row["stance label agreement"] = (sum(x == y for x, y in stance) / len(stance)) if stance else None
        row["stance kappa"] = _kappa(stance)
        return row

    def table(self) -> pd.DataFrame:
        rows = [self._row(d.doc_id, d.overlaps, d.coref, d.realis_pairs, d.stance_pairs) for d in self.documents]
        if self.documents:
            total: dict[str, Overlap] = {}
            coref: dict[str, PRCounts] = {m: PRCounts() for m in METRICS}
            for d in self.documents:
                for k, v in d.overlaps.items():
                    total[k] = total.get(k, Overlap()) + v
                for m in METRICS:
                    coref[m] = coref[m] + d.coref[m]
            realis = [p for d in self.documents for p in d.realis_pairs]
            stance = [p for d in self.documents for p in d.stance_pairs]
            rows.append(self._row("overall", total, coref, realis, stance))
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        table = self.table().astype(object).where(self.table().notna(), None)
        return {"documents": table.to_dict(orient="records"), "only_in_a": self.only_in_a, "only_in_b": self.only_in_b}


def agreement(path_a: Path | str, path_b: Path | str) -> AgreementReport:
    """Compare two folders of annotation files (documents paired by doc id; both must validate)."""
    a, b = load_corpus(path_a), load_corpus(path_b)
    shared = sorted(set(a) & set(b))
    return AgreementReport([compare_documents(a[d], b[d]) for d in shared],
                           sorted(set(a) - set(b)), sorted(set(b) - set(a)))


def describe_stance(doc: Document, st) -> str:
    """'holder name -> target: label', as the differences table shows a stance."""
    holder = doc.entity_index().get(st.holder)
    t = st.target
    target = t.id if t.kind == "topic" else (
        f"event '{doc.event_index()[t.id].trigger.text}'@{doc.event_index()[t.id].trigger.start}" if t.kind == "event"
        else f"entity {doc.entity_index()[t.id].name}")
    return f"{holder.name if holder else st.holder} -> {target}: {st.label}"


def _differences(a: Document, b: Document, m: DocumentMatch):
    """Every item on which the passes differ, for adjudication: layer, which pass has it, where, what
    (from the pairs of :func:`compare_documents`' matching)."""
    text = a.text

    def row(layer, side, start, end, label, detail=""):
        return {"doc_id": a.doc_id, "layer": layer, "only_in": side, "start": start, "end": end,
                "text": text[start:end] if start is not None else "", "label": label, "detail": detail}

    def partner(pairs, side: str) -> dict[int, tuple[int, int]]:
        """For each item of ``side``, (the index of the item it is paired with, the level)."""
        out = {}
        for x in pairs:
            if x.gold is not None and x.pred is not None:
                if side == "a":
                    out[x.gold] = (x.pred, x.level)
                else:
                    out[x.pred] = (x.gold, x.level)
        return out

    for side, x, y in (("a", a, b), ("b", b, a)):
        mine, theirs = (m.gold_mentions, m.pred_mentions) if side == "a" else (m.pred_mentions, m.gold_mentions)
        kinds = [mm.kind for mm in x.mentions()]
        paired = partner(m.mentions, side)
        for i, mention in enumerate(mine):
            other, level = paired.get(i, (None, 0))
            if level < 4:
                yield row("mention", side, mention.start, mention.end, f"{mention.type}/{kinds[i]}",
                          f"other pass: {theirs[other].type}" if level == 3 else "")
        t_paired = partner(m.triggers, side)
        args_x = m.gold_arguments if side == "a" else m.pred_arguments
        a_paired = partner(m.arguments["argument_classification_attached"], side)
        matched_events = {}
        for i, e in enumerate(x.events):
            other, level = t_paired.get(i, (None, 0))
            if level < 2:
                o = y.events[other].type if level == 1 else None
                yield row("trigger", side, *e.trigger.offsets, f"{e.type}/{e.realis}", f"other pass: {o}" if o else "")
                continue
            matched_events[(e.trigger.offsets, e.type)] = i
            unpaired = sorted({(arg.role, (arg.start, arg.end)) for k, arg in enumerate(args_x)
                               if arg.trigger == e.trigger.offsets and arg.event_type == e.type and k not in a_paired})
            for role, off in unpaired:
                yield row("argument", side, *off, role, f"of {e.type} '{e.trigger.text}' at {e.trigger.start}")
            if side == "a" and e.realis != y.events[other].realis:
                yield row("realis", "both", *e.trigger.offsets, e.type, f"a: {e.realis}, b: {y.events[other].realis}")
    # coreference: shared mentions whose cluster-mates differ
    def mates(doc):
        out = {}
        for e in doc.entities:
            spans = frozenset(x.span.offsets for x in e.mentions)
            for x in e.mentions:
                out[x.span.offsets] = spans
        return out
    ma, mb = mates(a), mates(b)
    seen = set()
    for off in sorted(set(ma) & set(mb)):
        if ma[off] & set(mb) != mb[off] & set(ma) and (ma[off], mb[off]) not in seen:
            seen.add((ma[off], mb[off]))
            only_a = sorted(ma[off] - mb[off] & set(mb))
            only_b = sorted(mb[off] - ma[off] & set(ma))
            yield row("coref", "both", *off, "", "a also links " + ", ".join(f"'{text[s:e]}'@{s}" for s, e in only_a)
                      + "; b also links " + ", ".join(f"'{text[s:e]}'@{s}" for s, e in only_b))
    # stances
    for side, x, y in (("a", a, b), ("b", b, a)):
        paired = partner(m.stance_pairs, side)
        for i, st in enumerate(x.stances):
            ev = st.evidence[0] if st.evidence else None
            other, level = paired.get(i, (None, 0))
            if other is None:
                yield row("stance", side, ev.start if ev else None, ev.end if ev else None, st.label, describe_stance(x, st))
            elif side == "a" and level == 1:
                yield row("stance label", "both", ev.start if ev else None, ev.end if ev else None, "",
                          f"a: {describe_stance(x, st)}; b: {y.stances[other].label}")


def differences_table(report: "AgreementReport") -> pd.DataFrame:
    """Every disagreement of every document, one row each (for adjudication)."""
    rows = [r for d in report.documents for r in d.differences]
    return pd.DataFrame(rows, columns=["doc_id", "layer", "only_in", "start", "end", "text", "label", "detail"])
