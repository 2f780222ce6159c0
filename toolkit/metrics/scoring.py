"""Scorers: a gold and a predicted document -> alignment -> additive counts; counts -> scores.

Each ``score_*`` function compares one gold :class:`~toolkit.model.document.Document` with one
prediction document (see :mod:`toolkit.predictions.load`) and returns additive counts
(:mod:`toolkit.metrics.counts`) plus the errors behind them (:class:`ErrorItem`). Each ``*_scores``
function turns counts summed over any number of documents into a JSON-ready dict of scores.
Formulas, with worked examples, are in ``docs/metrics.md``; the essentials:

**Entities** (mention level; a mention is its span and its entity type). Gold and predicted
mentions are aligned one-to-one (:func:`toolkit.metrics.matching.align`) preferring, in this order,
same span and type > same span > overlapping span and same type > overlapping span (ends are
exclusive: adjacent spans do not overlap), ties by overlap size, then by offsets. Each aligned
pair, and each unaligned mention, is then an outcome in each of the four SemEval-2013 Task 9.1
schemes, as nervaluate defines them:

=========================  ========  =========  =========  =========
pair                        strict    exact      partial    type
=========================  ========  =========  =========  =========
same span, same type        correct   correct    correct    correct
same span, other type       incorrect correct    correct    incorrect
overlap, same type          incorrect incorrect  partial    correct
overlap, other type         incorrect incorrect  partial    incorrect
gold mention not aligned    missed    missed     missed     missed
predicted, not aligned      spurious  spurious   spurious   spurious
=========================  ========  =========  =========  =========

possible = correct + incorrect + partial + missed; actual = correct + incorrect + partial +
spurious; P = (correct + 0.5·partial)/actual; R = (correct + 0.5·partial)/possible;
F1 = 2PR/(P+R). Micro (overall) scores come from this alignment of all mentions. Each type is
scored on its own, as nervaluate 1.x, conlleval and seqeval do: the gold and predicted mentions
of that type alone are aligned the same way, so a type confusion is a miss of the gold type and a
spurious mention of the predicted type (per-type counts do not add up to the overall ones). Macro
scores are the mean of the per-type scores over the types with gold or predicted mentions (a
type's undefined score is left out of the mean; the mean of nothing is None).
``mention_kinds`` keeps only gold and predicted mentions of those kinds (predicted mentions
without a kind are kept).

**Events**, in two variants. *TextEE* (the six headline numbers, exactly TextEE's
``compute_E2E_scores``): each metric compares the **sets** of tuples gold and prediction yield,
trigger (start, end) for identification, (start, end, type) for classification, argument
(event type, start, end) and (event type, start, end, role), and for the attached variants the
same with the trigger's span; a tuple two events share counts once. *Per item* (``per_item`` and
``per_type``): every trigger and every argument of every event is an item, matched one-to-one.
Triggers are aligned by exact span, preferring the same type. Trigger identification: a pair is a
true positive. Trigger classification: a pair of the same type. Arguments are matched by exact
span and:

- argument identification (TextEE): same event type; argument classification: and same role
  (the trigger need not match);
- the *attached* variants also require the argument's trigger to match (same trigger span and
  event type).

With ``coref_args`` a predicted argument span matches a gold argument when it equals any mention
of the gold argument's entity (per-item variant only). P = tp/(tp+fp), R = tp/(tp+fn),
F1 = 2tp/(2tp+fp+fn).

**Stances.** A predicted holder matches a gold holder when one of its mention spans (or its own
span) equals a mention span of the gold holder entity; targets match by the same topic id, by
the aligned event (predicted event whose trigger span and type matched the gold event's) or by
an entity sharing a mention span. Triples (holder, target, label) and pairs (holder, target) are
aligned one-to-one and counted as tp/fp/fn; the pair alignment prefers pairs with the same label.
On the aligned pairs: accuracy, macro-F1 over the labels present, F_avg = (F1_favour +
F1_against)/2 as SemEval-2016's ``eval.pl`` computes it (a label absent from both sides has F1 0
there) and the confusion matrix, with scikit-learn.

Formulas: :mod:`toolkit.metrics.formulas`. A precision or recall whose denominator is 0 is None,
never 0; an F1 is None only when both are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Mapping, Sequence

import numpy as np

from toolkit.metrics import formulas
from toolkit.metrics.coreference import coref_scores
from toolkit.metrics.matching import Alignment, align
from toolkit.metrics.counts import (
    COREF_METRICS,
    EVENT_METRICS,
    SCHEMES,
    STANCE_LABELS,
    CorefCounts,
    Counts,
    EntityCounts,
    EventCounts,
    RatioCounts,
    SchemeCounts,
    StanceCounts,
)
from toolkit.model.document import Document
from toolkit.predictions.load import argument_span, holder_spans


@dataclass(frozen=True)
class ErrorItem:
    """One error of a system, for error analysis (``toolkit eval --errors``).

    ``category`` is ``false-positive``, ``false-negative``, ``type-confusion`` (same span, other
    type or role), ``boundary`` (overlapping span) or ``label-confusion`` (stance label).
    ``start``/``end``/``text`` locate the gold item (the predicted one for false positives);
    ``detail`` says where the prediction was, for boundary errors.
    """

    task: str
    category: str
    doc_id: str
    start: int | None
    end: int | None
    text: str
    gold: str | None = None
    pred: str | None = None
    detail: str = ""

    def to_dict(self) -> dict:
        return {"task": self.task, "category": self.category, "doc_id": self.doc_id, "start": self.start, "end": self.end,
                "text": self.text, "gold": self.gold, "pred": self.pred, "detail": self.detail}


def _sorted_errors(errors: list[ErrorItem]) -> list[ErrorItem]:
    return sorted(errors, key=lambda e: (e.doc_id, e.task, e.start if e.start is not None else -1, e.end or -1,
                                         e.category, e.gold or "", e.pred or "", e.text, e.detail))


# ---------------------------------------------------------------- entities


@dataclass(frozen=True, order=True)
class MentionItem:
    """A mention as the entity scorer sees it: span and entity type (kind and ids for filtering and errors)."""

    start: int
    end: int
    type: str
    kind: str = ""
    text: str = ""
    entity_id: str = ""
    mention_id: str = ""


def mention_items(doc: Document, kinds: Collection[str] | None = None) -> list[MentionItem]:
    """The mentions of ``doc``; with ``kinds``, only those of these kinds (and those with no kind)."""
    return [
        MentionItem(m.span.start, m.span.end, m.entity_type, m.kind, m.span.text, m.entity_id, m.id)
        for m in doc.mentions()
        if kinds is None or not m.kind or m.kind in kinds
    ]


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def mention_level(g: MentionItem, p: MentionItem) -> int:
    """4 same span and type, 3 same span, 2 overlap and same type, 1 overlap, 0 disjoint."""
    if (g.start, g.end) == (p.start, p.end):
        return 4 if g.type == p.type else 3
    if g.start < p.end and p.start < g.end:
        return 2 if g.type == p.type else 1
    return 0


# level -> scheme -> outcome (the table in the module docstring)
OUTCOMES: dict[int, dict[str, str]] = {
    4: {"strict": "correct", "exact": "correct", "partial": "correct", "type": "correct"},
    3: {"strict": "incorrect", "exact": "correct", "partial": "correct", "type": "incorrect"},
    2: {"strict": "incorrect", "exact": "incorrect", "partial": "partial", "type": "correct"},
    1: {"strict": "incorrect", "exact": "incorrect", "partial": "partial", "type": "incorrect"},
}


def align_mentions(gold: Sequence[MentionItem], pred: Sequence[MentionItem]) -> Alignment:
    return align(gold, pred, mention_level, tiebreak=lambda g, p: _overlap(g.start, g.end, p.start, p.end))


def _scheme_tally(pairs, missed: int, spurious: int) -> dict[str, SchemeCounts]:
    """The SemEval-2013 outcomes of an alignment: ``pairs`` are the levels of its aligned pairs."""
    out = {}
    for scheme in SCHEMES:
        o = {"correct": 0, "incorrect": 0, "partial": 0}
        for lv in pairs:
            o[OUTCOMES[lv][scheme]] += 1
        out[scheme] = SchemeCounts(o["correct"], o["incorrect"], o["partial"], missed, spurious)
    return out


def score_mentions(gold: Sequence[MentionItem], pred: Sequence[MentionItem], doc_id: str = "") -> tuple[EntityCounts, list[ErrorItem]]:
    """Counts of the four schemes for two lists of mentions (one document): overall from one
    alignment of all mentions, per type from the alignment of that type's mentions alone."""
    al = align_mentions(gold, pred)
    overall = _scheme_tally([lv for _, _, lv in al.pairs], len(al.missed), len(al.spurious))
    per_type: dict[str, dict[str, SchemeCounts]] = {s: {} for s in SCHEMES}
    for etype in sorted({m.type for m in gold} | {m.type for m in pred}):
        g = [m for m in gold if m.type == etype]
        p = [m for m in pred if m.type == etype]
        tal = align_mentions(g, p)
        for scheme, counts in _scheme_tally([lv for _, _, lv in tal.pairs], len(tal.missed), len(tal.spurious)).items():
            per_type[scheme][etype] = counts
    errors: list[ErrorItem] = []
    for gi, pj, lv in al.pairs:
        g, p = gold[gi], pred[pj]
        if lv == 3:
            errors.append(ErrorItem("entities", "type-confusion", doc_id, g.start, g.end, g.text, g.type, p.type))
        elif lv in (1, 2):
            errors.append(ErrorItem("entities", "boundary", doc_id, g.start, g.end, g.text, g.type, p.type,
                                    f"predicted {p.start}-{p.end} {p.text!r}"))
    for gi in al.missed:
        g = gold[gi]
        errors.append(ErrorItem("entities", "false-negative", doc_id, g.start, g.end, g.text, g.type, None))
    for pj in al.spurious:
        p = pred[pj]
        errors.append(ErrorItem("entities", "false-positive", doc_id, p.start, p.end, p.text, None, p.type))
    return EntityCounts(overall, per_type), _sorted_errors(errors)


