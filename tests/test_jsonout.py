"""toolkit.reporting.jsonout.dumps writes exactly what json.dumps writes (with an indent)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings, strategies as st

from toolkit.reporting.jsonout import dumps

_text = st.text(alphabet=st.sampled_from(['a', 'é', '%', 'd', '"', '\\', '\n', '\x00', '☃', '\U0001f600', ' ']), max_size=5)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True), _text)
_keys = st.one_of(_text, st.integers(-3, 3), st.floats(allow_nan=False), st.booleans(), st.none())
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_keys, inner, max_size=4),
        st.dictionaries(_text, st.integers(-5, 10**6), max_size=5),  # the count tables of the fast path
    ),
    max_leaves=40,
)


@settings(max_examples=500, deadline=None)
@given(_json, st.sampled_from([0, 1, 2, 4]), st.booleans())
def test_dumps_equals_json_dumps(obj, indent, ensure_ascii):
    assert dumps(obj, indent, ensure_ascii) == json.dumps(obj, indent=indent, ensure_ascii=ensure_ascii)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(_text, st.integers(0, 100), min_size=1, max_size=5), max_size=5))
def test_shared_templates_at_several_depths(tables):
    obj = {"a": tables, "b": {"c": tables, "d": [tables]}, "e": tables[0] if tables else {}}
    assert dumps(obj, 2, False) == json.dumps(obj, indent=2, ensure_ascii=False)


class _StrLike(str):
    pass


@settings(max_examples=200, deadline=None)
@given(st.lists(_text, min_size=1, max_size=6), st.sampled_from([0, 1, 2, 4]), st.booleans(), st.integers(0, 3))
def test_lists_of_strings_at_any_depth(names, indent, ensure_ascii, depth):
    """The one-join path for lists of strings (tuples too, and a str subclass, which takes the item-by-item path)."""
    obj: object = {"ids": names, "t": tuple(names), "mixed": [*names, 1], "sub": [_StrLike(n) for n in names]}
    for _ in range(depth):
        obj = {"x": [obj, names]}
    assert dumps(obj, indent, ensure_ascii) == json.dumps(obj, indent=indent, ensure_ascii=ensure_ascii)


class _IntLike(int):
    pass


def test_subclasses_and_odd_values():
    obj = {"x": _IntLike(3), "y": {"z": True, "w": 1}, "v": [math.nan, -math.inf, 1e-05, 0.1], 1.5: {}, None: [], "u": ()}
    assert dumps(obj, 2, False) == json.dumps(obj, indent=2, ensure_ascii=False)


def test_what_json_rejects_is_rejected_the_same_way():
    with pytest.raises(TypeError):
        dumps({"a": {1, 2}})
    with pytest.raises(TypeError):
        dumps({(1, 2): 3})
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError):
        dumps(loop)
