"""Coreference metrics: MUC, B-cubed, CEAF-e, CEAF-m, BLANC, LEA and the CoNLL-2012 score.

Definitions follow the CoNLL reference scorer v8.01 (Pradhan et al., 2014, "Scoring Coreference
Partitions of Predicted Mentions"; ``lib/CorScorer.pm``) and, for LEA, coval (Moosavi and Strube,
2016). Clusters are collections of hashable mention keys (the toolkit uses ``(start, end)`` spans);
key (gold) and response (predicted) mentions may differ: a mention missing from the other side
contributes nothing to the numerators.

Every metric returns :class:`PRCounts` (numerators and denominators of recall and precision), never
scores, so documents add up exactly: a corpus score is the sum of its documents' counts, computed
once at the end (coreference is scored within each document). With ``K`` the key clusters, ``R`` the
response clusters and ``link(n) = n(n-1)/2``:

- MUC (Vilain et al., 1995), link-based: R = Σ_K (|K| − |p(K)|) / Σ_K (|K| − 1), where p(K)
  partitions K by the response clusters (a mention in no response cluster is a part of its own);
  P swaps key and response. Singletons contribute nothing.
- B-cubed (Bagga and Baldwin, 1998): R = Σ_K Σ_R |K ∩ R|² / |K|  ÷  Σ_K |K|; P swaps the sides.
- CEAF-e (Luo, 2005): φ(K, R) = 2|K ∩ R| / (|K| + |R|); with the one-to-one alignment g* of key
  and response clusters that maximises Σ φ, R = Σ φ(K, g*(K)) / |K|,  P = Σ φ / |R| (counts of clusters).
- CEAF-m (Luo, 2005): φ(K, R) = |K ∩ R|; R = Σ φ(K, g*(K)) / Σ_K |K|,  P = Σ φ / Σ_R |R|.
- BLANC (Recasens and Hovy, 2011, extended to predicted mentions by Luo et al., 2014, as the
  reference scorer computes it): coreference links are the mention pairs inside a cluster,
  non-coreference links the pairs of mentions in different clusters of the same side; each kind
  has R = |key links ∩ response links| / |key links| and P = … / |response links|; see
  :func:`blanc_scores` for how the two kinds combine.
- LEA (Moosavi and Strube, 2016, singletons as coval treats them): R = Σ_K |K| · resolved(K) / Σ_K |K|
  with resolved(K) = Σ_R link(|K ∩ R|) / link(|K|) for |K| > 1, and for a singleton K 1 when its
  mention is a singleton cluster of the response, else 0; P swaps the sides.
- CoNLL-2012 F1 = (F1_MUC + F1_B3 + F1_CEAFe) / 3.

Precision (recall) is ``None`` only when its own denominator is 0; F1 follows :meth:`PRCounts.f1`.
The formulas themselves live in :mod:`toolkit.metrics.formulas`.

**Repeated mentions.** A mention key that occurs in more than one predicted cluster (or twice in
one) is kept at its first occurrence, in cluster order, and dropped elsewhere, as the reference
scorer does for the response ("Repeated mention in the response"); :func:`repeated_mentions` lists
them so that the caller can warn. Gold annotations cannot repeat a mention (validation refuses it).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Hashable, Iterable, Sequence

import numpy as np

from toolkit.metrics import formulas

Cluster = Iterable[Hashable]

METRICS = ("muc", "b3", "ceafe")
"""The three metrics whose F1 the CoNLL-2012 score averages."""

ALL_METRICS = ("muc", "b3", "ceafe", "ceafm", "blanc", "lea")
"""Every coreference score the toolkit reports (BLANC from two count pairs, see :data:`COUNT_KEYS`)."""

COUNT_KEYS = ("muc", "b3", "ceafe", "ceafm", "blanc_coref", "blanc_noncoref", "lea")
"""The :class:`PRCounts` of one document, by name: BLANC keeps its coreference-link and
non-coreference-link counts apart, because its score combines the two kinds' ratios."""


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
        return formulas.value(formulas.ratio(self.r_num, self.r_den))

    @property
    def precision(self) -> float | None:
        return formulas.value(formulas.ratio(self.p_num, self.p_den))

    @property
    def f1(self) -> float | None:
        """:func:`toolkit.metrics.formulas.harmonic_f1`: None only when both denominators are 0,
        0 when one is (or P + R = 0), else 2PR/(P+R)."""
        return formulas.value(formulas.harmonic_f1(self.p_num, self.p_den, self.r_num, self.r_den))

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


