"""The grounding and validity report, the text-level entity score, and the counts of refused items.

All of it is count rows of the counts table (:mod:`toolkit.evaluation.counts`), additive per
document, so shards merge exactly, as every other count does. Task ``grounding``:

===================  ==================  ==================================================
measure              label               outcome
===================  ==================  ==================================================
``documents``        ""                  gold, received, parsed, fenced, valid, scored
``spans``            span kind           alignment status (:data:`toolkit.predictions.grounding.STATUSES`)
``unknown_labels``   field               the label outside the inventory
``refused``          ""                  task of the refused item
``text_entities``    entity type         tp, fp, fn
===================  ==================  ==================================================

- **Validity**: per gold document, whether a prediction was received, parsed (as JSON), came from
  inside a Markdown code fence, passed the prediction schema as written, and was scored.
- **Grounding**: per kind of predicted span (mention, trigger, argument, holder, evidence), how
  many spans got each alignment status.
- **Labels outside the inventory**, with their counts, per field.
- **Refused items**: how many predicted items were counted as false positives because they could
  not be scored as given (ungrounded spans, arguments naming no mention), per task.
- **Text-level entity score** (a different measure from the span-level entity scores): per
  document, the multiset of (normalised mention text, entity type) pairs of the prediction against
  the gold's; tp = size of the multiset intersection, fp = predicted − tp, fn = gold − tp. Per
  type, a tp and an fn count under the gold pair's type, an fp under the predicted one's.

:func:`refused_rows` turns refused items into entity and event count rows: a refused mention is
``spurious`` in every entity scheme, overall and under its type; a refused event is a false
positive of trigger identification and classification under its type (per item) and of TextEE's
tuples (one per distinct quote); a refused argument likewise for the four argument metrics.
"""

from __future__ import annotations

from typing import Collection, Mapping

import numpy as np
import pandas as pd

from toolkit.metrics import formulas
from toolkit.io.arrow import ints, one_array
from toolkit.metrics.counting import Coded, Rows, concat, groups, tally
from toolkit.metrics.entities import SCHEMES
from toolkit.model.tables import Tables
from toolkit.predictions.grounding import SPAN_KIND_TASK, SPAN_KINDS, STATUSES, normalize_many

DOCUMENT_FLAGS = ("gold", "received", "parsed", "fenced", "valid", "scored")
"""Per-document validity counts: ``gold`` is 1 for every scored gold document, the others 1 when true."""

ARGUMENT_METRICS = ("argument_identification", "argument_classification",
                    "argument_identification_attached", "argument_classification_attached")


def _countable(refused, kinds: Collection[str] | None, tasks: Collection[str]) -> list:
    out = []
    for r in refused:
        if r.task == "entities":
            if "entities" in tasks and (kinds is None or not r.kind or r.kind in kinds):
                out.append(r)
        elif "events" in tasks:
            out.append(r)
    return out


