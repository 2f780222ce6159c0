"""toolkit.metrics.counts.total equals the pairwise sum ``sum(counts, EvalCounts())`` in every value and dict order."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from toolkit.metrics.coreference import COUNT_KEYS
from toolkit.metrics.counts import ( EVENT_METRICS, SCHEMES, STANCE_LABELS, CorefCounts, Counts, EntityCounts,
                            EvalCounts, EventCounts, RatioCounts, SchemeCounts, StanceCounts, total)

_types = st.sampled_from(["PER", "ORG", "GPE", "LOC", "DATE"])
_n = st.integers(0, 5)
_scheme_counts = st.builds(SchemeCounts, _n, _n, _n, _n, _n)
_counts = st.builds(Counts, _n, _n, _n)
_float = st.floats(0, 10, allow_nan=False).map(lambda x: round(x, 3) / 7)  # floats whose sums depend on the order
_ratio = st.builds(RatioCounts, _float, _float, _float, _float)

_entities = st.builds(EntityCounts, st.fixed_dictionaries({s: _scheme_counts for s in SCHEMES}),
                      st.dictionaries(st.sampled_from(SCHEMES + ("other",)), st.dictionaries(_types, _scheme_counts)))
_coref = st.builds(CorefCounts, st.dictionaries(st.sampled_from(COUNT_KEYS), _ratio))
_events = st.builds(EventCounts, st.dictionaries(st.sampled_from(["Conflict.Attack", "Movement.Transport", "Life.Die"]),
                                                 st.dictionaries(st.sampled_from(EVENT_METRICS), _counts)),
                    st.dictionaries(st.sampled_from(EVENT_METRICS), _counts))
_targets = st.sampled_from(["(event)", "(entity)", "tariffs", "climate"])
_labels = st.sampled_from(STANCE_LABELS)
_stances = st.builds(StanceCounts,
                     st.dictionaries(_targets, st.dictionaries(st.sampled_from(["triples", "pairs"]), _counts)),
                     st.dictionaries(_targets, st.dictionaries(_labels, st.dictionaries(_labels, _n))))
_eval = st.builds(EvalCounts, st.none() | _entities, st.none() | _coref, st.none() | _events, st.none() | _stances)


@settings(max_examples=300, deadline=None)
@given(st.lists(_eval, max_size=8))
def test_total_is_the_pairwise_sum(counts):
    expected = sum(counts, EvalCounts())
    got = total(iter(counts))
    assert got == expected
    assert repr(got) == repr(expected)  # the same dict orders and the same float bits
    assert got.to_dict() == expected.to_dict()
