"""`toolkit eval`: exit codes 0/1/2, streams, formats, and clear errors for bad prediction files."""

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from toolkit.checks.gold import split_drafts
from toolkit.dataset.gold import load_gold
from toolkit.cli import app

EVAL = Path(__file__).parent / "fixtures" / "eval"
GOLD = str(EVAL / "gold")
PRED = str(EVAL / "pred")
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["eval", "--gold", GOLD, *args])


def clean_exit(result):
    """No traceback, and no exception other than the intended exit."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_scores_exit_0_text():
    result = run("--pred", PRED)
    assert result.exit_code == 0, result.output
    clean_exit(result)
    assert "2 document(s) scored" in result.stdout
    assert "strict" in result.stdout and "0.7333" in result.stdout  # strict micro F1 = 11/15
    assert result.stderr == ""


def test_json_output_is_the_report_dict():
    result = run("--pred", PRED, "--format", "json", "--errors")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["entities"]["micro"]["strict"]["f1"] == pytest.approx(11 / 15)
    assert data["events"]["trigger_classification"]["tp"] == 3
    assert data["stances"]["labels"]["f_avg"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert data["entities"]["per_type"]["COMMODITY"]["strict"]["recall"] is None  # null, never 0
    assert len(data["errors"]) == 22


def test_csv_and_markdown_outputs():
    csv = run("--pred", PRED, "--format", "csv")
    assert csv.exit_code == 0
    df = pd.read_csv(io.StringIO(csv.stdout))
    assert df[(df.task == "events") & (df.metric == "trigger_identification") & (df.label == "ALL")].f1.iloc[0] == pytest.approx(8 / 11)
    md = run("--pred", PRED, "--format", "markdown", "--tasks", "entities")
    assert md.exit_code == 0
    assert "| strict | 11 | 3 | 0 | 1 | 1 | 15 | 15 |" in md.stdout
    assert "Events" not in md.stdout


def test_errors_listing_names_document_offsets_and_text():
    result = run("--pred", PRED, "--errors", "--tasks", "entities,events")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.split()[:5] == ["alpha", "entities", "type-confusion", "18", "31"] and "Scott Bessent" in line for line in lines)
    assert any(line.startswith("beta") and "events" in line and "false-negative" in line and "discuss" in line for line in lines)


def test_options_change_the_scores():
    names = json.loads(run("--pred", PRED, "--format", "json", "--mention-kinds", "name", "--tasks", "entities").stdout)
    assert names["options"]["mention_kinds"] == ["name"]
    assert names["entities"]["micro"]["strict"]["possible"] == 12
    coref = json.loads(run("--pred", PRED, "--format", "json", "--coref-args", "--tasks", "events").stdout)
    assert coref["events"]["per_item"]["argument_classification"]["tp"] == 7  # --coref-args: the per-item variant
    assert coref["events"]["argument_classification"]["tp"] == 6  # TextEE ignores it


def test_missing_prediction_warns_on_stderr_and_scores():
    result = run("--pred", str(EVAL / "pred" / "alpha.json"), "--verbose")
    assert result.exit_code == 0
    assert "warning [missing-prediction] no prediction for gold document 'beta'" in result.stderr
    assert "scored as predicting nothing" in result.stdout
    summary = run("--pred", str(EVAL / "pred" / "alpha.json"))
    assert summary.exit_code == 0 and summary.stdout == result.stdout
    assert "warning [missing-prediction]" not in summary.stderr
    assert "0 error(s), 1 warning(s)" in summary.stderr and "missing-prediction x1" in summary.stderr
    quiet = run("--pred", str(EVAL / "pred" / "alpha.json"), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == result.stdout


def test_jsonl_predictions():
    result = run("--pred", str(EVAL / "pred.jsonl"), "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout)["documents"]["scored"] == 2


@pytest.mark.parametrize(
    "name,expected",
    [
        ("malformed.json", "malformed.json: error [invalid-json] malformed JSON at line 1, column"),
        ("unknown-label.json", "unknown-label.json:/entities/1/type: error [unknown-label] unknown entity type 'PERSON'"),
        ("unanchored-quote.json", "unanchored-quote.json:/entities/0/mentions/0/text: error [unanchored-quote] 'Choi Sangmok' does not occur in the text"),
        ("unknown-document.json", "unknown-document.json:/doc_id: error [unknown-document] doc_id 'gamma' is not a gold document"),
    ],
)
def test_bad_prediction_files_exit_1_with_clear_errors_when_strict(name, expected):
    result = run("--pred", str(EVAL / "bad" / name), "--strict")
    assert result.exit_code == 1
    clean_exit(result)
    assert expected in result.stderr
    assert "nothing scored" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["malformed.json", "unknown-label.json", "unanchored-quote.json", "unknown-document.json"])
def test_bad_prediction_files_are_scored_with_exit_3(name):
    """Without --strict every error is counted and the rest scored: exit 3 says something was refused."""
    result = run("--pred", str(EVAL / "bad" / name), "--format", "json")
    assert result.exit_code == 3, result.output
    clean_exit(result)
    data = json.loads(result.stdout)
    assert data["documents"]["scored"] == 2
    assert "error(s)" in result.stderr and "--verbose lists each" in result.stderr
    verbose = run("--pred", str(EVAL / "bad" / name), "--verbose")
    assert verbose.exit_code == 3 and "error [" in verbose.stderr
    assert run("--pred", str(EVAL / "bad" / name), "--quiet").stderr == ""


def test_hints_are_printed():
    result = run("--pred", str(EVAL / "bad" / "unknown-label.json"), "--verbose")
    assert "hint: did you mean" in result.stderr
    assert "hint: did you mean" in run("--pred", str(EVAL / "bad" / "unknown-label.json"), "--strict").stderr


def test_invalid_gold_exits_1():
    result = runner.invoke(app, ["eval", "--gold", str(Path(__file__).parent / "fixtures" / "invalid"), "--pred", PRED])
    assert result.exit_code == 1
    clean_exit(result)
    assert "the gold annotations do not validate" in result.stderr


def test_missing_paths_exit_2():
    result = run("--pred", str(EVAL / "no-such-folder"))
    assert result.exit_code == 2  # a path that does not exist is a usage error
    assert "no such file or folder" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],  # neither --pred nor --system
        ["--pred", PRED, "--tasks", "entities,relations"],
        ["--pred", PRED, "--tasks", ""],
        ["--pred", PRED, "--mention-kinds", "proper"],
        ["--pred", PRED, "--format", "yaml"],
        ["--pred", PRED, "--system", "empty"],
        ["--pred", PRED, "--no-such-option"],
        ["--pred", PRED, "--fuzzy", "0"],
        ["--pred", PRED, "--fuzzy", "1.5"],
        ["--pred", PRED, "--verbose", "--quiet"],
    ],
)
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    clean_exit(result)


def test_system_run_on_the_gold_texts():
    result = run("--system", "empty", "--format", "json", "--tasks", "entities")
    assert result.exit_code == 0
    strict = json.loads(result.stdout)["entities"]["micro"]["strict"]
    assert (strict["recall"], strict["precision"]) == (0.0, None)


def test_unknown_system_exits_2():
    result = run("--system", "no.such.module:extract")
    assert result.exit_code == 2  # a system that cannot be loaded is a usage error
    clean_exit(result)
    assert "cannot import" in result.stderr


def test_eval_writes_nothing(tmp_path, monkeypatch):
    def snapshot(folder):
        return {p: p.stat().st_mtime_ns for p in folder.rglob("*")}

    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    fixtures_before = snapshot(EVAL)
    for fmt in ("text", "json", "csv", "markdown"):
        assert run("--pred", PRED, "--format", fmt, "--errors").exit_code == 0
    assert list(cwd.iterdir()) == []
    assert snapshot(EVAL) == fixtures_before


def test_bootstrap_adds_reproducible_intervals():
    first = run("--pred", PRED, "--format", "json", "--bootstrap", "200", "--seed", "4")
    again = run("--pred", PRED, "--format", "json", "--bootstrap", "200", "--seed", "4")
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data == json.loads(again.stdout)
    boot = data["bootstrap"]
    assert (boot["resamples"], boot["seed"], boot["documents"]) == (200, 4, 2)
    strict = boot["intervals"]["entities.micro.strict.f1"]
    assert strict["estimate"] == data["entities"]["micro"]["strict"]["f1"]
    assert strict["low"] <= strict["estimate"] <= strict["high"]
    text = run("--pred", PRED, "--bootstrap", "50")
    assert "percentile-bootstrap intervals (50 resamples of the 2 documents, seed 0)" in text.stdout
    assert "bootstrap" not in json.loads(run("--pred", PRED, "--format", "json").stdout)


def test_bootstrap_rejects_a_negative_count():
    result = run("--pred", PRED, "--bootstrap", "-5")
    assert result.exit_code == 2
    clean_exit(result)


def test_save_pred_keeps_the_system_output_and_rescores_identically(tmp_path):
    out = tmp_path / "runs" / "baseline"
    saved = runner.invoke(app, ["eval", "--system", "baseline", "--save-pred", str(out), "--format", "json"])
    assert saved.exit_code == 0, saved.output
    files = sorted(p.name for p in out.glob("*.json"))
    gold, _ = split_drafts(load_gold("annotations"))  # a draft is not scored, so the system is not run on it
    assert files == sorted(f"{doc_id}.json" for doc_id in gold)
    assert f"saved {len(files)} prediction file(s) of baseline in {out}" in saved.stderr
    rescored = runner.invoke(app, ["eval", "--pred", str(out), "--format", "json"])
    assert rescored.exit_code == 0, rescored.output
    drop = lambda d: {k: v for k, v in d.items() if k != "documents"}  # noqa: E731
    assert drop(json.loads(rescored.stdout)) == drop(json.loads(saved.stdout))


def test_save_pred_refuses_protected_folders_and_pred_files(tmp_path):
    before = sorted(p.name for p in Path("annotations").iterdir())
    for target in ("annotations/baseline", "seeds"):
        result = runner.invoke(app, ["eval", "--system", "baseline", "--save-pred", target])
        assert result.exit_code == 2 and "refusing to write inside" in result.stderr
        clean_exit(result)
    assert sorted(p.name for p in Path("annotations").iterdir()) == before
    result = run("--pred", PRED, "--save-pred", str(tmp_path / "x"))
    assert result.exit_code == 2 and not (tmp_path / "x").exists()


def test_save_pred_reports_an_output_that_is_not_json(tmp_path, monkeypatch):
    (tmp_path / "setty.py").write_text("def run(text):\n    return {'entities': {1, 2}}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    result = runner.invoke(app, ["eval", "--system", "setty:run", "--save-pred", str(tmp_path / "out")])
    assert result.exit_code == 1
    clean_exit(result)
    assert "cannot be saved as JSON" in result.stderr and "document '000_f9a79c641ca46a11'" in result.stderr


def test_plugin_system_is_loaded_scored_and_compared(tmp_path, monkeypatch):
    """A user's module:function: every occurrence of "Seoul" as a GPE mention, by quote and occurrence.
    Expected counts from the gold by plain string search (for the five documents of 2025: 460 mentions,
    4 "Seoul"s, all GPE mentions: P = 4/4, R = 4/460, F1 = 8/464)."""
    (tmp_path / "seoul_ie.py").write_text(
        "def extract(text, doc_id):\n"
        "    n = text.count('Seoul')\n"
        "    mentions = [{'text': 'Seoul', 'occurrence': k} for k in range(n)]\n"
        "    return {'doc_id': doc_id, 'entities': [{'type': 'GPE', 'mentions': mentions}] if n else []}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    result = runner.invoke(app, ["eval", "--system", "seoul_ie:extract", "--tasks", "entities", "--format", "json"])
    assert result.exit_code == 0, result.output
    strict = json.loads(result.stdout)["entities"]["micro"]["strict"]
    gold, _ = split_drafts(load_gold("annotations"))
    gpe = {(d.doc_id, m.span.start, m.span.end) for d in gold.values() for m in d.mentions() if m.entity_type == "GPE"}
    seoul = {(d.doc_id, k, k + 5) for d in gold.values() for k in range(len(d.text)) if d.text.startswith("Seoul", k)}
    possible = sum(1 for d in gold.values() for _ in d.mentions())
    assert (strict["correct"], strict["spurious"], strict["possible"]) == (len(seoul & gpe), len(seoul - gpe), possible)
    assert strict["f1"] == pytest.approx(2 * len(seoul & gpe) / (possible + len(seoul)))
    cmp = runner.invoke(app, ["compare", "system:seoul_ie:extract", "system:empty", "--tasks", "entities",
                              "--resamples", "200", "--format", "json"])
    assert cmp.exit_code == 0, cmp.output
    data = json.loads(cmp.stdout)
    assert data["ranking"] == ["seoul_ie:extract", "empty"]
    assert data["systems"]["seoul_ie:extract"]["source"] == "system:seoul_ie:extract"
