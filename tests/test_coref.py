"""Coreference metrics against hand-computed values and invariants."""

import pytest
from hypothesis import given, strategies as st

from toolkit.metrics.coreference import PRCounts, b_cubed, ceaf_e, conll_f1, coref_scores, muc

# The worked example of Pradhan et al. (2014), Figure 1: key {a,b,c} {d,e,f,g};
# response {a,b} {c,d} {f,g,h,i}. Published scores: MUC 40/40/40, B3 R 41.67 P 50.00,
# CEAFe R 65.00 P 43.33.
KEY = [{"a", "b", "c"}, {"d", "e", "f", "g"}]
RESPONSE = [{"a", "b"}, {"c", "d"}, {"f", "g", "h", "i"}]


def test_muc_worked_example():
    c = muc(KEY, RESPONSE)
    assert (c.r_num, c.r_den, c.p_num, c.p_den) == (2, 5, 2, 5)
    assert c.f1 == pytest.approx(0.4)


def test_b_cubed_worked_example():
    c = b_cubed(KEY, RESPONSE)
    assert c.recall == pytest.approx((4 / 3 + 1 / 3 + 1 / 4 + 4 / 4) / 7)  # 35/84
    assert c.recall == pytest.approx(0.416667, abs=1e-6)
    assert c.precision == pytest.approx(0.5)
    assert c.f1 == pytest.approx(0.454545, abs=1e-6)


def test_ceaf_e_worked_example():
    c = ceaf_e(KEY, RESPONSE)
    assert c.recall == pytest.approx(0.65)  # (0.8 + 0.5) / 2
    assert c.precision == pytest.approx(1.3 / 3)
    assert c.f1 == pytest.approx(0.52)


def test_conll_is_the_mean_of_the_three():
    s = coref_scores(KEY, RESPONSE)
    assert conll_f1(s) == pytest.approx((0.4 + 0.454545 + 0.52) / 3, abs=1e-6)


def test_muc_ignores_singletons_and_is_undefined_without_links():
    c = muc([{"a"}, {"b"}], [{"a"}, {"b"}])
    assert c.recall is None and c.precision is None and c.f1 is None
    # B3 and CEAF-e do count singletons.
    assert b_cubed([{"a"}, {"b"}], [{"a"}, {"b"}]).f1 == 1.0
    assert ceaf_e([{"a"}, {"b"}], [{"a", "b"}]).f1 == pytest.approx(2 * (2 / 3 / 2) * (2 / 3) / (2 / 3 / 2 + 2 / 3))


def test_empty_response():
    s = coref_scores(KEY, [])
    assert s["muc"].recall == 0 and s["muc"].precision is None
    assert s["b3"].recall == 0 and s["ceafe"].recall == 0
    # nothing predicted: P undefined, R 0, F1 0 (2·credit / (gold + predicted)), so CoNLL is 0, not undefined
    assert s["muc"].f1 == 0 and s["b3"].f1 == 0 and s["ceafe"].f1 == 0
    assert conll_f1(s) == 0


clusters = st.lists(st.frozensets(st.integers(0, 30), min_size=1, max_size=6), max_size=8).map(
    lambda cs: [c - frozenset().union(*cs[:i]) for i, c in enumerate(cs)]
).map(lambda cs: [c for c in cs if c])


@given(clusters)
def test_identity_scores_one(cs):
    s = coref_scores(cs, cs)
    for name in ("b3", "ceafe"):
        assert s[name].f1 == (1.0 if cs else None)
    if any(len(c) > 1 for c in cs):
        assert s["muc"].f1 == 1.0


@given(clusters, clusters)
def test_symmetry_swaps_precision_and_recall(a, b):
    for metric in (muc, b_cubed, ceaf_e):
        x, y = metric(a, b), metric(b, a)
        assert x.recall == pytest.approx(y.precision) if x.recall is not None else y.precision is None
        assert 0 <= (x.f1 or 0) <= 1 + 1e-12


@given(clusters, clusters, clusters, clusters)
def test_counts_add_across_documents(g1, p1, g2, p2):
    # Two documents scored separately and merged equal the sum of their counts.
    merged = {k: coref_scores(g1, p1)[k] + coref_scores(g2, p2)[k] for k in ("muc", "b3", "ceafe")}
    for k, c in merged.items():
        assert c == PRCounts.from_dict(c.to_dict())
        a, b = coref_scores(g1, p1)[k], coref_scores(g2, p2)[k]
        assert c.r_den == a.r_den + b.r_den and c.p_num == pytest.approx(a.p_num + b.p_num)
