"""The exact assignment solver of the one matcher (toolkit.metrics.matching.optimal_cells).

Small components are solved by enumerating every one-to-one map, vectorised over all components
of one shape; larger ones by scipy's linear_sum_assignment. These tests check the enumeration
against scipy (the optimum's value, a peer cross-check) and against a plain recursive brute force
written here (the tie rule: among optimal assignments the lexicographically first), and that the
five-document evaluation no longer needs scipy at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from toolkit.metrics.matching import _MAX_ASSIGNMENTS, best_assignments, match_edges, optimal_cells

ROOT = Path(__file__).resolve().parents[1]


def _first_optimal(w: np.ndarray) -> tuple[int, ...]:
    """The lexicographically first column sequence of maximum total over all one-to-one maps of
    the rows of ``w`` (r <= c) into its columns: plain recursion, independent of the solver."""
    r, c = w.shape
    best: list = [None, None]

    def rec(i: int, used: tuple, total):
        if i == r:
            if best[0] is None or total > best[0]:  # strictly greater: the first found of equal totals stays
                best[0], best[1] = total, used
            return
        for j in range(c):  # columns in increasing order: sequences are visited lexicographically
            if j not in used:
                rec(i + 1, used + (j,), total + w[i, j])

    rec(0, (), 0)
    return best[1]


shapes = st.tuples(st.integers(1, 4), st.integers(1, 5))


@settings(max_examples=300, deadline=None)
@given(shapes.flatmap(lambda s: st.lists(st.lists(st.integers(0, 3), min_size=s[1], max_size=s[1]),
                                         min_size=s[0], max_size=s[0])))
def test_integer_weights_with_ties_first_optimal_and_scipys_value(rows):
    w = np.array(rows, dtype=np.int64)
    k, i, j = optimal_cells(w[None])
    assert (k == 0).all() and len(i) == min(w.shape)
    assert len(set(i.tolist())) == len(i) and len(set(j.tolist())) == len(j)  # one-to-one
    a, b = linear_sum_assignment(w, maximize=True)
    assert w[i, j].sum() == w[a, b].sum()  # the optimum's value, as scipy finds it
    if w.shape[0] <= w.shape[1]:
        assert tuple(j[np.argsort(i)].tolist()) == _first_optimal(w)
    else:  # more rows than columns: the columns (the smaller side) choose, in order
        assert tuple(i[np.argsort(j)].tolist()) == _first_optimal(w.T)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30), shapes, st.randoms(use_true_random=False))
def test_a_batch_solves_each_matrix_as_alone(n, shape, rnd):
    w = np.array([[[rnd.choice([0.0, 0.5, 1.0, 2.0 / 3.0]) for _ in range(shape[1])] for _ in range(shape[0])]
                  for _ in range(n)])
    k, i, j = optimal_cells(w)
    for m in range(n):
        one = optimal_cells(w[m][None])
        sel = k == m
        assert i[sel].tolist() == one[1].tolist() and j[sel].tolist() == one[2].tolist()


def test_hand_computed_ties():
    # two equal columns for row 0: the first; row 1 then takes what is left
    w = np.array([[[5, 5, 0], [5, 0, 0]]])
    assert best_assignments(w)[0].tolist() == [1, 0]  # 5 + 5 beats row 0 taking column 0 (5 + 0)
    w = np.array([[[1, 1], [1, 1]]])
    assert best_assignments(w)[0].tolist() == [0, 1]


def test_large_shapes_go_to_scipy_and_stay_optimal():
    rnd = np.random.default_rng(3)
    w = rnd.integers(0, 5, size=(2, 7, 7))  # 7! = 5040 maps > the enumeration's limit
    assert 5040 > _MAX_ASSIGNMENTS
    k, i, j = optimal_cells(w)
    for m in range(2):
        a, b = linear_sum_assignment(w[m], maximize=True)
        assert w[m][i[k == m], j[k == m]].sum() == w[m][a, b].sum()


def test_equal_gold_items_the_first_ranked_is_paired():
    # two gold items tie for one prediction (same level, same tie-break): the canonically first
    pairs = match_edges(2, 1, [0, 1], [0, 0], [1, 1], None, gold_rank=np.array([1, 0]))
    assert pairs.gold.tolist() == [1] and pairs.pred.tolist() == [0]
    pairs = match_edges(2, 1, [0, 1], [0, 0], [1, 1], None, gold_rank=np.array([0, 1]))
    assert pairs.gold.tolist() == [0]
    # a better level wins over the rank
    pairs = match_edges(2, 1, [0, 1], [0, 0], [1, 2], None, gold_rank=np.array([0, 1]))
    assert pairs.gold.tolist() == [1] and pairs.level.tolist() == [2]


def test_mixed_shapes_in_one_call():
    # component A: gold 0,1 x pred 0 (2x1); component B: gold 2 x pred 1,2 (1x2); C: a simple pair
    eg, ep, lv = [0, 1, 2, 2, 3], [0, 0, 1, 2, 3], [1, 2, 3, 4, 4]
    pairs = match_edges(4, 4, eg, ep, lv)
    assert list(zip(pairs.gold.tolist(), pairs.pred.tolist(), pairs.level.tolist())) == [(1, 0, 2), (2, 2, 4), (3, 3, 4)]


def test_eval_on_the_gold_imports_only_what_it_uses():
    """``toolkit eval --system baseline`` on the five documents (tangled mentions and coreference
    clusters included) imports only what it uses: no scipy (the matcher's own solver), and no
    jsonschema, since every document passes the compiled schema check (jsonschema only says what is
    wrong with a document that fails it)."""
    code = ("import sys\nfrom toolkit.cli import main\nsys.argv = ['toolkit', 'eval', '--system', 'baseline', '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'jsonschema', 'referencing', 'datasets'}), file=sys.stderr)\n")
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert '"entities"' in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr


def test_an_invalid_document_still_gets_jsonschema_s_located_issues(tmp_path):
    """jsonschema, imported only when a document fails the compiled check, still locates the issue."""
    from toolkit.checks.validate import schema_issues

    issues = list(schema_issues({"schema_version": "1.0", "doc_id": 7}, "f.json"))
    assert any(i.pointer == "/doc_id" and i.code == "wrong-type" for i in issues), issues