def score_entities(gold: Document, pred: Document, mention_kinds: Collection[str] | None = None) -> tuple[EntityCounts, list[ErrorItem]]:
    """Entity-mention counts of one document (see the module docstring)."""
    return score_mentions(mention_items(gold, mention_kinds), mention_items(pred, mention_kinds), gold.doc_id)


def entity_scores(counts: EntityCounts) -> dict:
    """Micro (overall), macro and per-type scores of the four schemes.

    Macro = the mean of the per-type scores over the types with gold or predicted mentions (a
    type's undefined P or R is left out of that mean; the mean of nothing is None).
    """
    out: dict = {"micro": {}, "macro": {}, "per_type": {}}
    for scheme in SCHEMES:
        out["micro"][scheme] = counts.micro.get(scheme, SchemeCounts()).scores()
        per = [c for c in counts.per_type.get(scheme, {}).values() if c.possible + c.actual > 0]
        out["macro"][scheme] = {
            "precision": formulas.value(formulas.mean_defined(*[formulas.ratio(c.credit, c.actual) for c in per])) if per else None,
            "recall": formulas.value(formulas.mean_defined(*[formulas.ratio(c.credit, c.possible) for c in per])) if per else None,
            "f1": formulas.value(formulas.mean_defined(*[formulas.dice(c.credit, c.actual, c.possible) for c in per])) if per else None,
            "types": len(per),
        }
    for etype in counts.types():
        out["per_type"][etype] = {s: counts.per_type.get(s, {}).get(etype, SchemeCounts()).scores() for s in SCHEMES}
    return out


