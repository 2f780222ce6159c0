"""Sharded scoring: `toolkit eval --counts-only` per shard, then `toolkit merge`, equals one run over everything.

The gold is scored against the baseline system; hypothesis splits the five documents into shards
(any partition, any order of the counts files, hierarchical merges) and the merged report must be
byte-identical to the whole-run report, in json and text, through the library and the CLI.
"""

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from toolkit.reporting import report as render
from toolkit.cli import app
from toolkit.evaluation.evaluate import EvalOptions, evaluate
from toolkit.dataset.gold import load_gold
from toolkit.predictions.load import predictions_from_dicts
from toolkit.evaluation.shards import COUNTS_FORMAT, counts_dict, counts_issues, merge_counts, merge_reports, report_from_counts
from toolkit.predictions.systems import load_system, run_system

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

GOLD = load_gold(ROOT / "annotations")
DOC_IDS = sorted(GOLD)
_baseline = load_system("baseline")
PRED = predictions_from_dicts([run_system(_baseline, d.doc_id, d.text) for d in GOLD.values()], GOLD).documents
WHOLE = evaluate(GOLD, PRED)


@st.composite
def partitions(draw, min_shards=1, max_shards=5):
    """A split of the documents into non-empty shards, in a random order."""
    n = draw(st.integers(min_shards, max_shards))
    owner = {d: draw(st.integers(0, n - 1)) for d in DOC_IDS}
    shards = [[d for d in DOC_IDS if owner[d] == k] for k in range(n)]
    shards = [s for s in shards if s]
    return draw(st.permutations(shards))


def shard_counts(doc_ids, tasks=("entities", "coreference", "events", "stances"), options=None, drop_pred=()):
    """The counts file (as parsed JSON) of one shard scored on its own."""
    gold = {d: GOLD[d] for d in doc_ids}
    pred = {d: PRED[d] for d in doc_ids if d not in drop_pred}
    report = evaluate(gold, pred, tasks, options)
    return json.loads(json.dumps(counts_dict(report, errors=True)))  # exactly what a file holds


def outputs(report, errors=True, formats=("json", "text")):
    return {fmt: render.eval_output(report, fmt, errors) for fmt in formats}


_WHOLE_RUNS: dict = {}


def whole_run(drop: frozenset):
    """The report and outputs of one run over every document (cached: hypothesis asks again and again)."""
    if drop not in _WHOLE_RUNS:
        report = evaluate(GOLD, {d: PRED[d] for d in DOC_IDS if d not in drop})
        _WHOLE_RUNS[drop] = report, outputs(report)
    return _WHOLE_RUNS[drop]


@settings(max_examples=30, deadline=None)
@given(shards=partitions(), drop=st.frozensets(st.sampled_from(DOC_IDS)))
def test_library_merge_of_any_split_equals_the_whole_run(shards, drop):
    whole, whole_out = whole_run(drop)
    parts = [report_from_counts(shard_counts(s, drop_pred=drop)) for s in shards]
    merged = merge_reports(parts)
    assert merged.to_dict(errors=True) == whole.to_dict(errors=True)
    assert outputs(merged) == whole_out
    # Hierarchical: merge the first shard with the merge of the others, counts out and in again on the way.
    if len(parts) >= 2:
        left = report_from_counts(json.loads(json.dumps(counts_dict(merge_reports(parts[:1]), errors=True))))
        right = report_from_counts(json.loads(render.counts_output(merge_reports(parts[1:]), errors=True)))
        assert merge_reports([right, left]).to_dict(errors=True) == whole.to_dict(errors=True)


def test_every_format_of_a_merge_equals_the_whole_run():
    parts = [report_from_counts(shard_counts(s)) for s in ([DOC_IDS[3], DOC_IDS[0]], DOC_IDS[4:], [DOC_IDS[1], DOC_IDS[2]])]
    formats = ("json", "text", "markdown", "csv")
    assert outputs(merge_reports(parts), formats=formats) == outputs(WHOLE, formats=formats)


def test_counts_file_has_counts_and_no_scores():
    data = counts_dict(WHOLE)
    assert data["format"] == COUNTS_FORMAT
    assert set(data) == {"format", "tasks", "options", "per_document", "missing_predictions", "unmatched_predictions", "grounding"}
    text = json.dumps(data)
    for derived in ("precision", "recall", "f1", "possible", "actual", "macro"):  # "micro" names the counts of all mentions
        assert f'"{derived}"' not in text
    assert counts_issues(data, "x.json") == []
    assert "errors" in counts_dict(WHOLE, errors=True)


def test_options_survive_the_round_trip():
    report = evaluate(GOLD, PRED, ("entities", "events"), EvalOptions(("name", "nominal"), True))
    again = report_from_counts(json.loads(render.counts_output(report)))
    assert (again.tasks, again.options) == (report.tasks, report.options)
    assert render.eval_output(again, "json") == render.eval_output(report, "json")


