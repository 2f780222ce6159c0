"""Scoring LLM-style predictions: each hand-written file of tests/fixtures/llm/pred against the two
gold documents of tests/fixtures/llm/gold, with counts and statuses computed by hand.

memo: "Seoul’s trade envoy met officials of South Korea’s partners in Geneva on Friday. Seoul wants
the tariffs lifted. The envoy said Seoul would host new talks." Gold mentions (10): Seoul 0-5,
South Korea 37-48, Seoul 81-86, Seoul 128-133 (GPE, one entity); trade envoy 8-19, envoy 117-122
(PER); officials 24-33 (PER); partners 51-59 (GPE); Geneva 63-69 (GPE); Friday 73-79 (DATE).
note: "Geneva hosted a meeting on Friday." Gold mentions (2): Geneva (GPE), Friday (DATE).
So every run below has possible = 12 strict entity mentions.
"""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.dataset.gold import load_gold
from toolkit.cli import app
from toolkit.evaluation.evaluate import evaluate
from toolkit.predictions.load import load_predictions

LLM = Path(__file__).parent / "fixtures" / "llm"
GOLD = LLM / "gold"
runner = CliRunner()


def run(name, *args):
    result = runner.invoke(app, ["eval", "--gold", str(GOLD), "--pred", str(LLM / "pred" / name), "--tasks", "entities",
                                 "--format", "json", "--errors", *args])
    assert "Traceback" not in result.output
    return result


def scores(result):
    data = json.loads(result.stdout)
    s = data["entities"]["micro"]
    return data, {k: s["strict"][k] for k in ("correct", "incorrect", "partial", "missed", "spurious")}, s


def spans(data, kind="mention"):
    return data["grounding"]["spans"][kind]["counts"]


def test_a_made_up_quote_is_a_false_positive_and_the_rest_is_scored():
    result = run("tokyo.jsonl")
    assert result.exit_code == 3, result.output  # scored, something refused
    data, strict, micro = scores(result)
    assert strict == {"correct": 1, "incorrect": 0, "partial": 0, "missed": 11, "spurious": 1}  # Geneva; Tokyo spurious
    assert micro["strict"]["precision"] == 0.5 and micro["strict"]["recall"] == pytest.approx(1 / 12)
    assert data["entities"]["per_type"]["GPE"]["strict"]["spurious"] == 1  # under its predicted label
    assert spans(data) == {"match_exact": 1, "match_normalized": 0, "match_fuzzy": 0, "ungrounded": 1}
    assert data["grounding"]["spans"]["mention"]["shares"]["ungrounded"] == 0.5
    assert data["grounding"]["refused"] == {"entities": 1}
    assert data["grounding"]["documents"] == {"gold": 2, "received": 1, "parsed": 1, "fenced": 0, "valid": 1, "scored": 1,
                                              "shares": {"received": 0.5, "parsed": 1.0, "fenced": 0.0, "valid": 1.0, "scored": 1.0}}
    (fp,) = [e for e in data["errors"] if e["text"] == "Tokyo"]
    assert (fp["category"], fp["start"], fp["pred"], fp["detail"]) == ("false-positive", None, "GPE", "ungrounded mention")
    assert "unanchored-quote x1" in result.stderr and "'Tokyo' does not occur in the text" in result.stderr
    text = data["grounding"]["text_entities"]["micro"]
    assert (text["tp"], text["fp"], text["fn"]) == (1, 1, 11)


def test_a_straight_apostrophe_and_a_double_space_are_normalised_matches():
    result = run("apostrophe.json")
    assert result.exit_code == 0, result.output  # only warnings
    data, strict, micro = scores(result)
    # "Seoul's" -> 0-7 "Seoul’s" overlaps the gold "Seoul" 0-5 (same type): strict incorrect, partial;
    # "trade  envoy" -> 8-19 "trade envoy": correct.
    assert strict == {"correct": 1, "incorrect": 1, "partial": 0, "missed": 10, "spurious": 0}
    assert (micro["partial"]["partial"], micro["partial"]["precision"]) == (1, 0.75)
    assert spans(data) == {"match_exact": 0, "match_normalized": 2, "match_fuzzy": 0, "ungrounded": 0}
    preds = load_predictions(LLM / "pred" / "apostrophe.json", load_gold(GOLD))
    assert sorted((m.span.start, m.span.end, m.span.text) for m in preds.documents["memo"].mentions()) == [
        (0, 7, "Seoul’s"), (8, 19, "trade envoy")]  # exact code-point offsets of the original text
    assert [i.code for i in preds.issues].count("normalized-quote") == 2
    text = data["grounding"]["text_entities"]["micro"]
    assert (text["tp"], text["fp"], text["fn"]) == (1, 1, 11)  # (seoul's, GPE) is not (seoul, GPE) (docs/metrics.md)


