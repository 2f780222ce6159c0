"""Resampling statistics over documents: bootstrap intervals and paired significance tests.

Scores are functions of counts summed over documents (see :mod:`toolkit.evaluate`), so a
resample of documents is a weight vector: how many times each document is drawn. With the
documents' counts in a matrix ``C`` (documents × count keys) and the weights of ``B`` resamples in
``W`` (B × documents), the summed counts of every resample are ``W @ C`` at once, and each score
is computed on whole columns with numpy — no Python loop over resamples.

- **Percentile bootstrap** (Efron and Tibshirani, 1993): draw ``B`` resamples of the ``n``
  documents with replacement; the 95% interval is the 2.5th and 97.5th percentiles of the score over
  the resamples (resamples where the score is undefined are left out and counted).
- **Paired bootstrap test** (Koehn, 2004; Berg-Kirkpatrick et al., 2012): both systems are scored
  on the same resamples; with δ̂ the observed difference A − B and δ*_b its value on resample b,
  the two-sided p-value is ``(1 + #{b : |δ*_b − δ̂| ≥ |δ̂|}) / (B + 1)`` — how often a difference at
  least as large as the observed one arises around zero when the sampling spread is centred there.
- **Approximate randomisation** (Noreen, 1989; Riezler and Maxwell, 2005): in each of ``B`` trials
  every document's outputs of A and B are swapped with probability 1/2;
  ``p = (1 + #{b : |δ_b| ≥ |δ̂|}) / (B + 1)``.

Identical systems give δ̂ = 0 and p = 1. Everything is reproducible from ``seed``
(``numpy.random.default_rng``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

ScoreFn = Callable[[Mapping[str, np.ndarray]], np.ndarray]
"""Maps summed counts (key -> array over resamples) to the score of each resample (NaN if undefined)."""


def safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def f1_from(tp_key: str, fp_key: str, fn_key: str, half_key: str | None = None) -> ScoreFn:
    """F1 = 2·TP / (2·TP + FP + FN) (equal to the harmonic mean of P and R where both are defined);
    with ``half_key`` (partial matches) TP counts them half and FP/FN hold the rest as in nervaluate:
    F1 = 2(C + P/2) / (ACT + POS)."""
    def score(c: Mapping[str, np.ndarray]) -> np.ndarray:
        tp = c[tp_key] + (0.5 * c[half_key] if half_key else 0)
        return safe_div(2 * tp, 2 * tp + c[fp_key] + c[fn_key] + ((c[half_key]) if half_key else 0))
    return score


def pr_f1(p_num: str, p_den: str, r_num: str, r_den: str) -> ScoreFn:
    """F1 = 2PR / (P + R) with P = p_num / p_den and R = r_num / r_den (coreference metrics)."""
    def score(c: Mapping[str, np.ndarray]) -> np.ndarray:
        p, r = safe_div(c[p_num], c[p_den]), safe_div(c[r_num], c[r_den])
        return safe_div(2 * p * r, p + r)
    return score


@dataclass(frozen=True)
class Interval:
    estimate: float | None
    low: float | None
    high: float | None
    undefined: int  # resamples on which the score was undefined

    def to_dict(self) -> dict:
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "undefined_resamples": self.undefined}


@dataclass(frozen=True)
class Difference:
    a: float | None
    b: float | None
    delta: float | None
    low: float | None
    high: float | None
    p_value: float | None
    method: str

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "delta": self.delta, "low": self.low, "high": self.high,
                "p_value": self.p_value, "method": self.method}


def count_matrix(per_doc: Sequence[Mapping[str, float]], keys: Sequence[str]) -> np.ndarray:
    """Documents × keys matrix of counts (a missing key counts 0)."""
    return np.array([[float(d.get(k, 0.0)) for k in keys] for d in per_doc], dtype=float).reshape(len(per_doc), len(keys))


def resample_weights(n_docs: int, n_resamples: int, seed: int) -> np.ndarray:
    """``n_resamples × n_docs`` matrix: how often each document is drawn in each bootstrap resample."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_docs, size=(n_resamples, n_docs))
    weights = np.zeros((n_resamples, n_docs))
    np.add.at(weights, (np.repeat(np.arange(n_resamples), n_docs), draws.ravel()), 1.0)
    return weights


