"""Every command that writes: never over a file without --force, never into annotations/ or seeds/ unless
that is its job (from any working directory), folders and files not confused, ordinary modes, no id
that leaves its output folder. README, "What each command writes"."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TINY = json.loads((FIXTURES / "valid" / "tiny.json").read_text(encoding="utf-8"))
runner = CliRunner()


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


REPO = {name: digest(ROOT / name) for name in ("annotations", "seeds")}


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A corpus R (seeds/, annotations/, passes, a draft, counts) and a working directory elsewhere."""
    r = tmp_path / "R"
    (r / "seeds").mkdir(parents=True)
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", r / "seeds")
    (r / "annotations" / "passes" / "a").mkdir(parents=True)
    (r / "annotations" / "passes" / "b").mkdir()
    for where in ("annotations", "annotations/passes/a", "annotations/passes/b"):
        shutil.copy(FIXTURES / "valid" / "tiny.json", r / where)
    (r / "decisions.csv").write_text("doc_id,layer,only_in,start,end,text,label,detail,decision,reason\n")
    draft = json.loads(json.dumps(TINY))
    for e in draft["entities"]:
        for m in e["mentions"]:
            del m["start"], m["end"]
    (r / "draft.json").write_text(json.dumps(draft))
    counts = runner.invoke(app, ["eval", "--gold", str(r / "annotations"), "--pred", str(r / "annotations" / "tiny.json"),
                                 "--counts-only"])
    assert counts.exit_code == 0, counts.output
    (r / "counts.json").write_text(counts.stdout)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    old = os.umask(0o022)
    yield r
    os.umask(old)


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "internal error" not in result.output and "Traceback" not in result.output
    return result


# (name, arguments given the corpus R and an output path, the file it writes there, or None when OUT is that file)
WRITERS = [
    ("eval --out", lambda r, out: ["eval", "--gold", r / "annotations", "--pred", r / "annotations" / "tiny.json", "--out", out], None),
    ("eval --counts-only --out", lambda r, out: ["eval", "--gold", r / "annotations", "--system", "empty", "--counts-only",
                                                 "--out", out], None),
    ("eval --save-pred", lambda r, out: ["eval", "--gold", r / "annotations", "--system", "empty", "--save-pred", out], "tiny.json"),
    ("merge --out", lambda r, out: ["merge", r / "counts.json", "--out", out], None),
    ("show --html", lambda r, out: ["show", "tiny", "--gold", r / "annotations", "--html", out], None),
    ("convert", lambda r, out: ["convert", r / "annotations", "--from", "json", "--to", "brat", "--out", out], "tiny.ann"),
    ("anchor", lambda r, out: ["anchor", r / "draft.json", "--out", out], "tiny.json"),
    ("adjudicate", lambda r, out: ["adjudicate", r / "annotations" / "passes" / "a", r / "annotations" / "passes" / "b",
                                   r / "decisions.csv", "--out", out], "tiny.json"),
]
IDS = [w[0] for w in WRITERS]