# ---------------------------------------------------------------- coreference


def coref_clusters(doc: Document, mention_kinds: Collection[str] | None = None) -> list[list[tuple[int, int]]]:
    """The entities of ``doc`` as clusters of mention spans ``(start, end)``, in document order
    (filtered by ``mention_kinds`` like the entity scores)."""
    return [[m.span.offsets for m in e.mentions if mention_kinds is None or not m.kind or m.kind in mention_kinds]
            for e in doc.entities]


def score_coreference(gold: Document, pred: Document, mention_kinds: Collection[str] | None = None) -> CorefCounts:
    """Every coreference count of one document (:func:`toolkit.metrics.coreference.coref_scores`).

    A span in several predicted entities is kept in the first (the prediction loader warns with
    ``duplicate-mention``), as the CoNLL reference scorer does.
    """
    raw = coref_scores(coref_clusters(gold, mention_kinds), coref_clusters(pred, mention_kinds))
    return CorefCounts({name: RatioCounts.of(value) for name, value in raw.items()})


def coreference_scores(counts: CorefCounts) -> dict:
    """MUC, B-cubed, CEAF-e, CEAF-m, BLANC and LEA precision, recall and F1, and the CoNLL-2012 F1."""
    out = {m: counts.get(m).scores() for m in COREF_METRICS}
    out["blanc"] = counts.blanc()
    out["conll_f1"] = counts.conll_f1
    return out


