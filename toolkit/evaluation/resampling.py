"""Resampling statistics over documents: bootstrap intervals and paired significance tests.

Scores are functions of counts summed over documents (see :mod:`toolkit.evaluation.evaluate`), so a
resample of documents is a weight vector: how many times each document is drawn. With the
documents' counts in a matrix ``C`` (documents × count keys) and the weights of ``B`` resamples in
``W`` (B × documents), the summed counts of every resample are ``W @ C`` (computed in blocks of
resamples, so memory stays bounded), and each score
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

Identical systems give δ̂ = 0 and p = 1. Everything is reproducible from ``seed``: resamples are
drawn in blocks of :data:`BLOCK`, block ``k`` from ``default_rng(SeedSequence(seed).spawn(K)[k])``,
so the blocks run on as many threads as there are CPUs and give the same numbers on one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Mapping, NamedTuple, Sequence

import numpy as np

ScoreFn = Callable[[Mapping[str, np.ndarray]], np.ndarray]
"""Maps summed counts (key -> array over resamples) to the score of each resample (NaN if undefined)."""


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


BLOCK = 32
"""Resamples per block. Block ``k`` (resamples ``32k … 32k + 31``) draws from its own generator,
``default_rng(SeedSequence(seed).spawn(K)[k])``, so blocks can be drawn and summed in any order
and on any number of threads with the same result; the block size is therefore part of the
stream and does not change. A block's weights are ``BLOCK × n_docs``, so memory stays bounded."""


