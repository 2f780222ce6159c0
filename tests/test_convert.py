"""Conversions: lossless round trips where the format can hold the data; everything else reported."""

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from seqeval.metrics.sequence_labeling import get_entities
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.formats import convert
from toolkit.formats.brat import export_brat, import_brat
from toolkit.formats.iob2 import export_iob2, spans_to_tags, tags_to_spans, tokenize, writable_spans
from toolkit.formats.labelstudio import export_labelstudio, import_labelstudio
from toolkit.checks.validate import load_corpus, validate_paths

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
runner = CliRunner()


def corpora():
    """The fixture document and, once annotated, the five gold documents."""
    docs = validate_paths([FIXTURES / "valid"]).documents
    gold = sorted((ROOT / "annotations").glob("*.json"))
    if gold:
        docs += list(load_corpus(ROOT / "annotations").values())
    return docs


DOCS = corpora()


def body(d):
    data = d.to_dict()
    return {k: data[k] for k in ("doc_id", "entities", "events", "stances")}


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.doc_id)
def test_brat_round_trip_is_lossless(doc):
    files = export_brat([doc])
    meta = json.loads(files[f"{doc.doc_id}.meta.json"])
    back, issues = import_brat(doc.doc_id, files[f"{doc.doc_id}.txt"], files[f"{doc.doc_id}.ann"], meta=meta)
    assert issues == []
    assert {k: back[k] for k in ("doc_id", "entities", "events", "stances")} == body(doc)
    assert back.get("notes", "") == doc.notes and back["source"] == doc.to_dict()["source"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.doc_id)
def test_labelstudio_round_trip_is_lossless(doc):
    tasks = json.loads(json.dumps(export_labelstudio([doc])))
    (back,), issues = import_labelstudio(tasks)
    assert issues == []
    assert {k: back[k] for k in ("doc_id", "entities", "events", "stances")} == body(doc)
    assert back.get("notes", "") == doc.notes and "pass" not in back  # from the predictions: no pass


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.doc_id)
def test_iob2_round_trip_keeps_every_writable_mention(doc):
    spans, notes = writable_spans(doc)
    sentences = tokenize(doc.text, {b for m in doc.mentions() for b in (m.span.start, m.span.end)})
    back = []
    for sent in sentences:
        inside = [s for s in spans if s[0] >= sent[0].start and s[1] <= sent[-1].end]
        back += tags_to_spans(sent, spans_to_tags(sent, inside))
    assert back == spans
    # every mention is either written or reported
    assert len(spans) + len(notes) == sum(1 for _ in doc.mentions())


def test_labelstudio_import_of_a_tool_export_uses_coref_relations():
    text = "Choi met Bessent. Choi left."
    tasks = [{"id": 7, "data": {"text": text}, "annotations": [{"result": [
        {"id": "a", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["PER"]}},
        {"id": "a", "type": "choices", "from_name": "kind", "value": {"start": 0, "end": 4, "choices": ["name"]}},
        {"id": "b", "type": "labels", "value": {"start": 9, "end": 16, "labels": ["PER"]}},
        {"id": "b", "type": "choices", "from_name": "kind", "value": {"start": 9, "end": 16, "choices": ["name"]}},
        {"id": "c", "type": "labels", "value": {"start": 18, "end": 22, "labels": ["PER"]}},
        {"id": "c", "type": "choices", "from_name": "kind", "value": {"start": 18, "end": 22, "choices": ["name"]}},
        {"type": "relation", "from_id": "c", "to_id": "a", "labels": ["coref"]},
    ], "completed_by": 3}, {"result": [
        {"id": "x", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["PER"]}},
    ], "completed_by": {"id": 4, "email": "b@example.com"}}]}]
    docs, issues = import_labelstudio(tasks)
    # two annotators, two passes; the second drew a region without a kind: reported, not made a name
    assert [d["pass"] for d in docs] == ["annotator-3", "annotator-b-example.com"]
    assert [(i.code, i.pointer) for i in issues] == [("missing-field", "/0/annotations/1/result/0")]
    doc = docs[0]
    assert sorted(sorted(m["text"] for m in e["mentions"]) for e in doc["entities"]) == [["Bessent"], ["Choi", "Choi"]]
    # Label Studio's own region ids that can be ours are kept; the entities get fresh ids
    assert sorted(e["id"] for e in doc["entities"]) == ["E1", "E2"]


def test_labelstudio_import_reports_what_it_cannot_take():
    text = "Choi met Bessent."
    region = lambda rid, s, e, label: {"id": rid, "type": "labels", "value": {"start": s, "end": e, "labels": [label]}}
    kind = lambda rid, k: {"id": rid, "type": "choices", "from_name": "kind", "value": {"choices": [k]}}
    result = [region("a", 0, 4, "PER"), kind("a", "name"), region("a", 9, 16, "PER"),  # duplicate id
              region("b", 9, 16, "ORG"), kind("b", "name"), {"type": "relation", "from_id": "b", "to_id": "a", "labels": ["coref"]},
              region("c", 0, 99, "PER"), {"type": "relation", "from_id": "a", "to_id": "zz", "labels": ["coref"]}]
    _, issues = import_labelstudio([{"data": {"text": text}, "annotations": [{"result": result, "completed_by": 1}]}], "x.json")
    found = sorted((i.code, i.pointer) for i in issues)
    assert ("duplicate-id", "/0/annotations/0/result/2/id") in found
    assert ("span-out-of-bounds", "/0/annotations/0/result/6/value") in found
    assert ("dangling-reference", "/0/annotations/0/result/7") in found
    # a mention's own label is never replaced by its entity's: the clash is reported
    assert any(i.code == "invalid-value" and "labelled" in i.message for i in issues)