def test_a_lower_case_quote_is_a_normalised_match_and_correct():
    result = run("lowercase.json")
    assert result.exit_code == 0
    data, strict, _ = scores(result)
    assert strict == {"correct": 1, "incorrect": 0, "partial": 0, "missed": 11, "spurious": 0}
    assert spans(data) == {"match_exact": 0, "match_normalized": 1, "match_fuzzy": 0, "ungrounded": 0}
    assert data["grounding"]["text_entities"]["micro"]["tp"] == 1  # "south korea" = "South Korea" once normalised


def test_an_unknown_label_is_scored_under_the_unknown_label_row():
    result = run("unknown-label.json")
    assert result.exit_code == 3
    data, strict, micro = scores(result)
    # micro: "officials" lands on the gold PER mention: same span, another type (strict incorrect, exact correct);
    # "new" matches no gold mention: spurious. Per type, each type is matched on its own: PER misses
    # "officials" (and the two envoys); "(unknown label)" has the two predictions, both spurious.
    assert strict == {"correct": 0, "incorrect": 1, "partial": 0, "missed": 11, "spurious": 1}
    assert (micro["exact"]["correct"], micro["exact"]["precision"]) == (1, 0.5)
    per = data["entities"]["per_type"]
    assert (per["PER"]["strict"]["missed"], per["PER"]["strict"]["correct"]) == (3, 0)
    assert (per["(unknown label)"]["strict"]["spurious"], per["(unknown label)"]["strict"]["possible"]) == (2, 0)
    assert data["grounding"]["unknown_labels"] == {"entity type": {"person": 1}}
    docs = data["grounding"]["documents"]
    assert (docs["valid"], docs["scored"]) == (0, 1)  # not valid as written, scored once the label is set aside
    text = data["grounding"]["text_entities"]["micro"]
    assert (text["tp"], text["fp"], text["fn"]) == (0, 2, 12)


def test_a_fenced_json_is_stripped_with_a_warning():
    result = run("fenced.json")
    assert result.exit_code == 0, result.output
    data, strict, _ = scores(result)
    assert strict["correct"] == 1 and strict["missed"] == 11
    assert data["grounding"]["documents"]["fenced"] == 1
    assert "fenced-json x1" in result.stderr


def test_a_json_array_of_documents_is_read():
    result = run("array.json")
    assert result.exit_code == 0, result.output
    data, strict, _ = scores(result)
    assert strict == {"correct": 3, "incorrect": 0, "partial": 0, "missed": 9, "spurious": 0}
    assert data["documents"]["missing_predictions"] == [] and result.stderr == ""


def test_an_unparseable_document_is_an_empty_prediction_and_counted():
    result = run("unparseable.jsonl")
    assert result.exit_code == 3
    data, strict, _ = scores(result)
    assert strict == {"correct": 1, "incorrect": 0, "partial": 0, "missed": 11, "spurious": 0}
    assert data["grounding"]["documents"] == {"gold": 2, "received": 2, "parsed": 1, "fenced": 0, "valid": 1, "scored": 1,
                                              "shares": {"received": 1.0, "parsed": 0.5, "fenced": 0.0, "valid": 0.5, "scored": 0.5}}
    assert data["documents"]["missing_predictions"] == []  # received, though unusable
    assert "invalid-json x1" in result.stderr
    text = runner.invoke(app, ["eval", "--gold", str(GOLD), "--pred", str(LLM / "pred" / "unparseable.jsonl"), "--tasks", "entities"])
    assert "1 document(s) whose prediction could not be parsed or failed the schema, scored as predicting nothing: note" in text.stdout


def test_repeated_quotes_go_to_the_gold_occurrences_by_optimal_assignment():
    result = run("repeated.json")
    assert result.exit_code == 0, result.output
    data, strict, _ = scores(result)
    # four "Seoul" quotes, three occurrences (all gold GPE): three correct, the fourth a duplicate (spurious);
    # "envoy" occurs inside "trade envoy" (14-19) first, but the gold mention is the later "envoy" (117-122): correct.
    assert strict == {"correct": 4, "incorrect": 0, "partial": 0, "missed": 8, "spurious": 1}
    assert spans(data) == {"match_exact": 5, "match_normalized": 0, "match_fuzzy": 0, "ungrounded": 0}
    preds = load_predictions(LLM / "pred" / "repeated.json", load_gold(GOLD))
    assert sorted(m.span.offsets for m in preds.documents["memo"].mentions()) == [(0, 5), (0, 5), (81, 86), (117, 122), (128, 133)]


def test_fuzzy_matching_is_off_by_default_and_takes_the_most_similar_stretch():
    off = run("fuzzy.json")
    assert off.exit_code == 3 and spans(json.loads(off.stdout))["ungrounded"] == 1
    on = run("fuzzy.json", "--fuzzy", "0.9")  # ratio("genva", "geneva") = 2·5/11 = 0.909
    assert on.exit_code == 0, on.output
    data, strict, _ = scores(on)
    assert strict["correct"] == 1 and spans(data)["match_fuzzy"] == 1
    assert "fuzzy-quote x1" in on.stderr
    assert run("fuzzy.json", "--fuzzy", "0.95").exit_code == 3  # 0.909 < 0.95


