"""Evaluating predictions against gold documents: per-document counts, corpus scores, a report.

>>> from toolkit.checks.gold import load_gold
>>> from toolkit.predictions.load import load_predictions
>>> from toolkit.evaluation.evaluate import evaluate
>>> gold = load_gold("annotations")
>>> preds = load_predictions("runs/baseline", gold)           # .issues tells what was wrong
>>> report = evaluate(gold, preds.documents, tasks=("entities", "events"))
>>> report.to_dict()["entities"]["micro"]["strict"]["f1"]
>>> report.to_dataframe()                                      # one row per task, metric and label

Counts are kept per document (:attr:`EvalReport.per_document`) and summed once; every score is
computed from the summed counts, so merging shards (:meth:`EvalReport.merge`, or
:meth:`EvalReport.from_dict` of saved reports) gives exactly the scores of the whole corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from toolkit.metrics.counts import EVENT_METRICS, SCHEMES, EvalCounts, total
from toolkit.metrics.grounding import GroundingCounts, grounding_counts, grounding_scores, refused_counts, total_grounding
from toolkit.model.document import Document
from toolkit.io.perf import gc_paused
from toolkit.metrics.scoring import (
    ErrorItem,
    coreference_scores,
    entity_scores,
    event_scores,
    score_coreference,
    score_entities,
    score_events,
    score_stances,
    stance_scores,
)

TASKS = ("entities", "coreference", "events", "stances")
FORMAT_VERSION = "toolkit-eval/2"


@dataclass(frozen=True)
class EvalOptions:
    """How to score: ``mention_kinds`` keeps only mentions of these kinds (entities and
    coreference; None keeps all); ``coref_args`` credits an argument span equal to any mention
    of the gold argument's entity."""

    mention_kinds: tuple[str, ...] | None = None
    coref_args: bool = False

    def to_dict(self) -> dict:
        return {"mention_kinds": list(self.mention_kinds) if self.mention_kinds is not None else None,
                "coref_args": self.coref_args}


def _as_map(docs: Mapping[str, Document] | Iterable[Document]) -> dict[str, Document]:
    if isinstance(docs, Mapping):
        return dict(docs)
    return {d.doc_id: d for d in docs}


def evaluate_document(gold: Document, pred: Document | None, tasks: Sequence[str] = TASKS,
                      options: EvalOptions | None = None, record=None) -> tuple[EvalCounts, list[ErrorItem]]:
    """Counts and errors of one document (``pred`` None: the system predicted nothing).

    ``record`` (a :class:`toolkit.predictions.load.PredictionRecord`) adds the false positives of
    the items loading refused (:func:`toolkit.metrics.grounding.refused_counts`).
    """
    options = options or EvalOptions()
    pred = pred if pred is not None else Document(doc_id=gold.doc_id, text=gold.text)
    kinds = set(options.mention_kinds) if options.mention_kinds is not None else None
    parts: dict = {}
    errors: list[ErrorItem] = []
    if "entities" in tasks:
        parts["entities"], errs = score_entities(gold, pred, kinds)
        errors += errs
    if "coreference" in tasks:
        parts["coreference"] = score_coreference(gold, pred, kinds)
    event_map: dict[str, str] = {}
    if "events" in tasks or "stances" in tasks:
        event_counts, errs, event_map = score_events(gold, pred, options.coref_args)
        if "events" in tasks:
            parts["events"] = event_counts
            errors += errs
    if "stances" in tasks:
        parts["stances"], errs = score_stances(gold, pred, event_map)
        errors += errs
    counts = EvalCounts(**parts)
    if record is not None and record.refused:
        extra, errs = refused_counts(record.refused, gold.doc_id, tasks, kinds)
        counts = counts + extra
        errors += errs
    return counts, errors