def _text_level(gold: Tables, pred: Tables, records: Mapping, doc_ids: list[str], kinds) -> Rows:
    import pyarrow as pa
    import pyarrow.compute as pc

    g = gold.mentions
    if kinds is not None:
        g = g[g["kind"].isin(list(kinds))]
    with_record = {i for i, d in enumerate(doc_ids) if d in records}
    pm = pred.mentions[~pred.mentions["doc"].isin(list(with_record))] if with_record else pred.mentions
    if kinds is not None:
        pm = pm[(pm["kind"] == "") | pm["kind"].isin(list(kinds))]
    # a document with a record (a prediction read row by row) holds its mentions as it received them
    extra = [(i, text, etype) for i in sorted(with_record) for text, etype, kind in records[doc_ids[i]].mentions
             if kinds is None or kind == "" or kind in kinds]
    if not len(g) and not len(pm) and not extra:
        return concat([])
    texts = pa.concat_arrays([one_array(g["text"], pa.string()), one_array(pm["text"], pa.string()),
                              pa.array([t for _, t, _ in extra], pa.string())])
    types = pa.concat_arrays([one_array(g["type"], pa.string()), one_array(pm["type"], pa.string()),
                              pa.array([t for _, _, t in extra], pa.string())])
    docs = np.concatenate([g["doc"].to_numpy(np.int64), pm["doc"].to_numpy(np.int64), np.fromiter((i for i, _, _ in extra), np.int64, len(extra))])
    distinct = pc.dictionary_encode(texts)  # gold and predicted mentions share most texts: normalise each distinct one once
    norm = pc.dictionary_encode(normalize_many(distinct.dictionary))
    norm_codes = ints(norm.indices)[ints(distinct.indices)]
    type_codes = Coded.of(pd.Series(pd.arrays.ArrowStringArray(types)), len(types))  # codes into the sorted types
    n_norm, n_type = len(norm.dictionary), len(type_codes.cats)
    key = (docs * n_norm + norm_codes) * n_type + type_codes.codes
    allk, inverse = groups(key)  # one sort for both sides
    n_g = len(g)
    gc = np.bincount(inverse[:n_g], minlength=len(allk)).astype(float)
    pc_ = np.bincount(inverse[n_g:], minlength=len(allk)).astype(float)
    tp = np.minimum(gc, pc_)
    labels = Coded(allk % n_type, type_codes.cats)
    docs = allk // (n_norm * n_type)
    return concat([tally(docs, "text_entities", labels, "tp", tp), tally(docs, "text_entities", labels, "fp", pc_ - tp),
                   tally(docs, "text_entities", labels, "fn", gc - tp)])


def grounding_rows(gold: Tables, pred: Tables, pred_doc_ids: Collection[str], records: Mapping | None, doc_ids: list[str],
                   kinds: Collection[str] | None, tasks: Collection[str], statuses=None):
    """The ``grounding`` count rows of every gold document (``doc_ids``, the tables' numbering).

    ``records`` (doc id -> :class:`toolkit.predictions.load.PredictionRecord`) tells what loading
    found; a document without a record counts as received, parsed, valid and scored when
    ``pred_doc_ids`` has it, with the span statuses ``statuses`` gives it (``doc_id``, ``kind``,
    ``count``: every one a ``match_exact``), else none.
    """
    records = records or {}
    got = set(pred_doc_ids)
    wanted = {k for k, task in SPAN_KIND_TASK.items() if task in tasks or (k == "mention" and "coreference" in tasks)}
    cols: dict[str, list] = {"doc": [], "measure": [], "label": [], "outcome": [], "count": []}

    def add(d, measure, label, outcome, n=1):
        if n:
            cols["doc"].append(d)
            cols["measure"].append(measure)
            cols["label"].append(label)
            cols["outcome"].append(outcome)
            cols["count"].append(float(n))

    index = pd.Index(doc_ids)
    parts = []
    if statuses is not None and len(statuses):  # the span counts of documents the columnar path loaded: all match_exact
        st = statuses[statuses["kind"].isin(list(wanted)) & ~statuses["doc_id"].isin(list(records))]
        codes, uniques = pd.factorize(st["doc_id"])  # a few rows per document: look each document up once
        at = index.get_indexer(uniques)[codes] if len(st) else np.zeros(0, dtype=np.int64)
        keep = at >= 0
        parts.append(tally(at[keep], "spans", st["kind"].to_numpy(dtype=object)[keep], "match_exact", st["count"].to_numpy(float)[keep]))
    has_record = np.fromiter((d in records for d in doc_ids), dtype=bool, count=len(doc_ids))
    plain = np.flatnonzero(~has_record)  # documents without a record: scored as given, or not predicted
    got_flag = np.fromiter((doc_ids[d] in got for d in plain.tolist()), dtype=float, count=len(plain))
    for f in DOCUMENT_FLAGS:
        values = np.ones(len(plain)) if f == "gold" else np.zeros(len(plain)) if f == "fenced" else got_flag
        parts.append(tally(plain, "documents", "", f, values))
    for d in np.flatnonzero(has_record).tolist():
        record = records[doc_ids[d]]
        flags = {"gold": 1, "received": int(record.received), "parsed": int(record.parsed), "fenced": int(record.fenced),
                 "valid": int(record.valid), "scored": int(record.scored)}
        for f, n in flags.items():
            add(d, "documents", "", f, n)
        for kind, status in record.statuses:
            if kind in wanted:
                add(d, "spans", kind, status)
        for field_name, label in record.unknown_labels:
            add(d, "unknown_labels", field_name, label)
        for r in _countable(record.refused, kinds, tasks):
            add(d, "refused", "", r.task)
    parts.append(tally(cols["doc"], np.asarray(cols["measure"], dtype=object), np.asarray(cols["label"], dtype=object),
                       np.asarray(cols["outcome"], dtype=object), cols["count"]) if cols["doc"] else concat([]))
    if "entities" in tasks:
        parts.append(_text_level(gold, pred, records, doc_ids, kinds))
    return concat(parts).assign("grounding")


