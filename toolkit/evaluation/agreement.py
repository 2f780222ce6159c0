"""Inter-annotator agreement between two passes of the same documents.

Agreement is symmetric, so spans are compared as sets (exact match), pass A against pass B:

- **mentions**: F1 = 2|A∩B| / (|A| + |B|) over mention spans ``(start, end)``, and over
  ``(start, end, entity type)``;
- **coreference**: MUC, B-cubed, CEAF-e and their mean (CoNLL F1) with pass A's clusters as key and
  pass B's as response (:mod:`toolkit.metrics.coreference`), each cluster a set of mention spans;
- **events**: F1 over trigger spans, over ``(trigger span, event type)``, and over arguments
  ``(trigger span, event type, role, argument span)``; Cohen's kappa on realis over the triggers
  both passes share with the same type;
- **stances**: a stance of A and one of B are paired when their holders are the same entity (the
  two holder entities share a mention span) and their targets are the same (same topic; events with
  the same trigger span and type; entities sharing a mention span). Over those pairs: Cohen's kappa
  on the labels (scikit-learn), and the raw agreement; and F1 over whole (holder, target, label)
  triples and over (holder, target) pairs.

Every figure is computed from counts summed over documents (``overall``), and per document.
F1 with no item on either side, and kappa on fewer than two paired items or a single label on
both sides, are ``None`` (undefined), never 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from toolkit.metrics.coreference import METRICS, PRCounts, coref_scores
from toolkit.metrics.formulas import dice as _dice, value as _value


def dice(credit: float, predicted: float, gold: float) -> float | None:
    return _value(_dice(credit, predicted, gold))
from toolkit.model.document import Document
from toolkit.checks.validate import load_corpus


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


def _overlap(a: Counter, b: Counter) -> Overlap:
    return Overlap(sum(a.values()), sum(b.values()), sum((a & b).values()))


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


def _holder_key(doc: Document):
    spans = {e.id: {m.span.offsets for m in e.mentions} for e in doc.entities}
    return spans


def _same_target(sa, sb, da: Document, db: Document, spans_a, spans_b) -> bool:
    ta, tb = sa.target, sb.target
    if ta.kind != tb.kind:
        return False
    if ta.kind == "topic":
        return ta.id == tb.id
    if ta.kind == "event":
        ea, eb = da.event_index().get(ta.id), db.event_index().get(tb.id)
        return ea is not None and eb is not None and (ea.trigger.offsets, ea.type) == (eb.trigger.offsets, eb.type)
    return bool(spans_a.get(ta.id, set()) & spans_b.get(tb.id, set()))


def compare_documents(a: Document, b: Document) -> DocAgreement:
    """Agreement of two annotations of the same text."""
    out = DocAgreement(a.doc_id)
    ma, mb = list(a.mentions()), list(b.mentions())
    out.overlaps["mention span"] = _overlap(Counter(m.span.offsets for m in ma), Counter(m.span.offsets for m in mb))
    out.overlaps["mention span+type"] = _overlap(Counter((*m.span.offsets, m.entity_type) for m in ma),
                                                 Counter((*m.span.offsets, m.entity_type) for m in mb))
    out.coref = coref_scores([[m.span.offsets for m in e.mentions] for e in a.entities],
                             [[m.span.offsets for m in e.mentions] for e in b.entities])
    out.overlaps["trigger span"] = _overlap(Counter(e.trigger.offsets for e in a.events), Counter(e.trigger.offsets for e in b.events))
    out.overlaps["trigger span+type"] = _overlap(Counter((e.trigger.offsets, e.type) for e in a.events),
                                                 Counter((e.trigger.offsets, e.type) for e in b.events))

    def args(doc: Document) -> Counter:
        idx = doc.mention_index()
        return Counter((e.trigger.offsets, e.type, r.role, idx[r.mention_id].span.offsets) for e in doc.events for r in e.arguments)

    out.overlaps["argument"] = _overlap(args(a), args(b))
    realis_b = {(e.trigger.offsets, e.type): e.realis for e in b.events}
    out.realis_pairs = [(e.realis, realis_b[(e.trigger.offsets, e.type)]) for e in a.events if (e.trigger.offsets, e.type) in realis_b]

    spans_a, spans_b = _holder_key(a), _holder_key(b)
    used: set[str] = set()
    pairs = []
    for sa in a.stances:
        for sb in b.stances:
            if sb.id in used:
                continue
            if spans_a.get(sa.holder, set()) & spans_b.get(sb.holder, set()) and _same_target(sa, sb, a, b, spans_a, spans_b):
                pairs.append((sa.label, sb.label))
                used.add(sb.id)
                break
    out.stance_pairs = pairs
    out.differences = list(_differences(a, b, spans_a, spans_b))
    same_label = sum(1 for x, y in pairs if x == y)
    out.overlaps["stance holder+target"] = Overlap(len(a.stances), len(b.stances), len(pairs))
    out.overlaps["stance holder+target+label"] = Overlap(len(a.stances), len(b.stances), same_label)
    return out


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


def _differences(a: Document, b: Document, spans_a, spans_b):
    """Every item on which the passes differ, for adjudication: layer, which pass has it, where, what."""
    text = a.text

    def row(layer, side, start, end, label, detail=""):
        return {"doc_id": a.doc_id, "layer": layer, "only_in": side, "start": start, "end": end,
                "text": text[start:end] if start is not None else "", "label": label, "detail": detail}

    for side, x, y in (("a", a, b), ("b", b, a)):
        theirs = {(m.span.offsets, m.entity_type) for m in y.mentions()}
        their_spans = {m.span.offsets: m.entity_type for m in y.mentions()}
        for m in x.mentions():
            if (m.span.offsets, m.entity_type) not in theirs:
                other = their_spans.get(m.span.offsets)
                yield row("mention", side, *m.span.offsets, f"{m.entity_type}/{m.kind}",
                          f"other pass: {other}" if other else "")
        their_trig = {(e.trigger.offsets, e.type): e for e in y.events}
        their_trig_span = {e.trigger.offsets: e.type for e in y.events}
        idx_x, idx_y = x.mention_index(), y.mention_index()
        for e in x.events:
            other = their_trig.get((e.trigger.offsets, e.type))
            if other is None:
                o = their_trig_span.get(e.trigger.offsets)
                yield row("trigger", side, *e.trigger.offsets, f"{e.type}/{e.realis}", f"other pass: {o}" if o else "")
                continue
            mine = {(r.role, idx_x[r.mention_id].span.offsets) for r in e.arguments}
            yours = {(r.role, idx_y[r.mention_id].span.offsets) for r in other.arguments}
            for role, off in sorted(mine - yours):
                yield row("argument", side, *off, role, f"of {e.type} '{e.trigger.text}' at {e.trigger.start}")
            if side == "a" and e.realis != other.realis:
                yield row("realis", "both", *e.trigger.offsets, e.type, f"a: {e.realis}, b: {other.realis}")
    # coreference: shared mentions whose cluster-mates differ
    def mates(doc):
        out = {}
        for e in doc.entities:
            spans = frozenset(m.span.offsets for m in e.mentions)
            for m in e.mentions:
                out[m.span.offsets] = spans
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
    def describe(doc, st, spans):
        return describe_stance(doc, st)
    for side, x, y, sx, sy in (("a", a, b, spans_a, spans_b), ("b", b, a, spans_b, spans_a)):
        for st in x.stances:
            match = [o for o in y.stances if sx.get(st.holder, set()) & sy.get(o.holder, set())
                     and _same_target(st, o, x, y, sx, sy)]
            ev = st.evidence[0] if st.evidence else None
            if not match:
                yield row("stance", side, ev.start if ev else None, ev.end if ev else None, st.label, describe(x, st, sx))
            elif side == "a" and match[0].label != st.label:
                yield row("stance label", "both", ev.start if ev else None, ev.end if ev else None, "",
                          f"a: {describe(x, st, sx)}; b: {match[0].label}")


def differences_table(report: "AgreementReport") -> pd.DataFrame:
    """Every disagreement of every document, one row each (for adjudication)."""
    rows = [r for d in report.documents for r in d.differences]
    return pd.DataFrame(rows, columns=["doc_id", "layer", "only_in", "start", "end", "text", "label", "detail"])
