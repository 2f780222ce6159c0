"""Security: seeds are read from the corpus's seeds/ only, symlinks out of the corpus are refused and never
quoted, `--system` says it runs code and finds modules in the current folder, `show --html` escapes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TINY = json.loads((FIXTURES / "valid" / "tiny.json").read_text(encoding="utf-8"))
SECRET = "TOPSECRET-4f1c9a"
runner = CliRunner()


@pytest.fixture
def corpus(tmp_path) -> Path:
    r = tmp_path / "R"
    (r / "seeds").mkdir(parents=True)
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", r / "seeds")
    (r / "annotations").mkdir()
    (tmp_path / "outside").mkdir()
    # the secret file has the seed's length, so a span check against it would quote a slice of it
    (tmp_path / "outside" / "secret.txt").write_text((SECRET + " ") * 10)
    return r


def gold_with(corpus: Path, **changes) -> Path:
    data = {**json.loads(json.dumps(TINY)), **changes}
    path = corpus / "annotations" / "tiny.json"
    path.write_text(json.dumps(data))
    return path


def env(**extra):
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", **extra}


def toolkit(*args, cwd=None, environ=None, python=(sys.executable,)):
    return subprocess.run([*python, "-c", "from toolkit.cli import main; main()", *map(str, args)], cwd=cwd,
                          env=environ or env(), capture_output=True, text=True, errors="backslashreplace")


def test_a_seed_file_outside_seeds_is_reported_and_not_read(corpus):
    """With "seed_file": "/proc/self/environ", validate used to read it and quote a token in span-text-mismatch."""
    gold = gold_with(corpus, seed_file="/proc/self/environ")
    result = toolkit("validate", corpus / "annotations", environ=env(API_TOKEN=SECRET))
    assert result.returncode == 1
    assert SECRET not in result.stdout + result.stderr
    assert f"{gold}:/seed_file: error [invalid-value]" in result.stderr
    assert "span-text-mismatch" not in result.stderr
    for seed_file in (str(corpus.parent / "outside" / "secret.txt"), "../outside/secret.txt", "seeds/../../outside/secret.txt",
                      "seeds/" + "x" * 300 + ".txt"):
        gold_with(corpus, seed_file=seed_file)
        result = runner.invoke(app, ["validate", str(corpus / "annotations")])
        assert result.exit_code == 1 and SECRET not in result.output, seed_file
        assert "[invalid-value]" in result.stderr and "span-text-mismatch" not in result.stderr


def test_a_seed_symlinked_out_of_seeds_is_refused(corpus):
    (corpus / "seeds" / "tiny.txt").unlink()
    (corpus / "seeds" / "tiny.txt").symlink_to(corpus.parent / "outside" / "secret.txt")
    gold = gold_with(corpus)
    for args in (["validate", corpus / "annotations"], ["eval", "--gold", corpus / "annotations", "--system", "empty"]):
        result = runner.invoke(app, list(map(str, args)))
        assert result.exit_code == 1, result.output
        assert SECRET not in result.output
        assert f"{gold}:/seed_file: error [outside-corpus]" in result.stderr
        assert str(corpus.parent / "outside" / "secret.txt") in result.stderr  # it says where the link leads


def test_a_seeds_folder_that_is_a_link_out_of_the_corpus_is_refused(corpus):
    # the whole seeds/ replaced by a link to a folder elsewhere (a contributed change can do that): the text
    # there is never read, so a span-text-mismatch can never quote it
    outside = corpus.parent / "outside"
    shutil.copy(corpus / "seeds" / "tiny.txt", outside / "tiny.txt")
    (outside / "tiny.txt").write_text(SECRET + " " + (outside / "tiny.txt").read_text(encoding="utf-8"), encoding="utf-8")
    shutil.rmtree(corpus / "seeds")
    (corpus / "seeds").symlink_to(outside, target_is_directory=True)
    gold = gold_with(corpus)
    for args in (["validate", corpus / "annotations"], ["eval", "--gold", corpus / "annotations", "--system", "empty"],
                 ["show", "tiny", "--gold", corpus / "annotations"]):
        result = runner.invoke(app, list(map(str, args)))
        assert result.exit_code in (1, 2), (args, result.output)
        assert SECRET not in result.output, args
    result = runner.invoke(app, ["validate", str(corpus / "annotations")])
    assert f"{gold}:/seed_file: error [outside-corpus]" in result.stderr


def test_a_symlink_inside_seeds_is_followed(corpus):
    (corpus / "seeds" / "store").mkdir()
    shutil.move(corpus / "seeds" / "tiny.txt", corpus / "seeds" / "store" / "tiny.txt")
    (corpus / "seeds" / "tiny.txt").symlink_to(corpus / "seeds" / "store" / "tiny.txt")
    gold_with(corpus)
    assert runner.invoke(app, ["validate", str(corpus / "annotations")]).exit_code == 0


def test_a_gold_file_symlinked_out_of_the_corpus_is_refused(corpus):
    outside = corpus.parent / "outside" / "tiny.json"
    outside.write_text(json.dumps(TINY))
    link = corpus / "annotations" / "tiny.json"
    link.symlink_to(outside)
    result = runner.invoke(app, ["validate", str(corpus / "annotations")])
    assert result.exit_code == 1
    assert f"{link}: error [outside-corpus]" in result.stderr and str(outside) in result.stderr
    assert runner.invoke(app, ["eval", "--gold", str(corpus / "annotations"), "--system", "empty"]).exit_code == 1
    # a link that stays inside the corpus is followed
    (corpus / "store").mkdir()
    shutil.move(outside, corpus / "store" / "tiny.json")
    link.unlink()
    link.symlink_to(corpus / "store" / "tiny.json")
    assert runner.invoke(app, ["validate", str(corpus / "annotations")]).exit_code == 0


def test_a_draft_id_that_names_a_path_is_not_read(corpus):
    draft = {**json.loads(json.dumps(TINY)), "doc_id": "../../outside/secret"}
    (corpus / "draft.json").write_text(json.dumps(draft))
    result = runner.invoke(app, ["anchor", str(corpus / "draft.json"), "--out", str(corpus / "out")])
    assert result.exit_code == 1 and SECRET not in result.output
    assert f"{corpus / 'draft.json'}:/doc_id: error [invalid-value]" in result.stderr


def test_system_says_it_runs_code(corpus):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "runs code" in readme or "runs that code" in readme
    for command in ("eval", "show"):
        help_text = re.sub(r"[\s\u2502]+", " ", runner.invoke(app, [command, "--help"]).output)  # without the box lines
        assert "imports and runs that code" in help_text, command


def test_a_system_in_the_current_folder_needs_no_pythonpath(corpus, tmp_path):
    """The console script puts no folder on sys.path; `python -P` neither (so this fails without the fix)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "mymodule.py").write_text("def fn(text):\n    return {'entities': []}\n")
    gold_with(corpus)
    result = toolkit("eval", "--gold", corpus / "annotations", "--system", "mymodule:fn",
                     "--tasks", "entities", "--format", "json", cwd=work, python=(sys.executable, "-P"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entities"]["micro"]["strict"]["possible"] == 6


def test_show_html_escapes_what_the_data_holds(corpus, tmp_path):
    evil = '<script>alert("x")</script>\' onmouseover="alert(1)'
    gold = json.loads(json.dumps(TINY))
    gold["entities"][0]["name"] = evil
    gold["notes"] = evil
    (corpus / "annotations" / "tiny.json").write_text(json.dumps(gold))
    pred = {"doc_id": "tiny", "entities": [{"type": "PER", "name": evil, "id": evil[:60],
                                            "mentions": [{"text": "Choi Sang-mok", "id": "M<b>1"}]}]}
    (tmp_path / "pred.json").write_text(json.dumps(pred))
    page = tmp_path / "view.html"
    result = runner.invoke(app, ["show", "tiny", "--gold", str(corpus / "annotations"), "--pred", str(tmp_path / "pred.json"),
                                 "--html", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and 'onmouseover="alert' not in html and "M<b>1" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
