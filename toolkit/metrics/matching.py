"""The one matcher: one-to-one alignment of gold and predicted items by maximum-weight bipartite matching.

Every pairing of gold with predicted items — mentions, triggers, arguments and stances in
``toolkit eval``, the marks of ``toolkit show``, the two passes of ``toolkit agree`` and
``toolkit adjudicate`` — goes through :func:`match_edges`: each gold item is paired with at most
one predicted item and vice versa, so a prediction can never be credited twice and duplicates
count once per copy (multiset semantics).

**Input: edges.** The caller lists the pairs that *can* be matched, each with an integer *level*
(higher is better: for mentions 4 = same span and type, 3 = same span, 2 = overlap and same type,
1 = overlap) and a non-negative *tie-break* (for mentions the number of shared characters). The
vectorised builders below (:func:`overlap_edges`, :func:`equal_key_edges`) find the edges of a
whole corpus with sorting and joins, in time proportional to the items plus the edges (never a
loop over all pairs of a document).

**The alignment chosen** maximises, in this order of priority (lexicographically), the number of
pairs of the highest level, then of the next level, and so on, then the sum of the tie-breaks. It
is one maximum-weight matching with the weight of a pair

    w = T · B^level + tiebreak,     B = (size of the component) + 1,  T = 1 + (bound on Σ tiebreak),

solved with :func:`scipy.optimize.linear_sum_assignment` separately on each connected component of
the edge graph (components are small, so the weights stay exact in floating point; a component
too large for exact weights drops the tie-break, then the level priority, and is matched by the
plain sum of levels — never silently by list order). A component of one gold item, one predicted
item and one edge, by far the most common, is that pair without any solver; only tangled
components (nested or repeated spans) reach the solver.

**Independence of input order.** Items carry a canonical *rank* (``gold_rank`` / ``pred_rank``, by
default their offsets and labels): inside a component rows and columns are ordered by rank, so the
result depends only on the items, never on the order of the input lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Hashable, Sequence, TypeVar

import numpy as np

G = TypeVar("G")
P = TypeVar("P")

_EXACT = 2.0**52  # integers below this are exact in float64


@dataclass(frozen=True)
class Pairs:
    """The result of :func:`match_edges`: aligned pairs as parallel arrays, sorted by gold index."""

    gold: np.ndarray
    pred: np.ndarray
    level: np.ndarray

    def __len__(self) -> int:
        return len(self.gold)


def _weights(levels: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """Exact lexicographic weights when they fit in float64, else coarser ones (see module doc)."""
    size = min(levels.shape)
    base = size + 1
    top = int(levels.max())
    bound = 1 + size * int(ties.max())
    if 2 * bound * float(base) ** top * size < _EXACT:
        w = bound * np.power(float(base), levels) + ties
    elif 2 * float(base) ** top * size < _EXACT:
        w = np.power(float(base), levels)
    else:  # pragma: no cover - needs components of thousands of mutually overlapping items
        w = levels.astype(float)
    return np.where(levels > 0, w, 0.0)


def match_edges(n_gold: int, n_pred: int, eg, ep, level, tiebreak=None, gold_rank=None, pred_rank=None) -> Pairs:
    """The optimal one-to-one matching (module docstring) of ``n_gold`` gold and ``n_pred`` predicted
    items, given the candidate edges ``eg[k] -- ep[k]`` with ``level[k] > 0`` and ``tiebreak[k] >= 0``.

    ``gold_rank`` / ``pred_rank`` order the items canonically: an array of ranks, or a function giving
    the sort key of one item (called only for items of tangled components); default: their index.
    An edge listed twice keeps its best (level, tiebreak).
    """
    eg = np.asarray(eg, dtype=np.int64)
    ep = np.asarray(ep, dtype=np.int64)
    level = np.asarray(level, dtype=np.int64)
    tiebreak = np.zeros_like(level) if tiebreak is None else np.maximum(np.asarray(tiebreak, dtype=np.int64), 0)
    keep = level > 0
    eg, ep, level, tiebreak = eg[keep], ep[keep], level[keep], tiebreak[keep]
    empty = np.zeros(0, dtype=np.int64)
    if not len(eg):
        return Pairs(empty, empty, empty)
    # one edge per (gold, pred): the best (level, tiebreak)
    order = np.lexsort((-tiebreak, -level, ep, eg))
    eg, ep, level, tiebreak = eg[order], ep[order], level[order], tiebreak[order]
    first = np.ones(len(eg), dtype=bool)
    first[1:] = (eg[1:] != eg[:-1]) | (ep[1:] != ep[:-1])
    eg, ep, level, tiebreak = eg[first], ep[first], level[first], tiebreak[first]
    comp = components(n_gold + n_pred, eg, n_gold + ep)
    edge_comp = comp[eg]
    edges_per = np.bincount(edge_comp, minlength=comp.max() + 1)
    simple = edges_per[edge_comp] == 1
    out_g, out_p, out_l = [eg[simple]], [ep[simple]], [level[simple]]
    tangled = ~simple
    if tangled.any():
        from scipy.optimize import linear_sum_assignment  # only here: most corpora have few tangled components

        g_rank = _ranker(gold_rank)
        p_rank = _ranker(pred_rank)
        idx = np.flatnonzero(tangled)
        idx = idx[np.argsort(edge_comp[idx], kind="stable")]
        bounds = np.flatnonzero(np.diff(edge_comp[idx])) + 1
        for chunk in np.split(idx, bounds):
            cg, cp = eg[chunk], ep[chunk]
            rows = g_rank(np.unique(cg))
            cols = p_rank(np.unique(cp))
            r_of = {g: r for r, g in enumerate(rows.tolist())}
            c_of = {p: c for c, p in enumerate(cols.tolist())}
            levels = np.zeros((len(rows), len(cols)), dtype=np.int64)
            ties = np.zeros_like(levels)
            for g, p, lv, tb in zip(cg.tolist(), cp.tolist(), level[chunk].tolist(), tiebreak[chunk].tolist()):
                levels[r_of[g], c_of[p]], ties[r_of[g], c_of[p]] = lv, tb
            r_idx, c_idx = linear_sum_assignment(_weights(levels, ties), maximize=True)
            ok = levels[r_idx, c_idx] > 0
            out_g.append(rows[r_idx[ok]])
            out_p.append(cols[c_idx[ok]])
            out_l.append(levels[r_idx[ok], c_idx[ok]])
    g, p, lv = np.concatenate(out_g), np.concatenate(out_p), np.concatenate(out_l)
    order = np.argsort(g, kind="stable")
    return Pairs(g[order], p[order], lv[order])


def components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The connected component of each of ``n`` vertices under the edges ``u[k] -- v[k]``, labelled by
    its smallest vertex: hooking every edge's larger root under the smaller one, then halving paths,
    until no edge joins two roots (vectorised; a few rounds for the short chains spans make)."""
    parent = np.arange(n, dtype=np.int64)
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            return parent
        lo, hi = np.minimum(pu[differ], pv[differ]), np.maximum(pu[differ], pv[differ])
        np.minimum.at(parent, hi, lo)
        while True:  # compress: every vertex points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def _ranker(rank):
    """A function ordering an array of item indices canonically: by ``rank`` (an array of ranks,
    or a function giving a sort key per index), else by index."""
    if rank is None:
        return lambda idx: idx
    if callable(rank):
        return lambda idx: idx[sorted(range(len(idx)), key=lambda k: rank(int(idx[k])))]
    rank = np.asarray(rank)
    return lambda idx: idx[np.argsort(rank[idx], kind="stable")]


