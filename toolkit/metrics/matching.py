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

solved separately on each connected component of the edge graph (components are small, so the
weights stay exact: integers below 2^62). A component of one gold item, one predicted item and one
edge, by far the most common, is that pair without any solver. The tangled components (nested or
repeated spans) are grouped by shape and each group is solved at once by enumerating every
one-to-one map of the smaller side into the larger (:func:`optimal_cells`; at most
:data:`_MAX_ASSIGNMENTS` maps, which covers every component of the gold against the baseline
and of the synthetic corpora): **among alignments of equal value, the items of the component's smaller
side (gold when equal), in canonical order, each take the earliest-ranked partner they can** — the
lexicographically first optimal assignment. A larger component goes to
:func:`scipy.optimize.linear_sum_assignment`, which returns one of the optimal alignments (a
component too large for exact weights drops the tie-break, then the level priority, and is
matched by the plain sum of levels — never silently by list order).

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
    order = lex_order(eg, ep, -level, -tiebreak)
    eg, ep, level, tiebreak = eg[order], ep[order], level[order], tiebreak[order]
    first = np.ones(len(eg), dtype=bool)
    first[1:] = (eg[1:] != eg[:-1]) | (ep[1:] != ep[:-1])
    eg, ep, level, tiebreak = eg[first], ep[first], level[first], tiebreak[first]
    comp = components(n_gold + n_pred, eg, n_gold + ep)
    edge_comp = comp[eg]
    edges_per = np.bincount(edge_comp, minlength=comp.max() + 1)
    simple = edges_per[edge_comp] == 1
    out_g, out_p, out_l = [eg[simple]], [ep[simple]], [level[simple]]
    tangled = np.flatnonzero(~simple)
    if len(tangled):
        tg, tp, tl, tt = eg[tangled], ep[tangled], level[tangled], tiebreak[tangled]
        for r, c, sel, n, slot, i_of, j_of in shape_groups(tg, tp, comp, n_gold, gold_rank, pred_rank):
            levels = np.zeros((n, r, c), dtype=np.int64)
            ties = np.zeros_like(levels)
            levels[slot, i_of, j_of] = tl[sel]
            ties[slot, i_of, j_of] = tt[sel]
            members_g = _members(tg[sel], slot, i_of, n, r)
            members_p = _members(tp[sel], slot, j_of, n, c)
            k, i, j = _solve(levels, ties)
            ok = levels[k, i, j] > 0
            k, i, j = k[ok], i[ok], j[ok]
            out_g.append(members_g[k, i])
            out_p.append(members_p[k, j])
            out_l.append(levels[k, i, j])
    g, p, lv = np.concatenate(out_g), np.concatenate(out_p), np.concatenate(out_l)
    order = np.argsort(g, kind="stable")
    return Pairs(g[order], p[order], lv[order])


_MAX_ASSIGNMENTS = 720  # enumerated exactly (6 items on the smaller side of 6; 3 of 10; ...)