def refused_rows(records: Mapping | None, doc_ids: list[str], tasks: Collection[str],
                 kinds: Collection[str] | None) -> tuple[pd.DataFrame, list[dict]]:
    """The count rows and errors of the refused items of every document (module docstring)."""
    frames: list[pd.DataFrame] = []
    errors: list[dict] = []
    if not records:
        return concat([]), errors
    ent_doc, ent_type = [], []
    ev_doc, ev_type, ev_metric = [], [], []
    textee: dict[tuple[int, str], set] = {}
    for d, doc_id in enumerate(doc_ids):
        record = records.get(doc_id)
        if record is None:
            continue
        for r in _countable(record.refused, kinds, tasks):
            err = dict(doc_id=doc_id, start=None, end=None, text=r.text, gold=None, detail=r.reason)
            if r.task == "entities":
                ent_doc.append(d)
                ent_type.append(r.label)
                errors.append({**err, "task": "entities", "category": "false-positive", "pred": r.label})
                continue
            metrics = ("trigger_identification", "trigger_classification") if r.task == "events" else ARGUMENT_METRICS
            for m in metrics:
                ev_doc.append(d)
                ev_type.append(r.label)
                ev_metric.append(f"item.{m}")
            if r.task == "events":
                textee.setdefault((d, "trigger_identification"), set()).add((r.text,))
                textee.setdefault((d, "trigger_classification"), set()).add((r.text, r.label))
                errors.append({**err, "task": "events", "category": "false-positive", "pred": r.label})
            else:
                textee.setdefault((d, "argument_identification"), set()).add((r.label, r.text))
                textee.setdefault((d, "argument_classification"), set()).add((r.label, r.text, r.role))
                textee.setdefault((d, "argument_identification_attached"), set()).add((r.label, r.text, r.trigger))
                textee.setdefault((d, "argument_classification_attached"), set()).add((r.label, r.text, r.role, r.trigger))
                errors.append({**err, "task": "arguments", "category": "false-positive", "pred": f"{r.role} of {r.label}"})
    if "entities" in tasks and ent_doc:
        for scheme in SCHEMES:
            frames.append(tally(ent_doc, scheme, "", "spurious").assign("entities"))
            frames.append(tally(ent_doc, scheme, np.asarray(ent_type, dtype=object), "spurious").assign("entities"))
    if "events" in tasks:
        if ev_doc:
            frames.append(tally(ev_doc, np.asarray(ev_metric, dtype=object), np.asarray(ev_type, dtype=object), "fp").assign("events"))
        if textee:
            keys = sorted(textee)
            frames.append(tally([d for d, _ in keys], np.asarray([f"textee.{m}" for _, m in keys], dtype=object), "", "fp",
                                [len(textee[k]) for k in keys]).assign("events"))
    return concat(frames), errors


# ---------------------------------------------------------------- the report


