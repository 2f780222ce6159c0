"""Stance scores: end-to-end triples and pairs, label metrics on aligned pairs (checked against scikit-learn)."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, f1_score

from eval_strategies import TEXT, documents, fixture_predictions, shuffled, span
from engine_helpers import Counts, label_scores, score_events, score_stances, stance_scores
from toolkit.model.document import Document, Entity, Event, Mention, Span, Stance, Target
from toolkit.evaluation.evaluate import evaluate
from toolkit.predictions.load import PredStance


@pytest.fixture(scope="module")
def fixture_stances():
    gold, preds = fixture_predictions()
    assert preds.ok, preds.issues
    return evaluate(gold, preds.documents, ("stances",)).scores()["stances"]


def test_fixture_triples_and_pairs_by_hand(fixture_stances):
    # gold: alpha Choi favour korea-tariff-relief, US Treasury against quick-deal, Bessent against
    # the relief event; beta Seoul against the Jones Act (entity). Predicted: the same four with
    # the Treasury's label wrong (favour; its holder given as a span), the event target through
    # the aligned "relief" event, the beta holder through the second "Seoul" only, plus a
    # spurious "Officials" against us-tariffs.
    t, p = fixture_stances["triples"], fixture_stances["pairs"]
    assert (t["tp"], t["fp"], t["fn"]) == (3, 2, 1)
    assert (t["precision"], t["recall"], t["f1"]) == (pytest.approx(0.6), 0.75, pytest.approx(2 / 3))
    assert (p["tp"], p["fp"], p["fn"]) == (4, 1, 0)
    assert p["f1"] == pytest.approx(8 / 9)


def test_fixture_label_scores_by_hand(fixture_stances):
    lab = fixture_stances["labels"]
    # aligned pairs (gold, predicted): (favour, favour), (against, favour), (against, against) x2
    assert lab["pairs"] == 4
    assert lab["accuracy"] == 0.75
    assert lab["f1_per_label"] == {"favour": pytest.approx(2 / 3), "against": pytest.approx(0.8), "neutral": None}
    assert lab["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert lab["f_avg"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert lab["confusion"] == {"labels": ["favour", "against", "neutral"], "matrix": [[1, 0, 0], [1, 2, 0], [0, 0, 0]]}


def test_fixture_per_target_by_hand(fixture_stances):
    per = fixture_stances["per_target"]
    assert sorted(per) == ["(entity)", "(event)", "korea-tariff-relief", "quick-deal", "us-tariffs"]
    assert (per["quick-deal"]["triples"]["fp"], per["quick-deal"]["triples"]["fn"], per["quick-deal"]["pairs"]["tp"]) == (1, 1, 1)
    assert per["quick-deal"]["labels"]["accuracy"] == 0.0
    assert per["us-tariffs"]["labels"]["accuracy"] is None  # no aligned pair: undefined
    assert per["us-tariffs"]["triples"]["recall"] is None and per["us-tariffs"]["triples"]["precision"] == 0.0
    assert per["(event)"]["triples"]["tp"] == per["(entity)"]["triples"]["tp"] == 1


def _ent(eid, *spans):
    return Entity(eid, "PER", eid, tuple(Mention(f"{eid}m{i}", span(*s), "name", eid, "PER") for i, s in enumerate(spans)))


def _doc(entities=(), events=(), stances=()):
    return Document("d", TEXT, tuple(entities), tuple(events), tuple(stances))


def _score(gold, pred):
    _, _, event_map = score_events(gold, pred)
    return score_stances(gold, pred, event_map)[0]


def test_labels_are_compared_by_matched_pair_not_by_position():
    ents = [_ent("A", (0, 3)), _ent("B", (5, 8))]
    gold = _doc(ents, stances=[Stance("s1", "A", Target("topic", "quick-deal"), "favour", ()),
                               Stance("s2", "B", Target("topic", "us-tariffs"), "against", ())])
    pred = _doc(ents, stances=[Stance("p1", "B", Target("topic", "us-tariffs"), "against", ()),
                               Stance("p2", "A", Target("topic", "quick-deal"), "favour", ())])
    scores = stance_scores(_score(gold, pred))
    assert scores["labels"]["accuracy"] == 1.0  # position-wise it would be 0
    assert scores["triples"]["f1"] == 1.0


def test_holder_matches_through_any_shared_mention_or_a_span():
    gold = _doc([_ent("A", (0, 3), (10, 12))], stances=[Stance("s", "A", Target("topic", "quick-deal"), "favour", ())])
    via_other_mention = _doc([_ent("X", (10, 12))], stances=[Stance("p", "X", Target("topic", "quick-deal"), "favour", ())])
    via_span = _doc(stances=[PredStance("p", "", Target("topic", "quick-deal"), "favour", (), holder_span=span(0, 3))])
    wrong_span = _doc(stances=[PredStance("p", "", Target("topic", "quick-deal"), "favour", (), holder_span=span(0, 4))])
    assert _score(gold, via_other_mention).overall("triples") == Counts(1, 0, 0)
    assert _score(gold, via_span).overall("triples") == Counts(1, 0, 0)
    assert _score(gold, wrong_span).overall("triples") == Counts(0, 1, 1)


def test_event_target_needs_the_aligned_event():
    ents = [_ent("A", (0, 3))]
    gold = _doc(ents, [Event("V1", "Trade.Negotiate", "actual", span(20, 25), ())],
                [Stance("s", "A", Target("event", "V1"), "against", ())])
    same = _doc(ents, [Event("x", "Trade.Negotiate", "", span(20, 25), ())], [Stance("p", "A", Target("event", "x"), "against", ())])
    mistyped = _doc(ents, [Event("x", "Contact.Meet", "", span(20, 25), ())], [Stance("p", "A", Target("event", "x"), "against", ())])
    assert _score(gold, same).overall("triples") == Counts(1, 0, 0)
    assert _score(gold, mistyped).overall("pairs") == Counts(0, 1, 1)


def test_entity_target_matches_through_a_shared_mention_span():
    gold = _doc([_ent("A", (0, 3)), _ent("T", (30, 35), (40, 44))], stances=[Stance("s", "A", Target("entity", "T"), "favour", ())])
    pred = _doc([_ent("A", (0, 3)), _ent("U", (40, 44))], stances=[Stance("p", "A", Target("entity", "U"), "favour", ())])
    other = _doc([_ent("A", (0, 3)), _ent("U", (41, 44))], stances=[Stance("p", "A", Target("entity", "U"), "favour", ())])
    assert _score(gold, pred).overall("triples") == Counts(1, 0, 0)
    assert _score(gold, other).overall("triples") == Counts(0, 1, 1)


@pytest.mark.parametrize("gold_label", ["favour", "against", "neutral"])
def test_pair_alignment_prefers_the_same_label(gold_label):
    # Three predictions for the same pair; the one with the gold label is aligned, the others are fps.
    gold = _doc([_ent("A", (0, 3))], stances=[Stance("s", "A", Target("topic", "quick-deal"), gold_label, ())])
    for order in (["favour", "against", "neutral"], ["neutral", "against", "favour"]):
        pred = _doc([_ent("A", (0, 3))], stances=[Stance(f"p{i}", "A", Target("topic", "quick-deal"), lab, ()) for i, lab in enumerate(order)])
        counts = _score(gold, pred)
        assert counts.label_pairs() == [(gold_label, gold_label)]
        assert counts.overall("pairs") == Counts(1, 2, 0)


labels = st.sampled_from(["favour", "against", "neutral"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(labels, labels), min_size=1, max_size=30))
def test_label_scores_equal_scikit_learn(pairs):
    y_true = [g for g, _ in pairs]
    y_pred = [p for _, p in pairs]
    got = label_scores(pairs)
    assert got["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    assert got["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
    # F_avg as SemEval-2016's eval.pl: each class's F1 with 0 for an empty denominator, also for a
    # class absent from both sides (scikit-learn's zero_division=0 does the same)
    fav, ag = f1_score(y_true, y_pred, labels=["favour", "against"], average=None, zero_division=0)
    assert got["f_avg"] == pytest.approx((fav + ag) / 2)
    assert sum(map(sum, got["confusion"]["matrix"])) == len(pairs)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(labels, labels), max_size=20), st.lists(st.tuples(labels, labels), max_size=20))
def test_label_confusion_merges_across_documents(a, b):
    def report(pairs, doc_id):
        text = "x" * (2 * len(pairs) + 1)
        ents = [Entity(f"A{i}", "PER", "", (Mention(f"M{i}", Span(2 * i, 2 * i + 1, "x"), "name", f"A{i}", "PER"),))
                for i in range(len(pairs))]
        gold = Document(doc_id, text, tuple(ents), (), tuple(Stance(f"s{i}", f"A{i}", Target("topic", "quick-deal"), g, ())
                                                            for i, (g, _) in enumerate(pairs)))
        pred = Document(doc_id, text, tuple(ents), (), tuple(Stance(f"p{i}", f"A{i}", Target("topic", "quick-deal"), p, ())
                                                            for i, (_, p) in enumerate(pairs)))
        return evaluate({doc_id: gold}, {doc_id: pred}, ("stances",))

    merged = report(a, "a").merge(report(b, "b"))
    conf = merged.scores()["stances"]["labels"]["confusion"]
    got = sorted((g, p) for i, g in enumerate(conf["labels"]) for j, p in enumerate(conf["labels"]) for _ in range(conf["matrix"][i][j]))
    assert got == sorted(a + b)


@settings(max_examples=100, deadline=None)
@given(documents())
def test_gold_against_itself_is_perfect(doc):
    assume(doc.stances)
    scores = stance_scores(_score(doc, doc))
    assert scores["triples"]["f1"] == scores["pairs"]["f1"] == 1.0
    assert scores["labels"]["accuracy"] == 1.0 and scores["labels"]["macro_f1"] == 1.0


@settings(max_examples=100, deadline=None)
@given(documents())
def test_empty_prediction_gives_recall_zero_and_precision_none(doc):
    assume(doc.stances)
    scores = stance_scores(_score(doc, Document("d", doc.text)))
    assert scores["triples"]["recall"] == 0.0 and scores["triples"]["precision"] is None
    assert scores["labels"]["accuracy"] is None


@settings(max_examples=100, deadline=None)
@given(documents(), documents(), st.randoms(use_true_random=False))
def test_input_order_does_not_change_any_count(gold, pred, rnd):
    assert _score(shuffled(gold, rnd), shuffled(pred, rnd)) == _score(gold, pred)
