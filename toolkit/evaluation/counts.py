"""The counts table: one row per (document, task, measure, label, outcome) with its count.

Everything a report shows is computed from this one table: the scores (:func:`scores`), the
bootstrap and ``toolkit compare`` (:meth:`CountsTable.matrix`), counts files and ``toolkit merge``
(:meth:`CountsTable.per_document` / :func:`from_per_document`), the per-document output and every
rendering. Scores are sums of counts, computed once from the summed rows, so shards and partitions
merge exactly: the counts table of a corpus is the concatenation of its shards' tables.

Rows (``label`` "" = overall):

========  =====================================================  ==================  =====================
task      measure                                                label               outcome
========  =====================================================  ==================  =====================
entities  strict, exact, partial, type                           "" or entity type   correct, incorrect,
                                                                                     partial, missed, spurious
coref.    muc, b3, ceafe, ceafm, blanc_coref, blanc_noncoref,    ""                  r_num, r_den, p_num, p_den
          lea
events    ``textee.<metric>``                                    ""                  tp, fp, fn
events    ``item.<metric>``                                      event type          tp, fp, fn
stances   triples, pairs                                         target key          tp, fp, fn
stances   confusion                                              target key          ``gold|predicted`` label
========  =====================================================  ==================  =====================

Sums over documents are taken in document order (the order of ``doc_ids``, sorted doc ids), one
addition after another, so a merged report equals a whole run bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from toolkit.metrics import formulas
from toolkit.metrics.counting import ascending, groups
from toolkit.metrics.coreference import COUNT_KEYS
from toolkit.metrics.entities import SCHEMES
from toolkit.metrics.events import METRICS as EVENT_METRICS

STANCE_LABELS = ("favour", "against", "neutral")
COREF_METRICS = ("muc", "b3", "ceafe", "ceafm", "lea")
SCHEME_OUTCOMES = ("correct", "incorrect", "partial", "missed", "spurious")
RATIO_FIELDS = ("r_num", "r_den", "p_num", "p_den")
KEY = ["task", "measure", "label", "outcome"]


def _codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes of a string column and the values they stand for (a categorical's own codes,
    in their own narrow type)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if (codes < 0).any():
            codes, cats = pd.factorize(column.to_numpy(dtype=object))
            return codes, list(cats)
        return codes, column.cat.categories.tolist()
    codes, cats = pd.factorize(column.to_numpy(dtype=object))
    return codes, list(cats)


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame({"doc": np.zeros(0, np.int64), **{c: np.zeros(0, object).astype(str) for c in KEY},
                         "count": np.zeros(0)})


@dataclass
class CountsTable:
    """Count rows of a corpus (module docstring); ``doc`` indexes ``doc_ids``."""

    doc_ids: list[str]
    frame: pd.DataFrame = field(default_factory=empty_frame)

    def totals(self) -> dict[tuple[str, str, str, str], float]:
        """The sum of every (task, measure, label, outcome) over the documents, in document order."""
        if not len(self.frame):
            return {}
        cached = self.__dict__.get("_totals")
        if cached is not None and cached[0] is self.frame:
            return dict(cached[1])
        df = self.frame
        docs = df["doc"].to_numpy()
        order = None if ascending(docs) else np.argsort(docs, kind="stable")
        codes, uniques = [], []
        for c in KEY:
            k, u = _codes(df[c])
            codes.append(k)
            uniques.append(u)
        space = 1
        for u in uniques:
            space *= max(len(u), 1)
        # one key per row, in the narrowest type that holds every key: the table can have tens of
        # millions of rows, and each int64 column of them is hundreds of megabytes
        key = codes[0].astype(np.int32 if space < 2**31 else np.int64)
        for k, u in zip(codes[1:], uniques[1:]):
            key *= len(u)
            key += k
        if order is not None:
            key = key[order]
        if space <= 4 * len(key) + 1024:  # a dense key space (the usual case): no sort at all
            inverse, n_groups = key, space
        else:
            _, inverse = groups(key)
            n_groups = int(inverse.max()) + 1
        counts = df["count"].to_numpy(dtype=float)
        # np.bincount adds each row's count to its group one after another, in document order
        sums = np.bincount(inverse, weights=counts if order is None else counts[order], minlength=n_groups)
        first = np.full(n_groups, len(inverse), dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1)  # the last write wins: each group's first row
        present = np.flatnonzero(first < len(inverse))
        out: dict[tuple[str, str, str, str], float] = {}
        for g in present[np.argsort(first[present], kind="stable")].tolist():  # groups in the order they first appear
            r = int(first[g]) if order is None else int(order[first[g]])
            out[(uniques[0][codes[0][r]], uniques[1][codes[1][r]], uniques[2][codes[2][r]], uniques[3][codes[3][r]])] = float(sums[g])
        self.__dict__["_totals"] = (self.frame, out)
        return dict(out)

    def matrix(self, keys: list[str], name) -> np.ndarray:
        """The documents × ``keys`` matrix of summed rows; ``name(task, measure, label, outcome)`` gives
        the key a row adds to (None: not in the matrix). The matrix is in Fortran order (each key's
        column contiguous): the bootstrap reads it a column at a time."""
        col = {k: i for i, k in enumerate(keys)}
        C = np.zeros((len(keys), len(self.doc_ids)))
        df = self.frame
        if not len(df):
            return C.T
        groups = df.groupby(KEY, sort=False)
        for key, index in groups.indices.items():
            target = name(*key)
            if target is None or target not in col:
                continue
            np.add.at(C[col[target]], df["doc"].to_numpy()[index], df["count"].to_numpy()[index])
        return C.T

    def subset(self, docs: Iterable[int]) -> "CountsTable":
        keep = np.isin(self.frame["doc"].to_numpy(), np.asarray(list(docs)))
        return CountsTable(self.doc_ids, self.frame[keep].reset_index(drop=True))

    def per_document(self, tasks=None) -> dict[str, dict]:
        """The counts of each document as the nested dicts of counts files (``toolkit-counts/2``);
        with ``tasks``, every document gets every one of these tasks (empty when it counted nothing)."""
        out: dict[str, dict] = {}
        if tasks is not None:
            for doc_id in self.doc_ids:
                out[doc_id] = {task: empty_counts(task) for task in tasks}
        f = self.frame
        for doc, task, measure, label, outcome, count in zip(f["doc"].tolist(), f["task"].tolist(), f["measure"].tolist(),
                                                             f["label"].tolist(), f["outcome"].tolist(), f["count"].tolist()):
            if task == "grounding":
                continue
            per = out.setdefault(self.doc_ids[doc], {})
            node = per.get(task)
            if node is None:
                node = per[task] = empty_counts(task)
            _add(task, node, measure, label, outcome, count)
        for per in out.values():
            for task, node in per.items():
                _tidy(task, node)
        return out


    def per_document_grounding(self) -> dict[str, dict]:
        """The grounding rows of each document as the ``grounding`` section of counts files
        (:func:`toolkit.metrics.grounding.nest`)."""
        from toolkit.metrics.grounding import nest

        f = self.frame[self.frame["task"] == "grounding"]
        rows: dict[int, list] = {}
        for doc, measure, label, outcome, count in zip(f["doc"].tolist(), f["measure"].tolist(), f["label"].tolist(),
                                                       f["outcome"].tolist(), f["count"].tolist()):
            rows.setdefault(doc, []).append((measure, label, outcome, count))
        return {self.doc_ids[d]: nest(rows[d]) for d in sorted(rows)}


def concat(tables: list[CountsTable]) -> CountsTable:
    """The counts table of disjoint shards (their documents in doc-id order)."""
    ids = sorted(d for t in tables for d in t.doc_ids)
    if len(ids) != len(set(ids)):
        dup = sorted({d for d in ids if ids.count(d) > 1})
        raise ValueError(f"documents scored in more than one shard: {', '.join(dup[:5])}")
    pos = {d: i for i, d in enumerate(ids)}
    frames = []
    for t in tables:
        if len(t.frame):
            mapping = np.array([pos[d] for d in t.doc_ids], dtype=np.int64)
            frames.append(t.frame.assign(doc=mapping[t.frame["doc"].to_numpy()]))
    frame = pd.concat(frames, ignore_index=True) if frames else empty_frame()
    doc = frame["doc"].to_numpy()
    if (doc[1:] < doc[:-1]).any():  # shards out of doc-id order; in order (partitions), the stable sort would change nothing
        frame = frame.sort_values("doc", kind="stable").reset_index(drop=True)
    return CountsTable(ids, frame)


# ---------------------------------------------------------------- nested dicts (counts files)


def empty_counts(task: str) -> dict:
    """The nested counts of one task of a document that counted nothing."""
    if task == "entities":
        return {"micro": {s: {o: 0 for o in SCHEME_OUTCOMES} for s in SCHEMES}, "per_type": {s: {} for s in SCHEMES}}
    if task == "coreference":
        return {k: {f: 0.0 for f in RATIO_FIELDS} for k in COUNT_KEYS}
    if task == "events":
        return {"textee": {m: {"tp": 0, "fp": 0, "fn": 0} for m in EVENT_METRICS}, "per_item": {}}
    if task == "stances":
        return {"by_target": {}, "confusion": {}}
    raise ValueError(f"unknown task {task!r}")


def _add(task: str, node: dict, measure: str, label: str, outcome: str, count: float) -> None:
    if task == "entities":
        if label == "":
            node["micro"][measure][outcome] += int(count)
        else:
            row = node["per_type"][measure].setdefault(label, {x: 0 for x in SCHEME_OUTCOMES})
            row[outcome] += int(count)
    elif task == "coreference":
        node[measure][outcome] += float(count)
    elif task == "events":
        kind, _, metric = measure.partition(".")
        if kind == "textee":
            node["textee"][metric][outcome] += int(count)
        else:
            node["per_item"].setdefault(label, {}).setdefault(metric, {"tp": 0, "fp": 0, "fn": 0})[outcome] += int(count)
    elif task == "stances":
        if measure == "confusion":
            g, _, p = outcome.partition("|")
            row = node["confusion"].setdefault(label, {}).setdefault(g, {})
            row[p] = row.get(p, 0) + int(count)
        else:
            node["by_target"].setdefault(label, {}).setdefault(measure, {"tp": 0, "fp": 0, "fn": 0})[outcome] += int(count)


def _tidy(task: str, node: dict) -> None:
    """Sort the label keys of nested counts (as counts files list them)."""
    if task == "entities":
        node["per_type"] = {s: dict(sorted(node["per_type"][s].items())) for s in SCHEMES}
    elif task == "events":
        node["per_item"] = {t: dict(sorted(v.items())) for t, v in sorted(node["per_item"].items())}
    elif task == "stances":
        node["by_target"] = {t: dict(sorted(v.items())) for t, v in sorted(node["by_target"].items())}
        node["confusion"] = {t: {g: dict(sorted(r.items())) for g, r in sorted(v.items())} for t, v in sorted(node["confusion"].items())}


def from_per_document(per_document: Mapping[str, Mapping], grounding: Mapping[str, Mapping] | None = None) -> CountsTable:
    """The counts table of nested per-document counts (counts files; inverse of :meth:`CountsTable.per_document`),
    with their ``grounding`` sections when given."""
    from toolkit.metrics.grounding import unnest

    ids = sorted(per_document)
    cols: dict[str, list] = {"doc": [], **{c: [] for c in KEY}, "count": []}

    def add(d, task, measure, label, outcome, count):
        if count:
            for c, v in zip(("doc", *KEY, "count"), (d, task, measure, label, outcome, float(count))):
                cols[c].append(v)

    for d, doc_id in enumerate(ids):
        counts = per_document[doc_id]
        ent = counts.get("entities")
        if ent is not None:
            for s, outcomes in ent.get("micro", {}).items():
                for o, c in outcomes.items():
                    add(d, "entities", s, "", o, c)
            for s, types in ent.get("per_type", {}).items():
                for t, outcomes in types.items():
                    for o, c in outcomes.items():
                        add(d, "entities", s, t, o, c)
        for m, fields in (counts.get("coreference") or {}).items():
            for f, c in fields.items():
                add(d, "coreference", m, "", f, c)
        ev = counts.get("events")
        if ev is not None:
            for m, c3 in ev.get("textee", {}).items():
                for o, c in c3.items():
                    add(d, "events", f"textee.{m}", "", o, c)
            for t, metrics in ev.get("per_item", {}).items():
                for m, c3 in metrics.items():
                    for o, c in c3.items():
                        add(d, "events", f"item.{m}", t, o, c)
        st = counts.get("stances")
        if st is not None:
            for t, metrics in st.get("by_target", {}).items():
                for m, c3 in metrics.items():
                    for o, c in c3.items():
                        add(d, "stances", m, t, o, c)
            for t, table in st.get("confusion", {}).items():
                for g, row in table.items():
                    for p, c in row.items():
                        add(d, "stances", "confusion", t, f"{g}|{p}", c)
        for measure, label, outcome, count in unnest((grounding or {}).get(doc_id) or {}):
            add(d, "grounding", measure, label, outcome, count)
    frame = pd.DataFrame({"doc": np.asarray(cols["doc"], dtype=np.int64), **{c: np.asarray(cols[c], dtype=object).astype(str) for c in KEY},
                          "count": np.asarray(cols["count"], dtype=float)})
    return CountsTable(ids, frame)


# ---------------------------------------------------------------- scores from the totals


def _prf(tp: float, fp: float, fn: float) -> dict:
    return {"tp": int(tp), "fp": int(fp), "fn": int(fn), "precision": formulas.value(formulas.ratio(tp, tp + fp)),
            "recall": formulas.value(formulas.ratio(tp, tp + fn)), "f1": formulas.value(formulas.dice(tp, tp + fp, tp + fn))}


def _scheme(c: Mapping[str, float]) -> dict:
    correct, incorrect, partial, missed, spurious = (int(c.get(o, 0)) for o in SCHEME_OUTCOMES)
    possible = correct + incorrect + partial + missed
    actual = correct + incorrect + partial + spurious
    credit = correct + 0.5 * partial
    return {"correct": correct, "incorrect": incorrect, "partial": partial, "missed": missed, "spurious": spurious,
            "possible": possible, "actual": actual, "precision": formulas.value(formulas.ratio(credit, actual)),
            "recall": formulas.value(formulas.ratio(credit, possible)),
            "f1": formulas.value(formulas.dice(credit, actual, possible))}


def _ratio_scores(c: Mapping[str, float]) -> dict:
    rn, rd, pn, pd_ = (float(c.get(f, 0.0)) for f in RATIO_FIELDS)
    return {"r_num": rn, "r_den": rd, "p_num": pn, "p_den": pd_, "precision": formulas.value(formulas.ratio(pn, pd_)),
            "recall": formulas.value(formulas.ratio(rn, rd)), "f1": formulas.value(formulas.harmonic_f1(pn, pd_, rn, rd))}


def label_scores(confusion: Mapping[tuple[str, str], float]) -> dict:
    """Accuracy, macro-F1, F_avg (as ``eval.pl``), per-label F1 and the confusion matrix of the
    labels of aligned (holder, target) pairs, from their (gold, predicted) counts."""
    labels = list(STANCE_LABELS) + sorted({x for pair in confusion for x in pair} - set(STANCE_LABELS))
    pairs = int(sum(confusion.values()))
    matrix = [[int(confusion.get((g, p), 0)) for p in labels] for g in labels]
    out: dict = {"pairs": pairs, "accuracy": None, "macro_f1": None, "f_avg": None,
                 "f1_per_label": {lab: None for lab in labels},
                 "confusion": {"labels": labels, "matrix": matrix}}
    if not pairs:
        out["f1_per_label"] = {lab: None for lab in STANCE_LABELS}
        out["confusion"] = {"labels": list(STANCE_LABELS), "matrix": [[0] * 3 for _ in STANCE_LABELS]}
        return out
    diag = [matrix[i][i] for i in range(len(labels))]
    gold = [sum(row) for row in matrix]
    pred = [sum(matrix[g][i] for g in range(len(labels))) for i in range(len(labels))]
    f1 = {lab: formulas.label_f1(diag[i], pred[i], gold[i]) for i, lab in enumerate(labels)}
    out["accuracy"] = formulas.value(formulas.ratio(sum(diag), pairs))
    out["f1_per_label"] = {lab: formulas.value(v) for lab, v in f1.items()}
    out["macro_f1"] = formulas.value(formulas.mean_defined(*f1.values()))
    fav, ag = (formulas.eval_pl_f1(diag[labels.index(x)], pred[labels.index(x)], gold[labels.index(x)]) for x in ("favour", "against"))
    out["f_avg"] = formulas.value(formulas.f_avg(fav, ag, pairs))
    return out


def scores(totals: Mapping[tuple[str, str, str, str], float], tasks) -> dict:
    """The scores of every task, as ``EvalReport.scores()`` reports them (docs/metrics.md, "JSON output")."""
    by_task: dict[str, dict[tuple[str, str], dict[str, float]]] = {}
    for (task, measure, label, outcome), value in totals.items():
        by_task.setdefault(task, {}).setdefault((measure, label), {})[outcome] = value
    out: dict = {}
    if "entities" in tasks:
        ent = by_task.get("entities", {})
        types = sorted({lab for (_, lab) in ent if lab})
        section: dict = {"micro": {s: _scheme(ent.get((s, ""), {})) for s in SCHEMES}, "macro": {}, "per_type": {}}
        for s in SCHEMES:
            per = [_scheme(ent[(s, t)]) for t in types if (s, t) in ent]
            per = [c for c in per if c["possible"] + c["actual"] > 0]
            credit = [c["correct"] + 0.5 * c["partial"] for c in per]
            section["macro"][s] = {
                "precision": formulas.value(formulas.macro(*[formulas.ratio(x, c["actual"]) for x, c in zip(credit, per)])) if per else None,
                "recall": formulas.value(formulas.macro(*[formulas.ratio(x, c["possible"]) for x, c in zip(credit, per)])) if per else None,
                "f1": formulas.value(formulas.macro(*[formulas.dice(x, c["actual"], c["possible"]) for x, c in zip(credit, per)])) if per else None,
                "types": len(per),
            }
        for t in types:
            section["per_type"][t] = {s: _scheme(ent.get((s, t), {})) for s in SCHEMES}
        out["entities"] = section
    if "coreference" in tasks:
        co = by_task.get("coreference", {})
        section = {m: _ratio_scores(co.get((m, ""), {})) for m in COREF_METRICS}
        c, n = (co.get((k, ""), {}) for k in ("blanc_coref", "blanc_noncoref"))
        r, p, f = formulas.blanc(*(float(c.get(x, 0)) for x in RATIO_FIELDS), *(float(n.get(x, 0)) for x in RATIO_FIELDS))
        section["blanc"] = {"precision": formulas.value(p), "recall": formulas.value(r), "f1": formulas.value(f)}
        f1s = [section[m]["f1"] for m in ("muc", "b3", "ceafe")]
        section["conll_f1"] = None if any(x is None for x in f1s) else sum(f1s) / 3
        out["coreference"] = section
    if "events" in tasks:
        ev = by_task.get("events", {})
        section = {m: _prf(*(ev.get((f"textee.{m}", ""), {}).get(o, 0) for o in ("tp", "fp", "fn"))) for m in EVENT_METRICS}
        types = sorted({lab for (m, lab) in ev if m.startswith("item.")})
        overall = {m: [sum(ev.get((f"item.{m}", t), {}).get(o, 0) for t in types) for o in ("tp", "fp", "fn")] for m in EVENT_METRICS}
        section["per_item"] = {m: _prf(*overall[m]) for m in EVENT_METRICS}
        section["per_type"] = {t: {m: _prf(*(ev.get((f"item.{m}", t), {}).get(o, 0) for o in ("tp", "fp", "fn"))) for m in EVENT_METRICS}
                               for t in types}
        out["events"] = section
    if "stances" in tasks:
        st = by_task.get("stances", {})
        targets = sorted({lab for (m, lab) in st})
        conf = {t: {tuple(o.split("|", 1)): v for o, v in st.get(("confusion", t), {}).items()} for t in targets}
        total_conf: dict = {}
        for t in targets:
            for k, v in conf[t].items():
                total_conf[k] = total_conf.get(k, 0) + v

        def prf(metric, keys):
            return _prf(*(sum(st.get((metric, t), {}).get(o, 0) for t in keys) for o in ("tp", "fp", "fn")))

        section = {"triples": prf("triples", targets), "pairs": prf("pairs", targets), "labels": label_scores(total_conf)}
        section["per_target"] = {t: {"triples": prf("triples", [t]), "pairs": prf("pairs", [t]), "labels": label_scores(conf[t])}
                                 for t in targets if (("triples", t) in st or ("pairs", t) in st)}
        out["stances"] = section
    return out
