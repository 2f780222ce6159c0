"""Validator: the valid fixture passes; each broken fixture yields exactly its own issue code."""

import json
import shutil
from pathlib import Path

import pytest

from toolkit.predictions.anchor import anchor_document
from toolkit.io.read import read_seed
from toolkit.model.issues import CODES
from toolkit.checks.validate import InvalidData, load_corpus, validate_paths

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.json"))
QUOTE_CODES = {"unanchored-quote", "ambiguous-quote"}  # prediction-format fixtures, checked by anchoring
# Prediction-only codes: their fixtures are predictions, checked by loading them (tests/test_grounding.py).
PREDICTION_CODES = {"normalized-quote", "fuzzy-quote", "fenced-json"}
# Codes that are not a property of one file: tested in test_cli.py / the eval tests.
NOT_FILE_CODES = {"file-not-found", "unknown-document", "missing-prediction", "duplicate-document", "incompatible-counts"}


def test_valid_fixture_has_no_issues():
    report = validate_paths([FIXTURES / "valid"])
    assert report.issues == []
    assert report.ok
    (doc,) = report.documents
    assert doc.doc_id == "tiny"
    assert [m.span.text for m in doc.mentions()] == ["Choi Sang-mok", "He", "Scott Bessent", "Washington", "Thursday", "Korea"]


def test_every_code_has_a_fixture():
    have = {p.stem for p in INVALID}
    assert set(CODES) - NOT_FILE_CODES == have


@pytest.mark.parametrize("path", [p for p in INVALID if p.stem not in QUOTE_CODES | PREDICTION_CODES], ids=lambda p: p.stem)
def test_broken_fixture_gives_exactly_its_issue(path):
    report = validate_paths([path])
    assert [i.code for i in report.issues] == [path.stem], [str(i) for i in report.issues]
    issue = report.issues[0]
    assert issue.file == str(path)
    assert issue.message
    assert not report.ok


@pytest.mark.parametrize("code", sorted(QUOTE_CODES))
def test_quote_fixture_gives_exactly_its_issue(code):
    data = json.loads((FIXTURES / "invalid" / f"{code}.json").read_text())
    text = read_seed(FIXTURES / "seeds" / "tiny.txt")
    _, issues = anchor_document(data, text, f"{code}.json", strict=True)
    assert [i.code for i in issues] == [code]
    assert issues[0].pointer in ("/entities/0/mentions/0/text", "/events/0/trigger/text")


EXPECTED_POINTERS = {
    "wrong-type": "/entities/1/mentions/0/start",
    "unknown-label": "/entities/0/type",
    "span-text-mismatch": "/entities/1/mentions/0/text",
    "span-reversed": "/entities/1/mentions/0/end",
    "dangling-reference": "/events/0/arguments/0/mention",
    "missing-field": "/events",
    "unknown-field": "/entities/0/comment",
    "duplicate-id": "/stances/0/id",
    "role-type-mismatch": "/events/0/arguments/2/mention",
}


@pytest.mark.parametrize("code,ptr", sorted(EXPECTED_POINTERS.items()))
def test_pointer_locates_the_problem(code, ptr):
    (issue,) = validate_paths([FIXTURES / "invalid" / f"{code}.json"]).issues
    assert issue.pointer == ptr


def test_hints_give_the_fix():
    (issue,) = validate_paths([FIXTURES / "invalid" / "span-reversed.json"]).issues
    assert issue.hint == "'Scott Bessent' occurs at 18-31"
    (issue,) = validate_paths([FIXTURES / "invalid" / "unknown-label.json"]).issues
    assert issue.hint == "did you mean 'PER'?"
    (issue,) = validate_paths([FIXTURES / "invalid" / "sha256-mismatch.json"]).issues
    assert issue.hint.endswith("854e1df5afddbd51551505b89f612e271a6378cb0ba07f3cb8cb76eba098e849")


def test_all_problems_are_reported_not_just_the_first(tmp_path):
    data = json.loads((FIXTURES / "valid" / "tiny.json").read_text())
    data["entities"][0]["type"] = "PERSON"
    data["entities"][1]["mentions"][0]["text"] = "Scott"
    data["stances"][0]["holder"] = "E42"
    (tmp_path / "seeds").mkdir()
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", tmp_path / "seeds")
    (tmp_path / "tiny.json").write_text(json.dumps(data))
    codes = sorted(i.code for i in validate_paths([tmp_path / "tiny.json"]).issues)
    assert codes == ["dangling-reference", "span-text-mismatch", "unknown-label"]


def test_nested_mentions_are_allowed(tmp_path):
    data = json.loads((FIXTURES / "valid" / "tiny.json").read_text())
    data["entities"][1]["mentions"].append({"id": "M9", "start": 24, "end": 31, "text": "Bessent", "kind": "name"})
    # sharing the start or the end is nesting too
    data["entities"][1]["mentions"].append({"id": "M10", "start": 18, "end": 23, "text": "Scott", "kind": "name"})
    data["entities"][0]["mentions"].append({"id": "M11", "start": 5, "end": 13, "text": "Sang-mok", "kind": "name"})
    (tmp_path / "seeds").mkdir()
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", tmp_path / "seeds")
    (tmp_path / "tiny.json").write_text(json.dumps(data))
    assert validate_paths([tmp_path]).issues == []


def test_load_corpus_raises_with_every_issue(tmp_path):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    shutil.copy(FIXTURES / "invalid" / "span-reversed.json", tmp_path / "annotations")
    shutil.copy(FIXTURES / "valid" / "tiny.json", tmp_path / "annotations")
    with pytest.raises(InvalidData) as info:
        load_corpus(tmp_path / "annotations")
    assert [i.code for i in info.value.issues] == ["span-reversed", "duplicate-document"]


def test_load_corpus_returns_documents_by_id(tmp_path):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    shutil.copy(FIXTURES / "valid" / "tiny.json", tmp_path / "annotations")
    corpus = load_corpus(tmp_path / "annotations")
    assert list(corpus) == ["tiny"]
    doc = corpus["tiny"]
    assert doc.text.startswith("Choi Sang-mok met")
    for m in doc.mentions():
        assert doc.text[m.span.start:m.span.end] == m.span.text


def test_document_round_trips_to_dict():
    data = json.loads((FIXTURES / "valid" / "tiny.json").read_text())
    doc = validate_paths([FIXTURES / "valid"]).documents[0]
    assert doc.to_dict() == data


@pytest.mark.parametrize("value", [13.0, 2147483648.0])
def test_offsets_written_as_floats_are_wrong_type(tmp_path, value):
    """JSON Schema counts 13.0 as an integer; the validator must still refuse it, located, with the fix."""
    data = json.loads((FIXTURES / "valid" / "tiny.json").read_text())
    data["entities"][0]["mentions"][0]["end"] = value
    (tmp_path / "seeds").mkdir()
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", tmp_path / "seeds")
    (tmp_path / "tiny.json").write_text(json.dumps(data))
    issues = validate_paths([tmp_path / "tiny.json"]).issues
    assert [(i.code, i.pointer, i.hint) for i in issues] == [("wrong-type", "/entities/0/mentions/0/end", f"write {int(value)}")]
