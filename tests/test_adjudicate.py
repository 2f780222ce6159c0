"""Adjudication maps pass B's entities to the gold entity they share most mentions with; ties are the adjudicator's."""

import copy
import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.annotation.adjudicate import AdjudicationError, Gold, adjudicate
from toolkit.cli import app
from toolkit.evaluation.agreement import agreement, differences_table
from toolkit.model.document import Document

ROOT = Path(__file__).resolve().parent.parent
ANN = ROOT / "annotations"
FIXTURES = Path(__file__).parent / "fixtures"
BASE = json.loads((FIXTURES / "valid" / "tiny.json").read_text())
TEXT = (FIXTURES / "seeds" / "tiny.txt").read_text(encoding="utf-8")


def test_entity_of_prefers_the_entity_sharing_most_mentions_not_the_first():
    # E2 (Bessent) comes first and shares one span; E1 (Choi) shares two: E1 wins.
    data = copy.deepcopy(BASE)
    data["entities"] = [data["entities"][1], data["entities"][0], *data["entities"][2:]]
    gold = Gold(Document.from_dict(data, TEXT))
    assert gold.entity_of({(18, 31), (0, 13), (59, 61)})["id"] == "E1"
    assert gold.entity_of({(35, 45)})["id"] == "E3"
    assert gold.entity_of({(92, 93)}) is None


def test_a_tie_is_reported_not_picked():
    gold = Gold(Document.from_dict(BASE, TEXT))
    with pytest.raises(AdjudicationError) as info:
        gold.entity_of({(18, 31), (59, 61)}, "holder")
    message = str(info.value)
    assert "E1 'Choi Sang-mok'" in message and "E2 'Scott Bessent'" in message and "add holder=" in message
    assert gold.entity_of({(18, 31), (59, 61)}, "holder", "Scott Bessent@18")["id"] == "E2"
    with pytest.raises(AdjudicationError, match="not 'Bessent'"):
        gold.entity_of({(18, 31)}, "holder", "Bessent@18")  # a locator whose text is not at its offset


def _passes(tmp_path):
    """Pass B links "He" to Bessent and adds a stance of that cluster: its holder ties E1 and E2 of pass A."""
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    b = copy.deepcopy(BASE)
    he = b["entities"][0]["mentions"].pop(1)
    b["entities"][1]["mentions"].append(he)
    b["stances"].append({"id": "S2", "holder": "E2", "target": {"kind": "topic", "id": "quick-deal"}, "label": "favour",
                         "evidence": [{"start": 67, "end": 92, "text": "Korea wants tariff relief"}]})
    for name, data in (("a", BASE), ("b", b)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "tiny.json").write_text(json.dumps(data))
    return tmp_path / "a", tmp_path / "b"


def _decide(tmp_path, a_dir, b_dir, decision):
    rows = differences_table(agreement(a_dir, b_dir))
    rows["decision"] = ["" if layer != "stance" else decision for layer in rows.layer]
    path = tmp_path / "decisions.csv"
    rows.to_csv(path, index=False)
    return path


def test_a_tied_stance_holder_stops_adjudication_with_the_row_located(tmp_path):
    a_dir, b_dir = _passes(tmp_path)
    path = _decide(tmp_path, a_dir, b_dir, "add")
    with pytest.raises(AdjudicationError) as info:
        adjudicate(a_dir, b_dir, path)
    line = next(i for i, row in enumerate(csv.DictReader(path.open()), start=2) if row["layer"] == "stance")
    assert str(info.value).startswith(f"{path}:{line}: tiny stance only in b")
    r = CliRunner().invoke(app, ["adjudicate", str(a_dir), str(b_dir), str(path), "--out", str(tmp_path / "gold")])
    assert r.exit_code == 1 and "shares 1 mention(s) with each of the gold entities" in r.output
    assert not (tmp_path / "gold").exists()


def test_the_adjudicator_resolves_a_tie_by_naming_a_mention(tmp_path):
    a_dir, b_dir = _passes(tmp_path)
    gold = adjudicate(a_dir, b_dir, _decide(tmp_path, a_dir, b_dir, "add holder=Scott Bessent@18"))["tiny"]
    added = [s for s in gold["stances"] if s["target"]["id"] == "quick-deal"]
    assert [s["holder"] for s in added] == ["E2"]
    with pytest.raises(AdjudicationError, match="only 'add' takes"):
        adjudicate(a_dir, b_dir, _decide(tmp_path, a_dir, b_dir, "skip holder=Scott Bessent@18"))


def test_003_package_deal_stance_is_held_by_the_korean_government():
    # Pass B's "Korean government" cluster also holds 'We'@2790 and 'our'@2889, which the gold puts in
    # Korea (E1); it shares six mentions with E27 "Korean government" and two with E1: the holder is E27.
    gold = adjudicate(ANN / "passes" / "a", ANN / "passes" / "b", ANN / "adjudication" / "decisions.csv")
    doc = gold["003_cc2259c0be3b36af"]
    stance = next(s for s in doc["stances"] if s["evidence"][0]["start"] == 2288)
    holder = next(e for e in doc["entities"] if e["id"] == stance["holder"])
    assert (stance["holder"], holder["name"]) == ("E27", "Korean government")
