"""Inter-annotator agreement on hand-made variants of the fixture (values computed by hand)."""

import copy
import json
import shutil
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from toolkit.evaluation.agreement import _kappa, agreement
from toolkit.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
BASE = json.loads((FIXTURES / "valid" / "tiny.json").read_text())


def passes(tmp_path, mutate):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "a" / "tiny.json").write_text(json.dumps(BASE))
    b = copy.deepcopy(BASE)
    mutate(b)
    (tmp_path / "b" / "tiny.json").write_text(json.dumps(b))
    return tmp_path / "a", tmp_path / "b"


def overall(report):
    return report.table().set_index("doc_id").loc["overall"]


def test_identical_passes_agree_fully(tmp_path):
    row = overall(agreement(*passes(tmp_path, lambda b: None)))
    for col in ("mention span F1", "mention span+type F1", "coref CoNLL F1", "trigger span+type F1", "argument F1",
                "stance triple F1"):
        assert row[col] == 1.0, col


def test_hand_computed_disagreements(tmp_path):
    def mutate(b):
        b["entities"][1]["type"] = "ORG"                      # Bessent retyped: span agrees, type does not
        b["entities"][0]["mentions"].pop(1)                     # pass B misses "He"
        b["events"][0]["arguments"] = b["events"][0]["arguments"][:2]  # drops Place and Time
        b["stances"][0]["label"] = "against"
    row = overall(agreement(*passes(tmp_path, mutate)))
    assert row["mention span F1"] == pytest.approx(2 * 5 / (6 + 5))
    assert row["mention span+type F1"] == pytest.approx(2 * 4 / (6 + 5))
    assert row["argument F1"] == pytest.approx(2 * 2 / (4 + 2))
    assert row["stance pairs"] == 1 and row["stance pair F1"] == 1.0 and row["stance triple F1"] == 0.0
    assert row["stance kappa"] is None  # one pair: undefined, not 0
    # B3 with "He" missing in B: key {Choi, He}, {Bessent}, ...; recall loses half of Choi's cluster
    assert row["coref b3 F1"] < 1.0


def test_kappa_matches_scikit_learn():
    pairs = [("favour", "favour"), ("against", "favour"), ("against", "against"), ("neutral", "against"),
             ("favour", "favour"), ("against", "against")]
    a, b = zip(*pairs)
    assert _kappa(pairs) == pytest.approx(cohen_kappa_score(a, b))
    assert _kappa([("favour", "favour"), ("favour", "favour")]) is None  # a single label: undefined


def test_agree_command(tmp_path):
    a, b = passes(tmp_path, lambda b: b["entities"][1].update(type="ORG"))
    result = CliRunner().invoke(app, ["agree", str(a), str(b), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"][-1]["doc_id"] == "overall"
    assert data["documents"][-1]["mention span+type F1"] == pytest.approx(5 / 6)


def test_differences_list_each_disagreement(tmp_path):
    from toolkit.evaluation.agreement import differences_table

    def mutate(b):
        b["entities"][1]["type"] = "ORG"
        b["stances"][0]["label"] = "against"
    report = agreement(*passes(tmp_path, mutate))
    rows = differences_table(report)
    got = sorted(zip(rows.layer, rows.only_in, rows.text))
    assert got == [("mention", "a", "Scott Bessent"), ("mention", "b", "Scott Bessent"), ("stance label", "both", "Korea wants tariff relief")]
    r = CliRunner().invoke(app, ["agree", str(tmp_path / "a"), str(tmp_path / "b"), "--differences", "--format", "json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 3


def test_adjudicate_applies_each_decision(tmp_path):

    from toolkit.annotation.adjudicate import adjudicate

    def mutate(b):
        b["entities"][1]["type"] = "ORG"            # a: PER, b: ORG
        b["entities"][0]["mentions"].pop(1)           # "He" only in a
        b["events"][0]["realis"] = "other"
    a_dir, b_dir = passes(tmp_path, mutate)
    from toolkit.evaluation.agreement import differences_table as table
    rows = table(agreement(a_dir, b_dir))
    decide = {("mention", "a", "Scott Bessent"): "drop", ("mention", "b", "Scott Bessent"): "add",
              ("mention", "a", "He"): "keep", ("realis", "both", "met"): "b"}
    rows["decision"] = [decide.get((l, o, t), "") for l, o, t in zip(rows.layer, rows.only_in, rows.text)]
    path = tmp_path / "decisions.csv"
    rows.to_csv(path, index=False)
    gold = adjudicate(a_dir, b_dir, path)["tiny"]
    types = {m["text"]: e["type"] for e in gold["entities"] for m in e["mentions"]}
    assert types["Scott Bessent"] == "ORG" and "He" in types
    assert gold["events"][0]["realis"] == "other"
    # Bessent's argument followed the mention to its new (ORG) entity
    ids = {m["id"]: m["text"] for e in gold["entities"] for m in e["mentions"]}
    assert "Scott Bessent" in [ids[a["mention"]] for a in gold["events"][0]["arguments"]]
    r = CliRunner().invoke(app, ["adjudicate", str(a_dir), str(b_dir), str(path), "--out", str(tmp_path / "gold")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "gold" / "tiny.json").read_text()) == gold
