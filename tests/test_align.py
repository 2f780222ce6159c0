"""One-to-one alignment: maximum weight, lexicographic levels, order independence (hand cases + hypothesis)."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.metrics.matching import align
from toolkit.metrics.entities import MentionItem, align_mentions, mention_level


def M(start, end, etype="PER"):
    return MentionItem(start, end, etype)


def pairs_as_offsets(gold, pred, al):
    return sorted(((gold[g].start, gold[g].end), (pred[p].start, pred[p].end), lv) for g, p, lv in al.pairs)


def test_each_item_is_used_once():
    gold = [M(0, 5)]
    pred = [M(0, 5), M(0, 5)]  # a duplicate prediction is credited once, the copy is spurious
    al = align_mentions(gold, pred)
    assert [lv for _, _, lv in al.pairs] == [4]
    assert len(al.spurious) == 1 and al.missed == ()


def test_duplicates_in_gold_and_pred_pair_copy_by_copy():
    al = align_mentions([M(0, 5), M(0, 5)], [M(0, 5), M(0, 5), M(0, 5)])
    assert [lv for _, _, lv in al.pairs] == [4, 4]
    assert len(al.spurious) == 1


def test_exact_match_beats_overlap_whatever_the_order():
    # Greedy left-to-right matching (nervaluate) pairs the first prediction with the first gold it
    # overlaps; here that would leave the exact match unused.
    gold = [M(0, 10), M(5, 10)]
    pred = [M(5, 10), M(0, 4)]
    for g, p in ((gold, pred), (gold[::-1], pred[::-1]), (gold, pred[::-1])):
        al = align_mentions(g, p)
        assert pairs_as_offsets(g, p, al) == [((0, 10), (0, 4), 2), ((5, 10), (5, 10), 4)]


def test_levels_are_lexicographic_not_summed():
    # One exact-span-and-type pair (level 4) is preferred to two overlap pairs (levels 2 + 2 = 4,
    # and with any additive weights w4 < 2*w2 the two overlaps would win).
    gold = [M(0, 10), M(10, 20)]
    pred = [M(0, 10), M(5, 15)]
    al = align_mentions(gold, pred)
    assert pairs_as_offsets(gold, pred, al) == [((0, 10), (0, 10), 4), ((10, 20), (5, 15), 2)]
    gold = [M(0, 10)]
    pred = [M(0, 10, "ORG"), M(2, 8)]  # same span other type (3) beats overlap same type (2)
    al = align_mentions(gold, pred)
    assert pairs_as_offsets(gold, pred, al) == [((0, 10), (0, 10), 3)]


def test_adjacent_spans_do_not_overlap():
    assert mention_level(M(0, 5), M(5, 9)) == 0
    al = align_mentions([M(0, 5)], [M(5, 9)])
    assert al.pairs == () and al.missed == (0,) and al.spurious == (0,)


def test_nested_gold_spans_each_find_their_exact_prediction():
    gold = [M(0, 11, "GOV"), M(0, 2, "GPE")]  # "US Treasury" containing "US"
    pred = [M(0, 2, "GPE"), M(0, 11, "GOV")]
    al = align_mentions(gold, pred)
    assert pairs_as_offsets(gold, pred, al) == [((0, 2), (0, 2), 4), ((0, 11), (0, 11), 4)]


def test_tie_between_overlaps_goes_to_the_larger_overlap():
    gold = [M(0, 10)]
    for pred in ([M(8, 12), M(2, 12)], [M(2, 12), M(8, 12)]):
        al = align_mentions(gold, pred)
        assert pairs_as_offsets(gold, pred, al) == [((0, 10), (2, 12), 2)]


def test_generic_align_with_custom_levels():
    al = align(["a", "b"], ["b", "a", "c"], lambda g, p: int(g == p))
    assert sorted((g, p) for g, p, _ in al.pairs) == [(0, 1), (1, 0)]
    assert al.spurious == (2,)
    assert al.pred_to_gold() == {1: 0, 0: 1}
    assert al.count(1) == 2


spans = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 8), st.sampled_from(["PER", "ORG", "GPE"])).map(lambda t: M(t[0], t[0] + t[1], t[2])),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(spans, spans, st.randoms(use_true_random=False))
def test_alignment_does_not_depend_on_input_order(gold, pred, rnd):
    base = align_mentions(gold, pred)
    g2, p2 = gold[:], pred[:]
    rnd.shuffle(g2)
    rnd.shuffle(p2)
    other = align_mentions(g2, p2)
    assert pairs_as_offsets(gold, pred, base) == pairs_as_offsets(g2, p2, other)


def _brute_force_best(gold, pred):
    """Lexicographically best level profile over every one-to-one matching (tiny inputs only)."""
    best = None

    def rec(i, used, profile):
        nonlocal best
        if i == len(gold):
            key = tuple(sorted(profile, reverse=True))
            counts = tuple(sum(1 for x in key if x == lv) for lv in (4, 3, 2, 1))
            if best is None or counts > best:
                best = counts
            return
        rec(i + 1, used, profile)
        for j, p in enumerate(pred):
            lv = mention_level(gold[i], p)
            if j not in used and lv:
                rec(i + 1, used | {j}, profile + [lv])

    rec(0, frozenset(), [])
    return best


small = st.lists(
    st.tuples(st.integers(0, 12), st.integers(1, 6), st.sampled_from(["PER", "ORG"])).map(lambda t: M(t[0], t[0] + t[1], t[2])),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(small, small)
def test_alignment_is_lexicographically_optimal(gold, pred):
    al = align_mentions(gold, pred)
    got = tuple(al.count(lv) for lv in (4, 3, 2, 1))
    assert got == _brute_force_best(gold, pred)


def test_large_component_still_one_to_one():
    rnd = random.Random(7)
    gold = [M(i, i + 40) for i in range(0, 60)]
    pred = [M(i + rnd.randint(0, 3), i + 30) for i in range(0, 60)]
    al = align_mentions(gold, pred)
    assert len({g for g, _, _ in al.pairs}) == len(al.pairs) == len({p for _, p, _ in al.pairs})
    assert len(al.pairs) == 60


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))))
def test_components_equal_scipys_connected_components(case):
    """The matcher's vectorised components are scipy's connected components (up to labels)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from toolkit.metrics.matching import components

    n, edges = case
    u = np.array([a for a, _ in edges], dtype=np.int64)
    v = np.array([b for _, b in edges], dtype=np.int64)
    ours = components(n, u, v)
    _, theirs = connected_components(coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)), directed=False)
    assert all(ours[i] == ours[j] for i, j in edges)
    assert len(set(ours.tolist())) == len(set(theirs.tolist()))
    assert all((ours[i] == ours[j]) == (theirs[i] == theirs[j]) for i in range(n) for j in range(n))
    assert all(ours[i] == min(k for k in range(n) if ours[k] == ours[i]) for i in range(n))  # labelled by the smallest vertex


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.lists(
    st.lists(st.integers(-3, 3) | st.integers(0, 10**6) | st.integers(-2**63, 2**63 - 1), min_size=n, max_size=n),
    min_size=1, max_size=7)))
