"""Evaluating predictions against the gold: match on item tables, one counts table, scores from it.

>>> from toolkit.dataset.gold import load_gold
>>> from toolkit.predictions.load import load_predictions
>>> from toolkit.evaluation.evaluate import evaluate
>>> gold = load_gold("annotations")
>>> preds = load_predictions("runs/baseline", gold)           # .issues tells what was wrong
>>> report = evaluate(gold, preds.documents, tasks=("entities", "events"))
>>> report.scores()["entities"]["micro"]["strict"]["f1"]
>>> report.to_dataframe()                                      # one row per task, metric and label

The gold and the predictions become item tables (:mod:`toolkit.model.tables`); every task matches
its items with the one matcher (:mod:`toolkit.metrics.matching`) and turns the matches into count
rows; the rows of all tasks form the report's counts table (:mod:`toolkit.evaluation.counts`), a
row per (document, task, measure, label, outcome). Every score is computed from the summed table,
so merging shards (:meth:`EvalReport.merge`, counts files and ``toolkit merge``) gives exactly the
scores of the whole corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from toolkit.evaluation.counts import CountsTable, concat, empty_frame, from_per_document, scores as scores_of
from toolkit.metrics.counting import ErrorItem, concat as concat_rows, frame_by_doc, sorted_errors
from toolkit.metrics.entities import SCHEMES
from toolkit.metrics.events import METRICS as EVENT_METRICS
from toolkit.model.document import Document
from toolkit.model.tables import Tables, from_documents
from toolkit.io.perf import release_free_memory

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


@dataclass
class EvalReport:
    """The counts table of a scored corpus and the errors behind it; scores are computed on demand."""

    tasks: tuple[str, ...]
    options: EvalOptions
    counts: CountsTable
    errors: list[ErrorItem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Gold documents that had no prediction (scored as predicting nothing)."""
    unmatched: list[str] = field(default_factory=list)
    """Predicted documents with no gold document (not scored)."""

    @property
    def doc_ids(self) -> list[str]:
        return self.counts.doc_ids

    def scores(self) -> dict:
        """Scores of every task, from the summed counts (the ``to_dict`` sections without counts)."""
        return scores_of(self.counts.totals(), self.tasks)

    def to_dict(self, errors: bool = False, per_document: bool = False) -> dict:
        """A stable, JSON-ready structure (documented in docs/metrics.md); ``per_document`` adds the
        counts of each document (as counts files hold them)."""
        out: dict = {
            "format": FORMAT_VERSION,
            "tasks": list(self.tasks),
            "options": self.options.to_dict(),
            "documents": {"scored": len(self.doc_ids), "ids": list(self.doc_ids),
                          "missing_predictions": sorted(self.missing), "unmatched_predictions": sorted(self.unmatched)},
            **self.scores(),
        }
        grounding = self.grounding()
        if grounding is not None:
            out["grounding"] = grounding
        if per_document:
            out["per_document"] = self.per_document()
            if grounding is not None:
                out["per_document_grounding"] = self.counts.per_document_grounding()
        if errors:
            out["errors"] = [e.to_dict() for e in self.errors]
        return out

    def per_document(self) -> dict[str, dict]:
        """The counts of every scored document, each with every scored task (empty when it counted nothing)."""
        return self.counts.per_document(self.tasks)

    def grounding(self) -> dict | None:
        """The grounding and validity report (:func:`toolkit.metrics.grounding.grounding_scores`), None
        for a report whose counts have none (read from a counts file made before it existed)."""
        from toolkit.metrics.grounding import grounding_scores

        return grounding_scores(self.counts.totals())

    def refused_documents(self) -> list[str]:
        """Gold documents whose prediction was received but could not be scored (scored as empty)."""
        f = self.counts.frame
        flags = f[(f["task"] == "grounding") & (f["measure"] == "documents")]
        received = set(flags.loc[flags["outcome"] == "received", "doc"].tolist())
        scored = set(flags.loc[flags["outcome"] == "scored", "doc"].tolist())
        return sorted(self.doc_ids[d] for d in received - scored)

    @classmethod
    def from_dict(cls, data: Mapping) -> "EvalReport":
        """Rebuild a report from :meth:`to_dict` output made with ``per_document``."""
        opts = data.get("options") or {}
        kinds = opts.get("mention_kinds")
        docs = data.get("documents") or {}
        return cls(tuple(data["tasks"]), EvalOptions(tuple(kinds) if kinds is not None else None, bool(opts.get("coref_args"))),
                   from_per_document(data["per_document"], data.get("per_document_grounding")),
                   [ErrorItem(**e) for e in data.get("errors", [])],
                   list(docs.get("missing_predictions", [])), list(docs.get("unmatched_predictions", [])))

    def merge(self, other: "EvalReport") -> "EvalReport":
        """The report of two disjoint shards of a corpus (same tasks and options)."""
        if (self.tasks, self.options) != (other.tasks, other.options):
            raise ValueError("cannot merge reports made with different tasks or options")
        table = concat([self.counts, other.counts])
        return EvalReport(self.tasks, self.options, table,
                          sorted_errors(self.errors + other.errors),
                          sorted(self.missing + other.missing),
                          sorted(set(self.unmatched + other.unmatched) - set(table.doc_ids)))

    def to_dataframe(self):
        """Every score as a row of a pandas DataFrame (long format, the ``csv`` output).

        Columns: ``task``, ``metric`` (entity scheme, event metric, ``triples``/``pairs``, stance
        label metric, coreference metric), ``label`` (``ALL``, ``MACRO``, or an entity type, event
        type or stance target), the counts (entity schemes: correct, incorrect, partial, missed,
        spurious, possible, actual; other tasks: tp, fp, fn in correct, spurious, missed), and
        ``precision``, ``recall``, ``f1`` or, for single figures, ``value``. Missing values are NaN.
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
        grounding = self.grounding()
        if grounding is not None:
            rows += grounding_rows(grounding, "entities" in self.tasks)
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


def _tables(docs) -> tuple[Tables, list[str]]:
    if isinstance(docs, Tables):
        return docs, docs.doc_ids
    if hasattr(docs, "tables"):  # a Corpus: its tables, without building a Document per item
        return docs.tables, docs.tables.doc_ids
    docs = dict(docs) if isinstance(docs, Mapping) else {d.doc_id: d for d in docs}
    ids = sorted(docs)
    return from_documents(docs[d] for d in ids), ids


def evaluate(gold_docs: Mapping[str, Document] | Iterable[Document] | Tables,
             pred_docs: Mapping[str, Document] | Iterable[Document] | Tables,
             tasks: Sequence[str] = TASKS, options: EvalOptions | None = None, records: Mapping | None = None,
             errors: bool = True, statuses=None) -> EvalReport:
    """Score ``pred_docs`` against ``gold_docs`` (documents keyed by doc id, iterables of documents,
    or item tables).

    Every gold document is scored; one without a prediction counts as predicting nothing (listed
    in ``missing``, unless ``records`` shows one was received and refused). Predicted documents
    without gold are not scored (listed in ``unmatched``). ``records`` (doc id ->
    :class:`toolkit.predictions.load.PredictionRecord`, the ``records`` of a prediction set) adds
    the refused items' false positives and the grounding report; ``statuses`` (the ``statuses`` of a
    prediction set) the span statuses of documents loaded without a record. ``errors`` lists every error of
    the system (False skips building them). Raises ValueError for an unknown task name.
    """
    from toolkit.metrics import coreference, entities, grounding

    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        raise ValueError(f"unknown task(s) {', '.join(unknown)}; tasks are {', '.join(TASKS)}")
    tasks = tuple(t for t in TASKS if t in tasks)
    options = options or EvalOptions()
    gold, gold_ids = _tables(gold_docs)
    if sorted(gold_ids) != list(gold_ids):
        order = sorted(gold_ids)
        gold, gold_ids = gold.reindexed(order), order
    pred_all, pred_ids = _tables(pred_docs)
    pred = pred_all.reindexed(gold_ids)
    n = len(gold_ids)
    frames, errs = [], []
    kinds = options.mention_kinds
    # each task's matching lives only in its helper: its rows are kept, its pairs dropped
    if "entities" in tasks or "coreference" in tasks:
        gm, pm = entities.kept(gold.mentions, kinds), entities.kept(pred.mentions, kinds)
        if "entities" in tasks:
            _entity_part(gold, pred, gm, pm, gold_ids, errors, frames, errs)
        if "coreference" in tasks:
            frames.append(_coref_frame(coreference.coref_tables(gm, pm, n), n))
        del gm, pm
    if "events" in tasks or "stances" in tasks:
        _event_stance_part(gold, pred, tasks, options, gold_ids, errors, frames, errs)
    records = records or {}
    refused, refused_errors = grounding.refused_rows(records, gold_ids, tasks, kinds)
    frames.append(refused)
    if errors:
        errs += refused_errors
    frames.append(grounding.grounding_rows(gold, pred, pred_ids, records, gold_ids, kinds, tasks, statuses))
    release_free_memory()  # what the matching freed, before the largest allocation
    frame = frame_by_doc(frames)  # frames is emptied: the rows are in the table now
    if frame is None:
        frame = empty_frame()
    return EvalReport(tasks, options, CountsTable(list(gold_ids), frame), sorted_errors([ErrorItem(**e) for e in errs]),
                      missing=sorted(set(gold_ids) - set(pred_ids) - set(records)), unmatched=sorted(set(pred_ids) - set(gold_ids)))


def _entity_part(gold: Tables, pred: Tables, gm, pm, gold_ids, errors: bool, frames: list, errs: list) -> None:
    """Match the kept mentions and add their rows (and errors) to ``frames`` (and ``errs``)."""
    from toolkit.metrics import entities

    match = entities.match_mentions(gm, pm, gold.entities["entity_id"].iloc[gm["entity"].to_numpy()],
                                    pred.entities["entity_id"].iloc[pm["entity"].to_numpy()])
    frames.extend(r.assign("entities") for r in entities.entity_rows(match))
    if errors:
        errs += entities.entity_errors(match, gold_ids)


def _event_stance_part(gold: Tables, pred: Tables, tasks, options: EvalOptions, gold_ids, errors: bool, frames: list,
                       errs: list) -> None:
    """Match the events (and, on them, the stances) and add their rows (and errors)."""
    from toolkit.metrics import events, stances

    ematch = events.match_events(gold, pred, options.coref_args)
    if "events" in tasks:
        frames.extend(r.assign("events") for r in events.textee_rows(ematch) + events.item_rows(ematch))
        if errors:
            errs += events.event_errors(ematch, gold_ids)
    if "stances" in tasks:
        event_map = ematch.event_map()
        del ematch
        smatch = stances.match_stances(gold, pred, event_map)
        frames.extend(r.assign("stances") for r in stances.stance_rows(smatch))
        if errors:
            errs += stances.stance_errors(smatch, gold_ids)


def _coref_frame(arrays: dict[str, np.ndarray], n: int):
    from toolkit.metrics.counting import Rows

    parts = []
    for key, values in arrays.items():
        metric, _, outcome = key.partition(".")
        nz = np.flatnonzero(values != 0)
        parts.append(Rows.of(nz, metric, "", outcome, values[nz], "coreference"))
    return concat_rows(parts)