def _local_positions(items: np.ndarray, comp: np.ndarray, offset: int, rank, n_vertices: int):
    """The position of each of ``items`` (sorted indices) inside its component, in canonical order (by
    ``rank``, ties by index), as an array indexed by item; and the number of such items per component."""
    if rank is None:
        key = items
    elif callable(rank):
        keys = [rank(int(i)) for i in items.tolist()]
        key = np.empty(len(items), dtype=np.int64)
        key[sorted(range(len(items)), key=keys.__getitem__)] = np.arange(len(items))
    else:
        key = np.asarray(rank)[items]
    c = comp[offset + items]
    order = np.lexsort((key, c))
    items, c = items[order], c[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    sizes = np.diff(np.r_[starts, len(items)])
    position = np.empty(int(items.max()) + 1 if len(items) else 0, dtype=np.int64)
    position[items] = np.arange(len(items)) - np.repeat(starts, sizes)
    return position, np.bincount(c, minlength=n_vertices)


def shape_groups(row_items: np.ndarray, col_items: np.ndarray, comp: np.ndarray, col_offset: int, row_rank=None, col_rank=None):
    """The edges ``row_items[e] -- col_items[e]`` of tangled components, grouped by the shape of their
    component. ``comp`` labels every vertex (row items first, column items from ``col_offset``).

    For each shape (r rows, c columns) yields ``(r, c, sel, n, slot, row, col)``: the edges ``sel``
    (indices into the arrays given) of the ``n`` components of that shape, each edge's component
    (``slot``, 0..n-1) and its row and column inside the component, in canonical order (by
    ``row_rank`` / ``col_rank``, ties by index: see :func:`match_edges`)."""
    row_pos, n_rows = _local_positions(np.unique(row_items), comp, 0, row_rank, len(comp))
    col_pos, n_cols = _local_positions(np.unique(col_items), comp, col_offset, col_rank, len(comp))
    edge_comp = comp[row_items]
    rows_of, cols_of = n_rows[edge_comp], n_cols[edge_comp]
    for r, c in np.unique(np.stack([rows_of, cols_of], axis=1), axis=0).tolist():
        sel = np.flatnonzero((rows_of == r) & (cols_of == c))
        comps, slot = np.unique(edge_comp[sel], return_inverse=True)
        yield r, c, sel, len(comps), slot, row_pos[row_items[sel]], col_pos[col_items[sel]]


def _members(items: np.ndarray, slot: np.ndarray, position: np.ndarray, n: int, size: int) -> np.ndarray:
    """The (component slot, position) → item index table of one group of same-shaped components."""
    out = np.full((n, size), -1, dtype=np.int64)
    out[slot, position] = items
    return out


def _injections(r: int, c: int) -> np.ndarray:
    """Every one-to-one map of ``r`` rows into ``c >= r`` columns, as rows of column indices, in
    lexicographic order (itertools.permutations)."""
    cached = _INJECTIONS.get((r, c))
    if cached is None:
        from itertools import permutations

        cached = _INJECTIONS[(r, c)] = np.array(list(permutations(range(c), r)), dtype=np.int64).reshape(-1, r)
    return cached


_INJECTIONS: dict[tuple[int, int], np.ndarray] = {}


def _n_injections(r: int, c: int) -> int:
    out = 1
    for k in range(c - r + 1, c + 1):
        out *= k
    return out


def best_assignments(weights: np.ndarray) -> np.ndarray:
    """For each matrix ``weights[k]`` (``r <= c``), the column of each row in the assignment of every
    row to a distinct column with the largest total weight; among equal totals the first in
    lexicographic order of the columns (row 0's column as small as it can be, then row 1's, ...).
    Exhaustive and vectorised over the matrices: for small shapes only (:data:`_MAX_ASSIGNMENTS`)."""
    n, r, c = weights.shape
    table = _injections(r, c)
    out = np.empty((n, r), dtype=np.int64)
    step = max(1, 2_000_000 // max(1, table.size))
    rows = np.arange(r)
    for s in range(0, n, step):
        totals = weights[s:s + step][:, rows, table].sum(axis=2)
        out[s:s + step] = table[np.argmax(totals, axis=1)]  # argmax: the first of equal totals
    return out


def optimal_cells(weights: np.ndarray, fallback=None, exhaustive: bool = True):
    """The maximum-weight assignment of each of ``n`` same-shaped non-negative weight matrices
    (``weights``: n × r × c, integers or floats): (matrix, row, column) of its min(r, c) cells.

    Small shapes are enumerated (:func:`best_assignments`, on the smaller side: among equal totals
    the first in lexicographic order); a shape with more than :data:`_MAX_ASSIGNMENTS` one-to-one
    maps goes to :func:`scipy.optimize.linear_sum_assignment`, matrix by matrix, on
    ``fallback(k)`` (default: ``weights[k]``), which returns one of the optimal assignments; so does
    every shape with ``exhaustive`` False.
    """
    n, r, c = weights.shape
    if exhaustive and _n_injections(min(r, c), max(r, c)) <= _MAX_ASSIGNMENTS:
        if r <= c:
            cols = best_assignments(weights)
            k, i = np.divmod(np.arange(n * r), r)
            return k, i, cols.ravel()
        rows = best_assignments(weights.transpose(0, 2, 1))
        k, j = np.divmod(np.arange(n * c), c)
        return k, rows.ravel(), j
    from scipy.optimize import linear_sum_assignment  # only for components too large to enumerate

    ks, is_, js = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for k in range(n):
        i, j = linear_sum_assignment(weights[k] if fallback is None else fallback(k), maximize=True)
        ks.append(np.full(len(i), k, dtype=np.int64))
        is_.append(i.astype(np.int64))
        js.append(j.astype(np.int64))
    return np.concatenate(ks), np.concatenate(is_), np.concatenate(js)


def _solve(levels: np.ndarray, ties: np.ndarray):
    """The optimal alignment (module docstring) of each of ``n`` same-shaped components given as dense
    level and tie-break matrices; returns (component, row, column) of the chosen cells."""
    n, r, c = levels.shape
    small = min(r, c)
    base = small + 1
    bound = 1 + small * int(ties.max())
    if bound * base ** int(levels.max()) * small < 2**62:  # exact integer weights (module docstring)
        w = np.where(levels > 0, bound * np.power(np.int64(base), levels) + ties, 0)
        return optimal_cells(w, lambda k: _weights(levels[k], ties[k]))
    return optimal_cells(levels, lambda k: _weights(levels[k], ties[k]), exhaustive=False)


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
    """Every (gold, pred) pair whose key columns are all equal (an equi-join on integer columns,
    packed into one int64 key: :func:`joint_keys`)."""
    import pandas as pd

    gk, pk = joint_keys(g_keys, p_keys)
    joined = pd.DataFrame({"k": gk, "_g": np.arange(len(gk))}).merge(pd.DataFrame({"k": pk, "_p": np.arange(len(pk))}), on="k", how="inner")
    return joined["_g"].to_numpy(np.int64), joined["_p"].to_numpy(np.int64)


_PACKED = 2**62  # the largest key range packed into one int64


def _packed(columns) -> list[np.ndarray]:
    """The integer columns (of one length, first most significant) packed by their ranges into as
    few int64 keys as hold them without overflow, in the same order: the rows compare under the
    keys as under the columns. A column too wide to pack is a key of its own."""
    keys, key, size = [], None, 1
    for c in columns:
        c = np.asarray(c).astype(np.int64, copy=False)
        if not len(c):
            return []
        lo = int(c.min())
        span = int(c.max()) - lo + 1
        if span >= _PACKED:
            keys += ([key] if key is not None else []) + [c]
            key, size = None, 1
            continue
        if key is not None and size * span >= _PACKED:
            keys.append(key)
            key, size = None, 1
        key = c - lo if key is None else key * span + (c - lo)
        size *= span
    return keys + ([key] if key is not None else [])


def joint_key(*columns) -> np.ndarray:
    """One int64 per row, equal for two rows exactly when every column is (integer columns of one
    length): the :func:`_packed` keys, combined through their dense codes (``pandas.factorize``)
    when there are several."""
    import pandas as pd

    keys = _packed(columns)
    if not keys:
        return np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    key = keys[0]
    for nxt in keys[1:]:
        a, _ = pd.factorize(key)
        b, uniques = pd.factorize(nxt)
        key = a.astype(np.int64) * len(uniques) + b  # both below the number of rows: no overflow
    return key


def joint_keys(g_cols: Sequence[np.ndarray], p_cols: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`joint_key` of gold and predicted rows together (the same columns on both sides), split
    back into the gold's keys and the predictions'."""
    n_g = len(g_cols[0]) if len(g_cols) else 0
    key = joint_key(*(np.concatenate([np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)]) for a, b in zip(g_cols, p_cols)))
    return key[:n_g], key[n_g:]


def lex_order(*columns) -> np.ndarray:
    """The stable order of the rows under the lexicographic order of ``columns`` (integer columns,
    first most significant), as ``numpy.lexsort`` of the reversed columns gives it: one stable
    argsort when the :func:`_packed` columns fit one int64 key, as they mostly do, instead of a
    lexsort of many."""
    keys = _packed(columns)
    if not keys:
        return np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    return np.argsort(keys[0], kind="stable") if len(keys) == 1 else np.lexsort(tuple(reversed(keys)))


def rank(*columns) -> np.ndarray:
    """The canonical rank of each item under the lexicographic order of ``columns`` (integer
    columns, first most significant; ties keep the items' order): :func:`lex_order`."""
    order = lex_order(*columns)
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
