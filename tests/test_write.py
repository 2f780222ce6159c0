"""toolkit/io/write.py: the one place files are written (no overwrite without force, protected folders,
folder/file confusion refused, atomic, ordinary modes, safe names)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from toolkit.io import write
from toolkit.io.write import (Guard, OutputRefused, UnsafeName, check_file, check_folder, ordinary_mode, safe_name,
                              write_bytes, write_files, write_json, write_text)


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_get_the_ordinary_mode(tmp_path, umask022):
    """0o666 masked by the umask, as open() gives (mkstemp's 0o600 was left on every file before)."""
    assert ordinary_mode() == 0o644
    for path in (write_text(tmp_path / "a.txt", "x"), write_json(tmp_path / "b.json", {}), write_bytes(tmp_path / "c", b"")):
        assert mode(path) == 0o644, path
    os.umask(0o002)
    assert mode(write_text(tmp_path / "d.txt", "x")) == 0o664
    assert mode(write_files(tmp_path / "out", {"e.ann": "x", "f.spacy": b"\x00"})[1]) == 0o664


def test_a_replaced_file_keeps_its_mode(tmp_path, umask022):
    path = tmp_path / "a.txt"
    path.write_text("old")
    path.chmod(0o600)
    write_text(path, "new", force=True)
    assert path.read_text() == "new" and mode(path) == 0o600


def test_never_overwrites_without_force(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("precious")
    with pytest.raises(OutputRefused, match="already exists") as exc:
        write_text(path, "new")
    assert "--force" in exc.value.hint
    assert path.read_text() == "precious"
    write_text(path, "new", force=True)
    assert path.read_text() == "new"


def test_no_clobber_even_when_the_file_appears_while_writing(tmp_path, monkeypatch):
    """The check and the write race: the final step is a hard link, which fails when the name exists."""
    path = tmp_path / "a.json"
    real = write.check_file

    def appears(*args, **kwargs):  # the check passes, then someone else writes the file
        result = real(*args, **kwargs)
        path.write_text("theirs")
        return result

    monkeypatch.setattr(write, "check_file", appears)
    with pytest.raises(OutputRefused, match="already exists"):
        write_text(path, "mine")
    assert path.read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary file left


def test_a_crash_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    path.write_text("old")

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OutputRefused, match="No space left"):
        write_text(path, "new" * 1000, force=True)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_folder_where_a_file_belongs_and_file_where_a_folder_belongs(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputRefused, match="is a folder; a file belongs here"):
        check_file(tmp_path / "dir", force=True)
    with pytest.raises(OutputRefused, match="is a file, not a folder"):
        check_file(tmp_path / "file" / "report.txt")
    with pytest.raises(OutputRefused, match="is a file; a folder belongs here"):
        check_folder(tmp_path / "file")
    with pytest.raises(OutputRefused, match="is a file"):
        write_files(tmp_path / "file" / "sub", {"a.json": "{}"})
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../x", "/etc/passwd", "a\\b", "a\x00b", "x" * 256, "é" * 128,
                                  "\ud800"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(UnsafeName):
        safe_name(name)


@pytest.mark.parametrize("name", ["../../outside/x.json", "/tmp/x.json", "a/../../x.json", "C:/x.json", "sub//x.json"])
@pytest.mark.parametrize("subfolders", [False, True])
def test_write_files_never_leaves_its_folder(tmp_path, name, subfolders):
    out = tmp_path / "deep" / "out"
    with pytest.raises(UnsafeName):
        write_files(out, {"ok.json": "{}", name: "{}"}, subfolders=subfolders)
    assert not out.exists()  # checked before the first file is written
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == []


def test_write_files_refuses_a_symlinked_subfolder_that_leaves(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "sub").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafeName, match="would leave"):
        write_files(tmp_path / "out", {"sub/x.json": "{}"}, subfolders=True)
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_names_are_one_file_name_unless_subfolders_are_asked_for(tmp_path):
    with pytest.raises(UnsafeName):
        write_files(tmp_path / "out", {"a/b.json": "{}"})
    assert write_files(tmp_path / "out", {"a/b.json": "{}"}, subfolders=True) == [tmp_path / "out" / "a" / "b.json"]


def test_write_files_checks_every_target_before_writing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.json").write_text("precious")
    with pytest.raises(OutputRefused, match="1 file\\(s\\) already exist"):
        write_files(out, {"a.json": "new", "b.json": "new"})
    assert sorted(p.name for p in out.iterdir()) == ["b.json"] and (out / "b.json").read_text() == "precious"


def corpus(root: Path) -> Path:
    (root / "seeds").mkdir(parents=True)
    (root / "annotations").mkdir()
    return root


def test_guard_protects_the_corpus_from_any_working_directory(tmp_path, monkeypatch):
    repo = corpus(tmp_path / "R")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    guard = Guard.around(repo / "annotations")
    for target in (repo / "seeds" / "x.txt", repo / "annotations" / "x.json", repo / "annotations" / "passes" / "a" / "x.json"):
        with pytest.raises(OutputRefused, match="refusing to write inside"):
            guard.check(target)
    guard.check(repo / "runs" / "x.json")
    guard.check(elsewhere / "x.json")
    # without any anchor: the target's own corpus is found from the target (convert --out seeds from anywhere)
    with pytest.raises(OutputRefused, match="seeds/ folder"):
        Guard().check(repo / "seeds")
    with pytest.raises(OutputRefused, match="git"):
        Guard().check(tmp_path / ".git" / "config")


def test_guard_allows_what_is_the_command_s_job(tmp_path):
    repo = corpus(tmp_path)
    adjudicate = Guard.around(repo / "annotations" / "passes" / "a", allow=("annotations",))
    adjudicate.check(repo / "annotations" / "x.json")
    with pytest.raises(OutputRefused):
        adjudicate.check(repo / "seeds" / "x.txt")
    Guard.around(allow=("annotations", "seeds"), corpora=(repo,)).check(repo / "seeds" / "x.txt")


def test_guard_follows_symlinks(tmp_path):
    repo = corpus(tmp_path / "R")
    (tmp_path / "link").symlink_to(repo / "seeds")
    with pytest.raises(OutputRefused):
        Guard().check(tmp_path / "link" / "x.txt")  # the link resolves into the corpus's seeds/