def test_brat_discontinuous_span_is_reported():
    _, issues = import_brat("d", "Choi met Bessent", "T1\tPER 0 4;9 16\tChoi Bessent\n")
    assert [i.code for i in issues] == ["invalid-value"] and "discontinuous" in issues[0].message


tag = st.sampled_from(["O", "B-PER", "I-PER", "B-GPE", "I-GPE"])


@given(st.lists(tag, max_size=25))
def test_iob2_decoding_agrees_with_seqeval(tags):
    tokens = tokenize(" ".join(f"w{i}" for i in range(len(tags))))
    tokens = tokens[0] if tokens else []
    ours = [(label, s, e) for s, e, label in tags_to_spans(tokens, tags)]
    theirs = [(label, tokens[i].start, tokens[j].end) for label, i, j in get_entities(list(tags))]
    assert ours == theirs


def test_convert_command_round_trip_and_iob2_predictions(tmp_path):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    shutil.copy(FIXTURES / "valid" / "tiny.json", tmp_path / "annotations")
    ann = tmp_path / "annotations"
    r = runner.invoke(app, ["convert", str(ann), "--from", "json", "--to", "brat", "--out", str(tmp_path / "brat")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["convert", str(tmp_path / "brat"), "--from", "brat", "--to", "json", "--out", str(tmp_path / "back"),
                            "--root", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "back" / "tiny.json").read_text()) == json.loads((ann / "tiny.json").read_text())
    r = runner.invoke(app, ["convert", str(ann), "--from", "json", "--to", "iob2", "--out", str(tmp_path / "iob")])
    assert r.exit_code == 0
    files, issues = convert(tmp_path / "iob" / "mentions.iob2", "iob2", "json")
    pred = json.loads(files["tiny.json"])
    assert [(m["start"], m["end"], e["type"]) for e in pred["entities"] for m in e["mentions"]][:2] == [(0, 13, "PER"), (18, 31, "PER")]
    bad = runner.invoke(app, ["convert", str(tmp_path / "iob" / "mentions.iob2"), "--from", "iob2", "--to", "brat", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "Traceback" not in bad.output and "--to json" in bad.output  # a choice of options: usage


def test_iob2_predictions_are_scored_by_eval(tmp_path):
    """Gold written as IOB2 and scored back: precision 1, recall = the share of mentions IOB2 can hold."""
    from toolkit.evaluation.evaluate import evaluate
    from toolkit.predictions.load import load_predictions

    docs = validate_paths([FIXTURES / "valid"]).documents
    gold = {d.doc_id: d for d in docs}
    content, notes = export_iob2(docs)
    (tmp_path / "pred.iob2").write_text(content)
    preds = load_predictions(tmp_path / "pred.iob2", gold)
    assert not [i for i in preds.issues if i.severity == "error"]
    strict = evaluate(gold, preds.documents, tasks=("entities",)).scores()["entities"]["micro"]["strict"]
    written = sum(len(writable_spans(d)[0]) for d in docs)
    total = sum(1 for d in docs for _ in d.mentions())
    assert strict["precision"] == 1.0
    assert strict["recall"] == pytest.approx(written / total)
    r = runner.invoke(app, ["eval", "--gold", str(FIXTURES / "valid"), "--pred", str(tmp_path / "pred.iob2"), "--tasks", "entities"])
    assert r.exit_code == 0, r.output


def test_two_annotators_in_label_studio_become_two_passes_for_agree(tmp_path):
    tiny = validate_paths([FIXTURES / "valid"]).documents[0]
    (task,) = export_labelstudio([tiny])
    first = task["predictions"][0]["result"]
    second = json.loads(json.dumps(first))
    for item in second:
        if item.get("from_name") == "kind" and item["id"] == "M2":
            item["value"]["choices"] = ["nominal"]
    task = {**task, "annotations": [{"result": first, "completed_by": 1}, {"result": second, "completed_by": 2}]}
    (tmp_path / "export.json").write_text(json.dumps([task]))
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")  # agree finds the seeds above the pass folders
    r = runner.invoke(app, ["convert", str(tmp_path / "export.json"), "--from", "labelstudio", "--to", "json",
                            "--out", str(tmp_path / "passes"), "--root", str(FIXTURES)])
    assert r.exit_code == 0, r.output
    a, b = tmp_path / "passes" / "annotator-1", tmp_path / "passes" / "annotator-2"
    assert json.loads((a / "tiny.json").read_text()) == tiny.to_dict()
    r = runner.invoke(app, ["agree", str(a), str(b), "--format", "json"])
    assert r.exit_code == 0, r.output
    (row,) = [d for d in json.loads(r.stdout)["documents"] if d["doc_id"] == "tiny"]
    # only a mention kind differs: spans, types, clusters and triggers agree fully
    assert (row["mention span+type F1"], row["coref CoNLL F1"], row["trigger span+type F1"]) == (1.0, 1.0, 1.0)