def test_rank_packs_keys_into_the_lexicographic_order(columns):
    """rank packs adjacent columns into one int64 key: the order is the plain stable lexicographic
    one (numpy's lexsort), for small, wide and extreme values (where no packing is possible)."""
    import numpy as np

    from toolkit.metrics.matching import rank

    arrays = [np.asarray(c, dtype=np.int64) for c in columns]
    expected = np.empty(len(arrays[0]), dtype=np.int64)
    expected[np.lexsort(tuple(reversed(arrays)))] = np.arange(len(arrays[0]))
    assert rank(*arrays).tolist() == expected.tolist()


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.lists(
    st.lists(st.integers(0, 2) | st.integers(-10**6, 10**6) | st.integers(-2**63, 2**63 - 1), min_size=n, max_size=n),
    min_size=1, max_size=7)))
def test_joint_key_is_equal_exactly_when_the_rows_are(columns):
    """joint_key packs the columns into one int64 (re-coding when a column would overflow it): two
    rows get the same key exactly when all their values are equal."""
    import numpy as np

    from toolkit.metrics.matching import joint_key

    key = joint_key(*(np.asarray(c, dtype=np.int64) for c in columns)).tolist()
    rows = list(zip(*columns))
    for i in range(len(rows)):
        for j in range(len(rows)):
            assert (key[i] == key[j]) == (rows[i] == rows[j])
