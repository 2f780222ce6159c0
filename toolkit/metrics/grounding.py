"""The grounding and validity report, the text-level entity score, and the counts of refused items.

Everything here is additive per document (:class:`GroundingCounts` supports ``+`` and round-trips
through dicts), so shards merge exactly, as the other counts do (:mod:`toolkit.metrics.counts`).

- **Validity**: per gold document, whether a prediction was received, parsed (as JSON), came from
  inside a Markdown code fence, passed the prediction schema as written, and was scored.
- **Grounding**: per kind of predicted span (mention, trigger, argument, holder, evidence), how
  many spans got each alignment status (:data:`toolkit.predictions.grounding.STATUSES`).
- **Labels outside the inventory**, with their counts, per field (entity type, event type, role,
  ...).
- **Refused items**: how many predicted items were counted as false positives because they could
  not be scored as given (ungrounded spans, arguments naming no mention), per task.
- **Text-level entity score** (a different measure from the span-level entity scores): per
  document, the multiset of (normalised mention text, entity type) pairs of the prediction
  against the gold's; tp = size of the multiset intersection, fp = predicted − tp, fn = gold − tp,
  summed over documents. Positions play no part: "Seoul" predicted once as GPE where the gold has
  two GPE "Seoul" mentions is one tp and one fn. Per type, a tp and an fn count under the gold
  pair's type, an fp under the predicted one's (a pair with the right text and another type is an
  fn of the gold type and an fp of the predicted type).

:func:`refused_counts` turns refused items into counts to add to a document's span-level counts:
a refused mention is ``spurious`` in every entity scheme under its type; a refused event is a
false positive of trigger identification and classification under its type; a refused argument
a false positive of the four argument metrics under its event type.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Collection, Mapping

from toolkit.metrics.counts import EVENT_METRICS, SCHEMES, Counts, EntityCounts, EvalCounts, EventCounts, SchemeCounts, ratio
from toolkit.metrics.scoring import ErrorItem
from toolkit.model.document import Document
from toolkit.predictions.grounding import SPAN_KIND_TASK, SPAN_KINDS, STATUSES, Refused, normalize, status_counts

DOCUMENT_FLAGS = ("gold", "received", "parsed", "fenced", "valid", "scored")
"""Per-document validity counts: ``gold`` is 1 for every scored gold document, the others 1 when true."""

ARGUMENT_METRICS = ("argument_identification", "argument_classification",
                    "argument_identification_attached", "argument_classification_attached")


def _add_nested(a: Mapping[str, Mapping[str, int]], b: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    out = {k: dict(v) for k, v in a.items()}
    for k, per in b.items():
        row = out.setdefault(k, {})
        for key, n in per.items():
            row[key] = row.get(key, 0) + n
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def _add_flat(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    out = dict(a)
    for k, n in b.items():
        out[k] = out.get(k, 0) + n
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class GroundingCounts:
    """The grounding and validity counts of one document or corpus (module docstring); ``+`` merges.

    ``documents``: flag -> count (:data:`DOCUMENT_FLAGS`); ``spans``: span kind -> status ->
    count; ``unknown_labels``: field -> label -> count; ``refused``: task -> count;
    ``text_entities``: entity type -> :class:`Counts` of the text-level entity score.
    """

    documents: Mapping[str, int] = field(default_factory=dict)
    spans: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    unknown_labels: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    refused: Mapping[str, int] = field(default_factory=dict)
    text_entities: Mapping[str, Counts] = field(default_factory=dict)

    def __add__(self, other: "GroundingCounts") -> "GroundingCounts":
        text = dict(self.text_entities)
        for t, c in other.text_entities.items():
            text[t] = text[t] + c if t in text else c
        return GroundingCounts(_add_flat(self.documents, other.documents), _add_nested(self.spans, other.spans),
                               _add_nested(self.unknown_labels, other.unknown_labels), _add_flat(self.refused, other.refused),
                               dict(sorted(text.items())))

    def to_dict(self) -> dict:
        return {"documents": {k: self.documents.get(k, 0) for k in DOCUMENT_FLAGS},
                "spans": {k: dict(v) for k, v in self.spans.items()},
                "unknown_labels": {k: dict(v) for k, v in self.unknown_labels.items()},
                "refused": dict(self.refused),
                "text_entities": {t: c.to_dict() for t, c in self.text_entities.items()}}

    @classmethod
    def from_dict(cls, data: Mapping) -> "GroundingCounts":
        return cls({k: int(v) for k, v in (data.get("documents") or {}).items()},
                   {k: {s: int(n) for s, n in v.items()} for k, v in (data.get("spans") or {}).items()},
                   {k: {s: int(n) for s, n in v.items()} for k, v in (data.get("unknown_labels") or {}).items()},
                   {k: int(v) for k, v in (data.get("refused") or {}).items()},
                   {t: Counts.from_dict(c) for t, c in (data.get("text_entities") or {}).items()})


def total_grounding(counts: Collection[GroundingCounts]) -> GroundingCounts:
    out = GroundingCounts()
    for c in counts:
        out = out + c
    return out


def text_level_counts(gold: Document, predicted: list[tuple[str, str, str]], kinds: Collection[str] | None = None) -> dict[str, Counts]:
    """The text-level entity counts of one document (module docstring), per entity type.

    ``predicted``: (mention text, entity type, kind) of every predicted mention; with ``kinds``,
    only gold mentions of those kinds and predicted ones of those kinds or without a kind count.
    """
    g = Counter((normalize(m.span.text), m.entity_type) for m in gold.mentions() if kinds is None or m.kind in kinds)
    p = Counter((normalize(text), etype) for text, etype, kind in predicted if kinds is None or not kind or kind in kinds)
    tally: dict[str, list[int]] = {}
    for pair in g.keys() | p.keys():
        tp = min(g[pair], p[pair])
        fp, fn = p[pair] - tp, g[pair] - tp
        row = tally.setdefault(pair[1], [0, 0, 0])
        row[0] += tp
        row[1] += fp
        row[2] += fn
    return {t: Counts(*v) for t, v in sorted(tally.items())}


def grounding_counts(gold: Document, pred: Document | None, record=None, kinds: Collection[str] | None = None,
                     tasks: Collection[str] = ("entities", "coreference", "events", "stances")) -> GroundingCounts:
    """The grounding counts of one document from its :class:`toolkit.predictions.load.PredictionRecord`.

    Without a record (documents given directly, e.g. ``toolkit compare gold``), a prediction
    document counts as received, parsed, valid and scored, with no span status.
    """
    if record is None:
        got = int(pred is not None)
        documents = {"gold": 1, "received": got, "parsed": got, "fenced": 0, "valid": got, "scored": got}
        spans: dict = {}
        unknown: dict = {}
        refused: dict = {}
        mentions = [(m.span.text, m.entity_type, m.kind) for m in pred.mentions()] if pred is not None else []
    else:
        documents = {"gold": 1, "received": int(record.received), "parsed": int(record.parsed), "fenced": int(record.fenced),
                     "valid": int(record.valid), "scored": int(record.scored)}
        wanted = {k for k, task in SPAN_KIND_TASK.items() if task in tasks or (k == "mention" and "coreference" in tasks)}
        spans = status_counts((k, s) for k, s in record.statuses if k in wanted)
        unknown = {}
        for f, label in record.unknown_labels:
            row = unknown.setdefault(f, {})
            row[label] = row.get(label, 0) + 1
        refused = dict(Counter(r.task for r in _countable(record.refused, kinds, tasks)))
        mentions = list(record.mentions)
    text = text_level_counts(gold, mentions, kinds) if "entities" in tasks else {}
    return GroundingCounts(documents, {k: dict(sorted(v.items())) for k, v in sorted(spans.items())},
                           {k: dict(sorted(v.items())) for k, v in sorted(unknown.items())}, dict(sorted(refused.items())), text)


def _countable(refused: list[Refused], kinds: Collection[str] | None, tasks: Collection[str]) -> list[Refused]:
    out = []
    for r in refused:
        if r.task == "entities":
            if "entities" in tasks and (kinds is None or not r.kind or r.kind in kinds):
                out.append(r)
        elif "events" in tasks:
            out.append(r)
    return out


def refused_counts(refused: list[Refused], doc_id: str, tasks: Collection[str], kinds: Collection[str] | None = None) -> tuple[EvalCounts, list[ErrorItem]]:
    """The false positives of refused items (module docstring) as counts to add, and their errors.

    Entities: ``spurious`` in every scheme, in the micro counts and under the item's type.
    Events, per item: a false positive of each metric under the event type; TextEE (unique
    tuples): one false positive per distinct tuple, the quote standing for the span (trigger
    identification: the quote; classification: quote and type; arguments: event type and quote,
    with the role for classification and the trigger's quote for the attached variants).
    """
    ent: dict[str, int] = {}
    ev: dict[str, dict[str, list[int]]] = {}
    textee: dict[str, set] = {m: set() for m in EVENT_METRICS}
    errors: list[ErrorItem] = []
    for r in _countable(refused, kinds, tasks):
        if r.task == "entities":
            ent[r.label] = ent.get(r.label, 0) + 1
            errors.append(ErrorItem("entities", "false-positive", doc_id, None, None, r.text, None, r.label, r.reason))
            continue
        per = ev.setdefault(r.label, {})
        metrics = ("trigger_identification", "trigger_classification") if r.task == "events" else ARGUMENT_METRICS
        for m in metrics:
            per.setdefault(m, [0, 0, 0])[1] += 1
        if r.task == "events":
            textee["trigger_identification"].add((r.text,))
            textee["trigger_classification"].add((r.text, r.label))
            errors.append(ErrorItem("events", "false-positive", doc_id, None, None, r.text, None, r.label, r.reason))
        else:
            textee["argument_identification"].add((r.label, r.text))
            textee["argument_classification"].add((r.label, r.text, r.role))
            textee["argument_identification_attached"].add((r.label, r.text, r.trigger))
            textee["argument_classification_attached"].add((r.label, r.text, r.role, r.trigger))
            errors.append(ErrorItem("arguments", "false-positive", doc_id, None, None, r.text, None, f"{r.role} of {r.label}", r.reason))
    entities = events = None
    if "entities" in tasks:
        total = sum(ent.values())
        entities = EntityCounts({s: SchemeCounts(spurious=total) for s in SCHEMES},
                                {s: {t: SchemeCounts(spurious=n) for t, n in sorted(ent.items())} for s in SCHEMES})
    if "events" in tasks:
        events = EventCounts({t: {m: Counts(*v) for m, v in sorted(per.items())} for t, per in sorted(ev.items())},
                             {m: Counts(0, len(textee[m]), 0) for m in EVENT_METRICS})
    return EvalCounts(entities=entities, events=events), errors


def grounding_scores(counts: GroundingCounts) -> dict:
    """The grounding and validity report of summed counts (JSON-ready; shares are None over nothing).

    ``documents``: each flag's count, and its share of the gold documents (``received``) or of
    the received predictions (the others); ``spans``: per span kind, the total and each status's
    count and share; ``unknown_labels`` and ``refused`` as counted; ``text_entities``: micro and
    per-type P, R, F1 of the text-level entity score.
    """
    docs = {k: counts.documents.get(k, 0) for k in DOCUMENT_FLAGS}
    received = docs["received"]
    shares = {"received": ratio(received, docs["gold"]), **{k: ratio(docs[k], received) for k in ("parsed", "fenced", "valid", "scored")}}
    spans = {}
    for kind in SPAN_KINDS:
        per = counts.spans.get(kind)
        if not per:
            continue
        n = sum(per.values())
        spans[kind] = {"total": n, "counts": {s: per.get(s, 0) for s in STATUSES}, "shares": {s: ratio(per.get(s, 0), n) for s in STATUSES}}
    micro = sum(counts.text_entities.values(), Counts())
    return {"documents": {**docs, "shares": shares}, "spans": spans,
            "unknown_labels": {k: dict(v) for k, v in counts.unknown_labels.items()},
            "refused": dict(counts.refused),
            "text_entities": {"micro": micro.scores(), "per_type": {t: c.scores() for t, c in counts.text_entities.items()}}}
