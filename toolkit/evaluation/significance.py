"""Confidence intervals and significance tests for evaluation reports.

This module maps an :class:`~toolkit.evaluation.evaluate.EvalReport` onto :mod:`toolkit.evaluation.resampling`: each
document's additive counts become one row of a count matrix (``count_matrix``), and every headline
score becomes a vectorised function of the summed columns (``headline_metrics``). A score's name
is its path in ``EvalReport.scores()`` (``entities.micro.strict.f1``, ``coreference.conll_f1``,
``events.trigger_classification.f1``, ``stances.labels.macro_f1``), and its point estimate is
exactly the value found there.

>>> from toolkit.evaluation.significance import intervals, compare
>>> ivs = intervals(report, n_resamples=1000, seed=0)       # metric -> Interval(estimate, low, high)
>>> cmp = compare({"baseline": r1, "mine": r2}, seed=0)    # Comparison: scores and pairwise tests

Documents are the resampling unit (sentences or mentions of one article are not independent).
Formulas and caveats: ``docs/metrics.md``, section "Resampling".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Mapping, Sequence

import numpy as np

from toolkit.evaluation.resampling import Difference, Interval, ScoreFn, bootstrap_intervals, paired_test, point_estimate
from toolkit.metrics import formulas
from toolkit.metrics.coreference import COUNT_KEYS
from toolkit.evaluation.counts import COREF_METRICS, EVENT_METRICS, SCHEMES, STANCE_LABELS

METHODS = ("bootstrap", "permutation")

_SCHEME_FIELDS = ("correct", "incorrect", "partial", "missed", "spurious")
_COREF_FIELDS = ("r_num", "r_den", "p_num", "p_den")

DEFAULT_COMPARE_METRICS = (
    "entities.micro.strict.f1",
    "entities.micro.exact.f1",
    "entities.micro.partial.f1",
    "entities.micro.type.f1",
    "coreference.conll_f1",
    "events.trigger_identification.f1",
    "events.trigger_classification.f1",
    "events.argument_identification.f1",
    "events.argument_classification.f1",
    "stances.triples.f1",
    "stances.labels.macro_f1",
)
"""The F1-style score of each measure: what ``toolkit compare`` tests unless told otherwise."""


# ---------------------------------------------------------------- counts -> flat rows


def _matrix_key(task: str, measure: str, label: str, outcome: str) -> str | None:
    """The matrix column a count row adds to (None: a row no headline score uses)."""
    if task == "entities":
        return f"ent.{measure}.{outcome}" if label == "" else None
    if task == "coreference":
        return f"coref.{measure}.{outcome}"
    if task == "events":
        kind, _, metric = measure.partition(".")
        return f"ev.{metric}.{outcome}" if kind == "textee" else f"ev.item.{metric}.{outcome}"
    if task == "stances":
        if measure == "confusion":
            g, _, p = outcome.partition("|")
            return f"st.conf.{g}.{p}"
        return f"st.{measure}.{outcome}"
    return None


def count_matrix(report) -> tuple[list[str], np.ndarray]:
    """The keys of ``report.tasks`` and the documents × keys matrix of their counts (documents in
    doc-id order), from the report's counts table. Keys: ``ent.<scheme>.<outcome>`` (overall),
    ``coref.<name>.<r_num|r_den|p_num|p_den>`` (the names of
    :data:`toolkit.metrics.coreference.COUNT_KEYS`), ``ev.<metric>.<tp|fp|fn>`` (TextEE),
    ``ev.item.<metric>.<tp|fp|fn>`` (per item), ``st.<triples|pairs>.<tp|fp|fn>`` and
    ``st.conf.<gold>.<predicted>`` (aligned stance pairs per label combination); each is summed over
    the labels (event types, targets), so the columns stay additive."""
    keys = _keys(report.tasks)
    return keys, report.counts.matrix(keys, _matrix_key)


# ---------------------------------------------------------------- scores as functions of summed counts


def _scheme(scheme: str, what: str) -> ScoreFn:
    """SemEval-2013 scheme scores: credit = correct + ½·partial; P = credit/actual,
    R = credit/possible, F1 = 2·credit/(actual + possible)."""
    def score(c: Mapping[str, np.ndarray]) -> np.ndarray:
        g = {n: c[f"ent.{scheme}.{n}"] for n in _SCHEME_FIELDS}
        credit = g["correct"] + 0.5 * g["partial"]
        actual = g["correct"] + g["incorrect"] + g["partial"] + g["spurious"]
        possible = g["correct"] + g["incorrect"] + g["partial"] + g["missed"]
        if what == "precision":
            return formulas.ratio(credit, actual)
        if what == "recall":
            return formulas.ratio(credit, possible)
        return formulas.dice(credit, actual, possible)
    return score


def _prf(prefix: str, what: str) -> ScoreFn:
    """P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn)."""
    def score(c: Mapping[str, np.ndarray]) -> np.ndarray:
        tp, fp, fn = c[f"{prefix}.tp"], c[f"{prefix}.fp"], c[f"{prefix}.fn"]
        if what == "precision":
            return formulas.ratio(tp, tp + fp)
        if what == "recall":
            return formulas.ratio(tp, tp + fn)
        return formulas.dice(tp, tp + fp, tp + fn)
    return score


def _coref(metric: str, what: str) -> ScoreFn:
    def score(c: Mapping[str, np.ndarray]) -> np.ndarray:
        pn, pd, rn, rd = (c[f"coref.{metric}.{n}"] for n in ("p_num", "p_den", "r_num", "r_den"))
        if what == "precision":
            return formulas.ratio(pn, pd)
        if what == "recall":
            return formulas.ratio(rn, rd)
        return formulas.harmonic_f1(pn, pd, rn, rd)
    return score


def _blanc(what: str) -> ScoreFn:
    index = ("recall", "precision", "f1").index(what)

    def score(c: Mapping[str, np.ndarray]) -> np.ndarray:
        parts = [c[f"coref.{kind}.{n}"] for kind in ("blanc_coref", "blanc_noncoref") for n in ("r_num", "r_den", "p_num", "p_den")]
        return formulas.blanc(*parts)[index]
    return score


def _conll(c: Mapping[str, np.ndarray]) -> np.ndarray:
    """CoNLL-2012 F1: the mean of the MUC, B³ and CEAF-e F1 (undefined if any is)."""
    return formulas.mean_of(*(_coref(m, "f1")(c) for m in ("muc", "b3", "ceafe")))


def _label_counts(c: Mapping[str, np.ndarray], lab: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(C[l,l], predicted l, gold l) over the aligned stance pairs."""
    diag = c[f"st.conf.{lab}.{lab}"]
    gold = sum(c[f"st.conf.{lab}.{p}"] for p in STANCE_LABELS)
    pred = sum(c[f"st.conf.{g}.{lab}"] for g in STANCE_LABELS)
    return diag, pred, gold


