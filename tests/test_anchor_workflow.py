"""The annotator's `toolkit anchor`: problems named against the draft, no cascades, nearest-label hints,
misspelt keys reported (never dropped), no overwrite without --force; and the readers' small fixes
(lone surrogates, JSONL line ends, decisions CSV located by line and column)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.io.read import read_documents
from toolkit.model.issues import Issue
from toolkit.reporting.report import format_issue, issues_json

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TINY = json.loads((FIXTURES / "valid" / "tiny.json").read_text(encoding="utf-8"))
runner = CliRunner()


def draft() -> dict:
    d = json.loads(json.dumps(TINY))
    for key in ("schema_version", "seed_file", "sha256"):
        del d[key]
    for e in d["entities"]:
        for m in e["mentions"]:
            del m["start"], m["end"]
    return d


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "seeds").mkdir()
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", tmp_path / "seeds")
    return tmp_path


def anchor(project: Path, data: dict, *extra):
    path = project / "draft.json"
    path.write_text(json.dumps(data))
    out = project / "annotations" / "passes" / "a"
    return runner.invoke(app, ["anchor", str(path), "--out", str(out), *extra]), path, out


def test_problems_are_named_against_the_draft_not_the_output(project):
    d = draft()
    d["entities"][0]["mentions"][0]["kind"] = "nam"
    result, path, out = anchor(project, d)
    assert result.exit_code == 1
    assert f"{path}:/entities/0/mentions/0/kind: error [unknown-label] unknown mention kind 'nam'" in result.stderr
    assert "hint: did you mean 'name'?" in result.stderr
    assert str(out) not in result.stderr and not (out / "tiny.json").exists()


def test_one_unanchored_quote_does_not_cascade(project):
    d = draft()
    d["entities"][0]["mentions"][0]["text"] = "Choi Sangmok"  # M1, which the event's argument names
    result, path, _ = anchor(project, d)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error [" in line]
    assert errors == [f"{path}:/entities/0/mentions/0/text: error [unanchored-quote] 'Choi Sangmok' does not occur in the text"]
    assert "M1" not in result.stderr


def test_a_misspelt_topic_or_label_suggests_the_nearest(project):
    d = draft()
    d["stances"][0]["target"]["id"] = "fast-deal"
    d["stances"][0]["label"] = "favor"
    result, path, _ = anchor(project, d)
    assert f"{path}:/stances/0/target/id: error [unknown-label] unknown topic 'fast-deal'\n    hint: did you mean 'quick-deal'?" in result.stderr
    assert "did you mean 'favour'?" in result.stderr


@pytest.mark.parametrize("where,key,expected", [
    (("entities", 0, "mentions", 0), "occurrence", "ocurrence"),
    (("entities", 0), "mentions", "mentons"),
    (("source",), "publisher", "pubisher"),
    ((), "stances", "stanes"),
])
def test_misspelt_keys_are_reported_not_dropped(project, where, key, expected):
    d = draft()
    node = d
    for part in where:
        node = node[part]
    node[expected] = node.pop(key, 0)
    result, path, out = anchor(project, d)
    assert result.exit_code == 1, result.output
    pointer = "".join(f"/{p}" for p in where) + f"/{expected}"
    assert f"{path}:{pointer}: error [unknown-field]" in result.stderr
    assert f"did you mean '{key}'?" in result.stderr
    assert not (out / "tiny.json").exists()


def test_anchor_does_not_overwrite_without_force(project):
    result, _, out = anchor(project, draft())
    assert result.exit_code == 0, result.output
    (out / "tiny.json").write_text("hand-corrected")
    again, _, _ = anchor(project, draft())
    assert again.exit_code == 2 and "--force" in again.stderr and str(out / "tiny.json") in again.stderr
    assert (out / "tiny.json").read_text() == "hand-corrected"
    forced, _, _ = anchor(project, draft(), "--force")
    assert forced.exit_code == 0 and json.loads((out / "tiny.json").read_text()) == TINY


def test_lone_surrogates_never_crash_the_output():
    issue = Issue("unknown-label", "\udcff.json", "/a", "unknown entity type '\ud800'", "did you mean '\udfff'?")
    line = format_issue(issue)
    line.encode("utf-8")
    assert "\\udcff.json" in line and "\\ud800" in line
    issues_json([issue], ["\udcff.json"]).encode("utf-8")


def test_an_undecodable_file_name_is_printed_escaped(tmp_path):
    name = os.fsdecode(b"\xff-bad.json")
    (tmp_path / name).write_text("{}")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-c", "from toolkit.cli import main; main()", "validate", str(tmp_path)],
                            env=env, capture_output=True)
    assert result.returncode == 1, result.stderr
    assert b"internal error" not in result.stderr
    assert b"\\udcff-bad.json:/doc_id: error [missing-field]" in result.stderr


def test_a_lone_surrogate_in_json_is_invalid_encoding(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"doc_id": "tiny", "entities": [{"name": "a\\ud800b"}]}')
    docs, issues = read_documents(path)
    assert docs == [] and [(i.code, i.pointer) for i in issues] == [("invalid-encoding", "/entities/0/name")]
    path.write_text('{"doc_id": "\\ud83d\\ude00"}')  # a pair is a character
    assert read_documents(path)[1] == []


def test_jsonl_lines_end_at_newlines_only(tmp_path):
    """str.splitlines() split a line at U+2028 or a form feed inside a JSON string."""
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"doc_id": "a", "notes": "x\u2028y\x0cz"}, ensure_ascii=False) + "\r\n"
                    + json.dumps({"doc_id": "b"}) + "\n", encoding="utf-8")
    docs, issues = read_documents(path)
    assert issues == [] and [d.data["doc_id"] for d in docs] == ["a", "b"]
    assert docs[0].data["notes"] == "x\u2028y\x0cz"


def test_integers_over_4300_digits_are_located(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"doc_id": "t",\n "n": ' + "7" * 5000 + "}")
    _, issues = read_documents(path)
    assert [(i.code, i.message) for i in issues] == [("invalid-json", "a number of more than 4300 digits at line 2, column 7")]


def test_decisions_csv_problems_are_located_by_line_and_column(tmp_path):
    from toolkit.annotation.adjudicate import read_decisions

    path = tmp_path / "d.csv"
    path.write_text("doc_id,layer,only_in,start,end,text,label,detail,decision,reason\n"
                    "tiny,mention,a,0,13,Choi,PER/name,,keep,\n"
                    "tiny,mention,a,x,13,Choi,PER/name,,drop,\n"
                    "tiny,mention,b,0,13,Choi,PER/name,,explode,\n"
                    "tiny,menton,a,0,13,Choi,PER/name,,drop,\n")
    rows, issues = read_decisions(path)
    assert [(i.pointer, i.message.split(":")[0]) for i in issues] == [("/2/start", "line 3"), ("/3/decision", "line 4"),
                                                                      ("/4/layer", "line 5")]
    assert "one of: add, skip" in issues[1].hint
    assert len(rows) == 1
    path.write_text("doc_id,layer\n")
    assert [i.code for i in read_decisions(path)[1]] == ["missing-field"]
    path.write_bytes(b"\xff\xfe")
    assert [i.code for i in read_decisions(path)[1]] == ["invalid-encoding"]