# ---------------------------------------------------------------- events


@dataclass(frozen=True, order=True)
class TriggerItem:
    start: int
    end: int
    type: str
    text: str = ""
    event_id: str = ""


def trigger_level(g: TriggerItem, p: TriggerItem) -> int:
    """2 same span and type, 1 same span, 0 otherwise."""
    if (g.start, g.end) != (p.start, p.end):
        return 0
    return 2 if g.type == p.type else 1


@dataclass(frozen=True, order=True)
class ArgumentItem:
    """An event argument: event type, trigger span, role and argument span.

    ``accept`` holds the spans that match it: its own span, or (gold, with ``coref_args``)
    every mention span of its entity.
    """

    event_type: str
    trigger: tuple[int, int]
    role: str
    start: int
    end: int
    accept: frozenset[tuple[int, int]]
    text: str = ""
    trigger_text: str = ""


def argument_items(doc: Document, coref_args: bool = False) -> list[ArgumentItem]:
    mentions = doc.mention_index()
    entities = doc.entity_index()
    out = []
    for ev in doc.events:
        for arg in ev.arguments:
            span = argument_span(arg, mentions)
            if span is None:
                continue
            accept = {span.offsets}
            mention = mentions.get(arg.mention_id)
            if coref_args and mention is not None and getattr(arg, "span", None) is None and mention.entity_id in entities:
                accept |= {m.span.offsets for m in entities[mention.entity_id].mentions}
            out.append(ArgumentItem(ev.type, ev.trigger.offsets, arg.role, span.start, span.end, frozenset(accept),
                                    span.text, ev.trigger.text))
    return out


ArgumentRule = Callable[[ArgumentItem, ArgumentItem], bool]

ARGUMENT_RULES: dict[str, ArgumentRule] = {
    "argument_identification": lambda g, p: g.event_type == p.event_type,
    "argument_classification": lambda g, p: g.event_type == p.event_type and g.role == p.role,
    "argument_identification_attached": lambda g, p: g.event_type == p.event_type and g.trigger == p.trigger,
    "argument_classification_attached": lambda g, p: g.event_type == p.event_type and g.trigger == p.trigger and g.role == p.role,
}


def _argument_alignment(gold: list[ArgumentItem], pred: list[ArgumentItem], rule: ArgumentRule) -> Alignment:
    return align(gold, pred, lambda g, p: int((p.start, p.end) in g.accept and rule(g, p)),
                 gold_key=lambda a: (a.event_type, a.trigger, a.role, a.start, a.end, sorted(a.accept)),
                 pred_key=lambda a: (a.event_type, a.trigger, a.role, a.start, a.end, sorted(a.accept)))


