"""Anchoring quoted spans to offsets."""

from hypothesis import given, strategies as st

from toolkit.predictions.anchor import Anchorer, anchor_document, occurrences

TEXT = "South Korea and Korea. Korean goods face tariffs; tariffs hurt Korea."


def anchor(spec, strict=True, text=TEXT):
    a = Anchorer(text, "f.json", strict)
    return a.span(spec, "/x"), [(i.code, i.severity) for i in a.issues]


def test_occurrences_respect_word_boundaries():
    # "Korea" at 6 (inside "South Korea"), 16 and 63; never inside "Korean" (23).
    assert occurrences(TEXT, "Korea") == [6, 16, 63]
    assert occurrences(TEXT, "Korean") == [23]


def test_unique_text_anchors():
    assert anchor({"text": "Korean goods"}) == ((23, 35), [])


def test_occurrence_index_counts_whole_word_hits():
    assert anchor({"text": "Korea", "occurrence": 2}) == ((63, 68), [])
    assert anchor({"text": "Korea", "occurrence": 3}) == (None, [("unanchored-quote", "error")])


def test_context_picks_the_place():
    assert anchor({"text": "tariffs", "context": "tariffs hurt"}) == ((50, 57), [])
    assert anchor({"text": "Korea", "context": "hurt Korea."}) == ((63, 68), [])


def test_context_must_exist_and_hold_the_text_once():
    assert anchor({"text": "Korea", "context": "hurts Korea"}) == (None, [("unanchored-quote", "error")])
    assert anchor({"text": "Korea", "context": "and Korea. Korean"})[0] == (16, 21)


def test_ambiguous_quote_is_an_error_when_strict():
    assert anchor({"text": "tariffs"}) == (None, [("ambiguous-quote", "error")])


def test_lenient_mode_takes_successive_occurrences():
    a = Anchorer(TEXT, "p.json", strict=False)
    assert a.span({"text": "tariffs"}, "/0") == (41, 48)
    assert a.span({"text": "tariffs"}, "/1") == (50, 57)
    assert [i.severity for i in a.issues] == ["warning", "warning"]


def test_offsets_win_when_text_agrees_and_text_wins_when_it_does_not():
    assert anchor({"start": 0, "end": 11, "text": "South Korea"}) == ((0, 11), [])
    off, issues = anchor({"start": 60, "end": 65, "text": "Korea"}, strict=False)
    assert off == (63, 68) and issues == [("span-text-mismatch", "warning")]


def test_missing_quote_is_reported_not_dropped():
    data = {"doc_id": "d", "entities": [{"type": "GPE", "mentions": [{"text": "Japan"}, {"text": "Korean goods"}]}]}
    out, issues = anchor_document(data, TEXT, "p.json")
    assert [m["text"] for m in out["entities"][0]["mentions"]] == ["Korean goods"]
    assert [(i.code, i.pointer) for i in issues] == [("unanchored-quote", "/entities/0/mentions/0/text")]


words = st.lists(st.sampled_from(["tariff", "Korea", "US", "deal", "talks", "steel"]), min_size=1, max_size=30)


@given(words, st.data())
def test_occurrence_anchoring_recovers_the_offsets(ws, data):
    text = " ".join(ws)
    i = data.draw(st.integers(0, len(ws) - 1))
    start = sum(len(w) + 1 for w in ws[:i])
    quote = ws[i]
    k = sum(1 for j in range(i) if ws[j] == quote)
    a = Anchorer(text, "f", strict=True)
    assert a.span({"text": quote, "occurrence": k}, "") == (start, start + len(quote))


def test_float_offsets_are_refused_not_crashed_on():
    assert anchor({"start": 0.0, "end": 11, "text": "South Korea"}) == (None, [("wrong-type", "error")])
    assert anchor({"start": 0, "end": 11.0}) == (None, [("wrong-type", "error")])