@pytest.mark.parametrize("name,args,inside", WRITERS, ids=IDS)
def test_never_overwrites_without_force(repo, tmp_path, name, args, inside):
    out = tmp_path / "out" / ("result" if inside else "result.txt")
    first = run(*args(repo, out))
    assert first.exit_code == 0, first.output
    target = out / inside if inside else out
    assert target.is_file()
    target.write_text("precious")
    again = run(*args(repo, out))
    assert again.exit_code == 2, again.output
    # which file (a folder writer names its folder and the first few files), and how to proceed
    assert (str(target) in again.stderr or str(out) in again.stderr and "already exist" in again.stderr) and "--force" in again.stderr
    assert target.read_text() == "precious"
    forced = run(*args(repo, out), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_text() != "precious"


@pytest.mark.parametrize("name,args,inside", WRITERS, ids=IDS)
def test_files_get_ordinary_modes(repo, tmp_path, name, args, inside):
    out = tmp_path / "out" / ("result" if inside else "result.txt")
    assert run(*args(repo, out)).exit_code == 0
    files = [p for p in (out.rglob("*") if inside else [out]) if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path  # 0o666 under umask 022; mkstemp gave 0o600


@pytest.mark.parametrize("name,args,inside", WRITERS, ids=IDS)
def test_never_writes_into_the_seeds_from_any_working_directory(repo, name, args, inside):
    before = digest(repo / "seeds")
    for out in (repo / "seeds" / ("x" if inside else "x.txt"), repo / "seeds"):
        result = run(*args(repo, out))
        assert result.exit_code == 2, (out, result.output)
        assert "refusing to write inside" in result.stderr
    assert digest(repo / "seeds") == before


@pytest.mark.parametrize("name,args,inside", [w for w in WRITERS if w[0] not in ("anchor", "adjudicate")],
                         ids=[i for i in IDS if i not in ("anchor", "adjudicate")])
def test_never_writes_into_the_annotations_unless_it_is_its_job(repo, name, args, inside):
    before = digest(repo / "annotations")
    for out in (repo / "annotations" / ("x" if inside else "x.txt"), repo / "annotations" / "passes"):
        result = run(*args(repo, out))
        assert result.exit_code == 2, (out, result.output)
    assert digest(repo / "annotations") == before


def test_protection_holds_for_relative_paths_inside_the_corpus(repo, monkeypatch):
    """convert --out annotations, convert --to brat --out seeds, anchor --out seeds, run in the corpus."""
    monkeypatch.chdir(repo)
    before = digest(repo)
    for args in (["convert", "annotations", "--from", "json", "--to", "json", "--out", "annotations"],
                 ["convert", "annotations", "--from", "json", "--to", "brat", "--out", "seeds"],
                 ["anchor", "draft.json", "--out", "seeds"],
                 ["eval", "--system", "empty", "--out", "seeds/x.txt"]):
        result = run(*args)
        assert result.exit_code == 2 and "refusing to write inside" in result.stderr, (args, result.output)
    assert digest(repo) == before


def test_anchor_and_adjudicate_write_annotation_files_but_only_what_they_announce(repo):
    (repo / "annotations" / "tiny.json").unlink()
    result = run("anchor", repo / "draft.json", "--out", repo / "annotations")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {repo / 'annotations' / 'tiny.json'}"
    args = ("adjudicate", repo / "annotations" / "passes" / "a", repo / "annotations" / "passes" / "b",
            repo / "decisions.csv", "--out", repo / "annotations")
    result = run(*args)  # the same content: left as it is, no --force needed
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"unchanged {repo / 'annotations' / 'tiny.json'}"
    (repo / "annotations" / "tiny.json").write_text("{}")
    assert run(*args).exit_code == 2 and (repo / "annotations" / "tiny.json").read_text() == "{}"
    result = run(*args, "--force")
    assert result.exit_code == 0 and result.stdout.strip() == f"wrote {repo / 'annotations' / 'tiny.json'}"


@pytest.mark.parametrize("name,args,inside", WRITERS, ids=IDS)
def test_a_folder_where_a_file_belongs_and_a_file_where_a_folder_belongs(repo, tmp_path, name, args, inside):
    wrong = tmp_path / "wrong"
    if inside:  # a folder belongs here: give a file
        wrong.write_text("precious")
        expected = "is a file"
    else:  # a file belongs here: give a folder
        wrong.mkdir()
        expected = "is a folder"
    result = run(*args(repo, wrong))
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "internal error" not in result.stderr
    if inside:
        assert wrong.read_text() == "precious"
    else:
        assert list(wrong.iterdir()) == []


def test_a_file_whose_folder_is_a_file_is_refused(repo, tmp_path):
    (tmp_path / "f").write_text("x")
    result = run("eval", "--gold", repo / "annotations", "--system", "empty", "--out", tmp_path / "f" / "report.txt")
    assert result.exit_code == 2 and "is a file, not a folder" in result.stderr


@pytest.mark.parametrize("doc_id", ["../../outside/x", "ABSOLUTE", "a/b", "x/../../y", "x" * 300])
def test_ids_never_leave_the_output_folder(tmp_path, doc_id):
    doc_id = str(tmp_path / "absolute-x") if doc_id == "ABSOLUTE" else doc_id
    iob = tmp_path / "pred.iob2"
    iob.write_text(f"# doc_id = {doc_id}\nChoi\t0\t4\tB-PER\n\n", encoding="utf-8")
    out = tmp_path / "a" / "b" / "out"
    before = sorted(p for p in tmp_path.rglob("*"))
    result = run("convert", iob, "--from", "iob2", "--to", "json", "--out", out)
    assert result.exit_code == 1, result.output
    assert "cannot be a file name" in result.stderr or "document id" in result.stderr  # the writer's check, or the importer's
    assert sorted(p for p in tmp_path.rglob("*")) == before  # also no tmp_path/absolute-x.json


def test_new_writes_exactly_its_two_files_with_ordinary_modes(tmp_path):
    old = os.umask(0o022)
    try:
        (tmp_path / "t.txt").write_text("Some text.")
        result = run("new", tmp_path / "t.txt", "--root", tmp_path / "R")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(tmp_path / "R").as_posix() for p in (tmp_path / "R").rglob("*") if p.is_file())
    assert files == ["annotations/t.json", "seeds/t.txt"]
    for f in files:
        assert stat.S_IMODE((tmp_path / "R" / f).stat().st_mode) == 0o644


def test_the_repository_is_untouched():
    assert {name: digest(ROOT / name) for name in ("annotations", "seeds")} == REPO