# ---------------------------------------------------------------- the CLI


def cli(*args):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def whole_outputs():
    out = {}
    for fmt in ("json", "text"):
        result = cli("eval", "--system", "baseline", "--gold", ROOT / "annotations", "--format", fmt, "--errors")
        assert result.exit_code == 0, result.output
        out[fmt] = result.stdout
    return out


def make_shards(root: Path, shards) -> list[Path]:
    """Gold folders root/shard-k holding copies of the annotation files (seeds found in root/seeds)."""
    if not (root / "seeds").exists():
        shutil.copytree(ROOT / "seeds", root / "seeds")
    folders = []
    for k, docs in enumerate(shards):
        folder = root / f"shard-{k}"
        folder.mkdir()
        for d in docs:
            shutil.copy(ROOT / "annotations" / f"{d}.json", folder)
        folders.append(folder)
    return folders


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shards=partitions(max_shards=3))
def test_cli_merge_of_shards_equals_the_whole_run(tmp_path_factory, whole_outputs, shards):
    root = tmp_path_factory.mktemp("shards")
    files = []
    for k, folder in enumerate(make_shards(root, shards)):
        target = root / f"counts-{k}.json"
        result = cli("eval", "--system", "baseline", "--gold", folder, "--counts-only", "--errors", "--out", target)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        files.append(target)
    for fmt in ("json", "text"):
        result = cli("merge", *files, "--format", fmt, "--errors")
        assert result.exit_code == 0, result.output
        assert result.stdout == whole_outputs[fmt]
    # Hierarchical: merge the first shard's counts with the merged counts of the others.
    if len(files) >= 2:
        rest = cli("merge", *files[1:], "--counts-only", "--errors")
        assert rest.exit_code == 0
        (root / "rest.json").write_text(rest.stdout)
        result = cli("merge", root / "rest.json", files[0], "--format", "json", "--errors")
        assert result.stdout == whole_outputs["json"]


def test_cli_counts_with_pred_folders_and_a_folder_of_counts(tmp_path, whole_outputs):
    saved = tmp_path / "pred"
    for doc_id in DOC_IDS:
        saved.mkdir(exist_ok=True)
        (saved / f"{doc_id}.json").write_text(json.dumps(run_system(_baseline, doc_id, GOLD[doc_id].text)))
    counts = tmp_path / "counts"
    counts.mkdir()
    folders = make_shards(tmp_path, [DOC_IDS[:2], DOC_IDS[2:]])
    for k, folder in enumerate(folders):
        preds = tmp_path / f"pred-{k}"
        preds.mkdir()
        for f in folder.glob("*.json"):
            shutil.copy(saved / f.name, preds)
        result = cli("eval", "--pred", preds, "--gold", folder, "--counts-only", "--errors")
        assert result.exit_code == 0, result.output
        (counts / f"{k}.json").write_text(result.stdout)
    result = cli("merge", counts, "--format", "json", "--errors")
    assert result.exit_code == 0, result.output
    assert result.stdout == whole_outputs["json"]


# ---------------------------------------------------------------- bad counts files


@pytest.fixture
def two_shards(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(shard_counts(DOC_IDS[:2])))
    b.write_text(json.dumps(shard_counts(DOC_IDS[2:])))
    return a, b


def edited(path: Path, change) -> Path:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda d: d.update(format="toolkit-eval/2"), "b.json:/format: error [invalid-value] format 'toolkit-eval/2'"),
        (lambda d: d.update(tasks=["entities", "events", "coreference", "stances"][:2]), "b.json:/per_document/"),
        (lambda d: d.pop("options"), "b.json:/options: error [missing-field]"),
        (lambda d: d["per_document"][DOC_IDS[2]]["events"]["per_item"]["Trade.Negotiate"]["trigger_identification"].update(tp=-1),
         f"b.json:/per_document/{DOC_IDS[2]}/events/per_item/Trade.Negotiate/trigger_identification/tp: error [invalid-value]"),
        (lambda d: d["per_document"][DOC_IDS[2]]["entities"]["per_type"]["strict"]["GPE"].update(correct="7"),
         f"b.json:/per_document/{DOC_IDS[2]}/entities/per_type/strict/GPE/correct: error [wrong-type]"),
        (lambda d: d["per_document"][DOC_IDS[2]]["entities"]["per_type"]["strict"]["GPE"].update(correct=10**400),
         f"b.json:/per_document/{DOC_IDS[2]}/entities/per_type/strict/GPE/correct: error [invalid-value]"),
        (lambda d: d["per_document"][DOC_IDS[2]]["coreference"]["b3"].update(p_num=float("inf")),
         f"b.json:/per_document/{DOC_IDS[2]}/coreference/b3/p_num: error [invalid-value]"),
        (lambda d: d.update(missing_predictions=["nowhere"]), "b.json:/missing_predictions/0: error [invalid-value]"),
        (lambda d: d.update(extra=1), "b.json:/extra: error [unknown-field]"),
    ],
)
def test_malformed_counts_file_exit_1_naming_file_and_pointer(two_shards, change, expected):
    a, b = two_shards
    edited(b, change)
    result = cli("merge", a, b)
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert "nothing merged" in result.stderr and result.stdout == ""


