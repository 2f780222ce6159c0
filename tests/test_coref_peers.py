"""The coreference metrics against the CoNLL reference scorer's and coval's own test cases.

Fixtures: ``tests/fixtures/peers/conll-coref`` (the reference scorer v8.01's ``test/DataFiles`` and
the expected values of its ``test/CorefMetricTestConfig.pm``; LEA from coval's ``unittests.py``).
Each case is one key file and one response file, scored document by document and summed, as the
scorer does.
"""

import json
from pathlib import Path

import pytest

from conll_coref import read_conll_clusters
from toolkit.metrics.coreference import PRCounts, blanc_scores, coref_scores

HERE = Path(__file__).parent / "fixtures" / "peers" / "conll-coref"
CASES = json.loads((HERE / "expected.json").read_text())["cases"]

# The reference prints 0 for a ratio whose denominator is 0; the toolkit says such a recall or
# precision is undefined (None), and gives F1 None only when both are (docs/metrics.md,
# "Conventions"). These are the (case, metric) pairs where that happens, all MUC on responses
# (or keys) without a single link; everywhere else every number equals the reference's.
UNDEFINED = {("A10", "muc"), ("A12", "muc"), ("M2", "muc"), ("M5", "muc"), ("N1", "muc"), ("N2", "muc"), ("N4", "muc")}


def _scores(case: dict) -> dict[str, list]:
    key = read_conll_clusters(HERE / case["key"])
    response = read_conll_clusters(HERE / case["response"])
    assert list(key) == list(response)
    sums: dict[str, PRCounts] = {}
    for doc in key:
        for name, counts in coref_scores(key[doc], response[doc]).items():
            sums[name] = sums.get(name, PRCounts()) + counts
    out = {m: [sums[m].recall, sums[m].precision, sums[m].f1] for m in ("muc", "b3", "ceafe", "ceafm", "lea")}
    blanc = blanc_scores(sums["blanc_coref"], sums["blanc_noncoref"])
    out["blanc"] = [blanc["recall"], blanc["precision"], blanc["f1"]]
    return out


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_reference_scorer_and_coval_cases(case_id):
    case = CASES[case_id]
    got = _scores(case)
    expected = {**case["reference"], **({"lea": case["lea"]} if "lea" in case else {})}
    assert expected
    for metric, want in expected.items():
        (r, p, f), (want_r, want_p, want_f) = got[metric], want
        assert ((case_id, metric) in UNDEFINED) == (r is None or p is None), (case_id, metric, got[metric])
        # values given to five decimals in the reference's configuration are within 5e-6
        for have, value in ((r, want_r), (p, want_p)):
            assert value == 0 if have is None else have == pytest.approx(value, abs=5e-6), (case_id, metric)
        if f is None:
            assert r is None and p is None and want_f == 0, (case_id, metric)
        else:
            assert f == pytest.approx(want_f, abs=5e-6), (case_id, metric)


def test_a_repeated_response_mention_keeps_its_first_cluster():
    # TC-A-8 and TC-A-9 put the mention b1..b4 into two response clusters; the reference keeps
    # the first occurrence: MUC 1/3, 1/3, 1/3 and B-cubed 0.5556 / 0.4048 / 0.4683.
    for case_id in ("A8", "A9"):
        got = _scores(CASES[case_id])
        assert got["muc"] == pytest.approx([1 / 3, 1 / 3, 1 / 3])
        assert got["b3"] == pytest.approx([5 / 9, 17 / 42, 2 * (5 / 9) * (17 / 42) / (5 / 9 + 17 / 42)])


def _documents(clusters: dict[str, list[list[tuple[int, int]]]]) -> dict:
    """One Document per CoNLL document: token i is the character at 2i of a text "t t t ...", a cluster an entity."""
    from toolkit.model.document import Document, Entity, Mention, Span

    docs = {}
    for n, (name, doc_clusters) in enumerate(sorted(clusters.items())):
        length = 1 + max((e for c in doc_clusters for _, e in c), default=0)
        text = " ".join("t" * length)
        entities = []
        for k, cluster in enumerate(doc_clusters):
            mentions = tuple(Mention(f"M{k}_{j}", Span(2 * s, 2 * e + 1, text[2 * s:2 * e + 1]), "name", f"E{k}", "PER")
                             for j, (s, e) in enumerate(cluster))
            if mentions:
                entities.append(Entity(f"E{k}", "PER", f"e{k}", mentions))
        docs[f"d{n}"] = Document(f"d{n}", text, tuple(entities))
    return docs


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_the_eval_path_gives_the_peer_numbers_too(case_id):
    """The same 36 cases through :func:`toolkit.evaluation.evaluate.evaluate` (the counts table `toolkit eval`,
    `merge` and the bootstrap read) equal the direct scorer above, hence the reference scorer and coval."""
    from toolkit.evaluation.evaluate import evaluate

    case = CASES[case_id]
    key, response = read_conll_clusters(HERE / case["key"]), read_conll_clusters(HERE / case["response"])
    got = evaluate(_documents(key), _documents(response), ("coreference",)).scores()["coreference"]
    direct = _scores(case)
    for metric, (r, p, f) in direct.items():
        ours = got[metric]
        for have, want in ((ours["recall"], r), (ours["precision"], p), (ours["f1"], f)):
            assert (have is None) == (want is None) and (have is None or have == pytest.approx(want, abs=1e-12)), (case_id, metric)