def grounding_scores(totals: Mapping[tuple[str, str, str, str], float]) -> dict | None:
    """The grounding and validity report of summed counts (JSON-ready; shares are None over nothing);
    None when the counts have no grounding rows (reports read from files made before them).

    ``documents``: each flag's count, and its share of the gold documents (``received``) or of the
    received predictions (the others); ``spans``: per span kind, the total and each status's count
    and share; ``unknown_labels`` and ``refused`` as counted; ``text_entities``: micro and per-type
    P, R, F1 of the text-level entity score.
    """
    rows = {(m, lab, o): v for (task, m, lab, o), v in totals.items() if task == "grounding"}
    if not rows:
        return None
    docs = {k: int(rows.get(("documents", "", k), 0)) for k in DOCUMENT_FLAGS}
    received = docs["received"]
    ratio = lambda a, b: formulas.value(formulas.ratio(a, b))  # noqa: E731
    shares = {"received": ratio(received, docs["gold"]), **{k: ratio(docs[k], received) for k in ("parsed", "fenced", "valid", "scored")}}
    spans = {}
    for kind in SPAN_KINDS:
        per = {o: int(v) for (m, lab, o), v in rows.items() if m == "spans" and lab == kind}
        if not per:
            continue
        n = sum(per.values())
        spans[kind] = {"total": n, "counts": {s: per.get(s, 0) for s in STATUSES}, "shares": {s: ratio(per.get(s, 0), n) for s in STATUSES}}
    unknown: dict[str, dict[str, int]] = {}
    for (m, lab, o), v in sorted(rows.items()):
        if m == "unknown_labels":
            unknown.setdefault(lab, {})[o] = int(v)
    refused = {o: int(v) for (m, lab, o), v in sorted(rows.items()) if m == "refused"}
    types = sorted({lab for (m, lab, o) in rows if m == "text_entities"})

    def prf(tp, fp, fn):
        return {"tp": int(tp), "fp": int(fp), "fn": int(fn), "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn),
                "f1": formulas.value(formulas.dice(tp, tp + fp, tp + fn))}

    per_type = {t: prf(*(rows.get(("text_entities", t, o), 0) for o in ("tp", "fp", "fn"))) for t in types}
    micro = prf(*(sum(rows.get(("text_entities", t, o), 0) for t in types) for o in ("tp", "fp", "fn")))
    return {"documents": {**docs, "shares": shares}, "spans": spans, "unknown_labels": unknown, "refused": refused,
            "text_entities": {"micro": micro, "per_type": per_type}}


def nest(rows) -> dict:
    """One document's grounding rows (measure, label, outcome, count) as the ``grounding`` section of counts files."""
    out: dict = {"documents": {k: 0 for k in DOCUMENT_FLAGS}, "spans": {}, "unknown_labels": {}, "refused": {}, "text_entities": {}}
    for measure, label, outcome, count in rows:
        if measure == "documents":
            out["documents"][outcome] += int(count)
        elif measure == "spans":
            out["spans"].setdefault(label, {})[outcome] = out["spans"].get(label, {}).get(outcome, 0) + int(count)
        elif measure == "unknown_labels":
            out["unknown_labels"].setdefault(label, {})[outcome] = out["unknown_labels"].get(label, {}).get(outcome, 0) + int(count)
        elif measure == "refused":
            out["refused"][outcome] = out["refused"].get(outcome, 0) + int(count)
        elif measure == "text_entities":
            row = out["text_entities"].setdefault(label, {"tp": 0, "fp": 0, "fn": 0})
            row[outcome] += int(count)
    out["spans"] = {k: dict(sorted(v.items())) for k, v in sorted(out["spans"].items())}
    out["unknown_labels"] = {k: dict(sorted(v.items())) for k, v in sorted(out["unknown_labels"].items())}
    out["refused"] = dict(sorted(out["refused"].items()))
    out["text_entities"] = dict(sorted(out["text_entities"].items()))
    return out


def unnest(data: Mapping) -> list[tuple[str, str, str, float]]:
    """Inverse of :func:`nest`: the (measure, label, outcome, count) rows of a ``grounding`` section."""
    out = []
    for flag, n in (data.get("documents") or {}).items():
        out.append(("documents", "", flag, n))
    for kind, per in (data.get("spans") or {}).items():
        out += [("spans", kind, s, n) for s, n in per.items()]
    for f, per in (data.get("unknown_labels") or {}).items():
        out += [("unknown_labels", f, lab, n) for lab, n in per.items()]
    for task, n in (data.get("refused") or {}).items():
        out.append(("refused", "", task, n))
    for t, c in (data.get("text_entities") or {}).items():
        out += [("text_entities", t, o, c[o]) for o in ("tp", "fp", "fn")]
    return [r for r in out if r[3]]