def score_events(gold: Document, pred: Document, coref_args: bool = False) -> tuple[EventCounts, list[ErrorItem], dict[str, str]]:
    """Event counts of one document, its errors, and the event alignment (predicted id -> gold id,
    pairs with the same trigger span and type) that the stance scorer uses."""
    g_trig = [TriggerItem(e.trigger.start, e.trigger.end, e.type, e.trigger.text, e.id) for e in gold.events]
    p_trig = [TriggerItem(e.trigger.start, e.trigger.end, e.type, e.trigger.text, e.id) for e in pred.events]
    al = align(g_trig, p_trig, trigger_level)
    tally: dict[str, dict[str, list[int]]] = {}

    def bump(etype: str, metric: str, which: int) -> None:
        tally.setdefault(etype, {}).setdefault(metric, [0, 0, 0])[which] += 1

    TP, FP, FN = 0, 1, 2
    errors: list[ErrorItem] = []
    doc_id = gold.doc_id
    for gi, pj, lv in al.pairs:
        g, p = g_trig[gi], p_trig[pj]
        bump(g.type, "trigger_identification", TP)
        if lv == 2:
            bump(g.type, "trigger_classification", TP)
        else:
            bump(g.type, "trigger_classification", FN)
            bump(p.type, "trigger_classification", FP)
            errors.append(ErrorItem("events", "type-confusion", doc_id, g.start, g.end, g.text, g.type, p.type))
    for gi in al.missed:
        g = g_trig[gi]
        bump(g.type, "trigger_identification", FN)
        bump(g.type, "trigger_classification", FN)
        errors.append(ErrorItem("events", "false-negative", doc_id, g.start, g.end, g.text, g.type, None))
    for pj in al.spurious:
        p = p_trig[pj]
        bump(p.type, "trigger_identification", FP)
        bump(p.type, "trigger_classification", FP)
        errors.append(ErrorItem("events", "false-positive", doc_id, p.start, p.end, p.text, None, p.type))

    g_args, p_args = argument_items(gold, coref_args), argument_items(pred, False)
    for metric, rule in ARGUMENT_RULES.items():
        aal = _argument_alignment(g_args, p_args, rule)
        for gi, _, _ in aal.pairs:
            bump(g_args[gi].event_type, metric, TP)
        for gi in aal.missed:
            bump(g_args[gi].event_type, metric, FN)
        for pj in aal.spurious:
            bump(p_args[pj].event_type, metric, FP)
        if metric == "argument_classification_attached":
            for gi in aal.missed:
                a = g_args[gi]
                errors.append(ErrorItem("arguments", "false-negative", doc_id, a.start, a.end, a.text,
                                        f"{a.role} of {a.event_type} {a.trigger_text!r}", None))
            for pj in aal.spurious:
                a = p_args[pj]
                errors.append(ErrorItem("arguments", "false-positive", doc_id, a.start, a.end, a.text, None,
                                        f"{a.role} of {a.event_type} {a.trigger_text!r}"))
    counts = EventCounts({t: {m: Counts(*v) for m, v in sorted(per.items())} for t, per in sorted(tally.items())},
                         textee_counts(gold, pred))
    event_map = {p_trig[pj].event_id: g_trig[gi].event_id for gi, pj, lv in al.pairs if lv == 2}
    return counts, _sorted_errors(errors), event_map


def textee_tuples(doc: Document) -> dict[str, set[tuple]]:
    """The tuples TextEE's ``compute_E2E_scores`` puts in a set for each of the six metrics (one document)."""
    mentions = doc.mention_index()
    out: dict[str, set[tuple]] = {m: set() for m in EVENT_METRICS}
    for ev in doc.events:
        trig = (ev.trigger.start, ev.trigger.end)
        out["trigger_identification"].add(trig)
        out["trigger_classification"].add((*trig, ev.type))
        for arg in ev.arguments:
            span = argument_span(arg, mentions)
            if span is None:
                continue
            out["argument_identification"].add((ev.type, span.start, span.end))
            out["argument_classification"].add((ev.type, span.start, span.end, arg.role))
            out["argument_identification_attached"].add((*trig, ev.type, span.start, span.end))
            out["argument_classification_attached"].add((*trig, ev.type, span.start, span.end, arg.role))
    return out


def textee_counts(gold: Document, pred: Document) -> dict[str, Counts]:
    """TextEE's counts of one document: tp = |gold ∩ predicted| tuples, fp and fn the rest of each set."""
    g, p = textee_tuples(gold), textee_tuples(pred)
    return {m: Counts(len(g[m] & p[m]), len(p[m] - g[m]), len(g[m] - p[m])) for m in EVENT_METRICS}


