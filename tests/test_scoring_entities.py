"""Entity mention scores: the four SemEval-2013 schemes, by hand on the fixtures, and against seqeval and nervaluate."""


import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from seqeval.metrics import f1_score as seqeval_f1
from seqeval.metrics import precision_score as seqeval_precision
from seqeval.metrics import classification_report as seqeval_report
from seqeval.metrics import recall_score as seqeval_recall

from eval_strategies import documents, fixture_predictions, shuffled
from engine_helpers import Outcomes as SchemeCounts, entity_scores, score_entities, score_mentions, view
from toolkit.evaluation.evaluate import EvalOptions, evaluate
from toolkit.metrics.entities import SCHEMES, MentionItem
from toolkit.model.document import Document


@pytest.fixture(scope="module")
def fixture_report():
    gold, preds = fixture_predictions()
    assert preds.ok, preds.issues
    return evaluate(gold, preds.documents, tasks=("entities",))


# Hand-computed (docs/metrics.md walks through alpha). alpha: 8 gold mentions; predictions
# Choi, He, US Treasury, US exact (4 correct); Scott Bessent typed ORG (same span, other type);
# "in Washington" and "Korea" overlap gold GPE mentions with the same type; Thursday missed;
# "tariff relief" spurious. beta: 7 gold mentions, all predicted exactly.
EXPECTED_MICRO = {
    "strict": dict(correct=11, incorrect=3, partial=0, missed=1, spurious=1, possible=15, actual=15, p=11 / 15, r=11 / 15),
    "exact": dict(correct=12, incorrect=2, partial=0, missed=1, spurious=1, possible=15, actual=15, p=12 / 15, r=12 / 15),
    "partial": dict(correct=12, incorrect=0, partial=2, missed=1, spurious=1, possible=15, actual=15, p=13 / 15, r=13 / 15),
    "type": dict(correct=13, incorrect=1, partial=0, missed=1, spurious=1, possible=15, actual=15, p=13 / 15, r=13 / 15),
}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_fixture_micro_scores_by_hand(fixture_report, scheme):
    got = fixture_report.scores()["entities"]["micro"][scheme]
    want = EXPECTED_MICRO[scheme]
    for key in ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual"):
        assert got[key] == want[key], key
    assert got["precision"] == pytest.approx(want["p"])
    assert got["recall"] == pytest.approx(want["r"])
    assert got["f1"] == pytest.approx(2 * want["p"] * want["r"] / (want["p"] + want["r"]))


def test_fixture_per_type_strict_by_hand(fixture_report):
    per = fixture_report.scores()["entities"]["per_type"]
    # Each type scored on its own (nervaluate 1.x, conlleval, seqeval): Scott Bessent (gold PER,
    # predicted ORG) is a missed PER and a spurious ORG.
    assert sorted(per) == ["COMMODITY", "DATE", "GOV", "GPE", "LAW", "ORG", "PER"]
    strict = {t: per[t]["strict"] for t in per}
    assert (strict["PER"]["correct"], strict["PER"]["missed"], strict["PER"]["possible"], strict["PER"]["actual"]) == (4, 1, 5, 4)
    assert (strict["PER"]["precision"], strict["PER"]["recall"]) == (1.0, 0.8)
    assert (strict["ORG"]["spurious"], strict["ORG"]["precision"], strict["ORG"]["recall"], strict["ORG"]["f1"]) == (1, 0.0, None, 0.0)
    # GPE: "in Washington" and "Korea" overlap gold GPE mentions (strict incorrect, partial credit)
    assert (strict["GPE"]["correct"], strict["GPE"]["incorrect"], strict["GPE"]["precision"]) == (4, 2, pytest.approx(4 / 6))
    assert (strict["DATE"]["precision"], strict["DATE"]["recall"], strict["DATE"]["f1"]) == (1.0, 0.5, pytest.approx(2 / 3))
    # COMMODITY: one spurious prediction, nothing to find: R undefined, P and F1 zero.
    assert (strict["COMMODITY"]["precision"], strict["COMMODITY"]["recall"], strict["COMMODITY"]["f1"]) == (0.0, None, 0.0)
    assert per["GPE"]["partial"]["precision"] == pytest.approx((4 + 0.5 * 2) / 6)
    assert per["GPE"]["type"]["f1"] == 1.0


