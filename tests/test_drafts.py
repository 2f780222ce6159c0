"""A document added by `toolkit new` is a draft ("status": "draft") until it is annotated and adjudicated:
eval and compare do not score systems against it, publish leaves it out, adjudicate makes it gold."""

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from toolkit.annotation.adjudicate import adjudicate
from toolkit.checks.gold import split_drafts
from toolkit.checks.validate import load_corpus, validate_paths
from toolkit.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
EVAL = FIXTURES / "eval"
runner = CliRunner()


def project_with_a_draft(tmp_path: Path) -> Path:
    """The eval fixture's gold (alpha, beta) in annotations/, plus a text added with `toolkit new` as 'gamma'."""
    shutil.copytree(EVAL / "seeds", tmp_path / "seeds")
    shutil.copytree(EVAL / "gold", tmp_path / "annotations")
    (tmp_path / "gamma.txt").write_text("Seoul and Washington resumed talks on Monday.\n", encoding="utf-8")
    result = runner.invoke(app, ["new", str(tmp_path / "gamma.txt"), "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "status draft" in result.stdout
    return tmp_path


def test_new_writes_a_valid_draft(tmp_path):
    root = project_with_a_draft(tmp_path)
    data = json.loads((root / "annotations" / "gamma.json").read_text(encoding="utf-8"))
    assert data["status"] == "draft" and data["entities"] == data["events"] == data["stances"] == []
    assert validate_paths([root / "annotations"]).issues == []
    docs = load_corpus(root / "annotations")
    assert docs["gamma"].is_draft and not docs["alpha"].is_draft
    assert docs["gamma"].to_dict()["status"] == "draft"  # the field survives a round trip
    gold, drafts = split_drafts(docs)
    assert sorted(gold) == ["alpha", "beta"] and drafts == ["gamma"]


def test_an_unknown_status_is_reported(tmp_path):
    root = project_with_a_draft(tmp_path)
    path = root / "annotations" / "gamma.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"draft"', '"done"'), encoding="utf-8")
    (issue,) = validate_paths([path]).issues
    assert (issue.code, issue.pointer) == ("invalid-value", "/status") and "draft" in issue.message


def test_eval_and_compare_skip_the_draft_with_a_note(tmp_path):
    root = project_with_a_draft(tmp_path)
    shutil.copytree(EVAL / "pred", root / "pred")
    # a prediction for the draft is ignored, not an unknown-document error
    (root / "pred" / "gamma.json").write_text(json.dumps(
        {"doc_id": "gamma", "entities": [{"type": "GPE", "mentions": [{"text": "Seoul"}]}]}), encoding="utf-8")
    expected = runner.invoke(app, ["eval", "--gold", str(EVAL / "gold"), "--pred", str(EVAL / "pred"), "--format", "json"])
    assert expected.exit_code == 0, expected.output
    result = runner.invoke(app, ["eval", "--gold", str(root / "annotations"), "--pred", str(root / "pred"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "gamma is a draft" in result.stderr and "not scored" in result.stderr
    assert "unknown-document" not in result.stderr and "missing-prediction" not in result.stderr
    assert json.loads(result.stdout) == json.loads(expected.stdout)  # the same scores as without the draft
    system = runner.invoke(app, ["eval", "--gold", str(root / "annotations"), "--system", "baseline", "--format", "json"])
    assert system.exit_code == 0 and "gamma is a draft" in system.stderr
    assert json.loads(system.stdout)["documents"]["ids"] == ["alpha", "beta"]
    cmp = runner.invoke(app, ["compare", str(root / "pred"), "system:empty", "--gold", str(root / "annotations"),
                              "--resamples", "10", "--format", "json"])
    assert cmp.exit_code == 0, cmp.output
    assert json.loads(cmp.stdout)["documents"] == 2 and "gamma is a draft" in cmp.stderr


def test_publish_leaves_the_draft_out(tmp_path):
    root = project_with_a_draft(tmp_path)
    result = runner.invoke(app, ["publish", "--gold", str(root / "annotations"), "--out", str(root / "out")])
    assert result.exit_code == 0, result.output
    assert "gamma is a draft" in result.stderr and "published 2 documents" in result.stdout
    from toolkit.dataset.publish import load_published

    assert sorted(load_published(root / "out")) == ["alpha", "beta"]


def test_only_drafts_is_nothing_to_publish(tmp_path):
    root = project_with_a_draft(tmp_path)
    for name in ("alpha", "beta"):
        (root / "annotations" / f"{name}.json").unlink()
    result = runner.invoke(app, ["publish", "--gold", str(root / "annotations"), "--out", str(root / "out")])
    assert result.exit_code == 1 and "no adjudicated annotation files" in result.stderr
    ev = runner.invoke(app, ["eval", "--gold", str(root / "annotations"), "--system", "empty"])
    assert ev.exit_code == 1 and "no gold documents" in ev.stderr


def test_adjudication_makes_a_draft_gold(tmp_path):
    """An annotator who started pass A from the file `toolkit new` wrote keeps its status; the adjudicated
    result drops it, so the document becomes gold."""
    root = project_with_a_draft(tmp_path)
    for name in ("a", "b"):
        folder = root / "passes" / name
        folder.mkdir(parents=True)
        data = json.loads((root / "annotations" / "alpha.json").read_text(encoding="utf-8"))
        data["status"] = "draft"
        (folder / "alpha.json").write_text(json.dumps(data), encoding="utf-8")
    (root / "decisions.csv").write_text("doc_id,layer,only_in,start,end,text,label,detail,decision,reason\n", encoding="utf-8")
    gold = adjudicate(root / "passes" / "a", root / "passes" / "b", root / "decisions.csv")
    assert "status" not in gold["alpha"] and gold["alpha"]["entities"]