def test_strict_refuses_what_lenient_counts():
    for name in ("tokyo.jsonl", "unknown-label.json", "unparseable.jsonl"):
        result = run(name, "--strict")
        assert result.exit_code == 1 and result.stdout == "" and "nothing scored" in result.stderr
    assert run("apostrophe.json", "--strict").exit_code == 0  # warnings only


def test_every_output_format_carries_the_grounding_report():
    base = ["eval", "--gold", str(GOLD), "--pred", str(LLM / "pred" / "tokyo.jsonl"), "--tasks", "entities"]
    text = runner.invoke(app, base).stdout
    assert "Grounding: predicted spans per alignment status" in text and "Entities, text level" in text
    md = runner.invoke(app, [*base, "--format", "markdown"]).stdout
    assert "### Grounding: predicted spans per alignment status" in md and "| entities | mention | 2 | 1 | 0 | 0 | 1 |" in md
    csv = runner.invoke(app, [*base, "--format", "csv"]).stdout
    assert "grounding,mention spans,ungrounded,,,,,,2.0,1.0,,,,0.5" in csv
    assert "entities,text_level,ALL,1.0,,,11.0,1.0,12.0,2.0,0.5" in csv


def test_grounding_counts_merge_exactly(tmp_path):
    """Shards scored apart (counts files) merge into the whole run's grounding report."""
    for part in ("memo", "note"):
        (tmp_path / part / "gold").mkdir(parents=True)
        shutil.copy(GOLD / f"{part}.json", tmp_path / part / "gold")
        shutil.copytree(LLM / "seeds", tmp_path / part / "seeds")
        result = runner.invoke(app, ["eval", "--gold", str(tmp_path / part / "gold"), "--pred", str(LLM / "pred" / "unparseable.jsonl"),
                                     "--counts-only", "--out", str(tmp_path / f"{part}.counts.json")])
        assert result.exit_code == 3, result.output
    merged = runner.invoke(app, ["merge", str(tmp_path / "memo.counts.json"), str(tmp_path / "note.counts.json"), "--format", "json",
                                 "--per-document"])
    whole = runner.invoke(app, ["eval", "--gold", str(GOLD), "--pred", str(LLM / "pred" / "unparseable.jsonl"), "--format", "json",
                                "--per-document"])
    assert merged.exit_code == 0, merged.output
    m, w = json.loads(merged.stdout), json.loads(whole.stdout)
    assert m["grounding"] == w["grounding"] and m["per_document_grounding"] == w["per_document_grounding"]
    assert m["entities"] == w["entities"]


def test_the_python_api_reports_records():
    gold = load_gold(GOLD)
    preds = load_predictions(LLM / "pred" / "unparseable.jsonl", gold)
    assert sorted(preds.records) == ["memo", "note"] and not preds.records["note"].parsed
    report = evaluate(gold, preds.documents, ("entities",), records=preds.records)
    assert report.missing == [] and report.counts.per_document_grounding()["note"]["documents"]["parsed"] == 0


def test_refused_events_and_arguments_are_false_positives_in_both_event_variants():
    """memo's gold events: met (Contact.Meet, 4 arguments), tariffs (0), lifted (1), talks (1).
    Predicted: "signed" (not in the text; two identical arguments "Seoul" Party) and "met" with the
    arguments "Paris" (not in the text) and "Geneva" (Place, correct)."""
    from toolkit.predictions.load import predictions_from_dicts

    gold = load_gold(GOLD)
    pred = {"doc_id": "memo", "events": [
        {"type": "Trade.Agree", "trigger": {"text": "signed"}, "arguments": [{"role": "Party", "text": "Seoul"}, {"role": "Party", "text": "Seoul"}]},
        {"type": "Contact.Meet", "trigger": {"text": "met"}, "arguments": [{"role": "Place", "text": "Paris"}, {"role": "Place", "text": "Geneva"}]}]}
    preds = predictions_from_dicts([pred, {"doc_id": "note"}], gold)
    report = evaluate(gold, preds.documents, ("events",), records=preds.records)
    ev = report.scores()["events"]
    prf = lambda s: (s["tp"], s["fp"], s["fn"])  # noqa: E731
    # per item: every refused item is one false positive
    assert prf(ev["per_item"]["trigger_identification"]) == (1, 1, 4)  # gold triggers: 4 in memo, meeting in note
    assert prf(ev["per_item"]["argument_classification"]) == (1, 3, 7)  # 6 + 2 gold arguments; Paris and both Seouls
    # TextEE (unique tuples): the two identical refused arguments are one tuple
    assert prf(ev["trigger_identification"]) == (1, 1, 4)
    assert prf(ev["argument_classification"]) == (1, 2, 7)
    assert report.counts.per_document_grounding()["memo"]["refused"] == {"arguments": 3, "events": 1}
    assert report.counts.per_document_grounding()["memo"]["spans"]["trigger"] == {"match_exact": 1, "ungrounded": 1}
