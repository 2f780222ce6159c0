"""Shortcuts of toolkit.io.read (and validate._span_ok) find exactly what the general code finds.

The depth check (``_too_deep_text``) and the cached seed lookup (``SeedFinder``).

``_too_deep_text`` skips the walk of a parsed document when its text holds fewer ``[`` and ``{``
than the limit; these tests check, on random JSON (brackets inside strings included, nesting just
below, at and above the limit), that it returns the same path as ``_too_deep`` on the same data,
and that a file read through ``_parse`` reports the same ``invalid-json`` issue.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from toolkit.io.read import MAX_DEPTH, SeedFinder, _parse, _too_deep, _too_deep_text, find_seed

_strings = st.text(alphabet=st.sampled_from('ab[]{}"\\/~ '), max_size=6)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), _strings)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_strings, inner, max_size=4)),
    max_leaves=30,
)


@st.composite
def _deep(draw):
    """A value wrapped in a chain of arrays and objects of a depth near the limit, inside random siblings."""
    value = draw(_json)
    for _ in range(draw(st.integers(MAX_DEPTH - 3, MAX_DEPTH + 2))):
        value = [value] if draw(st.booleans()) else {draw(_strings): value}
    return draw(st.sampled_from(["alone", "list", "dict"])), value, draw(_json)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_json, _deep().map(lambda t: t[1] if t[0] == "alone" else [t[2], t[1]] if t[0] == "list" else {"x": t[2], "y": t[1]})),
       st.sampled_from([None, 2]), st.sampled_from([5, 20, MAX_DEPTH]))
def test_shortcut_finds_what_the_walk_finds(data, indent, limit):
    text = json.dumps(data, indent=indent)
    assert _too_deep_text(text, json.loads(text), limit) == _too_deep(json.loads(text), limit)


@settings(max_examples=100, deadline=None)
@given(_deep())
def test_parse_reports_the_same_issue(case):
    _, value, sibling = case
    text = json.dumps({"entities": [{"id": value, "x": sibling}]})
    data, issues = _parse(text, "f.json", "/3")
    deep = _too_deep(json.loads(text))
    if deep is None:
        assert issues == [] and data == json.loads(text)
    else:
        assert data is None and [i.code for i in issues] == ["invalid-json"]
        assert issues[0].pointer.startswith("/3/entities/0/id")


_FOLDERS = ["", "a", "a/b", "a/b/c"]
_NAMES = ["x.txt", "y.txt", "X.txt"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    files=st.lists(st.tuples(st.sampled_from(_FOLDERS), st.sampled_from(["seeds", "other"]), st.sampled_from(_NAMES),
                             st.sampled_from(["file", "dir", "link", "broken-link"])), max_size=8),
    queries=st.lists(st.tuples(st.sampled_from(_FOLDERS), st.sampled_from(
        ["seeds/x.txt", "seeds/y.txt", "seeds/X.txt", "other/x.txt", "seeds/../seeds/x.txt", "seeds", "./seeds/x.txt",
         "x.txt", "seeds/missing.txt"])), min_size=1, max_size=12),
)
def test_seed_finder_finds_what_find_seed_finds(tmp_path_factory, files, queries):
    root = tmp_path_factory.mktemp("seeds")
    for folder, sub, name, kind in files:
        where = root / folder / sub
        where.mkdir(parents=True, exist_ok=True)
        target = where / name
        if target.exists() or target.is_symlink():
            continue
        if kind == "file":
            target.write_text("text")
        elif kind == "dir":
            target.mkdir()
        elif kind == "link":
            (root / "linked.txt").write_text("linked")
            target.symlink_to(root / "linked.txt")
        else:
            target.symlink_to(root / "nowhere.txt")
    for folder in _FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    finder = SeedFinder()  # one finder for every query of the run, as validate_paths uses it
    cwd = os.getcwd()
    try:
        os.chdir(root / "a")  # the working-directory fallback, too
        for folder, seed_file in queries:
            start = root / folder
            assert finder.find(start, seed_file) == find_seed(start, seed_file), (folder, seed_file)
            assert finder.find(Path(os.path.relpath(start)), seed_file) == find_seed(Path(os.path.relpath(start)), seed_file)
    finally:
        os.chdir(cwd)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\t\u00a0é"), max_size=12), st.integers(-3, 15), st.integers(-3, 15),
       st.text(alphabet=st.sampled_from("ab \n\t\u00a0é"), max_size=5))
def test_span_ok_is_no_span_issue(text, start, end, quoted):
    from toolkit.checks.validate import _span_ok, span_issues

    for q in (quoted, text[start:end]):
        for s, e in ((start, end), (float(start), end), (start, float(end))):
            span = {"start": s, "end": e, "text": q}
            assert _span_ok(span, text) == (not list(span_issues(span, text, "f", "/x")))


@pytest.mark.parametrize("cold", [False, True], ids=["one-by-one", "threads"])
def test_read_many_reads_every_file_in_order_either_way(tmp_path, monkeypatch, cold):
    """read_many gives each file's bytes in order, None for no path, a missing file or a folder,
    whether it reads one by one or (the disk being slow) with threads, which is forced here."""
    from toolkit.io import read

    monkeypatch.setattr(read, "_PROBE", 3)
    monkeypatch.setattr(read, "_COLD", -1.0 if cold else float("inf"))
    paths, expected = [], []
    for k in range(40):
        if k % 7 == 3:
            paths.append(None if k % 2 else str(tmp_path / f"missing{k}"))
            expected.append(None)
            continue
        f = tmp_path / f"f{k}.txt"
        data = (f"file {k} \u00e9 ".encode() * (k * 4000 + 1))  # some files larger than one read call
        f.write_bytes(data)
        paths.append(str(f))
        expected.append(data)
    for size in (0, 1, read._CHUNK - 1, read._CHUNK, read._CHUNK + 1, 2 * read._CHUNK):  # at and around the read size
        f = tmp_path / f"sized{size}.bin"
        data = bytes(range(256)) * (size // 256) + bytes(size % 256)
        f.write_bytes(data)
        paths.append(str(f))
        expected.append(data)
    sub = tmp_path / "sub"  # files of a second folder, interleaved, and of a folder that is not there
    sub.mkdir()
    for k in range(5):
        (sub / f"g{k}.txt").write_bytes(b"sub %d" % k)
        paths[k * 3:k * 3] = [str(sub / f"g{k}.txt"), str(tmp_path / "nowhere" / f"g{k}.txt")]
        expected[k * 3:k * 3] = [b"sub %d" % k, None]
    paths.append(str(tmp_path))
    expected.append(None)
    assert read.read_many(paths) == expected
