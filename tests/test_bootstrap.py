"""Resampling: reproducible, vectorised, and equal to a plain Python loop."""


import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from toolkit.evaluation.resampling import bootstrap_intervals, paired_test, permuted_sums, resample_weights, resampled_sums
from toolkit.metrics import formulas


def documented_draws(n_docs, n_resamples, seed, high=None):
    """The stream as docs/metrics.md states it: resamples in blocks of 32, block k drawn by
    default_rng(SeedSequence(seed).spawn(K)[k]).integers(0, n_docs, (block size, n_docs), int32)."""
    K = -(-n_resamples // 32)
    children = np.random.SeedSequence(seed).spawn(K)
    rows = [np.random.default_rng(children[k]).integers(0, n_docs if high is None else high,
                                                        size=(min(32, n_resamples - 32 * k), n_docs), dtype=np.int32)
            for k in range(K)]
    return np.vstack(rows) if rows else np.zeros((0, n_docs), dtype=np.int32)

KEYS = ["tp", "fp", "fn"]
F1 = {"f1": lambda c: formulas.dice(c["tp"], c["tp"] + c["fp"], c["tp"] + c["fn"])}
DOCS = [{"tp": 5, "fp": 1, "fn": 2}, {"tp": 0, "fp": 3, "fn": 1}, {"tp": 7, "fp": 0, "fn": 0},
        {"tp": 2, "fp": 2, "fn": 2}, {"tp": 4, "fp": 1, "fn": 3}]


def test_point_estimate_is_micro_f1():
    tp, fp, fn = 18, 7, 8
    assert bootstrap_intervals(DOCS, F1, KEYS, 10)["f1"].estimate == pytest.approx(2 * tp / (2 * tp + fp + fn))


def test_fixed_seed_reproduces_exactly_and_interval_contains_estimate():
    a = bootstrap_intervals(DOCS, F1, KEYS, 500, seed=7)["f1"]
    b = bootstrap_intervals(DOCS, F1, KEYS, 500, seed=7)["f1"]
    c = bootstrap_intervals(DOCS, F1, KEYS, 500, seed=8)["f1"]
    assert a == b and a != c
    assert a.low <= a.estimate <= a.high


def test_weights_are_resamples_with_replacement():
    w = resample_weights(5, 100, seed=1)
    assert w.shape == (100, 5) and (w.sum(axis=1) == 5).all() and (w >= 0).all()
    draws = documented_draws(5, 100, 1)
    assert (w == np.array([np.bincount(row, minlength=5) for row in draws])).all()


def test_numpy_bootstrap_equals_a_plain_python_loop():
    n, B, seed = len(DOCS), 200, 3
    draws = documented_draws(n, B, seed)  # the stream the vectorised code consumes, block by block
    scores = []
    for row in draws:
        tp = sum(DOCS[i]["tp"] for i in row)
        fp = sum(DOCS[i]["fp"] for i in row)
        fn = sum(DOCS[i]["fn"] for i in row)
        scores.append(2 * tp / (2 * tp + fp + fn))
    low, high = np.percentile(scores, [2.5, 97.5])
    got = bootstrap_intervals(DOCS, F1, KEYS, B, seed=seed)["f1"]
    assert (got.low, got.high) == pytest.approx((low, high))


def test_self_comparison_has_zero_difference_and_p_one():
    for method in ("bootstrap", "permutation"):
        d = paired_test(DOCS, DOCS, F1, KEYS, 300, seed=0, method=method)["f1"]
        assert d.delta == 0 and d.p_value == 1.0


def test_gold_against_empty_is_significant():
    gold = [{"tp": d["tp"] + d["fn"], "fp": 0, "fn": 0} for d in DOCS] * 4  # 20 documents
    empty = [{"tp": 0, "fp": 0, "fn": d["tp"]} for d in gold]
    for method in ("bootstrap", "permutation"):
        d = paired_test(gold, empty, F1, KEYS, 1000, seed=0, method=method)["f1"]
        assert d.delta == 1.0 and d.p_value < 0.05


def test_undefined_scores_are_none_not_zero():
    empty = [{"tp": 0, "fp": 0, "fn": 0}] * 3
    iv = bootstrap_intervals(empty, F1, KEYS, 50)["f1"]
    assert iv.estimate is None and iv.low is None and iv.undefined == 50


def test_harmonic_f1_follows_the_one_rule():
    # P = 3/4, R = 3/6; then P = R = 0; then P undefined (nothing predicted): F1 0; then nothing at all: undefined
    pn, pd, rn, rd = np.array([3.0, 0, 0, 0]), np.array([4.0, 4, 0, 0]), np.array([3.0, 0, 0, 0]), np.array([6.0, 6, 6, 0])
    out = formulas.harmonic_f1(pn, pd, rn, rd)
    assert out[0] == pytest.approx(2 * 0.75 * 0.5 / 1.25)
    assert out[1] == 0.0 and out[2] == 0.0 and np.isnan(out[3])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=8), st.integers(0, 2**31))
def test_interval_bounds_lie_within_the_resampled_range(rows, seed):
    docs = [{"tp": a, "fp": b, "fn": c} for a, b, c in rows]
    iv = bootstrap_intervals(docs, F1, KEYS, 200, seed=seed)["f1"]
    if iv.low is not None:
        assert 0.0 <= iv.low <= iv.high <= 1.0
        # a resample equal to the whole corpus is possible, so the estimate lies in the resampled range
        per_doc = [2 * d["tp"] / (2 * d["tp"] + d["fp"] + d["fn"]) for d in docs if 2 * d["tp"] + d["fp"] + d["fn"]]
        assert min(per_doc) - 1e-9 <= iv.estimate <= max(per_doc) + 1e-9


