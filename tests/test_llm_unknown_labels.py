"""Labels outside the inventory (schema/labels.schema.json), one at a time, in a prediction that is
otherwise the gold of tests/fixtures/valid/tiny.json; every count computed by hand (docs/metrics.md,
"Labels outside the inventory").

tiny: "Choi Sang-mok met Scott Bessent in Washington on Thursday. He said Korea wants tariff relief."
Gold: 6 mentions, Choi Sang-mok 0-13 (PER, name) and He 59-61 (PER, pronoun, the same entity),
Scott Bessent 18-31 (PER), Washington 35-45 (GPE), Thursday 49-57 (DATE), Korea 67-72 (GPE); one
event, "met" 14-17 (Trade.Negotiate, actual) with 4 arguments: Participant Choi Sang-mok,
Participant Scott Bessent, Place Washington, Time Thursday; one stance, Choi Sang-mok favour the
topic korea-tariff-relief. The gold scored as a prediction is perfect: 6 correct mentions, event
tp (1, 1, 4, 4, 4, 4) in the six measures, 1 stance triple, exit 0.
"""

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.dataset.gold import load_gold
from toolkit.predictions.load import load_predictions

GOLD = Path(__file__).parent / "fixtures" / "valid"  # tiny.json; its text is fixtures/seeds/tiny.txt
TINY = json.loads((GOLD / "tiny.json").read_text(encoding="utf-8"))
UNKNOWN = "(unknown label)"
METRICS = ("trigger_identification", "trigger_classification", "argument_identification", "argument_classification",
           "argument_identification_attached", "argument_classification_attached")
PERFECT = dict(zip(METRICS, [(1, 0, 0), (1, 0, 0)] + [(4, 0, 0)] * 4))
# field -> (where in the prediction, the label outside the inventory)
CASES = {
    "event type": (("events", 0, "type"), "Meeting"),
    "stance label": (("stances", 0, "label"), "support"),
    "topic": (("stances", 0, "target", "id"), "tariffs"),
    "mention kind": (("entities", 0, "mentions", 0, "kind"), "proper"),
    "realis": (("events", 0, "realis"), "past"),
    "role": (("events", 0, "arguments", 2, "role"), "Location"),  # Washington's Place; no event type has it
}
runner = CliRunner()


def write(tmp_path, *fields):
    """tiny.json with the label of each of ``fields`` (keys of CASES) replaced by its unknown one."""
    data = copy.deepcopy(TINY)
    for name in fields:
        where, label = CASES[name]
        holder = data
        for key in where[:-1]:
            holder = holder[key]
        holder[where[-1]] = label
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(path, *args):
    result = runner.invoke(app, ["eval", "--gold", str(GOLD), "--pred", str(path), "--tasks", "entities,events,stances",
                                 "--format", "json", "--errors", *args])
    assert "Traceback" not in result.output
    return result


def prf(s):
    return (s["tp"], s["fp"], s["fn"])


def events(data, variant=None):
    ev = data["events"] if variant is None else data["events"][variant]
    return {m: prf(ev[m]) for m in METRICS}


def untouched(data, *, entities=True, evs=True, stances=True):
    """The layers the unknown label does not reach are scored as the gold itself."""
    if entities:
        strict = data["entities"]["micro"]["strict"]
        assert (strict["correct"], strict["missed"], strict["spurious"]) == (6, 0, 0)
    if evs:
        assert events(data) == events(data, "per_item") == PERFECT
    if stances:
        assert prf(data["stances"]["triples"]) == prf(data["stances"]["pairs"]) == (1, 0, 0)


def grounding(data, unknown, valid):
    g = data["grounding"]
    assert g["unknown_labels"] == unknown
    assert g["refused"] == {}  # a label set aside refuses no item
    assert (g["documents"]["received"], g["documents"]["valid"], g["documents"]["scored"]) == (1, valid, 1)


def test_the_gold_as_prediction_is_the_perfect_baseline(tmp_path):
    result = run(write(tmp_path))
    assert result.exit_code == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    untouched(data)
    grounding(data, {}, valid=1)