def unmatched(n: int, matched: np.ndarray) -> np.ndarray:
    """The indices in ``range(n)`` that are not in ``matched`` (sorted)."""
    mask = np.ones(n, dtype=bool)
    mask[matched] = False
    return np.flatnonzero(mask)


# ---------------------------------------------------------------- vectorised edge builders


def _expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each i, the integers of [lo[i], hi[i]): (owner i repeated, the integers), vectorised."""
    counts = np.maximum(hi - lo, 0)
    owner = np.repeat(np.arange(len(lo)), counts)
    if not len(owner):
        return owner, owner
    starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    return owner, starts + np.arange(len(owner))


def overlap_edges(g_doc, g_start, g_end, p_doc, p_start, p_end) -> tuple[np.ndarray, np.ndarray]:
    """Every (gold, pred) pair in the same document whose half-open spans overlap.

    Output-sensitive: two range queries on sorted starts find the predicted spans that start inside
    a gold span and the gold spans that start strictly inside a predicted one; every overlapping
    pair is exactly one of the two. Returns (gold indices, pred indices).
    """
    g_doc, g_start, g_end = (np.asarray(a, dtype=np.int64) for a in (g_doc, g_start, g_end))
    p_doc, p_start, p_end = (np.asarray(a, dtype=np.int64) for a in (p_doc, p_start, p_end))
    if not len(g_doc) or not len(p_doc):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    # one sortable key per (doc, offset): offsets are below 2^40, documents below 2^22
    shift = np.int64(1) << 40
    p_key = p_doc * shift + p_start
    p_order = np.argsort(p_key, kind="stable")
    p_sorted = p_key[p_order]
    lo = np.searchsorted(p_sorted, g_doc * shift + g_start, side="left")
    hi = np.searchsorted(p_sorted, g_doc * shift + g_end, side="left")
    owner, pos = _expand(lo, hi)
    a_g, a_p = owner, p_order[pos]
    keep = p_end[a_p] > p_start[a_p]  # a predicted span starting inside a gold span overlaps it (non-empty spans)
    a_g, a_p = a_g[keep], a_p[keep]
    g_key = g_doc * shift + g_start
    g_order = np.argsort(g_key, kind="stable")
    g_sorted = g_key[g_order]
    lo = np.searchsorted(g_sorted, p_doc * shift + p_start, side="right")
    hi = np.searchsorted(g_sorted, p_doc * shift + p_end, side="left")
    owner, pos = _expand(lo, hi)
    b_p, b_g = owner, g_order[pos]
    return np.concatenate([a_g, b_g]), np.concatenate([a_p, b_p])


def equal_key_edges(g_keys: Sequence[np.ndarray], p_keys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every (gold, pred) pair whose key columns are all equal (an equi-join on integer columns)."""
    import pandas as pd

    g = pd.DataFrame({f"k{i}": np.asarray(k) for i, k in enumerate(g_keys)})
    p = pd.DataFrame({f"k{i}": np.asarray(k) for i, k in enumerate(p_keys)})
    g["_g"] = np.arange(len(g))
    p["_p"] = np.arange(len(p))
    joined = g.merge(p, on=[f"k{i}" for i in range(len(g_keys))], how="inner")
    return joined["_g"].to_numpy(np.int64), joined["_p"].to_numpy(np.int64)