@dataclass
class EvalReport:
    """Per-document counts and the errors behind them; scores are computed on demand from the summed counts."""

    tasks: tuple[str, ...]
    options: EvalOptions
    per_document: dict[str, EvalCounts]
    errors: list[ErrorItem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Gold documents that had no prediction (scored as predicting nothing)."""
    unmatched: list[str] = field(default_factory=list)
    """Predicted documents with no gold document (not scored)."""
    grounding: dict[str, GroundingCounts] = field(default_factory=dict)
    """Per-document grounding and validity counts (:mod:`toolkit.metrics.grounding`); empty for reports read from older files."""

    @property
    def counts(self) -> EvalCounts:
        """The counts summed over every document."""
        return total(self.per_document.values())

    def scores(self) -> dict:
        """Scores of every task, from the summed counts (the ``to_dict`` sections without counts)."""
        counts = self.counts
        out: dict = {}
        if "entities" in self.tasks:
            out["entities"] = entity_scores(counts.entities) if counts.entities is not None else None
        if "coreference" in self.tasks:
            out["coreference"] = coreference_scores(counts.coreference) if counts.coreference is not None else None
        if "events" in self.tasks:
            out["events"] = event_scores(counts.events) if counts.events is not None else None
        if "stances" in self.tasks:
            out["stances"] = stance_scores(counts.stances) if counts.stances is not None else None
        return out

    @gc_paused()
    def to_dict(self, errors: bool = False, per_document: bool = True) -> dict:
        """A stable, JSON-ready structure (documented in docs/metrics.md)."""
        scores = self.scores()
        out: dict = {
            "format": FORMAT_VERSION,
            "tasks": list(self.tasks),
            "options": self.options.to_dict(),
            "documents": {"scored": len(self.per_document), "ids": sorted(self.per_document),
                          "missing_predictions": sorted(self.missing), "unmatched_predictions": sorted(self.unmatched)},
            **scores,
        }
        if self.grounding:
            out["grounding"] = grounding_scores(total_grounding(self.grounding.values()))
        if per_document:
            out["per_document"] = {d: c.to_dict() for d, c in sorted(self.per_document.items())}
            if self.grounding:
                out["per_document_grounding"] = {d: g.to_dict() for d, g in sorted(self.grounding.items())}
        if errors:
            out["errors"] = [e.to_dict() for e in self.errors]
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> "EvalReport":
        """Rebuild a report from :meth:`to_dict` output (it needs ``per_document``)."""
        opts = data.get("options") or {}
        kinds = opts.get("mention_kinds")
        errors = [ErrorItem(**e) for e in data.get("errors", [])]
        docs = data.get("documents") or {}
        return cls(tuple(data["tasks"]), EvalOptions(tuple(kinds) if kinds is not None else None, bool(opts.get("coref_args"))),
                   {d: EvalCounts.from_dict(c) for d, c in data["per_document"].items()}, errors,
                   list(docs.get("missing_predictions", [])), list(docs.get("unmatched_predictions", [])),
                   {d: GroundingCounts.from_dict(g) for d, g in (data.get("per_document_grounding") or {}).items()})

    def merge(self, other: "EvalReport") -> "EvalReport":
        """The report of two disjoint shards of a corpus (same tasks and options)."""
        if (self.tasks, self.options) != (other.tasks, other.options):
            raise ValueError("cannot merge reports made with different tasks or options")
        overlap = set(self.per_document) & set(other.per_document)
        if overlap:
            raise ValueError(f"documents scored in both reports: {', '.join(sorted(overlap))}")
        # Documents in doc-id order, as evaluate() keeps them: the sums (and so every float) come
        # out exactly as in one run over both shards.
        per_document = dict(sorted({**self.per_document, **other.per_document}.items()))
        return EvalReport(self.tasks, self.options, per_document,
                          sorted(self.errors + other.errors, key=lambda e: e.doc_id),
                          sorted(self.missing + other.missing),
                          sorted(set(self.unmatched + other.unmatched) - set(per_document)),
                          dict(sorted({**self.grounding, **other.grounding}.items())))

    def to_dataframe(self):
        """Every score as a row of a pandas DataFrame (long format, the ``csv`` output).

        Columns: ``task``, ``metric`` (entity scheme, event metric, ``triples``/``pairs``, stance
        label metric, coreference metric), ``label`` (``ALL``, ``MACRO``, or an entity type, event
        type or stance target), the counts (entity schemes: correct, incorrect, partial, missed,
        spurious, possible, actual; other tasks: tp, fp, fn in correct, spurious, missed), and
        ``precision``, ``recall``, ``f1`` or, for single figures, ``value``. Missing values are NaN.
        The grounding report follows (:func:`grounding_rows`).
        """
        import pandas as pd

        rows: list[dict] = []
        scores = self.scores()

        def scheme_row(task: str, metric: str, label: str, s: dict) -> dict:
            return {"task": task, "metric": metric, "label": label,
                    **{k: s.get(k) for k in ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")},
                    "precision": s.get("precision"), "recall": s.get("recall"), "f1": s.get("f1")}

        def prf_row(task: str, metric: str, label: str, s: dict) -> dict:
            return {"task": task, "metric": metric, "label": label, "correct": s["tp"], "spurious": s["fp"], "missed": s["fn"],
                    "possible": s["tp"] + s["fn"], "actual": s["tp"] + s["fp"],
                    "precision": s["precision"], "recall": s["recall"], "f1": s["f1"]}

        ent = scores.get("entities")
        if ent:
            for scheme in SCHEMES:
                rows.append(scheme_row("entities", scheme, "ALL", ent["micro"][scheme]))
                rows.append(scheme_row("entities", scheme, "MACRO", ent["macro"][scheme]))
                for etype, per in ent["per_type"].items():
                    rows.append(scheme_row("entities", scheme, etype, per[scheme]))
        coref = scores.get("coreference")
        if coref:
            for metric, s in coref.items():
                if metric == "conll_f1":
                    rows.append({"task": "coreference", "metric": "conll", "label": "ALL", "f1": s})
                else:
                    rows.append({"task": "coreference", "metric": metric, "label": "ALL",
                                 "precision": s["precision"], "recall": s["recall"], "f1": s["f1"]})
        ev = scores.get("events")
        if ev:
            for metric in EVENT_METRICS:
                rows.append(prf_row("events", metric, "ALL", ev[metric]))
                rows.append(prf_row("events", f"{metric} per item", "ALL", ev["per_item"][metric]))
                for etype, per in ev["per_type"].items():
                    rows.append(prf_row("events", f"{metric} per item", etype, per[metric]))
        st = scores.get("stances")
        if st:
            for scope, section in (("ALL", st), *st["per_target"].items()):
                for metric in ("triples", "pairs"):
                    rows.append(prf_row("stances", metric, scope, section[metric]))
                labels = section["labels"]
                for metric in ("accuracy", "macro_f1", "f_avg"):
                    rows.append({"task": "stances", "metric": f"label {metric}", "label": scope, "value": labels[metric],
                                 "possible": labels["pairs"]})
        if self.grounding:
            rows += grounding_rows(grounding_scores(total_grounding(self.grounding.values())), "entities" in self.tasks)
        columns = ["task", "metric", "label", "correct", "incorrect", "partial", "missed", "spurious", "possible", "actual",
                   "precision", "recall", "f1", "value"]
        df = pd.DataFrame(rows, columns=columns)
        for col in columns[3:]:
            df[col] = pd.to_numeric(df[col], errors="coerce")
        return df


def grounding_rows(g: dict, entities: bool = True) -> list[dict]:
    """The rows of the grounding report (``grounding_scores`` output) in the long format of :meth:`EvalReport.to_dataframe`.

    Task ``grounding``: metric ``documents`` (label: received, parsed, fenced, valid, scored),
    metric ``<kind> spans`` (label: an alignment status) and metric ``unknown labels`` (label
    ``field: label``) and ``refused items`` (label: task), with ``actual`` the count,
    ``possible`` its denominator and ``value`` the share; task ``entities``, metric
    ``text_level``: the text-level entity score (label ``ALL`` or a type; correct = tp,
    spurious = fp, missed = fn).
    """
    rows: list[dict] = []
    docs = g["documents"]
    for flag in ("received", "parsed", "fenced", "valid", "scored"):
        den = docs["gold"] if flag == "received" else docs["received"]
        rows.append({"task": "grounding", "metric": "documents", "label": flag, "actual": docs[flag], "possible": den,
                     "value": docs["shares"][flag]})
    for kind, per in g["spans"].items():
        for status, n in per["counts"].items():
            rows.append({"task": "grounding", "metric": f"{kind} spans", "label": status, "actual": n, "possible": per["total"],
                         "value": per["shares"][status]})
    for field_name, per in g["unknown_labels"].items():
        for label, n in per.items():
            rows.append({"task": "grounding", "metric": "unknown labels", "label": f"{field_name}: {label}", "actual": n})
    for task, n in g["refused"].items():
        rows.append({"task": "grounding", "metric": "refused items", "label": task, "actual": n})
    if entities:
        text = g["text_entities"]
        for label, s in (("ALL", text["micro"]), *text["per_type"].items()):
            rows.append({"task": "entities", "metric": "text_level", "label": label, "correct": s["tp"], "spurious": s["fp"],
                         "missed": s["fn"], "possible": s["tp"] + s["fn"], "actual": s["tp"] + s["fp"],
                         "precision": s["precision"], "recall": s["recall"], "f1": s["f1"]})
    return rows


@gc_paused()
def evaluate(gold_docs: Mapping[str, Document] | Iterable[Document], pred_docs: Mapping[str, Document] | Iterable[Document],
             tasks: Sequence[str] = TASKS, options: EvalOptions | None = None, records: Mapping | None = None) -> EvalReport:
    """Score ``pred_docs`` against ``gold_docs`` (both keyed by doc id, or iterables of documents).

    Every gold document is scored; one without a prediction counts as predicting nothing (listed
    in ``missing``, unless ``records`` shows one was received and refused). Predicted documents
    without gold are not scored (listed in ``unmatched``). ``records`` (doc id ->
    :class:`toolkit.predictions.load.PredictionRecord`, the ``records`` of a prediction set) adds
    the refused items' false positives and the grounding report. Raises ValueError for an unknown
    task name.
    """
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        raise ValueError(f"unknown task(s) {', '.join(unknown)}; tasks are {', '.join(TASKS)}")
    tasks = tuple(t for t in TASKS if t in tasks)
    options = options or EvalOptions()
    gold, pred = _as_map(gold_docs), _as_map(pred_docs)
    records = records or {}
    kinds = set(options.mention_kinds) if options.mention_kinds is not None else None
    per_document: dict[str, EvalCounts] = {}
    grounding: dict[str, GroundingCounts] = {}
    errors: list[ErrorItem] = []
    for doc_id in sorted(gold):
        record = records.get(doc_id)
        counts, errs = evaluate_document(gold[doc_id], pred.get(doc_id), tasks, options, record)
        per_document[doc_id] = counts
        grounding[doc_id] = grounding_counts(gold[doc_id], pred.get(doc_id), record, kinds, tasks)
        errors += errs
    return EvalReport(tasks, options, per_document, errors,
                      missing=sorted(set(gold) - set(pred) - set(records)), unmatched=sorted(set(pred) - set(gold)),
                      grounding=grounding)
