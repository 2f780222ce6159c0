"""evaluate() and EvalReport; loading predictions (issues, anchoring); merging counts; whole-pipeline properties."""

import json
import math
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from eval_strategies import EVAL, all_scores, corpora, fixture_gold, fixture_pred_dict, fixture_predictions, shuffled
from toolkit.evaluation.evaluate import EvalOptions, EvalReport, evaluate
from toolkit.predictions.load import load_predictions, predictions_from_dicts


def write_preds(tmp_path, docs: dict) -> "Path":  # noqa: F821
    folder = tmp_path / "pred"
    folder.mkdir()
    for name, data in docs.items():
        (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def codes(issues):
    return [(i.code, i.severity) for i in issues]


# ------------------------------------------------------------------ loading predictions


def test_fixture_predictions_load_cleanly_with_quotes_anchored():
    gold, preds = fixture_predictions()
    assert preds.issues == [] and preds.missing == [] and preds.unknown == []
    alpha = preds.documents["alpha"]
    spans = sorted((m.span.start, m.span.end, m.span.text) for m in alpha.mentions())
    assert (32, 45, "in Washington") in spans and (73, 78, "Korea") in spans
    beta = preds.documents["beta"]
    seoul = {m.entity_id: m.span.offsets for m in beta.mentions() if m.span.text == "Seoul"}
    assert seoul == {"s0": (15, 20), "s1": (97, 102)}  # occurrence 0 and the context pick both
    assert {m.kind for m in alpha.mentions() if m.span.text == "US Treasury"} == {""}  # no kind given


def test_jsonl_loads_like_a_folder():
    gold, folder = fixture_predictions()
    _, jsonl = fixture_predictions(EVAL / "pred.jsonl")
    assert jsonl.ok
    assert evaluate(gold, jsonl.documents).to_dict() == evaluate(gold, folder.documents).to_dict()


def test_gold_files_load_as_predictions_and_score_perfectly():
    gold = fixture_gold()
    preds = load_predictions(EVAL / "gold", gold)
    assert preds.issues == []
    report = evaluate(gold, preds.documents)
    values = [v for path, v in all_scores(report) if v is not None and not path.endswith("/f_avg")]
    assert values and all(v == 1.0 for v in values)
    assert report.errors == []
    # F_avg as SemEval-2016's eval.pl: a class absent from both sides has F1 0, so a perfect system
    # scores (1 + 0) / 2 where only one of favour and against occurs
    scores = report.scores()["stances"]
    for section in (scores, *scores["per_target"].values()):
        present = [lab for lab in ("favour", "against") if section["labels"]["f1_per_label"][lab] is not None]
        assert section["labels"]["f_avg"] == len(present) / 2


def test_missing_prediction_is_a_warning_and_scores_as_nothing(tmp_path):
    gold = fixture_gold()
    preds = load_predictions(write_preds(tmp_path, {"alpha": fixture_pred_dict("alpha")}), gold)
    assert codes(preds.issues) == [("missing-prediction", "warning")]
    assert "beta" in preds.issues[0].message and preds.ok
    report = evaluate(gold, preds.documents, ("entities",))
    assert report.missing == ["beta"]
    strict = report.scores()["entities"]["micro"]["strict"]
    assert (strict["correct"], strict["missed"], strict["possible"]) == (4, 1 + 7, 15)


def test_unknown_and_duplicate_documents_are_errors(tmp_path):
    gold = fixture_gold()
    alpha = fixture_pred_dict("alpha")
    folder = write_preds(tmp_path, {"a1": alpha, "a2": alpha, "beta": fixture_pred_dict("beta"),
                                    "x": {"doc_id": "alpah", "entities": []}})
    preds = load_predictions(folder, gold)
    assert codes(preds.issues) == [("duplicate-document", "error"), ("unknown-document", "error")]
    dup, unknown = preds.issues
    assert dup.file.endswith("a2.json") and dup.pointer == "/doc_id" and "a1.json" in dup.message
    assert unknown.hint == "did you mean 'alpha'?"
    assert preds.unknown == ["alpah"] and not preds.ok


def test_schema_errors_are_located_and_the_document_is_scored_as_empty(tmp_path):
    gold = fixture_gold()
    bad = fixture_pred_dict("alpha")
    del bad["entities"][0]["mentions"]
    preds = load_predictions(write_preds(tmp_path, {"alpha": bad, "beta": fixture_pred_dict("beta")}), gold)
    assert codes(preds.issues) == [("missing-field", "error")]
    assert preds.issues[0].pointer == "/entities/0/mentions"
    assert "scored as an empty prediction" in preds.issues[0].message
    assert "alpha" not in preds.documents
    record = preds.records["alpha"]
    assert (record.received, record.parsed, record.valid, record.scored) == (True, True, False, False)


def test_an_unknown_label_is_located_and_scored_under_the_unknown_label_row(tmp_path):
    gold = fixture_gold()
    bad = fixture_pred_dict("alpha")
    bad["entities"][0]["type"] = "PERSON"
    preds = load_predictions(write_preds(tmp_path, {"alpha": bad, "beta": fixture_pred_dict("beta")}), gold)
    assert codes(preds.issues) == [("unknown-label", "error")]
    assert preds.issues[0].pointer == "/entities/0/type" and preds.issues[0].hint == "did you mean 'PER'?"
    assert {e.type for e in preds.documents["alpha"].entities} >= {"(unknown label)"}
    record = preds.records["alpha"]
    assert (record.valid, record.scored, record.unknown_labels) == (False, True, [("entity type", "PERSON")])


def test_quote_problems(tmp_path):
    gold = fixture_gold()
    data = fixture_pred_dict("beta")
    data["entities"][0]["mentions"][0] = {"text": "Oficials"}  # nowhere in the text
    data["entities"][1]["mentions"][0] = {"id": "s0m", "text": "Seoul"}  # twice in the text, no occurrence: first free one
    data["entities"][2]["mentions"][0] = {"id": "s1m", "text": "Seoul"}  # ... then the second
    preds = load_predictions(write_preds(tmp_path, {"beta": data, "alpha": fixture_pred_dict("alpha")}), gold)
    assert codes(preds.issues) == [("unanchored-quote", "error"), ("ambiguous-quote", "warning"), ("ambiguous-quote", "warning")]
    assert preds.issues[0].pointer == "/entities/0/mentions/0/text"
    seoul = sorted(m.span.offsets for m in preds.documents["beta"].mentions() if m.span.text == "Seoul")
    assert seoul == [(15, 20), (97, 102)]


def test_reference_problems(tmp_path):
    gold = fixture_gold()
    data = fixture_pred_dict("alpha")
    data["events"][0]["arguments"][0]["mention"] = "nope"
    data["events"][0]["arguments"][1]["role"] = "Participants"
    data["stances"][0]["holder"] = "a"  # a mention id, not an entity id
    data["entities"][2]["id"] = "p1"
    preds = load_predictions(write_preds(tmp_path, {"alpha": data, "beta": fixture_pred_dict("beta")}), gold)
    got = sorted((i.code, i.severity, i.pointer) for i in preds.issues)
    assert got == [
        ("dangling-reference", "error", "/events/0/arguments/0/mention"),
        ("dangling-reference", "error", "/stances/0/holder"),
        ("duplicate-id", "error", "/entities/2/id"),
        ("role-not-allowed", "warning", "/events/0/arguments/1/role"),
    ]
    holder = next(i for i in preds.issues if i.pointer == "/stances/0/holder")
    assert "not a mention id" in holder.hint
    role = next(i for i in preds.issues if i.code == "role-not-allowed")
    assert "did you mean 'Participant'?" in role.hint


def test_sha256_of_another_text_is_a_warning(tmp_path):
    gold = fixture_gold()
    data = dict(fixture_pred_dict("beta"), sha256="0" * 64)
    preds = load_predictions(write_preds(tmp_path, {"beta": data, "alpha": fixture_pred_dict("alpha")}), gold)
    assert codes(preds.issues) == [("sha256-mismatch", "warning")]


def test_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    preds = load_predictions(tmp_path / "empty", fixture_gold())
    assert not preds.ok and preds.issues[0].code == "file-not-found"


def test_system_output_in_memory():
    gold = fixture_gold()
    preds = predictions_from_dicts([fixture_pred_dict("beta")], gold, "<system test>")
    assert codes(preds.issues) == [("missing-prediction", "warning")]
    assert sorted(preds.documents) == ["beta"]


# ------------------------------------------------------------------ the report


def test_to_dict_structure_is_stable_and_strict_json():
    gold, preds = fixture_predictions()
    data = evaluate(gold, preds.documents).to_dict(errors=True, per_document=True)
    assert list(data) == ["format", "tasks", "options", "documents", "entities", "coreference", "events", "stances", "grounding",
                          "per_document", "per_document_grounding", "errors"]
    assert data["format"] == "toolkit-eval/2"
    assert data["documents"] == {"scored": 2, "ids": ["alpha", "beta"], "missing_predictions": [], "unmatched_predictions": []}
    assert list(data["entities"]) == ["micro", "macro", "per_type"]
    assert list(data["entities"]["micro"]) == ["strict", "exact", "partial", "type"]
    assert list(data["coreference"]) == ["muc", "b3", "ceafe", "ceafm", "lea", "blanc", "conll_f1"]
    assert list(data["events"])[:6] == list(("trigger_identification", "trigger_classification", "argument_identification",
                                            "argument_classification", "argument_identification_attached",
                                            "argument_classification_attached"))
    assert list(data["stances"]) == ["triples", "pairs", "labels", "per_target"]
    assert list(data["per_document"]["alpha"]) == ["entities", "coreference", "events", "stances"]
    assert {e["category"] for e in data["errors"]} == {"false-positive", "false-negative", "type-confusion", "boundary", "label-confusion"}
    json.dumps(data, allow_nan=False)  # no NaN anywhere: undefined is null


def test_coreference_muc_by_hand():
    gold, preds = fixture_predictions()
    muc = evaluate(gold, preds.documents, ("coreference",)).scores()["coreference"]["muc"]
    # links: alpha Choi+He found (1 of 1); beta Officials+They found, Seoul+Seoul split (1 of 2)
    assert (muc["recall"], muc["precision"]) == (pytest.approx(2 / 3), 1.0)


def test_dataframe_has_one_row_per_score():
    gold, preds = fixture_predictions()
    df = evaluate(gold, preds.documents).to_dataframe()
    row = df[(df.task == "entities") & (df.metric == "partial") & (df.label == "ALL")].iloc[0]
    assert (row.correct, row.partial, row.possible) == (12, 2, 15)
    assert row.f1 == pytest.approx(13 / 15)
    assert df[(df.task == "stances") & (df.metric == "label macro_f1") & (df.label == "ALL")].value.iloc[0] == pytest.approx((2 / 3 + 0.8) / 2)
    assert math.isnan(df[(df.task == "events") & (df.metric == "argument_classification per item") & (df.label == "Contact.Meet")].f1.iloc[0])


def test_report_round_trips_through_json_and_shards_merge():
    gold, preds = fixture_predictions()
    whole = evaluate(gold, preds.documents, options=EvalOptions(("name", "nominal"), True))
    again = EvalReport.from_dict(json.loads(json.dumps(whole.to_dict(errors=True, per_document=True))))
    assert again.to_dict(errors=True, per_document=True) == whole.to_dict(errors=True, per_document=True)
    a = evaluate({"alpha": gold["alpha"]}, {"alpha": preds.documents["alpha"]}, options=whole.options)
    b = evaluate({"beta": gold["beta"]}, {"beta": preds.documents["beta"]}, options=whole.options)
    assert a.merge(b).to_dict(per_document=True) == whole.to_dict(per_document=True)
    with pytest.raises(ValueError):
        a.merge(a)


def test_unknown_task_is_a_value_error():
    with pytest.raises(ValueError, match="unknown task"):
        evaluate({}, {}, ("entities", "relations"))


# ------------------------------------------------------------------ properties of the whole pipeline


@settings(max_examples=60, deadline=None)
@given(corpora())
def test_gold_against_itself_scores_one_everywhere(gold):
    report = evaluate(gold, gold, options=EvalOptions(coref_args=True))
    values = [v for path, v in all_scores(report) if not path.endswith("/f_avg")]
    assume(any(v is not None for v in values))
    assert all(v == 1.0 for v in values if v is not None), values
    labels = report.scores()["stances"]["labels"]  # eval.pl's F_avg: an absent class has F1 0
    if labels["pairs"]:
        assert labels["f_avg"] == sum(labels["f1_per_label"][c] is not None for c in ("favour", "against")) / 2


@settings(max_examples=60, deadline=None)
@given(corpora())
def test_no_predictions_recall_zero_precision_undefined(gold):
    report = evaluate(gold, {})
    assert report.missing == sorted(gold)
    scores = report.scores()
    ent = scores["entities"]["micro"]["strict"]
    if ent["possible"]:
        assert ent["recall"] == 0.0 and ent["precision"] is None
    for metric, s in [*scores["events"].items(), *scores["events"]["per_item"].items()]:
        if metric not in ("per_type", "per_item") and s["tp"] + s["fn"]:
            assert s["recall"] == 0.0 and s["precision"] is None
    if scores["stances"]["triples"]["fn"]:
        assert scores["stances"]["triples"]["recall"] == 0.0 and scores["stances"]["triples"]["precision"] is None


@settings(max_examples=60, deadline=None)
@given(corpora(), corpora(), st.randoms(use_true_random=False))
def test_input_order_changes_no_score(gold, pred, rnd):
    pred = {d: pred[d] for d in pred if d in gold}
    base = evaluate(gold, pred).to_dict(errors=True, per_document=True)
    mixed_gold = [shuffled(d, rnd) for d in gold.values()]
    mixed_pred = [shuffled(d, rnd) for d in pred.values()]
    rnd.shuffle(mixed_gold)
    rnd.shuffle(mixed_pred)
    assert evaluate(mixed_gold, mixed_pred).to_dict(errors=True, per_document=True) == base


@settings(max_examples=60, deadline=None)
@given(corpora(4), corpora(4), st.integers(0, 4))
def test_merged_document_counts_equal_whole_corpus_counts(gold, pred, cut):
    pred = {d: pred[d] for d in pred if d in gold}
    whole = evaluate(gold, pred)
    one_by_one = [evaluate({d: gold[d]}, {d: pred[d]} if d in pred else {}) for d in sorted(gold)]
    merged = one_by_one[0]
    for r in one_by_one[1:]:
        merged = merged.merge(r)
    assert merged.to_dict(errors=True, per_document=True) == whole.to_dict(errors=True, per_document=True)
    again = EvalReport.from_dict(json.loads(json.dumps(whole.to_dict(per_document=True))))
    assert again.to_dict(per_document=True) == whole.to_dict(per_document=True)
    ids = sorted(gold)
    assume(len(ids) >= 2)
    cut = 1 + cut % (len(ids) - 1)  # a split into two non-empty shards
    first, second = ids[:cut], ids[cut:]
    shard = lambda keep: evaluate({d: gold[d] for d in keep}, {d: pred[d] for d in keep if d in pred})  # noqa: E731
    assert shard(first).merge(shard(second)).scores() == whole.scores()


# ------------------------------------------------------------------ docs/metrics.md


def test_worked_examples_of_the_metrics_doc():
    gold, preds = fixture_predictions()
    alpha = evaluate({"alpha": gold["alpha"]}, preds.documents, ("entities",)).scores()["entities"]
    table = {s: tuple(alpha["micro"][s][k] for k in ("correct", "incorrect", "partial", "missed", "spurious", "precision"))
             for s in ("strict", "exact", "partial", "type")}
    assert table == {"strict": (4, 3, 0, 1, 1, 0.5), "exact": (5, 2, 0, 1, 1, 0.625),
                     "partial": (5, 0, 2, 1, 1, 0.75), "type": (6, 1, 0, 1, 1, 0.75)}
    # each type on its own: PER 2 correct + 1 missed (P 1, R 2/3, F1 0.8), GPE 1 correct + 2 incorrect (1/3),
    # DATE 1 missed (P None, R 0, F1 0), GOV 1 correct (1), ORG and COMMODITY 1 spurious each (P 0, R None, F1 0)
    # macro as seqeval's "macro avg": DATE's undefined P, and ORG's and COMMODITY's undefined R, count 0
    assert alpha["macro"]["strict"] == {"precision": pytest.approx((1 + 1 / 3 + 0 + 1 + 0 + 0) / 6),
                                        "recall": pytest.approx((2 / 3 + 1 / 3 + 0 + 1 + 0 + 0) / 6),
                                        "f1": pytest.approx((0.8 + 1 / 3 + 0 + 1 + 0 + 0) / 6), "types": 6}
    assert alpha["per_type"]["PER"]["strict"]["precision"] == 1.0 and alpha["per_type"]["ORG"]["strict"]["spurious"] == 1
    beta = evaluate({"beta": gold["beta"]}, preds.documents, ("coreference", "events")).scores()
    rows = {m: (beta["events"][m]["tp"], beta["events"][m]["fp"], beta["events"][m]["fn"]) for m in beta["events"] if m not in ("per_type", "per_item")}
    assert rows == {"trigger_identification": (2, 2, 1), "trigger_classification": (1, 3, 2),
                    "argument_identification": (3, 2, 3), "argument_classification": (3, 2, 3),
                    "argument_identification_attached": (2, 3, 4), "argument_classification_attached": (2, 3, 4)}
    coref_args = evaluate({"beta": gold["beta"]}, preds.documents, ("events",), EvalOptions(coref_args=True)).scores()
    assert coref_args["events"]["per_item"]["argument_classification"]["f1"] == pytest.approx(8 / 11)
    assert (beta["coreference"]["muc"]["recall"], beta["coreference"]["muc"]["precision"]) == (0.5, 1.0)
    assert beta["coreference"]["b3"]["recall"] == pytest.approx(6 / 7)


def test_a_document_predicted_twice_names_the_jsonl_line_the_columnar_path_read(tmp_path):
    """A document read as columns from line 2 of a JSONL file, then predicted again in a later
    file: the duplicate-document issue names that file and line, as the row-wise reader names it."""
    from toolkit.model.corpus import Corpus

    gold = fixture_gold()
    keep = ("schema_version", "doc_id", "seed_file", "sha256", "entities", "events", "stances")
    docs = [{k: v for k, v in json.loads(f.read_text(encoding="utf-8")).items() if k in keep} for f in sorted((EVAL / "gold").glob("*.json"))]
    folder = tmp_path / "pred"
    folder.mkdir()
    (folder / "a.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(docs[1]), encoding="utf-8")
    preds = load_predictions(folder, gold)
    assert isinstance(preds.documents, Corpus) and preds.documents._part is not None  # a.jsonl was read as columns
    expected = [("duplicate-document", str(folder / "b.json"), f"doc_id '{docs[1]['doc_id']}' is also predicted in {folder / 'a.jsonl'} (line 2)")]
    assert [(i.code, i.file, i.message) for i in preds.issues] == expected
    row_wise = load_predictions(folder, gold, fuzzy=0.9)  # --fuzzy reads every line row by row: the same words
    assert [(i.code, i.file, i.message) for i in row_wise.issues] == expected