def _columns(summed: np.ndarray, keys: Sequence[str]) -> dict[str, np.ndarray]:
    return {k: summed[..., i] for i, k in enumerate(keys)}


def _point(matrix: np.ndarray, keys: Sequence[str], fn: ScoreFn) -> float | None:
    value = float(fn(_columns(matrix.sum(axis=0), keys)))
    return None if np.isnan(value) else value


def bootstrap_intervals(per_doc: Sequence[Mapping[str, float]], metrics: Mapping[str, ScoreFn], keys: Sequence[str],
                        n_resamples: int = 1000, seed: int = 0, level: float = 0.95) -> dict[str, Interval]:
    """Percentile bootstrap interval of every metric, from the documents' counts."""
    C = count_matrix(per_doc, keys)
    W = resample_weights(len(per_doc), n_resamples, seed) if len(per_doc) else np.zeros((n_resamples, 0))
    cols = _columns(W @ C, keys)
    tail = (1 - level) / 2 * 100
    out = {}
    for name, fn in metrics.items():
        values = np.asarray(fn(cols), dtype=float)
        ok = values[~np.isnan(values)]
        low, high = (np.percentile(ok, [tail, 100 - tail]) if ok.size else (np.nan, np.nan))
        out[name] = Interval(_point(C, keys, fn), None if np.isnan(low) else float(low),
                             None if np.isnan(high) else float(high), int(values.size - ok.size))
    return out


def paired_test(per_doc_a: Sequence[Mapping[str, float]], per_doc_b: Sequence[Mapping[str, float]],
                metrics: Mapping[str, ScoreFn], keys: Sequence[str], n_resamples: int = 1000, seed: int = 0,
                method: str = "bootstrap", level: float = 0.95) -> dict[str, Difference]:
    """Difference A − B of every metric with its interval and p-value; documents aligned by position."""
    if len(per_doc_a) != len(per_doc_b):
        raise ValueError("paired tests need the same documents for both systems")
    A, B = count_matrix(per_doc_a, keys), count_matrix(per_doc_b, keys)
    n = len(per_doc_a)
    tail = (1 - level) / 2 * 100
    W = resample_weights(n, n_resamples, seed) if n else np.zeros((n_resamples, 0))
    boot_a, boot_b = _columns(W @ A, keys), _columns(W @ B, keys)
    if method == "permutation":
        swap = np.random.default_rng(seed).integers(0, 2, size=(n_resamples, n)).astype(float)
        perm_a = _columns(swap @ B + (1 - swap) @ A, keys)
        perm_b = _columns(swap @ A + (1 - swap) @ B, keys)
    out = {}
    for name, fn in metrics.items():
        a, b = _point(A, keys, fn), _point(B, keys, fn)
        if a is None or b is None:
            out[name] = Difference(a, b, None, None, None, None, method)
            continue
        delta = a - b
        boot = np.asarray(fn(boot_a), dtype=float) - np.asarray(fn(boot_b), dtype=float)
        boot = boot[~np.isnan(boot)]
        low, high = (float(x) for x in np.percentile(boot, [tail, 100 - tail])) if boot.size else (None, None)
        if method == "permutation":
            d = np.asarray(fn(perm_a), dtype=float) - np.asarray(fn(perm_b), dtype=float)
            d = d[~np.isnan(d)]
            extreme = np.sum(np.abs(d) >= abs(delta) - 1e-12)
            total = d.size
        else:
            extreme = np.sum(np.abs(boot - delta) >= abs(delta) - 1e-12)
            total = boot.size
        p = float((1 + extreme) / (1 + total)) if total else None
        out[name] = Difference(a, b, delta, low, high, min(p, 1.0) if p is not None else None, method)
    return out
