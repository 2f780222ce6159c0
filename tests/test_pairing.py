"""toolkit.metrics.pairing: the pairs the viewer shows are the pairs `toolkit eval` counts."""

import math
from pathlib import Path

import pytest

from toolkit.checks.validate import load_corpus
from toolkit.evaluation.evaluate import EvalOptions, evaluate
from toolkit.metrics.entities import SCHEMES
from toolkit.metrics.pairing import match_document

# level -> scheme -> outcome, the table of toolkit.metrics.entities
OUTCOMES = {4: {"strict": "correct", "exact": "correct", "partial": "correct", "type": "correct"},
            3: {"strict": "incorrect", "exact": "correct", "partial": "correct", "type": "incorrect"},
            2: {"strict": "incorrect", "exact": "incorrect", "partial": "partial", "type": "correct"},
            1: {"strict": "incorrect", "exact": "incorrect", "partial": "partial", "type": "incorrect"}}
from toolkit.predictions.load import predictions_from_dicts
from toolkit.predictions.systems import load_system, run_system

ROOT = Path(__file__).resolve().parent.parent
GOLD = load_corpus(ROOT / "annotations")


def baseline():
    func = load_system("baseline")
    preds = predictions_from_dicts([run_system(func, d.doc_id, d.text) for d in GOLD.values()], GOLD)
    return preds.documents


@pytest.mark.parametrize("options", [EvalOptions(), EvalOptions(("name",), True)], ids=["default", "names-coref-args"])
def test_counts_derived_from_the_pairs_equal_eval_counts(options):
    pred = baseline()
    report = evaluate(GOLD, pred, options=options)
    for doc_id, gold in GOLD.items():
        m = match_document(gold, pred[doc_id], options)
        counts = report.per_document()[doc_id]
        for scheme in SCHEMES:
            want = counts["entities"]["micro"][scheme]
            got = {"correct": 0, "incorrect": 0, "partial": 0, "missed": 0, "spurious": 0}
            for p in m.mentions:
                got["missed" if p.pred is None else "spurious" if p.gold is None else OUTCOMES[p.level][scheme]] += 1
            assert got == {k: want[k] for k in got}, (doc_id, scheme)

        def tpfpfn(pairs, ok=lambda p: True):
            tp = sum(1 for p in pairs if p.gold is not None and p.pred is not None and ok(p))
            fn = sum(1 for p in pairs if p.gold is not None) - tp
            fp = sum(1 for p in pairs if p.pred is not None) - tp
            return tp, fp, fn

        def summed(by_label, metric):
            return tuple(sum(per.get(metric, {}).get(k, 0) for per in by_label.values()) for k in ("tp", "fp", "fn"))

        ev = counts["events"]["per_item"]
        assert tpfpfn(m.triggers) == summed(ev, "trigger_identification")
        assert tpfpfn(m.triggers, lambda p: p.level == 2) == summed(ev, "trigger_classification")
        for metric, pairs in m.arguments.items():
            assert tpfpfn(pairs) == summed(ev, metric), metric
        st = counts["stances"]["by_target"]
        assert tpfpfn(m.stance_triples) == summed(st, "triples")
        assert tpfpfn(m.stance_pairs) == summed(st, "pairs")
        label_pairs = sorted((m.gold_stances[p.gold].label, m.pred_stances[p.pred].label) for p in m.stance_pairs if p.level)
        confusion = [(g, q) for table in counts["stances"]["confusion"].values() for g, row in table.items()
                     for q, n in row.items() for _ in range(n)]
        assert label_pairs == sorted(confusion)
        ceafe = counts["coreference"]["ceafe"]
        assert math.isclose(math.fsum(p.phi for p in m.clusters if p.phi is not None), ceafe["r_num"], abs_tol=1e-12)


def test_a_boundary_error_is_one_pair():
    from toolkit.checks.validate import validate_paths
    from toolkit.predictions.load import prediction_from_dict

    tiny = validate_paths([ROOT / "tests" / "fixtures" / "valid"]).documents[0]
    pred, _, _ = prediction_from_dict({"doc_id": "tiny", "entities": [{"type": "PER", "mentions": [{"start": 0, "end": 4}]}]}, tiny)
    m = match_document(tiny, pred)
    pairs = [p for p in m.mentions if p.gold is not None and p.pred is not None]
    assert [(m.gold_mentions[p.gold].text, m.pred_mentions[p.pred].text, p.level) for p in pairs] == [("Choi Sang-mok", "Choi", 2)]
