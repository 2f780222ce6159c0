"""toolkit.evaluation.significance: headline scores as functions of per-document counts, intervals, comparison."""

import dataclasses

import numpy as np
import pytest

from toolkit.evaluation.evaluate import evaluate
from toolkit.checks.gold import split_drafts
from toolkit.dataset.gold import load_gold
from toolkit.predictions.load import predictions_from_dicts
from toolkit.evaluation.significance import DEFAULT_COMPARE_METRICS, compare, headline_metrics, intervals, score_at
from toolkit.predictions.systems import load_system, run_system


@pytest.fixture(scope="module")
def gold():
    return split_drafts(load_gold("annotations"))[0]


@pytest.fixture(scope="module")
def baseline_docs(gold):
    system = load_system("baseline")
    preds = predictions_from_dicts([run_system(system, d.doc_id, d.text) for d in gold.values()], gold)
    assert preds.ok
    return preds.documents


@pytest.fixture(scope="module")
def reports(gold, baseline_docs):
    return {"baseline": evaluate(gold, baseline_docs), "gold": evaluate(gold, gold), "empty": evaluate(gold, {})}


def _same(a, b):
    return (a is None and b is None) or (a is not None and b is not None and a == pytest.approx(b, abs=1e-12))


def test_every_estimate_is_the_reported_score(reports):
    """The vectorised formulas give exactly what EvalReport.scores() gives, for three very different systems."""
    for report in reports.values():
        ivs = intervals(report, n_resamples=20, seed=0)
        scores = report.scores()
        assert set(ivs.intervals) == set(headline_metrics(report.tasks))
        for name, iv in ivs.intervals.items():
            assert _same(iv.estimate, score_at(scores, name)), name


def test_metric_names_follow_the_tasks(reports):
    only_entities = evaluate(load_gold("annotations"), {}, tasks=("entities",))
    names = list(intervals(only_entities, 5).intervals)
    assert names and all(n.startswith("entities.") for n in names)
    assert set(DEFAULT_COMPARE_METRICS) <= set(headline_metrics(reports["baseline"].tasks))


def test_fixed_seed_reproduces_exactly_and_intervals_contain_the_estimate(reports):
    a = intervals(reports["baseline"], 300, seed=11)
    b = intervals(reports["baseline"], 300, seed=11)
    c = intervals(reports["baseline"], 300, seed=12)
    assert a == b
    assert a.intervals != c.intervals
    for name, iv in a.intervals.items():
        assert iv.low <= iv.estimate <= iv.high, name


def test_undefined_scores_stay_none(reports):
    ivs = intervals(reports["empty"], 50).intervals
    # nothing predicted: precision is 0/0 (None), recall 0, F1 = 2·0/(0 + gold) = 0
    assert ivs["entities.micro.strict.precision"].estimate is None
    assert ivs["entities.micro.strict.precision"].undefined == 50
    assert ivs["entities.micro.strict.f1"].estimate == 0.0


def test_numpy_bootstrap_equals_rescoring_resampled_corpora(gold, baseline_docs, reports):
    """Oracle: draw the same resamples, build each resampled corpus (documents repeated under new
    ids), score it with evaluate() and take the percentiles in a plain loop."""
    n_resamples, seed = 40, 5
    ids = sorted(gold)
    children = np.random.SeedSequence(seed).spawn(2)  # the documented stream: blocks of 32 resamples
    draws = np.vstack([np.random.default_rng(children[k]).integers(0, len(ids), size=(b, len(ids)), dtype=np.int32)
                       for k, b in enumerate((32, n_resamples - 32))])
    names = ["entities.micro.strict.f1", "entities.micro.partial.precision", "coreference.conll_f1",
             "events.trigger_classification.f1", "events.argument_classification_attached.recall",
             "stances.triples.f1", "stances.labels.macro_f1", "stances.labels.f_avg"]
    values = {n: [] for n in names}
    for row in draws:
        g, p = {}, {}
        for k, i in enumerate(row):
            new_id = f"{ids[i]}#{k}"
            g[new_id] = dataclasses.replace(gold[ids[i]], doc_id=new_id)
            p[new_id] = dataclasses.replace(baseline_docs[ids[i]], doc_id=new_id)
        scores = evaluate(g, p).scores()
        for n in names:
            v = score_at(scores, n)
            if v is not None:
                values[n].append(v)
    got = intervals(reports["baseline"], n_resamples, seed, metrics=names).intervals
    for n in names:
        low, high = np.percentile(values[n], [2.5, 97.5])
        assert (got[n].low, got[n].high) == pytest.approx((low, high)), n
        assert got[n].undefined == n_resamples - len(values[n])