def test_fixture_macro_by_hand(fixture_report):
    macro = fixture_report.scores()["entities"]["macro"]["strict"]
    assert macro["types"] == 7
    # P: PER 1, GPE 2/3, DATE 1, GOV 1, LAW 1, COMMODITY 0, ORG 0 -> mean of seven
    assert macro["precision"] == pytest.approx((1 + 2 / 3 + 1 + 1 + 1 + 0 + 0) / 7)
    # R: COMMODITY and ORG undefined (no gold mention), counted 0 as seqeval and scikit-learn count them:
    # PER .8, GPE 2/3, DATE .5, GOV 1, LAW 1, COMMODITY 0, ORG 0 -> mean of seven
    assert macro["recall"] == pytest.approx((0.8 + 2 / 3 + 0.5 + 1 + 1 + 0 + 0) / 7)
    assert macro["f1"] == pytest.approx((8 / 9 + 2 / 3 + 2 / 3 + 1 + 1 + 0 + 0) / 7)


def test_mention_kinds_filter_by_hand():
    gold, preds = fixture_predictions()
    report = evaluate(gold, preds.documents, ("entities",), EvalOptions(mention_kinds=("name",)))
    strict = report.scores()["entities"]["micro"]["strict"]
    # He, Officials, They are filtered out on both sides; "US Treasury" and "tariff relief" have no
    # predicted kind and are kept.
    assert (strict["correct"], strict["incorrect"], strict["missed"], strict["spurious"]) == (8, 3, 1, 1)
    assert strict["f1"] == pytest.approx(8 / 12)


def test_a_kindless_prediction_is_kept_by_any_filter():
    scores = entity_scores(([MentionItem(0, 4, "PER", "name")], [MentionItem(0, 4, "PER", "")]), kinds=("pronoun",))
    # the gold name is filtered out, the prediction without a kind is kept: one spurious mention
    assert (scores["micro"]["strict"]["spurious"], scores["micro"]["strict"]["possible"]) == (1, 0)


def test_undefined_scores_are_none_never_zero():
    s = entity_scores(([MentionItem(0, 4, "PER")], []))["micro"]["strict"]
    assert (s["precision"], s["recall"], s["f1"]) == (None, 0.0, 0.0)
    nothing = entity_scores(([], []))
    assert nothing["micro"]["strict"]["precision"] is None
    assert nothing["micro"]["strict"]["f1"] is None
    assert nothing["macro"]["strict"] == {"precision": None, "recall": None, "f1": None, "types": 0}


def test_partial_credit_survives_aggregation_over_documents():
    # Document 1: one overlap (partial). Document 2: one exact. Averaging per-document partial
    # precision (0.5 and 1.0) would give 0.75 too, so use unequal sizes: doc 2 has 3 exact.
    both = view(entity_scores(([MentionItem(0, 4, "PER")], [MentionItem(0, 3, "PER")]),
                              ([MentionItem(i, i + 2, "PER") for i in (0, 3, 6)], [MentionItem(i, i + 2, "PER") for i in (0, 3, 6)]))).micro["partial"]
    assert (both.correct, both.partial, both.actual) == (3, 1, 4)
    assert both.precision == pytest.approx(3.5 / 4)  # not the mean of 0.5 and 1.0


def test_a_type_confusion_is_a_miss_and_a_spurious_of_the_types():
    counts, errors = score_mentions([MentionItem(0, 4, "PER")], [MentionItem(0, 4, "ORG")])
    assert counts.micro["strict"] == SchemeCounts(incorrect=1) and counts.micro["exact"] == SchemeCounts(correct=1)
    for scheme in SCHEMES:  # per type, each type on its own
        assert counts.per_type[scheme] == {"PER": SchemeCounts(missed=1), "ORG": SchemeCounts(spurious=1)}
    assert [(e.category, e.gold, e.pred) for e in errors] == [("type-confusion", "PER", "ORG")]


