"""Count rows (toolkit.metrics.counting): the counts table built in place equals the scorers' rows
concatenated and stably sorted by document, built here with plain pandas (property test)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.metrics.counting import Rows, concat, frame_by_doc

_WORDS = st.sampled_from(["", "ALL", "PER", "b3", "muc", "tp", "fp", "fn", "strict", "zeta"])


@st.composite
def parts(draw):
    """A list of Rows as the scorers give them: some ordered by document, some not (a part made of
    several concatenated), with or without a task, on code books of different sizes."""
    out = []
    with_task = draw(st.booleans())
    for _ in range(draw(st.integers(0, 5))):
        n = draw(st.integers(0, 12))
        doc = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
        if draw(st.booleans()):
            doc = sorted(doc)
        cols = [draw(st.lists(_WORDS, min_size=n, max_size=n)) for _ in range(3)]
        count = draw(st.lists(st.integers(1, 5) | st.floats(0.125, 4, width=32), min_size=n, max_size=n))
        task = draw(st.sampled_from(["entities", "events", "stances"])) if with_task or draw(st.booleans()) else None
        out.append(Rows.of(doc, *cols, count, task))
    # some neighbours joined as the scorers join them (concat): a part whose documents ascend in runs
    joined, k = [], 0
    while k < len(out):
        size = draw(st.integers(1, 3))
        group = out[k:k + size]
        joined.append(concat(group) if len(group) > 1 and draw(st.booleans()) else group[0])
        if joined[-1] is group[0]:
            size = 1
        k += size
    return joined


@settings(max_examples=400, deadline=None)
@given(parts())
def test_the_table_built_in_place_is_the_ordered_concatenation(rows):
    plain = [pd.DataFrame({"doc": r.doc, "task": r.task.values() if r.task is not None else None, "measure": r.measure.values(),
                           "label": r.label.values(), "outcome": r.outcome.values(), "count": r.count}) for r in rows if len(r)]
    with_task = all(r.task is not None for r in rows if len(r))
    given_parts = list(rows)
    got = frame_by_doc(given_parts)
    assert given_parts == []  # consumed
    if not plain:
        assert got is None
        return
    expected = pd.concat(plain, ignore_index=True).sort_values("doc", kind="stable", ignore_index=True)
    if not with_task:
        expected["task"] = ""
    for c in ("task", "measure", "label", "outcome"):
        values = expected[c].astype(object)
        expected[c] = pd.Categorical(values, categories=pd.Index(sorted(set(values)), dtype=object))
    expected["doc"] = expected["doc"].astype(np.int64)
    pd.testing.assert_frame_equal(got, expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 40), max_size=60), st.booleans())
def test_groups_equal_numpy_unique(values, ascend):
    """groups() is np.unique(key, return_inverse=True): the same distinct keys and positions, sorted
    input (no sort) or not."""
    from toolkit.metrics.counting import groups

    key = np.array(sorted(values) if ascend else values, dtype=np.int64)
    uniq, inverse = groups(key)
    want_uniq, want_inverse = np.unique(key, return_inverse=True)
    assert uniq.tolist() == want_uniq.tolist() and inverse.tolist() == want_inverse.ravel().tolist()