def first_occurrences(clusters: Iterable[Cluster]) -> list[frozenset]:
    """The clusters with every repeated mention kept only at its first occurrence (cluster order,
    then mention order), and empty clusters dropped (module docstring, "Repeated mentions")."""
    return [c for _, c in first_occurrences_indexed(clusters)]


def first_occurrences_indexed(clusters: Iterable[Cluster]) -> list[tuple[int, frozenset]]:
    """:func:`first_occurrences`, each cluster with its index in ``clusters``."""
    seen: set = set()
    out: list[tuple[int, frozenset]] = []
    for i, cluster in enumerate(clusters):
        kept = []
        for m in cluster:
            if m not in seen:
                seen.add(m)
                kept.append(m)
        if kept:
            out.append((i, frozenset(kept)))
    return out


def repeated_mentions(clusters: Iterable[Cluster]) -> list[tuple[int, Hashable]]:
    """(cluster index, mention) of every occurrence that :func:`first_occurrences` drops."""
    seen: set = set()
    out = []
    for i, cluster in enumerate(clusters):
        for m in cluster:
            if m in seen:
                out.append((i, m))
            seen.add(m)
    return out


def _clean(clusters: Iterable[Cluster]) -> list[frozenset]:
    return first_occurrences(clusters)


def _link(n: int) -> int:
    return n * (n - 1) // 2


def _overlaps(key: list[frozenset], response: list[frozenset]) -> dict[tuple[int, int], int]:
    """|K_i ∩ R_j| for every pair of clusters that share a mention."""
    where = {m: j for j, r in enumerate(response) for m in r}
    out: dict[tuple[int, int], int] = {}
    for i, k in enumerate(key):
        for m in k:
            j = where.get(m)
            if j is not None:
                out[(i, j)] = out.get((i, j), 0) + 1
    return out