def test_worked_example_of_docs_metrics():
    """docs/metrics.md, Resampling: two documents, interval [0.5, 0.857] around 8/11."""
    docs = [{"tp": 3, "fp": 1, "fn": 0}, {"tp": 1, "fp": 0, "fn": 2}]
    iv = bootstrap_intervals(docs, F1, KEYS, 2000, seed=0)["f1"]
    assert iv.estimate == pytest.approx(8 / 11)
    assert (iv.low, iv.high) == pytest.approx((0.5, 12 / 14))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 70), st.integers(0, 2**31))
def test_block_draws_are_the_documented_stream(n_docs, n_resamples, seed):
    """Each block of 32 resamples is drawn from its own child of SeedSequence(seed)."""
    w = resample_weights(n_docs, n_resamples, seed)
    draws = documented_draws(n_docs, n_resamples, seed)
    assert (w == np.array([np.bincount(row, minlength=n_docs) for row in draws])).all()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 60), st.integers(1, 40), st.integers(0, 2**31), st.integers(1, 10**6))
def test_block_sums_equal_the_dense_product(n_docs, n_resamples, seed, top):
    """Whole counts (summed in float32 where exact) and fractional ones give exactly / nearly W @ C."""
    rng = np.random.default_rng(seed)
    C = np.hstack([rng.integers(0, top, size=(n_docs, 3)).astype(float), rng.random((n_docs, 2)) * 3])
    W = resample_weights(n_docs, n_resamples, seed)
    (got,) = resampled_sums([C], n_resamples, seed)
    assert (got[:, :3] == W @ C[:, :3]).all()
    assert np.allclose(got[:, 3:], W @ C[:, 3:], rtol=1e-12, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 50), st.integers(1, 130), st.integers(0, 2**31), st.integers(1, 4))
def test_sums_do_not_depend_on_the_number_of_threads(n_docs, n_resamples, seed, threads):
    """Blocks are drawn from their own streams and write their own rows: one thread or several,
    the same sums, and repeated columns (summed once) equal to their first."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 7, size=(n_docs, 3)).astype(float)
    C = np.hstack([base, base[:, :1], rng.random((n_docs, 1)), base[:, 1:2]])  # columns 3 and 5 repeat 0 and 1
    D = rng.integers(0, 5, size=(n_docs, 2)).astype(float)
    one = resampled_sums([C, D], n_resamples, seed, threads=1)
    many = resampled_sums([C, D], n_resamples, seed, threads=threads)
    assert all((a == b).all() for a, b in zip(one, many))
    W = resample_weights(n_docs, n_resamples, seed)
    assert (one[0][:, [0, 1, 2, 3, 5]] == W @ C[:, [0, 1, 2, 3, 5]]).all() and (one[1] == W @ D).all()
    assert (one[0][:, 3] == one[0][:, 0]).all()
    pa1, pb1 = permuted_sums(C, D[:, :1].repeat(C.shape[1], axis=1), n_resamples, seed, threads=1)
    pa2, pb2 = permuted_sums(C, D[:, :1].repeat(C.shape[1], axis=1), n_resamples, seed, threads=threads)
    assert (pa1 == pa2).all() and (pb1 == pb2).all()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.integers(1, 70), st.integers(0, 2**31))
def test_permutation_swaps_follow_the_documented_stream(n_docs, n_trials, seed):
    """Trial b swaps document j's rows of A and B where the documented 0/1 draw is 1."""
    rng = np.random.default_rng(seed + 1)
    A, B = rng.integers(0, 9, size=(n_docs, 2)).astype(float), rng.integers(0, 9, size=(n_docs, 2)).astype(float)
    swaps = documented_draws(n_docs, n_trials, seed, high=2).astype(bool)
    got_a, got_b = permuted_sums(A, B, n_trials, seed)
    for b in range(n_trials):
        a_rows = np.where(swaps[b][:, None], B, A)
        b_rows = np.where(swaps[b][:, None], A, B)
        assert (got_a[b] == a_rows.sum(axis=0)).all() and (got_b[b] == b_rows.sum(axis=0)).all()


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.lists(st.integers(0, 5), min_size=1, max_size=12), st.integers(0, 2**31), st.booleans())
def test_distinct_columns_are_found_exactly(n_docs, pattern, seed, fortran):
    """Columns made from a few bases (``pattern[j]`` is column j's base) are grouped exactly as
    comparing them whole groups them: each column maps to the first column equal to it, and the
    firsts are pairwise different, in C or Fortran order alike."""
    from toolkit.evaluation.resampling import _distinct_columns

    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 3, size=(n_docs, 6)).astype(float)
    C = bases[:, pattern]
    C = np.asfortranarray(C) if fortran else np.ascontiguousarray(C)
    first, where = _distinct_columns(C)
    expected = []
    for j in range(C.shape[1]):
        expected.append(next(i for i in range(j + 1) if (C[:, i] == C[:, j]).all()))
    assert [int(first[w]) for w in where] == expected
    assert len(set(map(int, first))) == len(first) == len({C[:, j].tobytes() for j in range(C.shape[1])})


def test_columns_with_the_same_probe_value_are_told_apart(monkeypatch):
    """Two different columns whose hashes collide stay apart: the columns are compared."""
    from toolkit.evaluation import resampling

    C = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])

    class Fixed:
        def integers(self, low, high, size, dtype):
            return np.ones(size, dtype=dtype)  # each column's hash is the sum of its bits: all three collide

    monkeypatch.setattr(resampling.np.random, "default_rng", lambda seed: Fixed())
    first, where = resampling._distinct_columns(C)
    assert first.tolist() == [0, 1] and where.tolist() == [0, 1, 0]