def _pairs(c: Mapping[str, np.ndarray]) -> np.ndarray:
    return sum(c[f"st.conf.{g}.{p}"] for g in STANCE_LABELS for p in STANCE_LABELS)


def _label_accuracy(c: Mapping[str, np.ndarray]) -> np.ndarray:
    """Accuracy of the labels of the aligned pairs: Σ C[l,l] / Σ C."""
    return formulas.ratio(sum(c[f"st.conf.{lab}.{lab}"] for lab in STANCE_LABELS), _pairs(c))


def _label_macro_f1(c: Mapping[str, np.ndarray]) -> np.ndarray:
    """Mean F1 of the labels that occur in the gold or predicted labels of the aligned pairs."""
    return formulas.mean_defined(*(formulas.label_f1(*_label_counts(c, lab)) for lab in STANCE_LABELS))


def _label_f_avg(c: Mapping[str, np.ndarray]) -> np.ndarray:
    """F_avg (SemEval-2016 Task 6, ``eval.pl``) = (F1_favour + F1_against)/2."""
    return formulas.f_avg(formulas.eval_pl_f1(*_label_counts(c, "favour")), formulas.eval_pl_f1(*_label_counts(c, "against")),
                          _pairs(c))


def headline_metrics(tasks: Sequence[str]) -> dict[str, ScoreFn]:
    """Every headline score of the given tasks, by its path in ``EvalReport.scores()``."""
    out: dict[str, ScoreFn] = {}
    prf = ("precision", "recall", "f1")
    if "entities" in tasks:
        for scheme in SCHEMES:
            for what in prf:
                out[f"entities.micro.{scheme}.{what}"] = _scheme(scheme, what)
    if "coreference" in tasks:
        for metric in COREF_METRICS:
            for what in prf:
                out[f"coreference.{metric}.{what}"] = _coref(metric, what)
        for what in prf:
            out[f"coreference.blanc.{what}"] = _blanc(what)
        out["coreference.conll_f1"] = _conll
    if "events" in tasks:
        for metric in EVENT_METRICS:
            for what in prf:
                out[f"events.{metric}.{what}"] = _prf(f"ev.{metric}", what)
        for metric in EVENT_METRICS:
            for what in prf:
                out[f"events.per_item.{metric}.{what}"] = _prf(f"ev.item.{metric}", what)
    if "stances" in tasks:
        for metric in ("triples", "pairs"):
            for what in prf:
                out[f"stances.{metric}.{what}"] = _prf(f"st.{metric}", what)
        out["stances.labels.accuracy"] = _label_accuracy
        out["stances.labels.macro_f1"] = _label_macro_f1
        out["stances.labels.f_avg"] = _label_f_avg
    return out


