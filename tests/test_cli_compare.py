"""`toolkit compare`: systems side by side on the same gold, pairwise tests, clear usage errors."""

import json
from pathlib import Path

from typer.testing import CliRunner

from toolkit.checks.gold import split_drafts
from toolkit.dataset.gold import load_gold
from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent

runner = CliRunner()


def compare(*args):
    return runner.invoke(app, ["compare", *args])


def clean_exit(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_ranks_gold_baseline_and_empty_with_p_values():
    result = compare("gold", "system:baseline", "system:empty", "--resamples", "500", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ranking"] == ["gold", "baseline", "empty"]
    gold, _ = split_drafts(load_gold(ROOT / "annotations"))
    assert data["rank_by"] == "entities.micro.strict.f1" and data["documents"] == len(gold)
    tests = {(t["a"], t["b"]): t["metrics"] for t in data["tests"]}
    assert set(tests) == {("gold", "baseline"), ("gold", "empty"), ("baseline", "empty")}
    ge = tests[("gold", "empty")]["entities.micro.strict.f1"]
    assert (ge["a"], ge["b"], ge["delta"]) == (1.0, 0.0, 1.0) and ge["p_value"] < 0.05
    gb = tests[("gold", "baseline")]["entities.micro.strict.f1"]
    assert gb["delta"] == 1.0 - data["systems"]["baseline"]["scores"]["entities.micro.strict.f1"]


def test_the_baseline_scores_match_toolkit_eval():
    ev = json.loads(runner.invoke(app, ["eval", "--system", "baseline", "--format", "json"]).stdout)
    cmp = json.loads(compare("system:baseline", "system:empty", "--format", "json", "--resamples", "10").stdout)
    scores = cmp["systems"]["baseline"]["scores"]
    assert scores["entities.micro.strict.f1"] == ev["entities"]["micro"]["strict"]["f1"]
    assert scores["coreference.conll_f1"] == ev["coreference"]["conll_f1"]
    assert scores["stances.labels.macro_f1"] == ev["stances"]["labels"]["macro_f1"]


def test_a_saved_prediction_folder_equals_its_system(tmp_path):
    out = tmp_path / "baseline_run"
    assert runner.invoke(app, ["eval", "--system", "baseline", "--save-pred", str(out)]).exit_code == 0
    result = compare(str(out), "system:baseline", "--test", "permutation", "--format", "json", "--resamples", "200")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["systems"]["baseline_run"]["source"] == str(out)
    for metric, d in data["tests"][0]["metrics"].items():
        assert d["delta"] == 0 and d["p_value"] == 1.0, metric


def test_text_and_markdown_show_both_tables():
    for fmt in ("text", "markdown"):
        result = compare("gold", "system:empty", "--metric", "events.trigger_classification.f1",
                         "--resamples", "100", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert "ranked by events.trigger_classification.f1: 1. gold, 2. empty" in result.stdout
        assert "Pairwise differences A - B" in result.stdout and "p-value" in result.stdout
    csv = compare("gold", "system:empty", "--metric", "all", "--resamples", "20", "--format", "csv")
    assert "stances.labels.f_avg" in csv.stdout


def test_same_seed_same_output():
    args = ("gold", "system:baseline", "--resamples", "300", "--seed", "9", "--format", "json")
    assert compare(*args).stdout == compare(*args).stdout


def test_usage_errors_exit_2():
    for args in (("gold",), ("gold", "no/such/folder"), ("gold", "system:empty", "--metric", "entities.f2"),
                 ("gold", "system:empty", "--test", "t-test"), ("gold", "system:empty", "--tasks", "parsing"),
                 ("gold", "system:empty", "--rank-by", "stances.triples.f1", "--metric", "entities.micro.strict.f1")):
        result = compare(*args)
        assert result.exit_code == 2, (args, result.output)
        clean_exit(result)


def test_invalid_predictions_exit_1(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "000_f9a79c641ca46a11.json").write_text('{"doc_id": "000_f9a79c641ca46a11", "entities": [{"type": "SHIP"}]}')
    result = compare("gold", str(bad), "--strict")
    assert result.exit_code == 1
    clean_exit(result)
    assert "000_f9a79c641ca46a11.json" in result.stderr
    lenient = compare("gold", str(bad), "--resamples", "20")
    assert lenient.exit_code == 3, lenient.output  # compared, the invalid document scored as empty
    clean_exit(lenient)
    n_gold = len(split_drafts(load_gold(ROOT / "annotations"))[0])
    assert f"Scores on {n_gold} documents" in lenient.stdout
