"""One-to-one alignment of gold and predicted items by maximum-weight bipartite matching.

Every scorer pairs gold and predicted items (mentions, triggers, arguments, stances) through
:func:`align`: each gold item is paired with at most one predicted item and vice versa, so a
prediction can never be credited twice and duplicates count once per copy (multiset semantics).

How a pair is valued. The caller gives ``level(gold, pred)``, an integer match quality (0 = the
two cannot be paired; higher is better, e.g. for mentions 4 = same span and type, 3 = same span,
2 = overlap and same type, 1 = overlap), and optionally ``tiebreak(gold, pred)``, a non-negative
integer that only decides between alignments of equal levels (e.g. the number of overlapping
characters). The alignment chosen maximises, in this order of priority (lexicographically):
the number of pairs of the highest level, then of the next level, and so on, then the sum of the
tie-breaks. This is one maximum-weight matching with the weight of a pair

    w = T · B^level + tiebreak,     B = (size of the component) + 1,  T = 1 + (bound on Σ tiebreak),

found with :func:`scipy.optimize.linear_sum_assignment`, run separately on each connected
component of the "can be paired" graph (components are small, so the weights stay exact in
floating point; a component too large for exact weights drops the tie-break, then the level
priority, and is matched by the plain sum of levels — never silently by list order).

Independence of input order: items are first sorted by a canonical key (``gold_key`` /
``pred_key``, by default their offsets and labels), so the result depends only on the items,
never on the order of the input lists; remaining ties are broken by that canonical order
(offsets first), not by list order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Hashable, Sequence, TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

G = TypeVar("G")
P = TypeVar("P")

_EXACT = 2.0**52  # integers below this are exact in float64

SHORTCUT = True
"""A component of one gold item, one predicted item and the edge between them is matched without
:func:`linear_sum_assignment` (the only matching; most components are such pairs). The tests
check that turning it off changes no alignment."""


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


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


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


def align(
    gold: Sequence[G],
    pred: Sequence[P],
    level: Callable[[G, P], int],
    tiebreak: Callable[[G, P], int] | None = None,
    gold_key: Callable[[G], Hashable] | None = None,
    pred_key: Callable[[P], Hashable] | None = None,
) -> Alignment[G, P]:
    """Align ``gold`` and ``pred`` one-to-one, maximising the levels of the pairs (module doc)."""
    gk = gold_key or (lambda x: x)
    pk = pred_key or (lambda x: x)
    g_order = sorted(range(len(gold)), key=lambda i: gk(gold[i]))
    p_order = sorted(range(len(pred)), key=lambda j: pk(pred[j]))
    # Canonical positions: node a < len(gold) is g_order[a]; node len(gold)+b is p_order[b].
    n = len(gold)
    edges: dict[tuple[int, int], tuple[int, int]] = {}
    uf = _UnionFind(n + len(pred))
    for a, gi in enumerate(g_order):
        for b, pj in enumerate(p_order):
            lv = int(level(gold[gi], pred[pj]))
            if lv > 0:
                tb = int(tiebreak(gold[gi], pred[pj])) if tiebreak is not None else 0
                edges[(a, b)] = (lv, max(tb, 0))
                uf.union(a, n + b)
    components: dict[int, tuple[list[int], list[int]]] = {}
    for a, b in edges:
        rows, cols = components.setdefault(uf.find(a), ([], []))
        rows.append(a)
        cols.append(b)
    pairs: list[tuple[int, int, int]] = []
    for rows, cols in components.values():
        if SHORTCUT and len(rows) == 1:  # one gold and one predicted item, one edge: the matching is that pair
            a, b = rows[0], cols[0]
            pairs.append((g_order[a], p_order[b], edges[(a, b)][0]))
            continue
        rows, cols = sorted(set(rows)), sorted(set(cols))
        levels = np.zeros((len(rows), len(cols)), dtype=np.int64)
        ties = np.zeros_like(levels)
        for r, a in enumerate(rows):
            for c, b in enumerate(cols):
                if (a, b) in edges:
                    levels[r, c], ties[r, c] = edges[(a, b)]
        r_idx, c_idx = linear_sum_assignment(_weights(levels, ties), maximize=True)
        for r, c in zip(r_idx, c_idx):
            if levels[r, c] > 0:
                pairs.append((g_order[rows[r]], p_order[cols[c]], int(levels[r, c])))
    pairs.sort()
    matched_g = {g for g, _, _ in pairs}
    matched_p = {p for _, p, _ in pairs}
    return Alignment(
        tuple(pairs),
        tuple(i for i in range(len(gold)) if i not in matched_g),
        tuple(j for j in range(len(pred)) if j not in matched_p),
    )