def _keys(tasks: Sequence[str]) -> list[str]:
    keys: list[str] = []
    if "entities" in tasks:
        keys += [f"ent.{s}.{n}" for s in SCHEMES for n in _SCHEME_FIELDS]
    if "coreference" in tasks:
        keys += [f"coref.{m}.{n}" for m in COUNT_KEYS for n in _COREF_FIELDS]
    if "events" in tasks:
        keys += [f"ev.{m}.{n}" for m in EVENT_METRICS for n in ("tp", "fp", "fn")]
        keys += [f"ev.item.{m}.{n}" for m in EVENT_METRICS for n in ("tp", "fp", "fn")]
    if "stances" in tasks:
        keys += [f"st.{m}.{n}" for m in ("triples", "pairs") for n in ("tp", "fp", "fn")]
        keys += [f"st.conf.{g}.{p}" for g in STANCE_LABELS for p in STANCE_LABELS]
    return keys


def select_metrics(tasks: Sequence[str], names: Sequence[str] | None) -> dict[str, ScoreFn]:
    """The named headline metrics (all of them if ``names`` is None); ValueError names an unknown one."""
    available = headline_metrics(tasks)
    if names is None:
        return available
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(unknown)} for tasks {', '.join(tasks)}; "
                         f"choose from {', '.join(available)}")
    return {n: available[n] for n in names}


def compare_metrics(tasks: Sequence[str], requested: Sequence[str] | None = None) -> list[str]:
    """The metrics ``toolkit compare`` tests: :data:`DEFAULT_COMPARE_METRICS` of these tasks when
    none is requested, every headline score for ``all``, else the requested ones (ValueError
    naming an unknown one)."""
    if not requested:
        return [m for m in DEFAULT_COMPARE_METRICS if m in headline_metrics(tasks)]
    if "all" in requested:
        return list(headline_metrics(tasks))
    return list(select_metrics(tasks, list(dict.fromkeys(requested))))


# ---------------------------------------------------------------- intervals


@dataclass(frozen=True)
class Intervals:
    """Percentile-bootstrap intervals of one report's headline scores."""

    resamples: int
    seed: int
    level: float
    documents: int
    intervals: dict[str, Interval]

    def to_dict(self) -> dict:
        return {"method": "percentile bootstrap over documents", "resamples": self.resamples, "seed": self.seed,
                "level": self.level, "documents": self.documents,
                "intervals": {name: iv.to_dict() for name, iv in self.intervals.items()}}