def event_scores(counts: EventCounts) -> dict:
    """The six TextEE metrics (unique tuples), and the six per-item metrics overall and per event type."""
    out: dict = {m: counts.textee.get(m, Counts()).scores() for m in EVENT_METRICS}
    out["per_item"] = {m: counts.overall(m).scores() for m in EVENT_METRICS}
    out["per_type"] = {t: {m: per.get(m, Counts()).scores() for m in EVENT_METRICS} for t, per in sorted(counts.by_type.items())}
    return out


# ---------------------------------------------------------------- stances


@dataclass(frozen=True)
class StanceItem:
    """A stance as the stance scorer sees it.

    ``target`` is a topic id, a gold event id (for a predicted stance: the gold event its target
    event is aligned with, or None) or the set of the target entity's mention spans.
    """

    holder: frozenset[tuple[int, int]]
    kind: str
    target: object
    label: str
    key: str
    stance_id: str = ""
    holder_text: str = ""
    target_text: str = ""
    evidence: tuple[int, int] | None = None

    def sort_key(self) -> tuple:
        target = sorted(self.target) if isinstance(self.target, frozenset) else [str(self.target)]
        return (sorted(self.holder), self.kind, target, self.label, self.stance_id)


def target_key(kind: str, target_id: str) -> str:
    """The per-target breakdown key: the topic id, or ``(event)`` / ``(entity)``."""
    return target_id if kind == "topic" else f"({kind})"


def stance_items(doc: Document, event_map: Mapping[str, str] | None = None) -> list[StanceItem]:
    """The stances of ``doc``; for a prediction, ``event_map`` maps its event ids to gold event ids."""
    entities = doc.entity_index()
    events = doc.event_index()
    out = []
    for st in doc.stances:
        holder = holder_spans(st, entities)
        if st.holder in entities:
            first = min(entities[st.holder].mentions, key=lambda m: m.span.offsets, default=None)
            holder_text = entities[st.holder].name or (first.span.text if first is not None else st.holder)
        else:
            holder_text = getattr(getattr(st, "holder_span", None), "text", "") or st.holder
        kind, tid = st.target.kind, st.target.id
        if kind == "topic":
            target: object = tid
            target_text = tid
        elif kind == "event":
            target = event_map.get(tid) if event_map is not None else tid
            target_text = f"event {events[tid].type} {events[tid].trigger.text!r}" if tid in events else f"event {tid}"
        else:
            ent = entities.get(tid)
            target = frozenset(m.span.offsets for m in ent.mentions) if ent is not None else frozenset()
            target_text = f"entity {ent.name or tid}" if ent is not None else f"entity {tid}"
        evidence = st.evidence[0].offsets if st.evidence else None
        out.append(StanceItem(holder, kind, target, st.label, target_key(kind, tid), st.id, holder_text, target_text, evidence))
    return out


def stance_compatible(g: StanceItem, p: StanceItem) -> bool:
    """Same holder (a shared mention span) and same target (module docstring)."""
    if g.kind != p.kind or not (g.holder & p.holder) or p.target is None:
        return False
    if g.kind == "entity":
        return bool(g.target & p.target)  # type: ignore[operator]
    return g.target == p.target


