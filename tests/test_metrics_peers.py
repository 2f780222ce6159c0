"""Every score that bears a peer's name equals that peer on the peer's own documented examples.

Sources (each test cites its own):
- nervaluate 1.1.0, README.md: the usage example (overall and per type) and the table of the six
  SemEval-2013 scenarios ("Putting all together");
- seqeval 1.2.2, README.md: the ``classification_report`` example (seqeval's default mode follows conlleval);
- TextEE, ``TextEE/scorer.py`` ``compute_E2E_scores``: set semantics, hand-computed here;
- SemEval-2016 Task 6, ``eval.pl``: F_avg, hand-computed here.
The coreference cases of the CoNLL reference scorer are in ``tests/test_coref_peers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nervaluate import Evaluator

from toolkit.evaluation.evaluate import evaluate
from engine_helpers import Outcomes as SchemeCounts, entity_scores, label_scores, score_mentions, view
from toolkit.metrics.entities import MentionItem
from toolkit.model.document import Argument, Document, Entity, Event, Mention, Span, Stance, Target
from toolkit.predictions.load import predictions_from_dicts


def spans_of(tags: list[str], offset: int = 0) -> list[MentionItem]:
    """IOB2 (or IOB1, conlleval's reading: an I- after O or another type starts a chunk) tags -> mentions,
    token i covering characters [offset + i, offset + i + 1)."""
    out, start, label = [], None, None
    for i, tag in enumerate([*tags, "O"]):
        kind, _, lab = tag.partition("-")
        if start is not None and (kind in ("B", "O") or lab != label):
            out.append(MentionItem(offset + start, offset + i, label))
            start = None
        if kind == "B" or (kind == "I" and start is None):
            start, label = i, lab
    return out


def score_sentences(true: list[list[str]], pred: list[list[str]]):
    """The entity counts (overall and per type) of one document per sentence."""
    return view(entity_scores(*((spans_of(t, 100 * k), spans_of(p, 100 * k)) for k, (t, p) in enumerate(zip(true, pred)))))


def test_nervaluate_readme_usage_example():
    # nervaluate README, "Usage example": "The John Smith who works at Google Inc" / "In Paris Marie Curie lived in 1895"
    true = [["O", "B-PER", "I-PER", "O", "O", "O", "B-ORG", "I-ORG"], ["O", "B-LOC", "B-PER", "I-PER", "O", "O", "B-DATE"]]
    pred = [["O", "O", "B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG"], ["O", "B-LOC", "I-LOC", "B-PER", "O", "O", "B-DATE"]]
    counts = score_sentences(true, pred)
    # "Scenario: all": correct, incorrect, partial, missed, spurious, and P = R = F1. The README prints
    # 0.40 for partial, but (2 + 0.5·3)/5 = 0.70 is what its own formula and nervaluate 1.2.1's
    # summary_report give (checked live below): the README's 0.40 is a typo.
    documented = {"type": (5, 0, 0, 0, 0, 1.00), "exact": (2, 3, 0, 0, 0, 0.40),
                  "partial": (2, 0, 3, 0, 0, 0.70), "strict": (2, 3, 0, 0, 0, 0.40)}
    theirs = Evaluator(true, pred, tags=["PER", "ORG", "LOC", "DATE"], loader="list").evaluate()["overall"]
    for scheme, (c, i, p, m, s, score) in documented.items():
        got = counts.micro[scheme]
        assert (got.correct, got.incorrect, got.partial, got.missed, got.spurious) == (c, i, p, m, s), scheme
        assert (got.precision, got.recall, got.f1) == pytest.approx((score, score, score)), scheme
        assert theirs["ent_type" if scheme == "type" else scheme].precision == pytest.approx(score), scheme
    # "Scenario: strict", per entity type
    strict = {"DATE": (1, 0, 1.0), "LOC": (0, 1, 0.0), "ORG": (1, 0, 1.0), "PER": (0, 2, 0.0)}
    assert sorted(counts.per_type["strict"]) == sorted(strict)
    for etype, (c, i, score) in strict.items():
        got = counts.per_type["strict"][etype]
        assert (got.correct, got.incorrect, got.partial, got.missed, got.spurious) == (c, i, 0, 0, 0), etype
        assert (got.precision, got.recall, got.f1) == pytest.approx((score, score, score)), etype


# nervaluate README, "Evaluation Scenarios": gold, predicted, and the outcome in type / partial / exact / strict
SCENARIOS = {
    "III": (("tikosyn", "BRAND"), None, ("missed", "missed", "missed", "missed")),
    "II": (None, ("healthy", "BRAND"), ("spurious", "spurious", "spurious", "spurious")),
    "V": (("warfarin", "DRUG"), ("of warfarin", "DRUG"), ("correct", "partial", "incorrect", "incorrect")),
    "IV": (("propranolol", "DRUG"), ("propranolol", "BRAND"), ("incorrect", "correct", "correct", "incorrect")),
    "I": (("phenytoin", "DRUG"), ("phenytoin", "DRUG"), ("correct", "correct", "correct", "correct")),
    "VI": (("contraceptives", "GROUP"), ("oral contraceptives", "DRUG"), ("incorrect", "partial", "incorrect", "incorrect")),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nervaluate_readme_scenarios(scenario):
    text = "of warfarin propranolol phenytoin oral contraceptives tikosyn healthy"
    gold, pred, outcomes = SCENARIOS[scenario]
    item = lambda x: [MentionItem(text.index(x[0]), text.index(x[0]) + len(x[0]), x[1])] if x else []  # noqa: E731
    counts, _ = score_mentions(item(gold), item(pred))
    for scheme, outcome in zip(("type", "partial", "exact", "strict"), outcomes):
        got = counts.micro[scheme]
        assert getattr(got, outcome) == 1 and got.correct + got.incorrect + got.partial + got.missed + got.spurious == 1, scheme
    # (The README's "Putting all together" table does not add up to these six rows, e.g. it has 2
    # strict correct where only scenario I is; summed over the six rows, as nervaluate 1.2.1
    # computes them, strict is 1 correct, 3 incorrect, 1 missed, 1 spurious.)


def test_seqeval_readme_classification_report():
    # seqeval README (its default mode reproduces conlleval): f1 0.50; MISC 0/0/0 support 1; PER 1/1/1 support 1
    y_true = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    y_pred = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    counts = score_sentences(y_true, y_pred)
    assert counts.micro["strict"].f1 == 0.5
    misc, per = counts.per_type["strict"]["MISC"], counts.per_type["strict"]["PER"]
    assert (misc.precision, misc.recall, misc.f1, misc.possible) == (0.0, 0.0, 0.0, 1)
    assert (per.precision, per.recall, per.f1, per.possible) == (1.0, 1.0, 1.0, 1)
    # seqeval README, IOB1-style input: an I- tag after O starts a chunk, as in conlleval
    counts = score_sentences([["B-NP", "I-NP", "O"]], [["I-NP", "I-NP", "O"]])
    assert counts.per_type["strict"]["NP"] == SchemeCounts(correct=1)


# ---------------------------------------------------------------- TextEE's set semantics, by hand

TEXT = "The countries agreed on a package. Seoul signed."
#       0   4         14     21 24 26      34   39


def _doc(events: list[Event]) -> Document:
    mentions = (Mention("M1", Span(4, 13, "countries"), "nominal", "E1", "GPE"),)
    seoul = (Mention("M2", Span(35, 40, "Seoul"), "name", "E2", "GPE"),)
    return Document("d", TEXT, entities=(Entity("E1", "GPE", "countries", mentions), Entity("E2", "GPE", "Seoul", seoul)),
                    events=tuple(events))


def test_textee_counts_an_argument_two_events_share_once():
    # gold: "agreed" and "package", both Trade.Negotiate, both with Party "countries"
    agreed = Event("V1", "Trade.Negotiate", "actual", Span(14, 20, "agreed"), (Argument("Party", "M1"),))
    package = Event("V2", "Trade.Negotiate", "actual", Span(26, 33, "package"), (Argument("Party", "M1"),))
    signed = Event("V3", "Trade.Negotiate", "actual", Span(41, 47, "signed"), (Argument("Party", "M2"),))
    gold = _doc([agreed, package, signed])
    # predicted: only "agreed" with Party "countries", and "signed" with Party "countries" (wrong)
    pred = _doc([agreed, Event("P3", "Trade.Negotiate", "actual", Span(41, 47, "signed"), (Argument("Party", "M1"),))])
    events = evaluate({"d": gold}, {"d": pred}, ("events",)).scores()["events"]
    # TextEE: argument tuples (type, start, end[, role]): gold {(TN, countries), (TN, Seoul)},
    # predicted {(TN, countries)}: tp 1, fp 0, fn 1
    assert [events["argument_classification"][k] for k in ("tp", "fp", "fn")] == [1, 0, 1]
    # attached tuples carry the trigger: gold {agreed/countries, package/countries, signed/Seoul},
    # predicted {agreed/countries, signed/countries}: tp 1, fp 1, fn 2
    assert [events["argument_classification_attached"][k] for k in ("tp", "fp", "fn")] == [1, 1, 2]
    # per item: three gold arguments, two predicted, matched one-to-one by (type, span, role):
    # "countries" twice predicted matches two of the gold "countries"; Seoul missed
    assert [events["per_item"]["argument_classification"][k] for k in ("tp", "fp", "fn")] == [2, 0, 1]
    assert events["argument_classification"]["f1"] == pytest.approx(2 / 3)
    assert events["per_item"]["argument_classification"]["f1"] == pytest.approx(4 / 5)


def test_textee_counts_a_trigger_span_once():
    # two gold events on one trigger span (TextEE keys trigger identification by (start, end))
    one = Event("V1", "Trade.Negotiate", "actual", Span(14, 20, "agreed"), ())
    two = Event("V2", "Transaction.Payment", "actual", Span(14, 20, "agreed"), ())
    events = evaluate({"d": _doc([one, two])}, {"d": _doc([one])}, ("events",)).scores()["events"]
    assert [events["trigger_identification"][k] for k in ("tp", "fp", "fn")] == [1, 0, 0]
    assert [events["trigger_classification"][k] for k in ("tp", "fp", "fn")] == [1, 0, 1]
    assert [events["per_item"]["trigger_identification"][k] for k in ("tp", "fp", "fn")] == [1, 0, 1]


# ---------------------------------------------------------------- SemEval-2016 eval.pl's F_avg, by hand


def test_f_avg_as_eval_pl():
    # favour: gold 3, predicted 2, both 2 -> P 1, R 2/3, F 0.8; against: gold 1, predicted 0 -> P 0 (eval.pl), R 0, F 0
    pairs = [("favour", "favour"), ("favour", "favour"), ("favour", "neutral"), ("against", "neutral")]
    assert label_scores(pairs)["f_avg"] == pytest.approx((0.8 + 0.0) / 2)
    # against absent from gold and predictions: eval.pl's F is 0 for it, so a perfect favour-only system scores 0.5
    assert label_scores([("favour", "favour")])["f_avg"] == 0.5
    # no aligned pair at all: nothing was labelled, F_avg undefined
    assert label_scores([])["f_avg"] is None


# ---------------------------------------------------------------- coreference through the whole pipeline


def test_a_span_in_two_predicted_entities_warns_and_keeps_its_first_entity():
    text = "Seoul said Seoul would wait. The capital agreed."
    gold = Document("d", text, entities=(
        Entity("E1", "GPE", "Seoul", (Mention("M1", Span(0, 5, "Seoul"), "name", "E1", "GPE"),
                                      Mention("M2", Span(11, 16, "Seoul"), "name", "E1", "GPE"),
                                      Mention("M3", Span(29, 40, "The capital"), "nominal", "E1", "GPE"))),))
    m = lambda s, e: {"start": s, "end": e, "text": text[s:e]}  # noqa: E731
    pred = {"doc_id": "d", "entities": [
        {"type": "GPE", "mentions": [m(0, 5), m(11, 16)]},
        {"type": "GPE", "mentions": [m(11, 16), m(29, 40)]},  # "Seoul"@11 again: kept in the first entity
    ]}
    loaded = predictions_from_dicts([pred], {"d": gold})
    warnings = [i for i in loaded.issues if i.code == "duplicate-mention"]
    assert [(w.severity, w.pointer) for w in warnings] == [("warning", "/0/entities/1")]
    assert "11-16" in warnings[0].message and "/0/entities/0" in warnings[0].message
    coref = evaluate({"d": gold}, loaded.documents, ("coreference",)).scores()["coreference"]
    # response after the first-occurrence rule: {Seoul@0, Seoul@11}, {The capital}; key {all three}
    assert (coref["muc"]["recall"], coref["muc"]["precision"]) == (0.5, 1.0)
    swapped = {**pred, "entities": pred["entities"][::-1]}  # now "Seoul"@11 stays with "The capital"
    coref = evaluate({"d": gold}, predictions_from_dicts([swapped], {"d": gold}).documents, ("coreference",)).scores()["coreference"]
    assert (coref["muc"]["recall"], coref["muc"]["precision"]) == (0.5, 1.0)
    assert coref["b3"]["recall"] == pytest.approx((2 * 2 / 3 + 1 / 3) / 3)


def test_an_empty_system_scores_zero_not_undefined():
    text = "Seoul said Seoul would wait."
    gold = Document("d", text, entities=(
        Entity("E1", "GPE", "Seoul", (Mention("M1", Span(0, 5, "Seoul"), "name", "E1", "GPE"),
                                      Mention("M2", Span(11, 16, "Seoul"), "name", "E1", "GPE"))),),
        stances=(Stance("S1", "E1", Target("topic", "quick-deal"), "favour", ()),))
    scores = evaluate({"d": gold}, {}).scores()
    for metric in ("muc", "b3", "ceafe", "ceafm", "lea", "blanc"):
        assert scores["coreference"][metric]["f1"] == 0.0, metric
        assert scores["coreference"][metric]["recall"] == 0.0, metric
    assert scores["coreference"]["conll_f1"] == 0.0
    assert scores["entities"]["micro"]["strict"]["f1"] == 0.0
    assert scores["stances"]["triples"]["f1"] == 0.0


def _textee_sets(doc) -> dict[str, set]:
    """TextEE's ``compute_E2E_scores`` tuples of one document, written from its definition (unique tuples in sets):
    triggers (start, end) and (start, end, type); arguments (type, start, end[, role]) and, attached, with the
    trigger's span in front."""
    spans = {m.id: (m.span.start, m.span.end) for m in doc.mentions()}
    out = {k: set() for k in ("ti", "tc", "ai", "ac", "ai_att", "ac_att")}
    for v in doc.events:
        t = (v.trigger.start, v.trigger.end)
        out["ti"].add(t)
        out["tc"].add((*t, v.type))
        for a in v.arguments:
            s = spans[a.mention_id] if getattr(a, "span", None) is None else (a.span.start, a.span.end)
            out["ai"].add((v.type, *s))
            out["ac"].add((v.type, *s, a.role))
            out["ai_att"].add((*t, v.type, *s))
            out["ac_att"].add((*t, v.type, *s, a.role))
    return out


def test_the_six_textee_numbers_on_gold_vs_baseline_equal_textees_definition():
    """The headline event numbers of `toolkit eval --system baseline` on this repository's gold equal an independent
    computation of TextEE's set semantics on the same documents (tp = |gold ∩ pred| per document, summed)."""
    from toolkit.checks.gold import split_drafts
    from toolkit.checks.validate import load_corpus
    from toolkit.predictions.load import predictions_from_dicts
    from toolkit.predictions.systems import load_system, run_system

    gold, _ = split_drafts(load_corpus(Path(__file__).resolve().parent.parent / "annotations"))
    preds = predictions_from_dicts([run_system(load_system("baseline"), d, gold[d].text) for d in gold], gold).documents
    events = evaluate(gold, preds, ("events",)).scores()["events"]
    names = {"ti": "trigger_identification", "tc": "trigger_classification", "ai": "argument_identification",
             "ac": "argument_classification", "ai_att": "argument_identification_attached",
             "ac_att": "argument_classification_attached"}
    want = {k: [0, 0, 0] for k in names}
    for d in gold:
        g, p = _textee_sets(gold[d]), _textee_sets(preds[d]) if d in preds else {k: set() for k in names}
        for k in names:
            want[k] = [want[k][0] + len(g[k] & p[k]), want[k][1] + len(p[k] - g[k]), want[k][2] + len(g[k] - p[k])]
    assert {k: [events[n][x] for x in ("tp", "fp", "fn")] for k, n in names.items()} == want
    assert want["ai"][0] > 0 and want["ac"][2] > 0  # a real comparison, not two empty sets