def muc(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> PRCounts:
    """MUC link-based counts (module docstring). Both numerators are Σ_{K∩R≠∅} (|K∩R| − 1)."""
    g, p = _clean(gold), _clean(pred)
    common = sum(n - 1 for n in _overlaps(g, p).values())
    return PRCounts(common, sum(len(k) - 1 for k in g), common, sum(len(r) - 1 for r in p))


def _b3_side(key: list[frozenset], response: list[frozenset]) -> tuple[float, float]:
    overlaps = _overlaps(key, response)
    # math.fsum is exactly rounded, so the sum does not depend on the order of the clusters
    return math.fsum(n * n / len(key[i]) for (i, _), n in overlaps.items()), float(sum(len(k) for k in key))


def b_cubed(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> PRCounts:
    """B-cubed mention-based counts (module docstring)."""
    g, p = _clean(gold), _clean(pred)
    rn, rd = _b3_side(g, p)
    pn, pd = _b3_side(p, g)
    return PRCounts(rn, rd, pn, pd)


def _ceaf_pairs(g: list[frozenset], p: list[frozenset], mention_based: bool) -> list[tuple[int, int, float]]:
    """The optimal one-to-one alignment of key and response clusters: (key index, response index, φ)."""
    overlaps = _overlaps(g, p)
    if not overlaps:
        return []
    phi = np.zeros((len(g), len(p)))
    for (i, j), n in overlaps.items():
        phi[i, j] = n if mention_based else 2 * n / (len(g[i]) + len(p[j]))
    from toolkit.metrics.matching import optimal_cells

    _, rows, cols = optimal_cells(phi[None])
    return [(int(r), int(c), float(phi[r, c])) for r, c in zip(rows, cols)]


def _ceaf(g: list[frozenset], p: list[frozenset], mention_based: bool) -> float:
    """Σ φ over the optimal one-to-one alignment of key and response clusters."""
    return math.fsum(x for _, _, x in _ceaf_pairs(g, p, mention_based))  # order-independent, as in B-cubed


def ceafe_alignment(gold: Sequence[frozenset], pred: Sequence[frozenset]) -> list[tuple[int, int, float]]:
    """The CEAF-e alignment of cleaned key and response clusters (:func:`first_occurrences`):
    ``(gold index, predicted index, φ)`` of each aligned pair, φ(K, R) = 2|K ∩ R| / (|K| + |R|)."""
    return _ceaf_pairs(list(gold), list(pred), mention_based=False)


def ceaf_e(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> PRCounts:
    """CEAF-e entity-based counts with the optimal one-to-one cluster alignment."""
    g, p = _clean(gold), _clean(pred)
    total = _ceaf(g, p, mention_based=False)
    return PRCounts(total, float(len(g)), total, float(len(p)))


def ceaf_m(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> PRCounts:
    """CEAF-m mention-based counts with the optimal one-to-one cluster alignment."""
    g, p = _clean(gold), _clean(pred)
    total = _ceaf(g, p, mention_based=True)
    return PRCounts(total, float(sum(len(k) for k in g)), total, float(sum(len(r) for r in p)))


def blanc(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> tuple[PRCounts, PRCounts]:
    """BLANC's coreference-link and non-coreference-link counts (module docstring).

    Coreference links: key Σ_K link(|K|), response Σ_R link(|R|), common Σ link(|K∩R|).
    Non-coreference links: key link(Σ|K|) − Σ_K link(|K|), likewise for the response; common are the
    pairs of mentions found on both sides that lie in different clusters on both sides:
    link(c) − Σ_K link(|K ∩ C|) − Σ_R link(|R ∩ C|) + Σ link(|K∩R|), with C the c mentions both
    sides have.
    """
    g, p = _clean(gold), _clean(pred)
    overlaps = _overlaps(g, p)
    key_c = sum(_link(len(k)) for k in g)
    resp_c = sum(_link(len(r)) for r in p)
    both_c = sum(_link(n) for n in overlaps.values())
    key_n = _link(sum(len(k) for k in g)) - key_c
    resp_n = _link(sum(len(r) for r in p)) - resp_c
    in_key: dict[int, int] = {}
    in_resp: dict[int, int] = {}
    for (i, j), n in overlaps.items():
        in_key[i] = in_key.get(i, 0) + n
        in_resp[j] = in_resp.get(j, 0) + n
    common = sum(overlaps.values())
    both_n = _link(common) - sum(_link(n) for n in in_key.values()) - sum(_link(n) for n in in_resp.values()) + both_c
    return PRCounts(both_c, key_c, both_c, resp_c), PRCounts(both_n, key_n, both_n, resp_n)


def blanc_scores(coref: PRCounts, noncoref: PRCounts) -> dict:
    """BLANC recall, precision and F1 from its two kinds of link counts
    (:func:`toolkit.metrics.formulas.blanc`, as the reference scorer combines them)."""
    r, p, f = formulas.blanc(coref.r_num, coref.r_den, coref.p_num, coref.p_den,
                             noncoref.r_num, noncoref.r_den, noncoref.p_num, noncoref.p_den)
    return {"precision": formulas.value(p), "recall": formulas.value(r), "f1": formulas.value(f)}


def _lea_side(key: list[frozenset], response: list[frozenset]) -> tuple[float, float]:
    overlaps = _overlaps(key, response)
    resolved: dict[int, float] = {}
    for (i, j), n in overlaps.items():
        k = key[i]
        if len(k) == 1:
            resolved[i] = 1.0 if len(response[j]) == 1 else 0.0
        else:
            resolved[i] = resolved.get(i, 0.0) + _link(n)
    terms = [len(k) * (resolved.get(i, 0.0) / (_link(len(k)) if len(k) > 1 else 1)) for i, k in enumerate(key)]
    return math.fsum(terms), float(sum(len(k) for k in key))


def lea(gold: Iterable[Cluster], pred: Iterable[Cluster]) -> PRCounts:
    """LEA counts (module docstring), with singletons as coval treats them."""
    g, p = _clean(gold), _clean(pred)
    rn, rd = _lea_side(g, p)
    pn, pd = _lea_side(p, g)
    return PRCounts(rn, rd, pn, pd)


def coref_scores(gold: Sequence[Cluster], pred: Sequence[Cluster]) -> dict[str, PRCounts]:
    """Every coreference count of one document, keyed by :data:`COUNT_KEYS`."""
    gold, pred = _clean(gold), _clean(pred)
    coref, noncoref = blanc(gold, pred)
    return {"muc": muc(gold, pred), "b3": b_cubed(gold, pred), "ceafe": ceaf_e(gold, pred),
            "ceafm": ceaf_m(gold, pred), "blanc_coref": coref, "blanc_noncoref": noncoref, "lea": lea(gold, pred)}


def conll_f1(scores: dict[str, PRCounts]) -> float | None:
    """The CoNLL-2012 score: the mean of the MUC, B-cubed and CEAF-e F1 (None if any is undefined)."""
    f1s = [scores[m].f1 for m in METRICS]
    return None if any(f is None for f in f1s) else sum(f1s) / 3


# ---------------------------------------------------------------- the same metrics on item tables


def _fsum_by(doc, values, n_docs: int) -> np.ndarray:
    """Per document, the exactly rounded sum (:func:`math.fsum`, as the per-document functions above)."""
    out = np.zeros(n_docs)
    if not len(doc):
        return out
    order = np.argsort(doc, kind="stable")
    doc, values = np.asarray(doc)[order], np.asarray(values, dtype=float)[order]
    bounds = np.flatnonzero(np.diff(doc)) + 1
    starts = np.concatenate(([0], bounds))
    # documents with one term need no fsum
    ends = np.concatenate((bounds, [len(doc)]))
    single = ends - starts == 1
    out[doc[starts[single]]] = values[starts[single]]
    for a, b in zip(starts[~single].tolist(), ends[~single].tolist()):
        out[doc[a]] = math.fsum(values[a:b].tolist())
    return out


def coref_tables(gold, pred, n_docs: int) -> dict[str, np.ndarray]:
    """Every coreference count of every document, from two mention tables (``doc``, ``entity``,
    ``start``, ``end``; entities as clusters, rows in file order): name (:data:`COUNT_KEYS`) + field
    -> an array over documents. Equal to :func:`coref_scores` document by document."""
    import pandas as pd

    pred = pred.drop_duplicates(["doc", "start", "end"], keep="first")  # the first occurrence of a repeated span
    g_ent, g_doc = gold["entity"].to_numpy(), gold["doc"].to_numpy()
    p_ent, p_doc = pred["entity"].to_numpy(), pred["doc"].to_numpy()
    g_size = pd.Series(g_ent).value_counts()
    p_size = pd.Series(p_ent).value_counts()
    k_ids, k_size = g_size.index.to_numpy(), g_size.to_numpy()
    r_ids, r_size = p_size.index.to_numpy(), p_size.to_numpy()
    k_doc = pd.Series(g_doc, index=g_ent).groupby(level=0).first().reindex(k_ids).to_numpy()
    r_doc = pd.Series(p_doc, index=p_ent).groupby(level=0).first().reindex(r_ids).to_numpy()
    ov = gold[["doc", "entity", "start", "end"]].merge(pred[["doc", "entity", "start", "end"]], on=["doc", "start", "end"],
                                                       suffixes=("_k", "_r"))
    ov = ov.groupby(["entity_k", "entity_r"], sort=False).size().reset_index(name="n")
    K, R, n = ov["entity_k"].to_numpy(), ov["entity_r"].to_numpy(), ov["n"].to_numpy()
    size_k = pd.Series(k_size, index=k_ids)
    size_r = pd.Series(r_size, index=r_ids)
    kK, rR = size_k.reindex(K).to_numpy(), size_r.reindex(R).to_numpy()
    o_doc = pd.Series(k_doc, index=k_ids).reindex(K).to_numpy() if len(K) else np.zeros(0, dtype=np.int64)

    def by_doc(doc, values):
        return np.bincount(np.asarray(doc, dtype=np.int64), weights=np.asarray(values, dtype=float), minlength=n_docs)

    link = lambda x: x * (x - 1) // 2  # noqa: E731
    out: dict[str, np.ndarray] = {}
    common = by_doc(o_doc, n - 1)
    out["muc.r_num"], out["muc.r_den"] = common, by_doc(k_doc, k_size - 1)
    out["muc.p_num"], out["muc.p_den"] = common, by_doc(r_doc, r_size - 1)
    out["b3.r_num"], out["b3.r_den"] = _fsum_by(o_doc, n * n / kK, n_docs), by_doc(k_doc, k_size)
    out["b3.p_num"], out["b3.p_den"] = _fsum_by(o_doc, n * n / rR, n_docs), by_doc(r_doc, r_size)
    # CEAF: the optimal one-to-one alignment of clusters, component by component
    phi_e, phi_m, phi_doc = _ceaf_terms(K, R, n, kK, rR, o_doc)
    out["ceafe.r_num"] = out["ceafe.p_num"] = _fsum_by(phi_doc, phi_e, n_docs)
    out["ceafe.r_den"], out["ceafe.p_den"] = by_doc(k_doc, np.ones(len(k_doc))), by_doc(r_doc, np.ones(len(r_doc)))
    out["ceafm.r_num"] = out["ceafm.p_num"] = _fsum_by(phi_doc, phi_m, n_docs)
    out["ceafm.r_den"], out["ceafm.p_den"] = out["b3.r_den"], out["b3.p_den"]
    # BLANC
    key_c, resp_c, both_c = by_doc(k_doc, link(k_size)), by_doc(r_doc, link(r_size)), by_doc(o_doc, link(n))
    key_n, resp_n = link(out["b3.r_den"]) - key_c, link(out["b3.p_den"]) - resp_c
    in_key = pd.Series(n).groupby(K).sum()
    in_resp = pd.Series(n).groupby(R).sum()
    k_first = pd.Series(k_doc, index=k_ids)
    r_first = pd.Series(r_doc, index=r_ids)
    both_n = (link(by_doc(o_doc, n)) - by_doc(k_first.reindex(in_key.index).to_numpy(), link(in_key.to_numpy()))
              - by_doc(r_first.reindex(in_resp.index).to_numpy(), link(in_resp.to_numpy())) + both_c)
    out["blanc_coref.r_num"] = out["blanc_coref.p_num"] = both_c
    out["blanc_coref.r_den"], out["blanc_coref.p_den"] = key_c, resp_c
    out["blanc_noncoref.r_num"] = out["blanc_noncoref.p_num"] = both_n
    out["blanc_noncoref.r_den"], out["blanc_noncoref.p_den"] = key_n, resp_n
    # LEA
    for side, ids, size, docs, other_size, own in (("r", k_ids, k_size, k_doc, rR, K), ("p", r_ids, r_size, r_doc, kK, R)):
        resolved = pd.Series(np.where(np.repeat(True, len(n)), link(n), 0).astype(float)).groupby(own).sum()
        single_ok = pd.Series(((other_size == 1) & (pd.Series(size, index=ids).reindex(own).to_numpy() == 1)).astype(float)).groupby(own).max()
        res = resolved.reindex(ids).fillna(0.0).to_numpy()
        ok1 = single_ok.reindex(ids).fillna(0.0).to_numpy()
        terms = np.where(size > 1, size * (res / np.maximum(link(size), 1)), ok1)
        out[f"lea.{side}_num"] = _fsum_by(docs, terms, n_docs)
        out[f"lea.{side}_den"] = by_doc(docs, size)
    return out


def _ceaf_terms(K, R, n, kK, rR, o_doc):
    """φ-e and φ-m of the cluster pairs of the optimal one-to-one alignment, and their documents."""
    if not len(K):
        z = np.zeros(0)
        return z, z, np.zeros(0, dtype=np.int64)
    k_deg = np.bincount(np.unique(K, return_inverse=True)[1])
    r_deg = np.bincount(np.unique(R, return_inverse=True)[1])
    _, k_inv = np.unique(K, return_inverse=True)
    _, r_inv = np.unique(R, return_inverse=True)
    simple = (k_deg[k_inv] == 1) & (r_deg[r_inv] == 1)
    phi_e = [2 * n[simple] / (kK[simple] + rR[simple])]
    phi_m = [n[simple].astype(float)]
    docs = [o_doc[simple]]
    tangled = np.flatnonzero(~simple)
    if len(tangled):
        from toolkit.metrics.matching import components, optimal_cells, shape_groups

        nk, nr = int(k_inv.max()) + 1, int(r_inv.max()) + 1
        tk, tr = k_inv[tangled], r_inv[tangled]
        for r, c, sel, n_comps, slot, i_of, j_of in shape_groups(tk, tr, components(nk + nr, tk, nk + tr), nk):
            edges = tangled[sel]
            comp_doc = np.zeros(n_comps, dtype=np.int64)
            comp_doc[slot] = o_doc[edges]
            for mention_based in (False, True):
                phi = np.zeros((n_comps, r, c))
                phi[slot, i_of, j_of] = n[edges] if mention_based else 2 * n[edges] / (kK[edges] + rR[edges])
                k, i, j = optimal_cells(phi)
                (phi_m if mention_based else phi_e).append(phi[k, i, j])
            docs.append(comp_doc[k])
    return np.concatenate(phi_e), np.concatenate(phi_m), np.concatenate(docs)
