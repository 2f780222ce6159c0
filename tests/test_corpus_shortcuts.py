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


def _mixed_files(tmp_path):
    """Paths for read_many and what it must give: files of two folders, some larger than one read
    call and some at and around its size, no path, missing files, a missing folder, a folder, and
    a file whose name is not UTF-8."""
    from toolkit.io import many

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
    for size in (0, 1, many._CHUNK - 1, many._CHUNK, many._CHUNK + 1, 2 * many._CHUNK):  # at and around the read size
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
    odd = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")  # Latin-1 bytes: the name decodes with a surrogate
    with open(odd, "wb") as f:
        f.write(b"odd name")
    paths.append(os.fsdecode(odd))
    expected.append(b"odd name")
    paths.append(str(tmp_path))
    expected.append(None)
    return paths, expected


@pytest.mark.parametrize("cold", [False, True], ids=["one-by-one", "threads"])
def test_read_many_reads_every_file_in_order_either_way(tmp_path, monkeypatch, cold):
    """read_many gives each file's bytes in order, None for no path, a missing file or a folder,
    whether it reads one by one or (the disk being slow) with threads, which is forced here."""
    from toolkit.io import many

    monkeypatch.setattr(many, "_PROBE", 3)
    monkeypatch.setattr(many, "_COLD", -1.0 if cold else float("inf"))
    paths, expected = _mixed_files(tmp_path)
    assert many.read_many(paths) == expected


def _spy_on_processes(monkeypatch) -> list:
    """The argument lists of the processes started from here on (subprocess.Popen, still run)."""
    import subprocess

    started, real = [], subprocess.Popen

    def spy(args, *rest, **kwargs):
        started.append(list(args))
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    return started


def test_read_many_aside_gives_what_read_many_gives(tmp_path, monkeypatch):
    """The files read by a process of their own (forced for a few files here) are read_many's
    result, byte for byte, None where read_many gives None; under the threshold no process starts."""
    from toolkit.io import many

    paths, expected = _mixed_files(tmp_path)
    started = _spy_on_processes(monkeypatch)
    monkeypatch.setattr(many, "ASIDE_AT", len(paths) + 1)
    assert many.read_many_aside(paths)() == expected and started == []
    monkeypatch.setattr(many, "ASIDE_AT", 1)
    later = many.read_many_aside(paths)
    assert len(started) == 1 and started[0][-1] == os.path.abspath(many.__file__)
    assert later() == expected
    assert many.read_many_aside([])() == [] and len(started) == 1  # nothing to read: no process


@pytest.mark.parametrize("reader", ["/bin/false", "/bin/echo", "/no/such/interpreter"])
def test_read_many_aside_reads_here_when_the_reader_process_fails(tmp_path, monkeypatch, reader):
    """A reader process that fails, one that writes something else than the files (echo prints its
    arguments and exits 0), one that cannot start: the files are read here, with the same result."""
    from toolkit.io import many

    paths, expected = _mixed_files(tmp_path)
    monkeypatch.setattr(many, "ASIDE_AT", 1)
    monkeypatch.setattr(many.sys, "executable", reader)
    assert many.read_many_aside(paths)() == expected


def test_read_many_aside_leaves_a_path_with_nul_to_read_many(tmp_path, monkeypatch):
    """No file name holds a NUL (the reader process's separator): a list with one starts no process,
    and reading it does what read_many does with it (the system refuses such a path)."""
    from toolkit.io import many

    (tmp_path / "a.txt").write_bytes(b"a")
    paths = [str(tmp_path / "a.txt"), str(tmp_path / "b\0.txt")]
    monkeypatch.setattr(many, "ASIDE_AT", 1)
    started = _spy_on_processes(monkeypatch)
    later = many.read_many_aside(paths)
    assert started == []
    with pytest.raises(ValueError):
        many.read_many(paths)
    with pytest.raises(ValueError):
        later()
