"""Grounding predicted quotes: statuses, normalised matching mapped back to code-point offsets,
fuzzy matching, and repeated quotes placed by optimal assignment (toolkit/predictions/grounding.py)."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from toolkit.dataset.gold import load_gold
from toolkit.model.document import Document, Entity, Mention, Span
from toolkit.predictions.grounding import NormalizedText, ground_document, normalize, normalize_many
from toolkit.predictions.load import load_predictions

FIXTURES = Path(__file__).parent / "fixtures"


def gold_doc(text, mentions=()):
    ents = tuple(Entity(f"E{i}", t, "", (Mention(f"M{i}", Span(s, e, text[s:e]), "name", f"E{i}", t),))
                 for i, (s, e, t) in enumerate(mentions))
    return Document("d", text, ents)


def ground(text, specs, mentions=(), fuzzy=None, etype="GPE"):
    data = {"doc_id": "d", "entities": [{"type": etype, "mentions": specs}]}
    out, g = ground_document(data, gold_doc(text, mentions), "p.json", fuzzy=fuzzy)
    return [(m["start"], m["end"], m["text"]) for m in out["entities"][0]["mentions"]], [s for _, s in g.statuses], g


@pytest.mark.parametrize("code", ["normalized-quote", "fuzzy-quote", "fenced-json"])
def test_prediction_fixture_gives_exactly_its_issue(code, tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "seeds").mkdir()
    (tmp_path / "gold" / "tiny.json").write_text((FIXTURES / "valid" / "tiny.json").read_text())
    (tmp_path / "seeds" / "tiny.txt").write_bytes((FIXTURES / "seeds" / "tiny.txt").read_bytes())
    preds = load_predictions(FIXTURES / "invalid" / f"{code}.json", load_gold(tmp_path / "gold"), fuzzy=0.9)
    assert [i.code for i in preds.issues] == [code], [i.message for i in preds.issues]
    assert preds.ok and "tiny" in preds.documents


def test_statuses_in_order_of_preference():
    text = "Seoul’s envoy met South Korea’s team — twice."
    assert ground(text, [{"text": "Seoul"}])[:2] == ([(0, 5, "Seoul")], ["match_exact"])
    assert ground(text, [{"text": "Seoul's envoy"}])[:2] == ([(0, 13, "Seoul’s envoy")], ["match_normalized"])
    assert ground(text, [{"text": "south korea"}])[:2] == ([(18, 29, "South Korea")], ["match_normalized"])
    assert ground(text, [{"text": "team - twice"}])[:2] == ([(32, 44, "team — twice")], ["match_normalized"])
    assert ground(text, [{"text": "Tokyo"}])[:2] == ([], ["ungrounded"])
    assert ground(text, [{"text": "Soutth Korea"}], fuzzy=0.9)[:2] == ([(18, 29, "South Korea")], ["match_fuzzy"])
    assert ground(text, [{"text": "Soutth Korea"}])[:2] == ([], ["ungrounded"])


def test_offsets_are_kept_when_the_text_matches_them_once_normalised():
    text = "Seoul’s envoy"
    assert ground(text, [{"start": 0, "end": 7, "text": "Seoul's"}])[:2] == ([(0, 7, "Seoul’s")], ["match_normalized"])
    assert ground(text, [{"start": 0, "end": 5}])[:2] == ([(0, 5, "Seoul")], ["match_exact"])
    spans, statuses, g = ground("a Korea b Korea", [{"start": 10, "end": 14, "text": "Korea"}])
    assert spans == [(10, 15, "Korea")] and [i.code for i in g.issues] == ["span-text-mismatch"]


def test_word_boundaries_hold_after_normalisation():
    assert ground("Korean goods", [{"text": "korea"}])[:2] == ([], ["ungrounded"])
    assert ground("ＳＥＯＵＬ hosts", [{"text": "Seoul"}])[:2] == ([(0, 5, "ＳＥＯＵＬ")], ["match_normalized"])  # NFKC
    assert ground("a ﬁne day", [{"text": "fine"}])[:2] == ([(2, 5, "ﬁne")], ["match_normalized"])  # a ligature is one code point
    assert ground("Cafe\u0301 Nord", [{"text": "Café"}])[:2] == ([(0, 5, "Cafe\u0301")], ["match_normalized"])  # combining accent
    assert ground("Straße 5", [{"text": "strasse"}])[:2] == ([(0, 6, "Straße")], ["match_normalized"])  # casefold ß -> ss


VARIANTS = {"'": ["'", "’", "‘"], '"': ['"', "“", "”"], "-": ["-", "–", "—", "‐"], " ": [" ", "  ", "\n", "\u00a0", " \t "]}
WORDS = ["Seoul", "korea", "talks", "US", "deal", "'s", '"', "-", "tariff"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), st.data())
def test_normalised_matches_map_back_to_exact_code_point_offsets(words, data):
    """Any stretch of a text, quoted with other quote marks, dashes, spaces and case, is found, and each
    occurrence found is a stretch of the original whose normal form is the quote's."""
    def render(ws):
        out = ""
        for w in ws:
            sep = data.draw(st.sampled_from(VARIANTS[" "]))
            out += (sep if out else "") + "".join(data.draw(st.sampled_from(VARIANTS.get(c, [c]))) for c in w)
        return out

    text = render(words)
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    quote = render(words[i:j])
    quote = data.draw(st.sampled_from([quote, quote.upper(), quote.lower()]))
    nt = NormalizedText(text)
    hits = nt.find(quote)
    for s, e in hits:
        assert 0 <= s < e <= len(text)
        assert normalize(text[s:e]) == normalize(quote)
    if normalize(quote) and all(c.isalnum() or c in "'\"-" for w in words[i:j] for c in w):
        assert hits, (text, quote)