def rank(*columns) -> np.ndarray:
    """The canonical rank of each item under the lexicographic order of ``columns`` (first most significant)."""
    order = np.lexsort(tuple(np.asarray(c) for c in reversed(columns)))
    out = np.empty(len(order), dtype=np.int64)
    out[order] = np.arange(len(order))
    return out


# ---------------------------------------------------------------- the row-wise face


@dataclass(frozen=True)
class Alignment(Generic[G, P]):
    """The result of :func:`align`: indices into the caller's gold and predicted lists."""

    pairs: tuple[tuple[int, int, int], ...]
    """(gold index, predicted index, level) of every aligned pair, sorted by gold index."""
    missed: tuple[int, ...]
    """Gold indices left unaligned (sorted)."""
    spurious: tuple[int, ...]
    """Predicted indices left unaligned (sorted)."""

    def pred_to_gold(self, min_level: int = 1) -> dict[int, int]:
        return {p: g for g, p, lv in self.pairs if lv >= min_level}

    def gold_to_pred(self, min_level: int = 1) -> dict[int, int]:
        return {g: p for g, p, lv in self.pairs if lv >= min_level}

    def count(self, level: int) -> int:
        """Number of aligned pairs of exactly ``level``."""
        return sum(1 for _, _, lv in self.pairs if lv == level)


def align(
    gold: Sequence[G],
    pred: Sequence[P],
    level: Callable[[G, P], int],
    tiebreak: Callable[[G, P], int] | None = None,
    gold_key: Callable[[G], Hashable] | None = None,
    pred_key: Callable[[P], Hashable] | None = None,
) -> Alignment[G, P]:
    """Align two small lists of Python objects with :func:`match_edges` (every pair is a candidate;
    ``level`` and ``tiebreak`` value it, ``gold_key`` / ``pred_key`` give the canonical order)."""
    gk = gold_key or (lambda x: x)
    pk = pred_key or (lambda x: x)
    g_rank = np.empty(len(gold), dtype=np.int64)
    g_rank[sorted(range(len(gold)), key=lambda i: gk(gold[i]))] = np.arange(len(gold))
    p_rank = np.empty(len(pred), dtype=np.int64)
    p_rank[sorted(range(len(pred)), key=lambda j: pk(pred[j]))] = np.arange(len(pred))
    eg, ep, lv, tb = [], [], [], []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            value = int(level(g, p))
            if value > 0:
                eg.append(i)
                ep.append(j)
                lv.append(value)
                tb.append(int(tiebreak(g, p)) if tiebreak is not None else 0)
    pairs = match_edges(len(gold), len(pred), eg, ep, lv, tb, g_rank, p_rank)
    return Alignment(tuple(zip(pairs.gold.tolist(), pairs.pred.tolist(), pairs.level.tolist())),
                     tuple(unmatched(len(gold), pairs.gold).tolist()), tuple(unmatched(len(pred), pairs.pred).tolist()))
