"""Built-in and plug-in systems."""

import sys
from pathlib import Path

import pytest

from toolkit.predictions.anchor import anchor_document
from toolkit.io.read import read_seed
from toolkit.predictions.systems import SystemFailure, load_system, run_system
from toolkit.predictions.systems.baseline import extract
from toolkit.checks.validate import schema_issues

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_baseline_output_validates_and_anchors(seed):
    text = read_seed(seed)
    pred = run_system(load_system("baseline"), seed.stem, text)
    assert pred["doc_id"] == seed.stem
    assert list(schema_issues(pred, seed.name, "prediction")) == []
    _, issues = anchor_document(pred, text, seed.name)
    assert issues == []
    assert pred["entities"] and pred["events"]
    ids = {m["id"] for e in pred["entities"] for m in e["mentions"]}
    assert all(a["mention"] in ids for v in pred["events"] for a in v["arguments"])


def test_baseline_finds_what_its_rules_cover():
    text = "Finance Minister Choi Sang-mok will travel to Washington on Tuesday. Choi said tariffs of 25 percent hurt."
    pred = extract(text)
    found = {(m["text"], e["type"]) for e in pred["entities"] for m in e["mentions"]}
    assert {("Choi Sang-mok", "PER"), ("Washington", "GPE"), ("Tuesday", "DATE"), ("25 percent", "PERCENT")} <= found
    choi = [e for e in pred["entities"] if e["name"] == "Choi Sang-mok"][0]
    assert [m["text"] for m in choi["mentions"]] == ["Choi Sang-mok", "Choi"]  # surname continues the name
    travel = [v for v in pred["events"] if v["trigger"]["text"] == "travel"][0]
    assert travel["type"] == "Movement.Transport" and travel["realis"] == "other"


def test_plugin_system_by_module_function(tmp_path, monkeypatch):
    (tmp_path / "my_ie.py").write_text(
        "def run(text):\n"
        "    i = text.find('Korea')\n"
        "    return {'entities': [{'type': 'GPE', 'mentions': [{'text': 'Korea'}]}]} if i >= 0 else {}\n"
        "def broken(text, doc_id):\n"
        "    raise ValueError('model offline')\n"
        "def wrong(text):\n"
        "    return ['not', 'a', 'dict']\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    out = run_system(load_system("my_ie:run"), "d1", "South Korea")
    assert out == {"doc_id": "d1", "entities": [{"type": "GPE", "mentions": [{"text": "Korea"}]}]}
    with pytest.raises(SystemFailure, match="document 'd1'.*model offline"):
        run_system(load_system("my_ie:broken"), "d1", "x")
    with pytest.raises(SystemFailure, match="returned list for document 'd1'"):
        run_system(load_system("my_ie:wrong"), "d1", "x")
    with pytest.raises(SystemFailure, match="has no function 'nothing'"):
        load_system("my_ie:nothing")
    with pytest.raises(SystemFailure, match="cannot import"):
        load_system("no_such_pkg.mod:f")
    with pytest.raises(SystemFailure, match="unknown system"):
        load_system("gpt")
    sys.modules.pop("my_ie", None)