def permuted(items, seed):
    import random

    items = list(items)
    random.Random(seed).shuffle(items)
    return items


@settings(deadline=None)
@given(st.integers(0, 10**6))
def test_repeated_quotes_do_not_depend_on_the_order_they_are_listed(seed):
    text = "talks on Monday; talks on Friday; more talks"
    gold = [(17, 22, "GPE"), (34, 44, "GPE")]  # the second "talks", and "more talks"
    specs = [{"text": "talks"}, {"text": "talks"}]
    spans, statuses, _ = ground(text, permuted(specs, seed), gold)
    assert sorted(spans) == [(0, 5, "talks"), (17, 22, "talks")] or sorted(spans) == [(17, 22, "talks"), (39, 44, "talks")]
    assert (17, 22, "talks") in spans  # the gold occurrence is always taken
    assert statuses == ["match_exact", "match_exact"]


def test_optimal_assignment_prefers_the_gold_label_then_any_gold_span_then_text_order():
    text = "Seoul, Seoul, Seoul"
    # gold: the 3rd "Seoul" is GPE, the 1st is ORG; one GPE quote goes to the GPE one, not the first
    spans, _, _ = ground(text, [{"text": "Seoul"}], [(0, 5, "ORG"), (14, 19, "GPE")])
    assert spans == [(14, 19, "Seoul")]
    spans, _, _ = ground(text, [{"text": "Seoul"}, {"text": "Seoul"}], [(0, 5, "ORG"), (14, 19, "GPE")])
    assert sorted(spans) == [(0, 5, "Seoul"), (14, 19, "Seoul")]  # the ORG gold span before the non-gold one
    spans, _, _ = ground(text, [{"text": "Seoul"}] * 2)
    assert spans == [(0, 5, "Seoul"), (7, 12, "Seoul")]  # no gold: text order
    spans, _, _ = ground(text, [{"text": "Seoul"}] * 4)
    assert sorted(s for s, _, _ in spans) == [0, 0, 7, 14]  # more quotes than places: each place once, then again


def test_context_and_occurrence_still_choose():
    text = "Seoul’s plan; Seoul’s deal"
    assert ground(text, [{"text": "Seoul's", "occurrence": 1}])[0] == [(14, 21, "Seoul’s")]
    assert ground(text, [{"text": "seoul", "context": "Seoul’s deal"}])[0] == [(14, 19, "Seoul")]
    assert ground(text, [{"text": "Seoul", "context": "Seoul's deal"}])[0] == [(14, 19, "Seoul")]  # normalised context
    assert ground(text, [{"text": "Seoul", "occurrence": 5}])[:2] == ([], ["ungrounded"])


def test_ungrounded_items_are_refused_with_their_label():
    data = {"doc_id": "d", "entities": [{"type": "GPE", "mentions": [{"text": "Tokyo"}]}],
            "events": [{"type": "Trade.Agree", "trigger": {"text": "signed"}, "arguments": [{"role": "Party", "text": "Oslo"}]},
                       {"type": "Contact.Meet", "trigger": {"text": "met"}, "arguments": [{"role": "Place", "text": "Paris"}]}],
            "stances": [{"holder": {"text": "Rome"}, "target": {"kind": "topic", "id": "quick-deal"}, "label": "favour"}]}
    out, g = ground_document(data, gold_doc("Seoul met Busan."), "p.json")
    assert [(r.task, r.label, r.text, r.role) for r in g.refused] == [
        ("entities", "GPE", "Tokyo", ""), ("events", "Trade.Agree", "signed", ""), ("arguments", "Trade.Agree", "Oslo", "Party"),
        ("arguments", "Contact.Meet", "Paris", "Place")]
    assert out["stances"][0]["holder"] is None and [e["trigger"]["text"] for e in out["events"]] == ["met"]
    assert g.statuses == [("mention", "ungrounded"), ("trigger", "ungrounded"), ("argument", "ungrounded"), ("trigger", "match_exact"),
                          ("argument", "ungrounded"), ("holder", "ungrounded")]
    assert json.dumps(out)  # still plain JSON


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=30))
def test_the_ascii_shortcut_of_normalize_equals_the_full_path(text):
    assert normalize(text) == NormalizedText(text).norm.strip(" ")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text(), max_size=8))
def test_normalize_many_is_normalize_of_each(texts):
    """The vectorised form (Arrow string operations for ASCII texts) gives exactly normalize's result."""
    assert normalize_many(texts).to_pylist() == [normalize(t) for t in texts]


def test_normalize_many_on_the_edge_cases_of_ascii_whitespace():
    texts = ["  A\tB\x0b\x0cC\x1c\x1fD  ", "`Tis", "", "   ", "x\r\ny", "Ünïcode  Ｔext", "caf\u00e9\u2019s"]
    assert normalize_many(texts).to_pylist() == ["a b c d", "'tis", "", "", "x y", normalize("Ünïcode  Ｔext"), normalize("caf\u00e9\u2019s")]