def test_comparing_a_system_with_itself(reports):
    for method in ("bootstrap", "permutation"):
        result = compare({"a": reports["baseline"], "b": reports["baseline"]}, 300, seed=1, method=method)
        for metric, d in result.tests[("a", "b")].items():
            if d.a is None:
                continue
            assert d.delta == 0 and d.p_value == 1.0, (method, metric)


def test_gold_beats_empty_significantly_and_the_ranking_is_right(reports):
    result = compare(reports, 1000, seed=0)
    assert result.order == ["gold", "baseline", "empty"]
    d = result.tests[("gold", "empty")]["entities.micro.strict.f1"]
    assert d.delta == 1.0 and d.p_value < 0.05
    d = result.tests[("gold", "baseline")]["events.trigger_classification.f1"]
    assert d.delta == pytest.approx(1 - reports["baseline"].scores()["events"]["trigger_classification"]["f1"])
    assert d.low <= d.delta <= d.high and 0 < d.p_value < 0.05
    assert result.scores["baseline"]["entities.micro.strict.f1"] == reports["baseline"].scores()["entities"]["micro"]["strict"]["f1"]


def test_permutation_p_value_has_a_floor_with_few_documents(reports):
    """Approximate randomisation swaps whole documents: with n documents only 2^n assignments exist, and
    swapping all of them reproduces |δ|, so p cannot fall far below 2/2^n (2/32 for the five documents of 2025)."""
    result = compare({"gold": reports["gold"], "empty": reports["empty"]}, 2000, seed=0, method="permutation")
    p = result.tests[("gold", "empty")]["entities.micro.strict.f1"].p_value
    assert 1 / 2 ** len(reports["gold"].doc_ids) < p < 0.15


def test_compare_refuses_mismatched_reports(gold, reports):
    one_doc = {k: v for k, v in list(gold.items())[:1]}
    with pytest.raises(ValueError, match="different documents"):
        compare({"a": reports["gold"], "b": evaluate(one_doc, one_doc)})
    with pytest.raises(ValueError, match="tasks"):
        compare({"a": reports["gold"], "b": evaluate(gold, gold, tasks=("entities",))})
    with pytest.raises(ValueError, match="unknown test"):
        compare({"a": reports["gold"], "b": reports["empty"]}, method="t-test")
    with pytest.raises(ValueError, match="unknown metric"):
        compare({"a": reports["gold"], "b": reports["empty"]}, metrics=["entities.f2"])


def _flat_counts(nested):
    """Oracle for count_matrix: each key summed from one document's nested counts (as counts files hold them)."""
    from toolkit.evaluation.counts import STANCE_LABELS

    row = {}
    if "entities" in nested:
        for scheme, outcomes in nested["entities"]["micro"].items():
            for name, n in outcomes.items():
                row[f"ent.{scheme}.{name}"] = float(n)
    for metric, fields in nested.get("coreference", {}).items():
        for name, v in fields.items():
            row[f"coref.{metric}.{name}"] = float(v)
    if "events" in nested:
        for metric, c in nested["events"]["textee"].items():
            row.update({f"ev.{metric}.{k}": float(c[k]) for k in ("tp", "fp", "fn")})
        for per in nested["events"]["per_item"].values():
            for metric, c in per.items():
                for k in ("tp", "fp", "fn"):
                    row[f"ev.item.{metric}.{k}"] = row.get(f"ev.item.{metric}.{k}", 0.0) + c[k]
    if "stances" in nested:
        for per in nested["stances"]["by_target"].values():
            for metric, c in per.items():
                for k in ("tp", "fp", "fn"):
                    row[f"st.{metric}.{k}"] = row.get(f"st.{metric}.{k}", 0.0) + c[k]
        for table in nested["stances"]["confusion"].values():
            for g, preds in table.items():
                for p, n in preds.items():
                    if g in STANCE_LABELS and p in STANCE_LABELS:
                        row[f"st.conf.{g}.{p}"] = row.get(f"st.conf.{g}.{p}", 0.0) + n
    return row


def test_count_matrix_equals_the_flat_counts(reports):
    from toolkit.evaluation.resampling import count_matrix as from_rows
    from toolkit.evaluation.significance import count_matrix

    for report in reports.values():
        keys, C = count_matrix(report)
        nested = report.per_document()
        rows = [_flat_counts(nested[d]) for d in report.doc_ids]
        assert (C == from_rows(rows, keys)).all()
        assert C.shape == (len(report.doc_ids), len(keys)) and C.sum() > 0
