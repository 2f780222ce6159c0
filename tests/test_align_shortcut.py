"""The one-pair shortcut of toolkit.metrics.matching (no linear_sum_assignment for a component of one edge) changes no alignment."""

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.metrics import matching as align_module
from toolkit.metrics.scoring import MentionItem, align_mentions

TYPES = ("PER", "ORG", "GPE")


def mentions(max_size=8):
    span = st.tuples(st.integers(0, 30), st.integers(1, 6), st.sampled_from(TYPES))
    return st.lists(span.map(lambda s: MentionItem(s[0], s[0] + s[1], s[2])), max_size=max_size)


def both_ways(fn):
    align_module.SHORTCUT = True
    try:
        fast = fn()
        align_module.SHORTCUT = False
        slow = fn()
    finally:
        align_module.SHORTCUT = True
    return fast, slow


@settings(max_examples=300, deadline=None)
@given(mentions(), mentions())
def test_mention_alignment_is_the_same_with_and_without_the_shortcut(gold, pred):
    fast, slow = both_ways(lambda: align_mentions(gold, pred))
    assert fast == slow


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=12), st.integers(1, 3))
def test_generic_alignment_is_the_same_with_and_without_the_shortcut(edges, top):
    gold, pred = list(range(7)), list(range(7))
    levels = {(g, p): 1 + (g * 7 + p) % top for g, p in edges}
    fast, slow = both_ways(lambda: align_module.align(gold, pred, lambda g, p: levels.get((g, p), 0),
                                                      tiebreak=lambda g, p: (g + p) % 2))
    assert fast == slow