def count_matrix(per_doc: Sequence[Mapping[str, float]] | np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """Documents × keys matrix of counts (a missing key counts 0); a matrix is returned as it is."""
    if isinstance(per_doc, np.ndarray):
        return per_doc.astype(float, copy=False)
    return np.array([[float(d.get(k, 0.0)) for k in keys] for d in per_doc], dtype=float).reshape(len(per_doc), len(keys))


def _block_rng(seed: int, k: int) -> np.random.Generator:
    """The generator of block ``k``: ``SeedSequence(seed).spawn(K)[k]`` for any K > k."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))


def _blocks(n: int) -> list[tuple[int, int, int]]:
    """``(k, start, size)`` of the blocks of ``n`` resamples or trials."""
    return [(k, start, min(BLOCK, n - start)) for k, start in enumerate(range(0, n, BLOCK))]


def _block_weights(n_docs: int, k: int, b: int, seed: int, dtype=np.int64) -> np.ndarray:
    """Block ``k``'s weights: ``W[i, j]`` is how often document j is drawn in its resample ``i``."""
    draws = _block_rng(seed, k).integers(0, n_docs, size=(b, n_docs), dtype=np.int32)
    block = np.empty((b, n_docs), dtype=dtype)
    for i in range(b):  # a row at a time: 1.6x faster than one count of offset draws (no int64 copy of them)
        block[i] = np.bincount(draws[i], minlength=n_docs)
    return block


def resample_weights(n_docs: int, n_resamples: int, seed: int) -> np.ndarray:
    """``n_resamples × n_docs`` matrix: how often each document is drawn in each bootstrap resample."""
    weights = np.zeros((n_resamples, n_docs))
    if n_docs:
        for k, start, b in _blocks(n_resamples):
            weights[start:start + b] = _block_weights(n_docs, k, b, seed)
    return weights


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _map_blocks(fn, blocks, threads: int | None) -> None:
    """Run ``fn(block)`` for every block, on ``threads`` threads (default: the CPUs this process may
    use). numpy's generators, ``bincount`` and BLAS release the GIL, so two cores draw and sum
    1000 resamples of 50,000 documents in about 60% of one core's time; each block writes only
    its own rows, so the result does not depend on the number of threads."""
    threads = min(threads or _cpus(), len(blocks))
    if threads <= 1:
        for block in blocks:
            fn(block)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        for _ in pool.map(fn, blocks):
            pass


def _one_blas_thread():
    """A context in which BLAS runs on one thread. The products here are thin (32 × n by n × keys):
    multithreaded OpenBLAS gains nothing on them and, on a busy machine, its spinning threads made
    1000 resamples of 50k documents take 13–37 s instead of 0.7 s (benchmarks/README.md). The
    blocks run on threads of their own instead (:func:`_map_blocks`)."""
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:  # pragma: no cover - scikit-learn always brings it
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _exact_in_float32(C: np.ndarray) -> np.ndarray:
    """Columns of whole counts whose every resampled sum stays below 2^24 (at most n · max), so
    float32 products and sums of them are exact integers: the same numbers, at half the cost."""
    if C.size == 0:
        return np.zeros(C.shape[1], dtype=bool)
    whole = np.all(C == np.floor(C), axis=0) & (C.min(axis=0) >= 0)
    return whole & (C.max(axis=0) * C.shape[0] < 2**24)


def _distinct_columns(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, where)``: the first column of each distinct column of ``C``, and for every column
    the position of its distinct column in ``first``. Count keys repeat (every entity scheme has
    the same actual and possible counts; 47 of the 71 headline keys of the benchmark's corpus are
    distinct), and a repeated column need not be multiplied again.

    Columns are compared exactly, but only those with the same hash: the column's bits as
    integers, times one fixed random odd multiplier per document, summed modulo 2^64 (integer
    arithmetic, so columns equal bit for bit always hash alike): 4 ms at 50,000 documents × 71 keys in
    a count table's column order, where hashing every column's bytes took 50 ms."""
    if not C.shape[1]:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    C = np.asarray(C, dtype=np.float64)
    multiplier = np.random.default_rng(0).integers(0, 2**63, size=C.shape[0], dtype=np.uint64) | np.uint64(1)
    probe = multiplier @ C.view(np.uint64)
    first: list[int] = []
    where: list[int] = []
    alike: dict[int, list[int]] = {}
    for j, h in enumerate(probe.tolist()):
        for at in alike.get(h, ()):
            if np.array_equal(C[:, first[at]], C[:, j]):
                where.append(at)
                break
        else:
            alike.setdefault(h, []).append(len(first))
            where.append(len(first))
            first.append(j)
    return np.array(first, dtype=np.intp), np.array(where, dtype=np.intp)


class _Summable(NamedTuple):
    """A count matrix's distinct columns (:func:`_distinct_columns`), split into those summed in
    float32 (``exact``, :func:`_exact_in_float32`) and the others, with the map back to every column."""

    exact: np.ndarray
    c32: np.ndarray
    c64: np.ndarray
    where: np.ndarray

    @classmethod
    def of(cls, m: np.ndarray) -> "_Summable":
        first, where = _distinct_columns(m)
        d = m[:, first]
        exact = _exact_in_float32(d)
        # in the order of ``m``: a count table's matrix has its columns contiguous, and the
        # products do not mind either order
        return cls(exact, np.asarray(d[:, exact], dtype=np.float32, order="K"),
                   np.asarray(d[:, ~exact], dtype=np.float64, order="K"), where)


def resampled_sums(matrices: Sequence[np.ndarray], n_resamples: int, seed: int,
                   threads: int | None = None) -> list[np.ndarray]:
    """For each documents × keys matrix ``C``, the ``n_resamples × keys`` summed counts ``W @ C`` of
    the bootstrap resamples (all matrices on the same resamples), computed block by block on
    ``threads`` threads (:func:`_map_blocks`; the same result on any number).
    Repeated columns are summed once (:func:`_distinct_columns`); columns of whole counts are
    summed in float32 where that is exact (:func:`_exact_in_float32`), the others (coreference
    ratios' parts) in float64; the results are the same either way."""
    n_docs = matrices[0].shape[0] if matrices else 0
    if not n_docs:
        return [np.zeros((n_resamples, m.shape[1])) for m in matrices]
    parts = [_Summable.of(m) for m in matrices]
    distinct = [np.zeros((n_resamples, len(p.exact))) for p in parts]
    need64 = any(p.c64.shape[1] for p in parts)

    def block(kb):
        k, start, b = kb
        w32 = _block_weights(n_docs, k, b, seed, np.float32)
        w64 = w32.astype(np.float64) if need64 else None
        for p, o in zip(parts, distinct):
            if p.c32.shape[1]:
                o[start:start + b, p.exact] = w32 @ p.c32
            if p.c64.shape[1]:
                o[start:start + b, ~p.exact] = w64 @ p.c64

    with _one_blas_thread():
        _map_blocks(block, _blocks(n_resamples), threads)
    return [o[:, p.where] for o, p in zip(distinct, parts)]


def permuted_sums(A: np.ndarray, B: np.ndarray, n_trials: int, seed: int,
                  threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Summed counts of A and B in ``n_trials`` approximate-randomisation trials, where every
    document's rows of A and B are swapped with probability ½ (``S`` = 0/1 swaps, one row per
    trial; block ``k`` of trials draws ``_block_rng(seed, k).integers(0, 2, (size, n))``):
    A' = ΣA + S·(B − A), B' = ΣB − S·(B − A)."""
    n_docs = A.shape[0]
    diff = B - A
    shift = np.zeros((n_trials, A.shape[1]))

    def block(kb):
        k, start, b = kb
        swap = _block_rng(seed, k).integers(0, 2, size=(b, n_docs), dtype=np.int32).astype(np.float64)
        shift[start:start + b] = swap @ diff

    with _one_blas_thread():
        _map_blocks(block, _blocks(n_trials), threads)
    return A.sum(axis=0) + shift, B.sum(axis=0) - shift


def _columns(summed: np.ndarray, keys: Sequence[str]) -> dict[str, np.ndarray]:
    return {k: summed[..., i] for i, k in enumerate(keys)}


def point_estimate(matrix: np.ndarray, keys: Sequence[str], fn: ScoreFn) -> float | None:
    """The score on all documents (the summed rows of ``matrix``); None if undefined."""
    return _estimate(_columns(matrix.sum(axis=0), keys), fn)


def _estimate(totals: Mapping[str, np.ndarray], fn: ScoreFn) -> float | None:
    value = float(fn(totals))
    return None if np.isnan(value) else value


def bootstrap_intervals(per_doc: Sequence[Mapping[str, float]], metrics: Mapping[str, ScoreFn], keys: Sequence[str],
                        n_resamples: int = 1000, seed: int = 0, level: float = 0.95) -> dict[str, Interval]:
    """Percentile bootstrap interval of every metric, from the documents' counts."""
    C = count_matrix(per_doc, keys)
    (summed,) = resampled_sums([C], n_resamples, seed)
    cols, totals = _columns(summed, keys), _columns(C.sum(axis=0), keys)
    tail = (1 - level) / 2 * 100
    out = {}
    for name, fn in metrics.items():
        values = np.asarray(fn(cols), dtype=float)
        ok = values[~np.isnan(values)]
        low, high = (np.percentile(ok, [tail, 100 - tail]) if ok.size else (np.nan, np.nan))
        out[name] = Interval(_estimate(totals, fn), None if np.isnan(low) else float(low),
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
    sum_a, sum_b = resampled_sums([A, B], n_resamples, seed)
    boot_a, boot_b = _columns(sum_a, keys), _columns(sum_b, keys)
    total_a, total_b = _columns(A.sum(axis=0), keys), _columns(B.sum(axis=0), keys)
    if method == "permutation":
        pa, pb = permuted_sums(A, B, n_resamples, seed)
        perm_a, perm_b = _columns(pa, keys), _columns(pb, keys)
    out = {}
    for name, fn in metrics.items():
        a, b = _estimate(total_a, fn), _estimate(total_b, fn)
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