def score_stances(gold: Document, pred: Document, event_map: Mapping[str, str]) -> tuple[StanceCounts, list[ErrorItem]]:
    """Stance counts of one document: triples, pairs and the label confusion of the aligned pairs."""
    g_items, p_items = stance_items(gold), stance_items(pred, event_map)
    keys = dict(gold_key=StanceItem.sort_key, pred_key=StanceItem.sort_key)
    triples = align(g_items, p_items, lambda g, p: int(stance_compatible(g, p) and g.label == p.label), **keys)
    pairs = align(g_items, p_items, lambda g, p: int(stance_compatible(g, p)), tiebreak=lambda g, p: int(g.label == p.label), **keys)
    tally: dict[str, dict[str, list[int]]] = {}

    def bump(key: str, metric: str, which: int) -> None:
        tally.setdefault(key, {}).setdefault(metric, [0, 0, 0])[which] += 1

    for name, al in (("triples", triples), ("pairs", pairs)):
        for gi, _, _ in al.pairs:
            bump(g_items[gi].key, name, 0)
        for pj in al.spurious:
            bump(p_items[pj].key, name, 1)
        for gi in al.missed:
            bump(g_items[gi].key, name, 2)
    confusion: dict[str, dict[str, dict[str, int]]] = {}
    errors: list[ErrorItem] = []
    doc_id = gold.doc_id

    def locate(item: StanceItem) -> tuple[int | None, int | None, str]:
        text = f"{item.holder_text} -> {item.target_text}"
        return (item.evidence[0], item.evidence[1], text) if item.evidence else (None, None, text)

    for gi, pj, _ in pairs.pairs:
        g, p = g_items[gi], p_items[pj]
        row = confusion.setdefault(g.key, {}).setdefault(g.label, {})
        row[p.label] = row.get(p.label, 0) + 1
        if g.label != p.label:
            errors.append(ErrorItem("stances", "label-confusion", doc_id, *locate(g), g.label, p.label))
    for gi in pairs.missed:
        g = g_items[gi]
        errors.append(ErrorItem("stances", "false-negative", doc_id, *locate(g), g.label, None))
    for pj in pairs.spurious:
        p = p_items[pj]
        errors.append(ErrorItem("stances", "false-positive", doc_id, *locate(p), None, p.label))
    counts = StanceCounts({k: {m: Counts(*v) for m, v in sorted(per.items())} for k, per in sorted(tally.items())}, confusion)
    return counts, _sorted_errors(errors)


def _none_if_nan(value: float) -> float | None:
    value = float(value)
    return None if value != value else value


def label_scores(pairs: Sequence[tuple[str, str]]) -> dict:
    """Accuracy, macro-F1, F_avg, per-label F1 and confusion matrix of aligned (gold, predicted) labels.

    Computed with scikit-learn. Macro-F1 averages the F1 of the labels that occur in the gold or
    the predicted labels (a label in neither has no F1 and is left out, as in
    ``f1_score(average='macro')``); F_avg = (F1_favour + F1_against)/2 with each class's F1 as
    ``eval.pl`` computes it (:func:`toolkit.metrics.formulas.eval_pl_f1`: 0 for a class absent from
    both sides); everything is None when there is no pair. Confusion rows are gold labels, columns
    predicted labels, in the order of :data:`toolkit.metrics.counts.STANCE_LABELS`.
    """
    labels = list(STANCE_LABELS)
    out: dict = {"pairs": len(pairs), "accuracy": None, "macro_f1": None, "f_avg": None,
                 "f1_per_label": {lab: None for lab in labels},
                 "confusion": {"labels": labels, "matrix": [[0] * len(labels) for _ in labels]}}
    if not pairs:
        return out
    # Imported here, not at the top: scikit-learn takes about 0.6 s to import, and only stance
    # labels need it (a run scoring entities alone never does).
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    y_true = [g for g, _ in pairs]
    y_pred = [p for _, p in pairs]
    extra = sorted((set(y_true) | set(y_pred)) - set(labels))
    labels += extra
    out["accuracy"] = float(accuracy_score(y_true, y_pred))
    per = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=np.nan)
    out["f1_per_label"] = {lab: _none_if_nan(v) for lab, v in zip(labels, per)}
    out["macro_f1"] = _none_if_nan(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=np.nan))
    conf = confusion_matrix(y_true, y_pred, labels=labels)

    def eval_pl(lab: str) -> float:
        i = labels.index(lab)
        return float(formulas.eval_pl_f1(conf[i, i], conf[:, i].sum(), conf[i, :].sum()))

    out["f_avg"] = formulas.value(formulas.f_avg(eval_pl("favour"), eval_pl("against"), len(pairs)))
    out["confusion"] = {"labels": labels, "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()}
    return out


def stance_scores(counts: StanceCounts) -> dict:
    """End-to-end triple and pair scores, label scores on the aligned pairs, and all of it per target."""
    out: dict = {"triples": counts.overall("triples").scores(), "pairs": counts.overall("pairs").scores(),
                 "labels": label_scores(counts.label_pairs())}
    out["per_target"] = {
        key: {"triples": per.get("triples", Counts()).scores(), "pairs": per.get("pairs", Counts()).scores(),
              "labels": label_scores(counts.label_pairs(key))}
        for key, per in sorted(counts.by_target.items())
    }
    return out
