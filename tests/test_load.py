"""Load: repeated issues are summarised unless --verbose (none with --quiet), and long texts are shortened,
so a huge or hostile input gives a few lines of output, not hundreds of thousands."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.model.issues import Issue
from toolkit.reporting.report import PER_CODE, format_issue, shorten, summarise_issues

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
runner = CliRunner()


def test_summary_shows_the_first_of_each_code_and_counts_the_rest():
    issues = [Issue("unknown-document", "p.jsonl", f"/{i}/doc_id", f"doc_id 'd{i}' is not a gold document", "hint") for i in range(500)]
    issues += [Issue("invalid-json", "p.jsonl", "/600", "malformed JSON")]
    text = summarise_issues(issues)
    lines = text.splitlines()
    assert sum("error [unknown-document]" in line for line in lines) == PER_CODE
    assert sum("error [invalid-json]" in line for line in lines) == 1
    assert f"501 error(s), 0 warning(s); {500 - PER_CODE} not shown" in text and "--verbose" in text
    assert "  error   unknown-document x500" in lines and "  error   invalid-json x1" in lines
    assert summarise_issues(issues, verbose=True).count("error [unknown-document]") == 500
    assert summarise_issues(issues, quiet=True) == ""
    assert summarise_issues(issues[:3]) == "\n".join(format_issue(i) for i in issues[:3])  # nothing to summarise
    digest = summarise_issues(issues, per_code=0, subject="p.jsonl")  # eval's one line per kind
    assert digest.splitlines()[1] == "  error   unknown-document x500, first: p.jsonl:/0/doc_id: doc_id 'd0' is not a gold document"


def test_a_prediction_file_of_unknown_documents_prints_a_few_lines(tmp_path):
    """200 MB of unknown documents printed 683,125 stderr lines (an error and a hint each)."""
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps({"doc_id": f"unknown-{i}", "entities": []}) + "\n" for i in range(5000)))
    base = ["eval", "--gold", str(FIXTURES / "valid"), "--pred", str(pred)]
    for extra in ([], ["--strict"]):  # eval's one line per kind; --strict refuses with the first of each code
        result = runner.invoke(app, base + extra)
        assert result.exit_code in (1, 3)
        assert len(result.stderr.splitlines()) < 3 * PER_CODE + 10, extra
        assert "unknown-document x5000" in result.stderr
    verbose = runner.invoke(app, base + ["--verbose"])
    assert verbose.stderr.count("error [unknown-document]") == 5000
    quiet = runner.invoke(app, base + ["--quiet", "--strict"])
    assert quiet.exit_code == 1 and "error [" not in quiet.stderr
    assert "nothing scored" in quiet.stderr  # the command's own result line stays
    assert runner.invoke(app, base + ["--quiet"]).stderr == ""
    assert runner.invoke(app, base + ["--quiet", "--verbose"]).exit_code == 2


def test_validate_summarises_many_files_with_the_same_problem(tmp_path):
    (tmp_path / "many").mkdir()
    for i in range(60):
        (tmp_path / "many" / f"f{i}.json").write_text("{}")
    result = runner.invoke(app, ["validate", str(tmp_path / "many")])
    assert result.exit_code == 1
    assert result.stderr.count("error [missing-field]") == PER_CODE
    assert "60 file(s) checked: 480 error(s)" in result.stdout  # the summary still counts every one


def test_a_long_text_in_a_counts_file_does_not_flood_merge_errors(tmp_path):
    """One 10^6-character string in a 1.1 MB counts file made `merge --errors` print 637 MB (every row padded to it)."""
    counts = runner.invoke(app, ["eval", "--gold", str(FIXTURES / "valid"), "--system", "empty", "--counts-only", "--errors"])
    data = json.loads(counts.stdout)
    assert len(data["errors"]) > 3
    data["errors"][0]["text"] = "x" * 10**6
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(data))
    for fmt in ("text", "markdown"):
        result = runner.invoke(app, ["merge", str(path), "--errors", "--format", fmt])
        assert result.exit_code == 0, result.output[:500]
        assert len(result.stdout) < 20_000, (fmt, len(result.stdout))
        assert "[999" in result.stdout and "characters]" in result.stdout  # shortened, saying by how much
    whole = runner.invoke(app, ["merge", str(path), "--errors", "--format", "json"])
    assert "x" * 10**6 in whole.stdout  # the data formats keep the text whole


def test_long_messages_are_shortened():
    issue = Issue("unknown-field", "f.json", "/a", "unknown field '" + "k" * 10**6 + "'", "h" * 10**5)
    line = format_issue(issue)
    assert len(line) < 1000 and "characters]" in line
    assert shorten("abc") == "abc" and len(shorten("z" * 5000, 100)) <= 100