def test_an_unknown_event_type_keeps_the_trigger_and_loses_its_class_and_arguments(tmp_path):
    """The trigger "met" typed 'Meeting' -> '(unknown label)'. Tri-I matches on the span alone: tp 1.
    Tri-C needs the type: fp 1 (under '(unknown label)') and fn 1 (under Trade.Negotiate). An argument is
    (event type, span[, role]), so each of the 4 arguments, now of '(unknown label)', misses its gold
    one: fp 4, fn 4 in the four argument measures, in TextEE and per item alike (no shared tuples).
    Per type, Tri-I's tp counts under the gold type (Trade.Negotiate), nothing under '(unknown label)'."""
    result = run(write(tmp_path, "event type"))
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    expected = dict(zip(METRICS, [(1, 0, 0), (0, 1, 1)] + [(0, 4, 4)] * 4))
    assert events(data) == events(data, "per_item") == expected
    per = data["events"]["per_type"]
    assert sorted(per) == [UNKNOWN, "Trade.Negotiate"]
    assert {m: prf(per[UNKNOWN][m]) for m in METRICS} == dict(zip(METRICS, [(0, 0, 0), (0, 1, 0)] + [(0, 4, 0)] * 4))
    assert {m: prf(per["Trade.Negotiate"][m]) for m in METRICS} == dict(zip(METRICS, [(1, 0, 0), (0, 0, 1)] + [(0, 0, 4)] * 4))
    untouched(data, evs=False)
    grounding(data, {"event type": {"Meeting": 1}}, valid=0)
    (confusion,) = [e for e in data["errors"] if e["task"] == "events"]
    assert (confusion["category"], confusion["text"], confusion["gold"], confusion["pred"]) == (
        "type-confusion", "met", "Trade.Negotiate", UNKNOWN)
    assert "unknown event type 'Meeting' (scored under '(unknown label)')" in result.stderr