def test_order_fault_of_greedy_matching_is_avoided():
    """nervaluate pairs each prediction, in list order, with the first gold span it overlaps: a
    partial prediction listed first steals the gold span from the exact one listed after it."""
    gold = [MentionItem(0, 10, "PER")]
    pred = [MentionItem(0, 5, "PER"), MentionItem(0, 10, "PER")]

    def theirs(p):
        as_dicts = lambda spans: [[{"label": m.type, "start": m.start, "end": m.end - 1} for m in spans]]  # noqa: E731
        return Evaluator(as_dicts(gold), as_dicts(p), tags=["PER"], loader="dict").evaluate()["overall"]["strict"].correct

    assert (theirs(pred), theirs(pred[::-1])) == (0, 1)  # the fault, in the installed nervaluate
    for p in (pred, pred[::-1]):
        strict = score_mentions(gold, p)[0].micro["strict"]
        assert (strict.correct, strict.spurious) == (1, 1)


# ------------------------------------------------------------------ properties (hypothesis)


@settings(max_examples=100, deadline=None)
@given(documents())
def test_gold_against_itself_is_perfect(doc):
    assume(any(True for _ in doc.mentions()))
    _, errors = score_entities(doc, doc)
    scores = evaluate({doc.doc_id: doc}, {doc.doc_id: doc}, ("entities",)).scores()["entities"]
    for scheme in SCHEMES:
        assert scores["micro"][scheme]["f1"] == 1.0
        assert scores["micro"][scheme]["precision"] == 1.0
        assert scores["macro"][scheme]["f1"] == 1.0
    assert errors == []


@settings(max_examples=100, deadline=None)
@given(documents())
def test_empty_prediction_gives_recall_zero_and_precision_none(doc):
    assume(any(True for _ in doc.mentions()))
    scores = evaluate({doc.doc_id: doc}, {doc.doc_id: Document(doc.doc_id, doc.text)}, ("entities",)).scores()["entities"]
    for scheme in SCHEMES:
        s = scores["micro"][scheme]
        assert s["recall"] == 0.0 and s["precision"] is None


@settings(max_examples=100, deadline=None)
@given(documents(), documents(), st.randoms(use_true_random=False))
def test_input_order_does_not_change_any_count(gold, pred, rnd):
    base = score_entities(gold, pred)[0]
    assert score_entities(shuffled(gold, rnd), shuffled(pred, rnd))[0] == base


@settings(max_examples=100, deadline=None)
@given(documents(), documents())
def test_counts_are_consistent(gold, pred):
    counts, _ = score_entities(gold, pred)
    n_gold, n_pred = len(list(gold.mentions())), len(list(pred.mentions()))
    for scheme in SCHEMES:
        overall = counts.micro[scheme]
        assert (overall.possible, overall.actual) == (n_gold, n_pred)
        for etype, c in counts.per_type[scheme].items():  # a type's gold and predicted mentions all count under it
            assert c.possible == sum(1 for m in gold.mentions() if m.entity_type == etype)
            assert c.actual == sum(1 for m in pred.mentions() if m.entity_type == etype)
        # within one type, same span is correct in every scheme and an overlap never a type error
        assert sum(c.correct for c in counts.per_type["strict"].values()) == sum(c.correct for c in counts.per_type["exact"].values())
        assert sum(c.incorrect for c in counts.per_type["type"].values()) == 0


# ------------------------------------------------------------------ oracles


def _iob2(spans, n):
    tags = ["O"] * n
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


