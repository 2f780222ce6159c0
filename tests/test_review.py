"""The review stage: a third reader's changes, one CSV row each, applied after the decisions (expected values by hand)."""

import copy
import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.annotation.adjudicate import read_rows
from toolkit.annotation.locate import AdjudicationError, span_of
from toolkit.annotation.review import COLUMNS, apply_review
from toolkit.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
BASE = json.loads((FIXTURES / "valid" / "tiny.json").read_text())
TEXT = (FIXTURES / "seeds" / "tiny.txt").read_text(encoding="utf-8")
# "Choi Sang-mok met Scott Bessent in Washington on Thursday. He said Korea wants tariff relief."


def review(*rows):
    gold = {"tiny": copy.deepcopy(BASE)}
    rows = [dict(zip(COLUMNS, ("tiny", *r, "9.13", "a reason"))) for r in rows]
    return apply_review(gold, {"tiny": TEXT}, rows)["tiny"]


def mentions(doc):
    return {m["text"]: (e["id"], e["type"], m["kind"]) for e in doc["entities"] for m in e["mentions"]}


def args(doc, event="V1"):
    by_id = {m["id"]: m["text"] for e in doc["entities"] for m in e["mentions"]}
    v = next(v for v in doc["events"] if v["id"] == event)
    return sorted((a["role"], by_id[a["mention"]]) for a in v["arguments"])


def test_a_locator_is_checked_against_the_text():
    assert span_of("Scott Bessent@18", TEXT) == (18, 31)
    with pytest.raises(AdjudicationError, match="'Korea' occurs at 67"):
        span_of("Korea@60", TEXT)
    with pytest.raises(AdjudicationError, match="not a span"):
        span_of("Korea", TEXT)


def test_mention_changes():
    doc = review(("mention", "Korea wants@67", "add", "GPE name new: Korea wants"))
    assert mentions(doc)["Korea wants"] == ("E6", "GPE", "name")
    doc = review(("mention", "Korea@67", "span", "Korea wants@67"), ("mention", "Korea wants@67", "kind", "nominal"))
    assert mentions(doc)["Korea wants"] == ("E5", "GPE", "nominal") and "Korea" not in mentions(doc)
    doc = review(("mention", "He@59", "entity", "Scott Bessent@18"))
    assert mentions(doc)["He"][0] == "E2" and mentions(doc)["Choi Sang-mok"][0] == "E1"
    doc = review(("mention", "He@59", "entity", "new: the speaker"))
    assert next(e for e in doc["entities"] if e["id"] == "E6") == {
        "id": "E6", "type": "PER", "name": "the speaker", "mentions": [BASE["entities"][0]["mentions"][1]]}
    with pytest.raises(AdjudicationError, match="already a mention"):
        review(("mention", "He@59", "add", "PER pronoun Choi Sang-mok@0"))
    with pytest.raises(AdjudicationError, match="is GPE, not PER"):
        review(("mention", "Korea wants@67", "add", "PER name Korea@67"))


def test_moving_the_last_mention_merges_the_entity_and_its_stances_follow():
    doc = review(("mention", "Choi Sang-mok@0", "entity", "Scott Bessent@18"), ("mention", "He@59", "entity", "Scott Bessent@18"))
    assert "E1" not in {e["id"] for e in doc["entities"]}
    assert doc["stances"][0]["holder"] == "E2"


def test_what_would_be_lost_is_refused():
    with pytest.raises(AdjudicationError, match="fills met@14 Participant: drop or change that argument"):
        review(("mention", "Choi Sang-mok@0", "drop", ""))
    with pytest.raises(AdjudicationError, match="stances S1 refer to"):
        review(("mention", "He@59", "drop", ""), ("argument", "met@14 Participant=Choi Sang-mok@0", "drop", ""),
               ("mention", "Choi Sang-mok@0", "drop", ""))
    doc = review(("argument", "met@14 Participant=Choi Sang-mok@0", "drop", ""), ("mention", "Choi Sang-mok@0", "drop", ""))
    assert "Choi Sang-mok" not in mentions(doc) and mentions(doc)["He"][0] == "E1"
    doc2 = copy.deepcopy(BASE)
    doc2["stances"][0]["target"] = {"kind": "event", "id": "V1"}
    gold = {"tiny": doc2}
    with pytest.raises(AdjudicationError, match="stances S1 target 'met@14'"):
        apply_review(gold, {"tiny": TEXT}, [dict(zip(COLUMNS, ("tiny", "event", "met@14", "drop", "", "9.1", "r")))])


def test_event_and_argument_changes():
    doc = review(("event", "wants@73", "add", "Trade.Request other"), ("argument", "wants@73 Requester=Korea@67", "add", ""))
    v = doc["events"][-1]
    assert (v["id"], v["type"], v["realis"], v["trigger"]) == ("V2", "Trade.Request", "other",
                                                               {"start": 73, "end": 78, "text": "wants"})
    assert args(doc, "V2") == [("Requester", "Korea")]
    doc = review(("argument", "met@14 Participant=Choi Sang-mok@0", "mention", "He@59"),
                 ("argument", "met@14 Place=Washington@35", "role", "Participant"),
                 ("argument", "met@14 Time=Thursday@49", "drop", ""),
                 ("event", "met@14", "realis", "other"), ("event", "met@14", "type", "Contact.Meet"))
    assert args(doc) == [("Participant", "He"), ("Participant", "Scott Bessent"), ("Participant", "Washington")]
    assert (doc["events"][0]["realis"], doc["events"][0]["type"]) == ("other", "Contact.Meet")
    doc = review(("event", "met@14", "trigger", "met Scott@14"))
    assert doc["events"][0]["trigger"] == {"start": 14, "end": 23, "text": "met Scott"}
    with pytest.raises(AdjudicationError, match="the event has Participant=Choi Sang-mok@0, Participant=Scott"):
        review(("argument", "met@14 Participant=He@59", "drop", ""))
    with pytest.raises(AdjudicationError, match="no gold event with the trigger 'said@62'"):
        review(("argument", "said@62 Participant=He@59", "add", ""))


