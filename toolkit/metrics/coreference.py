"""Coreference metrics: MUC, B-cubed, CEAF-e and their average, the CoNLL-2012 score.

Definitions follow the reference implementation (Pradhan et al., 2014, "Scoring Coreference
Partitions of Predicted Mentions"). Clusters are collections of hashable mention keys (the toolkit
uses ``(start, end)`` spans); gold (key) and predicted (response) mentions may differ: a mention
that is missing from the other side simply contributes nothing to the numerators.

Every metric returns :class:`PRCounts` (numerators and denominators of recall and precision)
rather than scores, so documents add up exactly: a corpus score is the sum of its documents'
counts, computed once at the end (coreference is scored within each document).

- MUC (Vilain et al., 1995), link-based:
  R = Σ_K (|K| − |p(K)|) / Σ_K (|K| − 1), where p(K) partitions key cluster K by the response
  clusters (a mention in no response cluster is a part of its own); P swaps key and response.
  Singletons contribute nothing.
- B-cubed (Bagga and Baldwin, 1998), mention-based:
  R = Σ_K Σ_R |K ∩ R|² / |K|  ÷  Σ_K |K|;  P swaps key and response.
- CEAF-e (Luo, 2005), entity-based: φ(K, R) = 2|K ∩ R| / (|K| + |R|); with the one-to-one
  alignment g* of key and response clusters that maximises Σ φ (Hungarian algorithm),
  R = Σ φ(K, g*(K)) / |key clusters|,  P = Σ φ / |response clusters|.
- CoNLL-2012 F1 = (F1_MUC + F1_B3 + F1_CEAFe) / 3.

A ratio whose denominator is 0 is ``None`` (undefined), never 0.
"""

from __future__ import annotations

import math

from dataclasses import asdict, dataclass
from typing import Hashable, Iterable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

Cluster = Iterable[Hashable]

METRICS = ("muc", "b3", "ceafe")


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class PRCounts:
    """Numerators and denominators of recall and precision; ``+`` merges documents."""

    r_num: float = 0.0
    r_den: float = 0.0
    p_num: float = 0.0
    p_den: float = 0.0

    def __add__(self, other: "PRCounts") -> "PRCounts":
        return PRCounts(self.r_num + other.r_num, self.r_den + other.r_den,
                        self.p_num + other.p_num, self.p_den + other.p_den)

    @property
    def recall(self) -> float | None:
        return _ratio(self.r_num, self.r_den)

    @property
    def precision(self) -> float | None:
        return _ratio(self.p_num, self.p_den)

    @property
    def f1(self) -> float | None:
        """Harmonic mean of P and R; None if either is undefined, 0.0 if both are 0."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data) -> "PRCounts":
        return cls(**{k: float(data[k]) for k in ("r_num", "r_den", "p_num", "p_den")})

    @classmethod
    def of(cls, counts: object) -> "PRCounts":
        """Convert any counts-like object (a mapping, or attributes ``r_num``, ``r_den``, ``p_num``, ``p_den``)."""
        if isinstance(counts, dict):
            return cls.from_dict(counts)
        return cls(*(float(getattr(counts, name)) for name in ("r_num", "r_den", "p_num", "p_den")))

    def scores(self) -> dict:
        """Counts with precision, recall and F1 (None where undefined)."""
        return {**self.to_dict(), "precision": self.precision, "recall": self.recall, "f1": self.f1}


def _clean(clusters: Iterable[Cluster]) -> list[frozenset]:
    return [c for c in (frozenset(x) for x in clusters) if c]


def _muc_side(key: list[frozenset], response: list[frozenset]) -> tuple[float, float]:
    where = {m: i for i, r in enumerate(response) for m in r}
    num = den = 0
    for k in key:
        parts = {where.get(m, ("alone", m)) for m in k}
        num += len(k) - len(parts)
        den += len(k) - 1
    return num, den


def muc(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> PRCounts:
    """MUC link-based counts (see module docstring)."""
    g, p = _clean(gold), _clean(pred)
    rn, rd = _muc_side(g, p)
    pn, pd = _muc_side(p, g)
    return PRCounts(rn, rd, pn, pd)


def _b3_side(key: list[frozenset], response: list[frozenset]) -> tuple[float, float]:
    where = {m: r for r in response for m in r}
    terms = []
    for k in key:
        overlaps: dict[int, int] = {}
        for m in k:
            r = where.get(m)
            if r is not None:
                overlaps[id(r)] = overlaps.get(id(r), 0) + 1
        terms.append(sum(n * n for n in overlaps.values()) / len(k))
    # math.fsum is exactly rounded, so the sum does not depend on the order of the clusters
    return math.fsum(terms), float(sum(len(k) for k in key))


def b_cubed(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> PRCounts:
    """B-cubed mention-based counts (see module docstring)."""
    g, p = _clean(gold), _clean(pred)
    rn, rd = _b3_side(g, p)
    pn, pd = _b3_side(p, g)
    return PRCounts(rn, rd, pn, pd)


def ceaf_e(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> PRCounts:
    """CEAF-e entity-based counts with the optimal one-to-one cluster alignment."""
    g, p = _clean(gold), _clean(pred)
    total = 0.0
    if g and p:
        phi = np.array([[2 * len(k & r) / (len(k) + len(r)) for r in p] for k in g])
        rows, cols = linear_sum_assignment(phi, maximize=True)
        total = math.fsum(float(x) for x in phi[rows, cols])  # order-independent, as in B-cubed
    return PRCounts(total, float(len(g)), total, float(len(p)))


def coref_scores(gold: Sequence[Cluster], pred: Sequence[Cluster]) -> dict[str, PRCounts]:
    """MUC, B-cubed and CEAF-e counts of one document, keyed ``muc``, ``b3``, ``ceafe``."""
    gold, pred = _clean(gold), _clean(pred)
    return {"muc": muc(gold, pred), "b3": b_cubed(gold, pred), "ceafe": ceaf_e(gold, pred)}


def conll_f1(scores: dict[str, PRCounts]) -> float | None:
    """The CoNLL-2012 score: the mean of the MUC, B-cubed and CEAF-e F1 (None if any is undefined)."""
    f1s = [scores[m].f1 for m in METRICS]
    return None if any(f is None for f in f1s) else sum(f1s) / 3