def test_an_unknown_stance_label_is_a_false_positive_triple_of_a_matched_pair(tmp_path):
    """Choi 'support' korea-tariff-relief: holder and target match, the label does not. Triples: tp 0,
    fp 1, fn 1; pairs: tp 1. The one matched pair has gold favour, predicted '(unknown label)':
    accuracy 0; macro-F1 over the labels that occur (favour, '(unknown label)') = mean(0, 0) = 0;
    F_avg = (F1 favour 0 + F1 against 0)/2 = 0. The confusion matrix gains an '(unknown label)' column."""
    result = run(write(tmp_path, "stance label"))
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    st = data["stances"]
    assert (prf(st["triples"]), prf(st["pairs"])) == ((0, 1, 1), (1, 0, 0))
    per = st["per_target"]["korea-tariff-relief"]
    assert (prf(per["triples"]), prf(per["pairs"])) == ((0, 1, 1), (1, 0, 0))
    labels = st["labels"]
    assert (labels["pairs"], labels["accuracy"], labels["macro_f1"], labels["f_avg"]) == (1, 0.0, 0.0, 0.0)
    assert labels["f1_per_label"] == {"favour": 0.0, "against": None, "neutral": None, UNKNOWN: 0.0}
    assert labels["confusion"] == {"labels": ["favour", "against", "neutral", UNKNOWN],
                                   "matrix": [[0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]}
    untouched(data, stances=False)
    grounding(data, {"stance label": {"support": 1}}, valid=0)
    (error,) = data["errors"]
    assert (error["category"], error["gold"], error["pred"]) == ("label-confusion", "favour", UNKNOWN)


def test_an_unknown_topic_is_a_stance_on_another_target(tmp_path):
    """Choi favour 'tariffs' -> target '(unknown label)', which is not korea-tariff-relief: no pair
    matches. Triples and pairs: fp 1 (under the target '(unknown label)'), fn 1 (under
    korea-tariff-relief); no matched pair, so every label score is None."""
    result = run(write(tmp_path, "topic"))
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    st = data["stances"]
    assert (prf(st["triples"]), prf(st["pairs"])) == ((0, 1, 1), (0, 1, 1))
    assert {t: (prf(v["triples"]), prf(v["pairs"])) for t, v in st["per_target"].items()} == {
        UNKNOWN: ((0, 1, 0), (0, 1, 0)), "korea-tariff-relief": ((0, 0, 1), (0, 0, 1))}
    assert (st["labels"]["pairs"], st["labels"]["accuracy"], st["labels"]["macro_f1"], st["labels"]["f_avg"]) == (0, None, None, None)
    untouched(data, stances=False)
    grounding(data, {"topic": {"tariffs": 1}}, valid=0)
    assert sorted((e["category"], e["text"]) for e in data["errors"]) == [
        ("false-negative", "Choi Sang-mok -> korea-tariff-relief"), ("false-positive", "Choi Sang-mok -> (unknown label)")]
    assert "did you mean 'us-tariffs'?" in run(write(tmp_path, "topic"), "--verbose").stderr


def test_an_unknown_mention_kind_is_dropped_and_counted_the_mention_is_scored(tmp_path):
    """Choi Sang-mok's kind 'proper' is removed; the mention stays (type PER): 6 correct, as the gold.
    A mention without a kind passes every --mention-kinds filter: with pronoun, gold {He}, predicted
    {He, Choi Sang-mok}: strict 1 correct, 1 spurious, P 1/2, R 1."""
    path = write(tmp_path, "mention kind")
    result = run(path)
    assert result.exit_code == 3, result.output  # the unknown label is an error, counted
    data = json.loads(result.stdout)
    untouched(data)
    grounding(data, {"mention kind": {"proper": 1}}, valid=0)
    assert data["errors"] == [] and "unknown mention kind 'proper' (not scored)" in result.stderr
    doc = load_predictions(path, load_gold(GOLD)).documents["tiny"]
    assert sorted((m.span.text, m.kind) for m in doc.mentions())[:2] == [("Choi Sang-mok", ""), ("He", "pronoun")]
    strict = json.loads(run(path, "--mention-kinds", "pronoun").stdout)["entities"]["micro"]["strict"]
    assert (strict["correct"], strict["spurious"], strict["missed"], strict["precision"], strict["recall"]) == (1, 1, 0, 0.5, 1.0)


def test_an_unknown_realis_is_dropped_and_counted_and_nothing_else_changes(tmp_path):
    """realis 'past' is removed (realis is not scored): every score is the gold's; exit 3 all the same."""
    path = write(tmp_path, "realis")
    result = run(path)
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    untouched(data)
    grounding(data, {"realis": {"past": 1}}, valid=0)
    assert data["errors"] == [] and "unknown realis 'past' (not scored)" in result.stderr
    (event,) = load_predictions(path, load_gold(GOLD)).documents["tiny"].events
    assert (event.type, event.realis) == ("Trade.Negotiate", "")


def test_a_role_no_event_type_has_is_scored_as_given_with_a_warning(tmp_path):
    """Washington as 'Location' of "met" (Trade.Negotiate has Participant, Topic, Place, Time).
    Scored as given: Arg-I ignores the role, tp 4; Arg-C: 3 tp, 'Location' fp 1, the gold Place fn 1;
    the attached variants alike (the trigger matches). A warning (role-not-allowed), not an error:
    the document is valid and exit 0, also with --strict; the role is listed among the unknown labels."""
    path = write(tmp_path, "role")
    result = run(path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = {**PERFECT, "argument_classification": (3, 1, 1), "argument_classification_attached": (3, 1, 1)}
    assert events(data) == events(data, "per_item") == expected
    assert {m: prf(data["events"]["per_type"]["Trade.Negotiate"][m]) for m in METRICS} == expected  # no other row
    assert sorted(data["events"]["per_type"]) == ["Trade.Negotiate"]
    untouched(data, evs=False)
    grounding(data, {"role": {"Location": 1}}, valid=1)
    assert sorted((e["category"], e["text"], e["gold"] or e["pred"]) for e in data["errors"]) == [
        ("false-negative", "Washington", "Place of Trade.Negotiate 'met'"),
        ("false-positive", "Washington", "Location of Trade.Negotiate 'met'")]
    assert "warning role-not-allowed x1" in result.stderr and "0 error(s), 1 warning(s)" in result.stderr
    strict = run(path, "--strict")
    assert strict.exit_code == 0 and json.loads(strict.stdout)["events"] == data["events"]


@pytest.mark.parametrize("field", [f for f in CASES if f != "role"])
def test_strict_refuses_every_label_outside_the_inventory(tmp_path, field):
    result = run(write(tmp_path, field), "--strict")
    assert result.exit_code == 1 and result.stdout == ""
    assert "[unknown-label]" in result.stderr and "nothing scored" in result.stderr


def test_all_six_at_once_are_counted_per_field_and_merge_exactly(tmp_path):
    """One prediction with all six labels: one count per field, except the role: its event's type is
    set aside, and the roles of an unknown event type are not checked (no role-not-allowed warning, no
    count; docs/metrics.md does not say). The counts file merges to the same report."""
    path = write(tmp_path, *CASES)
    whole = run(path, "--per-document")
    assert whole.exit_code == 3, whole.output
    data = json.loads(whole.stdout)
    assert data["grounding"]["unknown_labels"] == {f: {label: 1} for f, (_, label) in sorted(CASES.items()) if f != "role"}
    assert "role-not-allowed" not in whole.stderr
    counts = tmp_path / "tiny.counts.json"
    out = runner.invoke(app, ["eval", "--gold", str(GOLD), "--pred", str(path), "--tasks", "entities,events,stances",
                              "--counts-only", "--out", str(counts)])
    assert out.exit_code == 3, out.output
    merged = runner.invoke(app, ["merge", str(counts), "--format", "json", "--per-document"])
    assert merged.exit_code == 0, merged.output
    m = json.loads(merged.stdout)
    assert all(m[k] == data[k] for k in ("grounding", "per_document_grounding", "entities", "events", "stances"))
