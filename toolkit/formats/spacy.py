"""spaCy ``DocBin`` out: every document a ``Doc`` on our tokens, its mentions as spans.

- ``doc.ents``: the outermost mentions that do not overlap (a nested mention is inside its outer
  one; of two crossing mentions, which the schema forbids, the earlier is kept), labelled with the
  entity type;
- ``doc.spans["mentions"]``: every mention, nested ones too, labelled with the entity type;
- on each span the mention's ids: ``span.id_`` is the entity id (coreference: the mentions of one
  entity share it), ``span.kb_id_`` the mention id; the mention kind is in
  ``doc.spans["mentions"].attrs["kinds"]``, one per span, in span order;
- ``doc.user_data``: ``doc_id``, and ``events`` and ``stances`` as JSON strings of our schema
  (spaCy has no layer for them), so nothing is lost.

Tokens are those of :func:`toolkit.formats.iob2.tokenize` (``spaces`` keep the text exact:
``doc.text`` is our text); a mention whose edges fall inside a token is split off as its own token
by :func:`toolkit.formats.iob2.tokenize`'s boundary option, so every mention is a span. spaCy is an
optional extra (``pip install 'toolkit[spacy]'``); it is imported only here, with ``spacy.blank``
(no model is downloaded).
"""

from __future__ import annotations

import json

from toolkit.formats.iob2 import tokenize
from toolkit.model.document import Document

SPAN_KEY = "mentions"


class SpacyUnavailable(RuntimeError):
    pass


def _blank():
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - the test extra installs spaCy
        raise SpacyUnavailable("spaCy is not installed: `toolkit convert --to spacy` needs the spacy extra") from exc
    return spacy.blank("en")


def to_spacy_doc(doc: Document, nlp):
    """The spaCy ``Doc`` of one document (module docstring)."""
    from spacy.tokens import Doc

    bounds = {b for m in doc.mentions() for b in (m.span.start, m.span.end)}
    tokens = [t for sent in tokenize(doc.text, bounds) for t in sent]
    words, spaces = [], []
    if tokens and tokens[0].start > 0:
        words.append(doc.text[:tokens[0].start])  # leading whitespace as one token, as spaCy does
        spaces.append(False)
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1].start if i + 1 < len(tokens) else len(doc.text)
        gap = doc.text[tok.end:nxt]
        words.append(tok.text)
        if gap.startswith(" "):
            spaces.append(True)
            gap = gap[1:]
        else:
            spaces.append(False)
        if gap:
            words.append(gap)
            spaces.append(False)
    out = Doc(nlp.vocab, words=words, spaces=spaces)
    assert out.text == doc.text
    spans, kinds = [], []
    for ent in doc.entities:
        for m in ent.mentions:
            span = out.char_span(m.span.start, m.span.end, label=ent.type, kb_id=m.id, span_id=ent.id)
            if span is None:  # pragma: no cover - every mention edge is a token boundary
                raise ValueError(f"{doc.doc_id}: mention {m.id} is not on token boundaries")
            spans.append(span)
    spans.sort(key=lambda s: (s.start_char, -s.end_char, s.kb_id_))
    by_kb = {m.id: m.kind for m in doc.mentions()}
    kinds = [by_kb[s.kb_id_] for s in spans]
    out.spans[SPAN_KEY] = spans
    out.spans[SPAN_KEY].attrs["kinds"] = kinds
    ents, last_end = [], -1
    for s in sorted(spans, key=lambda s: (s.start_char, -s.end_char)):
        if s.start >= last_end:
            ents.append(s)
            last_end = s.end
    out.ents = ents
    data = doc.to_dict()
    out.user_data["doc_id"] = doc.doc_id
    out.user_data["events"] = json.dumps(data["events"], ensure_ascii=False)
    out.user_data["stances"] = json.dumps(data["stances"], ensure_ascii=False)
    return out


def export_spacy(docs: list[Document]) -> bytes:
    """The bytes of a ``.spacy`` file (``DocBin`` with user data) holding ``docs``."""
    nlp = _blank()
    from spacy.tokens import DocBin

    bin_ = DocBin(store_user_data=True)
    for d in docs:
        bin_.add(to_spacy_doc(d, nlp))
    return bin_.to_bytes()