def test_stance_changes():
    doc = review(("stance", "He@59 -> quick-deal", "add", "against: tariff relief@79 | wants@73"))
    s = doc["stances"][-1]
    assert (s["id"], s["holder"], s["target"], s["label"]) == ("S2", "E1", {"kind": "topic", "id": "quick-deal"}, "against")
    assert [e["text"] for e in s["evidence"]] == ["tariff relief", "wants"]
    doc = review(("stance", "Choi Sang-mok@0 -> korea-tariff-relief", "holder", "Korea@67"),
                 ("stance", "Korea@67 -> korea-tariff-relief", "label", "neutral"),
                 ("stance", "Korea@67 -> korea-tariff-relief", "target", "event met@14"),
                 ("stance", "Korea@67 -> event met@14", "evidence", "wants tariff relief@73"))
    assert doc["stances"] == [{"id": "S1", "holder": "E5", "target": {"kind": "event", "id": "V1"}, "label": "neutral",
                               "evidence": [{"start": 73, "end": 92, "text": "wants tariff relief"}]}]
    assert review(("stance", "He@59 -> korea-tariff-relief", "drop", ""))["stances"] == []
    with pytest.raises(AdjudicationError, match="already has a stance"):
        review(("stance", "He@59 -> korea-tariff-relief", "add", "favour: wants@73"))
    with pytest.raises(AdjudicationError, match="no gold stance 'Scott Bessent@18 -> korea-tariff-relief'"):
        review(("stance", "Scott Bessent@18 -> korea-tariff-relief", "drop", ""))
    with pytest.raises(AdjudicationError, match="not a topic"):
        review(("stance", "He@59 -> tariff-relief", "add", "favour: wants@73"))


def test_document_fields_and_row_checks():
    doc = review(("document", "notes", "set", "reviewed"), ("document", "source.title", "set", "A title"))
    assert list(doc)[:6] == ["schema_version", "doc_id", "seed_file", "sha256", "source", "notes"]
    assert (doc["notes"], doc["source"]["title"]) == ("reviewed", "A title")
    with pytest.raises(AdjudicationError, match="a mention row's change is one of add, drop, span, kind, entity"):
        review(("mention", "He@59", "retype", "GPE"))
    with pytest.raises(AdjudicationError, match="needs the rule it applies and a reason"):
        apply_review({"tiny": copy.deepcopy(BASE)}, {"tiny": TEXT},
                     [dict(zip(COLUMNS, ("tiny", "mention", "He@59", "kind", "name", "", "")))])


def _setup(tmp_path, rows):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "tiny.json").write_text(json.dumps(BASE))
    (tmp_path / "decisions.csv").write_text("doc_id,layer,only_in,start,end,text,label,detail,decision,reason\n")
    with open(tmp_path / "review.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return [str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "decisions.csv"), "--review",
            str(tmp_path / "review.csv"), "--out", str(tmp_path / "gold")]


def test_adjudicate_command_applies_the_review_and_refuses_to_overwrite_without_force(tmp_path):
    cmd = _setup(tmp_path, [("tiny", "mention", "He@59", "kind", "name", "9.10", "a test")])
    r = CliRunner().invoke(app, ["adjudicate", *cmd])
    assert r.exit_code == 0, r.output
    assert mentions(json.loads((tmp_path / "gold" / "tiny.json").read_text()))["He"][2] == "name"
    assert CliRunner().invoke(app, ["adjudicate", *cmd]).exit_code == 0  # same content: nothing to overwrite
    with open(tmp_path / "review.csv", "a", newline="") as handle:
        csv.writer(handle).writerow(("tiny", "mention", "Korea@67", "kind", "nominal", "9.10", "a test"))
    r = CliRunner().invoke(app, ["adjudicate", *cmd])
    assert r.exit_code == 2 and "--force" in r.output  # never overwrites without --force: a usage error
    assert CliRunner().invoke(app, ["adjudicate", *cmd, "--force"]).exit_code == 0


def test_a_bad_review_row_is_located_by_file_and_line(tmp_path):
    cmd = _setup(tmp_path, [("tiny", "mention", "He@59", "kind", "name", "9.10", "fine"),
                            ("tiny", "argument", "met@14 Agent=He@59", "drop", "", "9.13", "no such argument")])
    r = CliRunner().invoke(app, ["adjudicate", *cmd])
    assert r.exit_code == 1
    assert f"{tmp_path / 'review.csv'}:3: tiny argument 'met@14 Agent=He@59' drop: no argument" in r.output
    assert not (tmp_path / "gold").exists()
    assert [row["_line"] for row in read_rows(tmp_path / "review.csv")] == [2, 3]