@st.composite
def non_overlapping(draw, n=40):
    spans, pos = [], 0
    while True:
        gap = draw(st.integers(0, 6))
        length = draw(st.integers(1, 5))
        if pos + gap + length > n or draw(st.integers(0, 5)) == 0:
            return spans
        spans.append((pos + gap, pos + gap + length, draw(st.sampled_from(["PER", "LOC", "ORG"]))))
        pos += gap + length


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(non_overlapping(), non_overlapping()), min_size=1, max_size=3))
def test_strict_micro_equals_seqeval(docs):
    """Token-level IOB2 (seqeval default mode, conlleval semantics) on the same spans, one sentence per document."""
    assume(any(g or p for g, p in docs))
    scores = entity_scores(*(([MentionItem(*s) for s in g], [MentionItem(*s) for s in p]) for g, p in docs))
    total = view(scores)
    strict = total.micro["strict"]
    y_true = [_iob2(g, 40) for g, _ in docs]
    y_pred = [_iob2(p, 40) for _, p in docs]
    assert strict.f1 == pytest.approx(seqeval_f1(y_true, y_pred))
    if strict.precision is not None:
        assert strict.precision == pytest.approx(seqeval_precision(y_true, y_pred))
    if strict.recall is not None:
        assert strict.recall == pytest.approx(seqeval_recall(y_true, y_pred))
    # per type, as seqeval's classification report: precision, recall, F1 and support of each type
    report = seqeval_report(y_true, y_pred, output_dict=True, zero_division=0)
    for etype, c in total.per_type["strict"].items():
        theirs = report[etype] if etype in report else {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0}
        assert c.possible == theirs["support"]
        assert (c.precision or 0.0, c.recall or 0.0, c.f1 or 0.0) == pytest.approx(
            (theirs["precision"], theirs["recall"], theirs["f1-score"])), etype
    # the macro average: seqeval's "macro avg" row (over every type present, undefined counted 0)
    macro = scores["macro"]["strict"]
    ours = (macro["precision"], macro["recall"], macro["f1"])
    assert ours == pytest.approx(tuple(report["macro avg"][k] for k in ("precision", "recall", "f1-score")))


@st.composite
def unambiguous(draw):
    """Gold and predicted spans where each span overlaps at most one span of the other side:
    there greedy matching (nervaluate) is optimal, so it must agree with ours."""
    gold = draw(non_overlapping(60))
    pred = []
    for start, end, label in gold:
        choice = draw(st.integers(0, 3))
        if choice == 0:
            continue
        if choice == 1:
            pred.append((start, end, draw(st.sampled_from(["PER", "LOC", "ORG"]))))
        else:
            s = draw(st.integers(start, end - 1))
            e = draw(st.integers(s + 1, end))
            pred.append((s, e, draw(st.sampled_from(["PER", "LOC", "ORG"]))))
    taken = [(s, e) for s, e, _ in gold]
    for s, e, label in draw(non_overlapping(60)):
        if all(e <= a or b <= s for a, b in taken):
            pred.append((s, e, label))
    return gold, pred


@settings(max_examples=300, deadline=None)
@given(unambiguous())
def test_counts_equal_nervaluate_where_greedy_is_optimal(case):
    gold, pred = case
    ours = view(entity_scores(([MentionItem(*s) for s in gold], [MentionItem(*s) for s in pred])))
    as_dicts = lambda spans: [[{"label": lab, "start": s, "end": e - 1} for s, e, lab in spans]]  # noqa: E731 (inclusive ends)
    theirs = Evaluator(as_dicts(gold), as_dicts(pred), tags=["PER", "LOC", "ORG"], loader="dict").evaluate()["overall"]
    result = Evaluator(as_dicts(gold), as_dicts(pred), tags=["PER", "LOC", "ORG"], loader="dict").evaluate()
    for scheme, name in (("strict", "strict"), ("exact", "exact"), ("partial", "partial"), ("type", "ent_type")):
        o, t = ours.micro[scheme], theirs[name]
        assert (o.correct, o.incorrect, o.partial, o.missed, o.spurious) == (t.correct, t.incorrect, t.partial, t.missed, t.spurious), scheme
        for etype in result["entities"]:  # nervaluate 1.x scores each type on its own, as we do
            o, t = ours.per_type[scheme].get(etype, SchemeCounts()), result["entities"][etype][name]
            assert (o.correct, o.incorrect, o.partial, o.missed, o.spurious) == (t.correct, t.incorrect, t.partial, t.missed, t.spurious), (scheme, etype)
            assert (o.precision or 0, o.recall or 0, o.f1 or 0) == pytest.approx((t.precision, t.recall, t.f1)), (scheme, etype)
        assert set(result["entities"]) >= set(ours.per_type[scheme]), scheme
