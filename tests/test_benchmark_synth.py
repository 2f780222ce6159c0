"""The benchmark's synthetic corpus (benchmarks/synth.py) is valid data in our schema, and its IOB2 form holds the same spans.

No timing here: the benchmark itself is `python -m benchmarks.run` (benchmarks/README.md).
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synth import read_iob2_tags, write_dataset  # noqa: E402
from toolkit.evaluation.evaluate import evaluate  # noqa: E402
from toolkit.predictions.load import load_predictions  # noqa: E402
from toolkit.checks.validate import load_corpus  # noqa: E402


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    meta = write_dataset(out, 60, seed=3)
    return out, meta


def test_same_seed_same_bytes(synthetic, tmp_path):
    out, _ = synthetic
    write_dataset(tmp_path, 60, seed=3)
    for name in ("annotations/gold.jsonl", "pred.jsonl", "gold.iob2", "pred.iob2"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_gold_validates_and_predictions_load_without_issue(synthetic):
    out, meta = synthetic
    gold = load_corpus(out / "annotations")
    assert len(gold) == 60 and sum(len(list(d.mentions())) for d in gold.values()) == meta["gold_mentions"]
    preds = load_predictions(out / "pred.jsonl", gold)
    assert preds.ok and preds.issues == []
    assert sum(len(list(d.mentions())) for d in preds.documents.values()) == meta["pred_mentions"]


def test_iob2_holds_the_same_spans_and_seqeval_agrees(synthetic):
    from seqeval.metrics import f1_score

    out, _ = synthetic
    gold = load_corpus(out / "annotations")
    preds = load_predictions(out / "pred.jsonl", gold)
    strict = evaluate(gold, preds.documents, ("entities",)).scores()["entities"]["micro"]["strict"]
    y_true, y_pred = read_iob2_tags(out / "gold.iob2"), read_iob2_tags(out / "pred.iob2")
    assert len(y_true) == len(y_pred) == 60
    assert abs(strict["f1"] - f1_score(y_true, y_pred)) <= 1e-9
    first = json.loads((out / "annotations" / "gold.jsonl").read_text().splitlines()[0])
    assert sum(t.startswith("B-") for t in y_true[0]) == sum(len(e["mentions"]) for e in first["entities"])