def test_report_json_is_not_a_counts_file(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(render.eval_output(WHOLE, "json"))
    result = cli("merge", report)
    assert result.exit_code == 1
    assert "hint: this is a report (toolkit eval --format json); write counts with `toolkit eval --counts-only`" in result.stderr


@pytest.mark.parametrize("raw,code", [(b"", "empty-file"), (b'{"format": ', "invalid-json"), (b"[]", "not-an-object"),
                                      (b"\xff\xfe{}", "invalid-encoding")])
def test_unreadable_counts_file_exit_1(two_shards, raw, code):
    a, b = two_shards
    b.write_bytes(raw)
    result = cli("merge", a, b)
    assert result.exit_code == 1
    assert f"b.json: error [{code}]" in result.stderr


def test_incompatible_shards_exit_1(tmp_path, two_shards):
    a, b = two_shards
    c = tmp_path / "c.json"
    c.write_text(json.dumps(shard_counts(DOC_IDS[2:], tasks=("entities",))))
    result = cli("merge", a, c)
    assert result.exit_code == 1
    assert "c.json:/tasks: error [incompatible-counts] tasks entities differ from" in result.stderr
    c.write_text(json.dumps(shard_counts(DOC_IDS[2:], options=EvalOptions(("name",)))))
    result = cli("merge", a, c)
    assert "c.json:/options: error [incompatible-counts]" in result.stderr
    result = cli("merge", a, b, a)
    assert result.exit_code == 1
    assert f"a.json:/per_document/{DOC_IDS[0]}: error [duplicate-document] document '{DOC_IDS[0]}' is also scored in" in result.stderr


def test_errors_need_error_lists(tmp_path, two_shards):
    a, b = two_shards
    edited(b, lambda d: d.pop("errors"))
    assert cli("merge", a, b).exit_code == 0
    result = cli("merge", a, b, "--errors")
    assert result.exit_code == 1
    assert "b.json:/errors: error [missing-field]" in result.stderr


def test_missing_file_and_usage_errors_exit_2(tmp_path, two_shards):
    a, _ = two_shards
    result = cli("merge", a, tmp_path / "nope.json")
    assert result.exit_code == 2
    assert "nope.json: error [file-not-found]" in result.stderr
    assert cli("merge").exit_code == 2
    assert cli("merge", a, "--counts-only", "--format", "json").exit_code == 2
    assert cli("merge", a, "--out", ROOT / "annotations" / "x.json").exit_code == 2
    assert cli("eval", "--system", "empty", "--counts-only", "--out", ROOT / "seeds" / "x.json").exit_code == 2
    assert cli("eval", "--system", "empty", "--counts-only", "--bootstrap", "10").exit_code == 2
    assert not (ROOT / "annotations" / "x.json").exists() and not (ROOT / "seeds" / "x.json").exists()


def test_library_reports_issues_without_raising(tmp_path, two_shards):
    a, b = two_shards
    merged, issues = merge_counts([a, b])
    assert issues == [] and merged.doc_ids == DOC_IDS
    merged, issues = merge_counts([a, tmp_path / "none.json"])
    assert merged is None and [i.code for i in issues] == ["file-not-found"]


def test_bootstrap_of_merged_counts_equals_the_whole_run(tmp_path):
    """Intervals depend only on per-document counts, so `merge --bootstrap` equals `eval --bootstrap`."""
    files = []
    for k, folder in enumerate(make_shards(tmp_path, [DOC_IDS[:2], DOC_IDS[2:]])):
        target = tmp_path / f"counts-{k}.json"
        assert cli("eval", "--system", "baseline", "--gold", folder, "--counts-only", "--out", target).exit_code == 0
        files.append(target)
    whole = cli("eval", "--system", "baseline", "--gold", ROOT / "annotations", "--format", "json", "--bootstrap", "300", "--seed", "2")
    merged = cli("merge", *files, "--format", "json", "--bootstrap", "300", "--seed", "2")
    assert merged.exit_code == 0, merged.output
    assert json.loads(merged.stdout)["bootstrap"] == json.loads(whole.stdout)["bootstrap"]
    assert cli("merge", *files, "--counts-only", "--bootstrap", "10").exit_code == 2