def intervals(report, n_resamples: int = 1000, seed: int = 0, level: float = 0.95,
              metrics: Sequence[str] | None = None) -> Intervals:
    """Percentile-bootstrap intervals of the headline scores of ``report``, resampling documents.

    The estimate of each metric equals its value in ``report.scores()``; a resample on which a
    score is undefined (e.g. no gold stance drawn) is left out and counted in ``undefined``.
    """
    if n_resamples < 1:
        raise ValueError("the number of resamples must be at least 1")
    keys, C = count_matrix(report)
    fns = select_metrics(report.tasks, metrics)
    return Intervals(n_resamples, seed, level, C.shape[0], bootstrap_intervals(C, fns, keys, n_resamples, seed, level))


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Comparison:
    """Several systems scored on the same gold documents, and the test of every pair.

    ``scores``: system -> metric -> value (None if undefined); ``order``: the systems ranked by
    ``rank_by`` (best first; undefined last); ``tests``: (A, B) -> metric -> :class:`Difference`
    of A − B, for every pair with A ranked above B.
    """

    systems: list[str]
    metrics: list[str]
    scores: dict[str, dict[str, float | None]]
    order: list[str]
    rank_by: str
    tests: dict[tuple[str, str], dict[str, Difference]]
    method: str
    resamples: int
    seed: int
    level: float
    documents: int
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "method": self.method, "resamples": self.resamples, "seed": self.seed, "level": self.level,
            "documents": self.documents, "rank_by": self.rank_by, "ranking": self.order,
            "systems": {s: {"source": self.labels.get(s, s), "scores": self.scores[s]} for s in self.systems},
            "tests": [{"a": a, "b": b, "metrics": {m: d.to_dict() for m, d in per.items()}}
                      for (a, b), per in self.tests.items()],
        }


def compare(reports: Mapping[str, object], n_resamples: int = 1000, seed: int = 0, method: str = "bootstrap",
            metrics: Sequence[str] | None = DEFAULT_COMPARE_METRICS, rank_by: str | None = None,
            level: float = 0.95, labels: Mapping[str, str] | None = None) -> Comparison:
    """Score several systems' reports side by side and test every pairwise difference.

    ``reports``: system name -> :class:`~toolkit.evaluation.evaluate.EvalReport`, all against the same gold
    documents with the same tasks (ValueError otherwise). Each pair (A ranked above B) gets, per
    metric, the difference A − B, its percentile interval on paired bootstrap resamples and a
    two-sided p-value from the paired bootstrap (``method='bootstrap'``) or approximate
    randomisation (``'permutation'``); see :mod:`toolkit.evaluation.resampling`. Every pair uses the same
    resamples (the same seed).
    """
    if method not in METHODS:
        raise ValueError(f"unknown test '{method}': choose {' or '.join(METHODS)}")
    if len(reports) < 2:
        raise ValueError("compare needs at least two systems")
    if n_resamples < 1:
        raise ValueError("the number of resamples must be at least 1")
    names = list(reports)
    first = reports[names[0]]
    for name in names[1:]:
        r = reports[name]
        if tuple(r.tasks) != tuple(first.tasks):
            raise ValueError(f"'{name}' was scored on tasks {', '.join(r.tasks)}, '{names[0]}' on {', '.join(first.tasks)}")
        if list(r.doc_ids) != list(first.doc_ids):
            raise ValueError(f"'{name}' and '{names[0]}' were scored on different documents")
    fns = select_metrics(first.tasks, metrics)
    rank_by = rank_by or next(iter(fns))
    if rank_by not in fns:
        raise ValueError(f"--rank-by {rank_by} is not one of the compared metrics: {', '.join(fns)}")
    keys = _keys(first.tasks)
    tables = {n: count_matrix(reports[n])[1] for n in names}
    scores = {n: {m: point_estimate(tables[n], keys, fn) for m, fn in fns.items()} for n in names}

    def rank_key(n: str) -> tuple:
        v = scores[n][rank_by]
        return (v is None, -(v or 0.0), names.index(n))

    order = sorted(names, key=rank_key)
    tests: dict[tuple[str, str], dict[str, Difference]] = {}
    for a, b in combinations(order, 2):
        tests[(a, b)] = paired_test(tables[a], tables[b], fns, keys, n_resamples, seed, method, level)
    return Comparison(names, list(fns), scores, order, rank_by, tests, method, n_resamples, seed, level,
                      len(first.doc_ids), dict(labels or {}))


def score_at(scores: Mapping, path: str) -> object:
    """The value at a dotted path of ``EvalReport.scores()`` (KeyError if absent)."""
    node: object = scores
    for part in path.split("."):
        node = node[part]  # type: ignore[index]
    return node

