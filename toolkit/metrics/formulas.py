"""Every score formula, written once, on counts.

Each function takes counts (Python numbers or numpy arrays of any shape: one corpus, or one value
per bootstrap resample) and returns the score with NaN where it is undefined; :func:`value` turns
a single result into a Python float, or None where undefined. The corpus report
(:mod:`toolkit.evaluation.counts`) and the resampling (:mod:`toolkit.evaluation.significance`) both
call these functions, so a point estimate and its bootstrap distribution can never disagree.

The one rule for undefined values: a precision (recall) is undefined only when its own denominator
is 0; an F1 is undefined only when both are (nothing to find and nothing found), and is 0 when
only one is (no credit was possible). ``docs/metrics.md`` explains each formula with a worked
example and names the peer whose number it reproduces.
"""

from __future__ import annotations

import numpy as np


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def value(x) -> float | None:
    """A 0-d result as a Python float, None when it is NaN (undefined)."""
    v = float(x)
    return None if v != v else v


def ratio(num, den) -> np.ndarray:
    """num / den; NaN where den is 0 (a precision or recall with nothing in its denominator)."""
    num, den = np.broadcast_arrays(_arr(num), _arr(den))
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def dice(credit, predicted, gold) -> np.ndarray:
    """F1 = 2·credit / (predicted + gold); NaN when both are 0.

    Equal to the harmonic mean 2PR/(P+R) of P = credit/predicted and R = credit/gold where both are
    defined, and 0 where only one side is empty. For tp/fp/fn: 2tp / (2tp + fp + fn); for the
    SemEval-2013 schemes credit = correct + ½·partial, predicted = actual, gold = possible.
    """
    return ratio(2 * _arr(credit), _arr(predicted) + _arr(gold))


def harmonic_f1(p_num, p_den, r_num, r_den) -> np.ndarray:
    """F1 of a precision p_num/p_den and a recall r_num/r_den whose numerators differ (B-cubed,
    CEAF, LEA): 2PR/(P+R); 0 when P + R = 0 or when exactly one denominator is 0; NaN when both are."""
    p, r = np.broadcast_arrays(ratio(p_num, p_den), ratio(r_num, r_den))
    p_den, r_den = np.broadcast_arrays(_arr(p_den), _arr(r_den))
    out = np.zeros(p.shape)
    both = ~np.isnan(p) & ~np.isnan(r) & (p + r > 0)
    np.divide(2 * p * r, p + r, out=out, where=both)
    out = np.where((p_den == 0) & (r_den == 0), np.nan, out)
    return out


def mean_of(*scores) -> np.ndarray:
    """The mean of scores, NaN where any is NaN (the CoNLL-2012 F1 of MUC, B-cubed and CEAF-e)."""
    return sum(_arr(s) for s in scores) / len(scores)


def mean_defined(*scores) -> np.ndarray:
    """The mean of the scores that are defined, NaN where none is (macro averages over labels)."""
    stack = np.stack(np.broadcast_arrays(*(_arr(s) for s in scores)))
    defined = ~np.isnan(stack)
    return ratio(np.where(defined, stack, 0.0).sum(axis=0), defined.sum(axis=0))


def macro(*scores) -> np.ndarray:
    """The macro average over labels as seqeval's and scikit-learn's ``average="macro"`` (``zero_division=0``):
    the mean over every label present (in the gold or the predictions), a label's undefined precision or
    recall (its own denominator 0) counted as 0; NaN only when no label is present."""
    stack = np.stack(np.broadcast_arrays(*(_arr(s) for s in scores)))
    return stack.sum(axis=0, where=~np.isnan(stack)) / stack.shape[0] if stack.shape[0] else np.full(stack.shape[1:], np.nan)


def blanc(c_rn, c_rd, c_pn, c_pd, n_rn, n_rd, n_pn, n_pd) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BLANC (recall, precision, F1) from the coreference-link (``c_``) and non-coreference-link
    (``n_``) counts, as the CoNLL reference scorer v8.01 combines them (``ScoreBLANC``).

    Per kind k: R_k = common/key links, P_k = common/response links (0 where a denominator is 0,
    as the reference does inside BLANC) and F_k = 2·P_k·R_k/(P_k + R_k) (0 where P_k + R_k = 0).
    BLANC = the mean of the two kinds; a kind without key links is left out; without key links of
    either kind all three are 0 (the reference), or NaN when the response has no link either.
    """
    def r0(num, den):
        return np.nan_to_num(ratio(num, den), nan=0.0)

    def f(p, r):
        return np.nan_to_num(ratio(2 * p * r, p + r), nan=0.0)

    rc, pc, rn, pn = r0(c_rn, c_rd), r0(c_pn, c_pd), r0(n_rn, n_rd), r0(n_pn, n_pd)
    fc, fn = f(pc, rc), f(pn, rn)
    c_rd, n_rd, c_pd, n_pd = np.broadcast_arrays(_arr(c_rd), _arr(n_rd), _arr(c_pd), _arr(n_pd))
    has_c, has_n = c_rd > 0, n_rd > 0
    out = []
    for kc, kn in ((rc, rn), (pc, pn), (fc, fn)):
        v = np.where(has_c & has_n, (kc + kn) / 2, np.where(has_c, kc, np.where(has_n, kn, 0.0)))
        out.append(np.where(~has_c & ~has_n & (c_pd == 0) & (n_pd == 0), np.nan, v))
    return out[0], out[1], out[2]


def label_f1(diagonal, predicted, gold) -> np.ndarray:
    """F1 of one stance label over aligned pairs: 2·C[l,l] / (predicted_l + gold_l) (:func:`dice`)."""
    return dice(diagonal, predicted, gold)


def eval_pl_f1(diagonal, predicted, gold) -> np.ndarray:
    """One class's F1 as SemEval-2016 Task 6's ``eval.pl`` computes it: P = tp/guessed and
    R = tp/gold, each 0 when its denominator is 0, F = 2PR/(P+R), 0 when P + R = 0. Equal to
    :func:`label_f1` wherever that is defined, and 0 for a class absent from gold and predictions."""
    return np.nan_to_num(label_f1(diagonal, predicted, gold), nan=0.0)


def f_avg(favour_f1, against_f1, pairs) -> np.ndarray:
    """F_avg = (F_favour + F_against) / 2 (``eval.pl``'s "Macro F"), from :func:`eval_pl_f1` values;
    NaN only where there is no aligned pair at all (``pairs`` = 0), where nothing was labelled."""
    out = (_arr(favour_f1) + _arr(against_f1)) / 2
    return np.where(_arr(pairs) > 0, out, np.nan)
