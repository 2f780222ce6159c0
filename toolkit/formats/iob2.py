"""IOB2 token files (CoNLL style) for entity mentions.

**Tokeniser** (documented, deterministic): a token is a run of letters/digits joined by internal
hyphens or apostrophes (``Sang-mok``, ``Korea’s`` -> ``Korea``, ``’s``... see ``TOKEN``), or any
other single non-space character. Each line is ``token<TAB>start<TAB>end<TAB>tag`` with code-point
offsets, so a file maps back to exact character spans; documents are introduced by a comment
``# doc_id = <id>`` and sentences end with a blank line (a sentence ends at a newline in the text).

**What IOB2 can hold**: one flat layer of typed spans on token boundaries. Nested mentions keep
the outermost (longest) span; mentions whose edges fall inside a token cannot be written. Both
are reported as ``iob2-dropped`` notes, never dropped silently. Coreference, events and stances
are not part of IOB2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.model.document import Document
from toolkit.model.issues import Issue

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[list[Token]]:
    """Sentences (split at newlines) of tokens with code-point offsets."""
    sentences: list[list[Token]] = []
    offset = 0
    for line in text.split("\n"):
        toks = [Token(m.group(), offset + m.start(), offset + m.end()) for m in TOKEN.finditer(line)]
        if toks:
            sentences.append(toks)
        offset += len(line) + 1
    return sentences


def spans_to_tags(tokens: list[Token], spans: list[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags of ``tokens`` for non-overlapping, token-aligned ``(start, end, type)`` spans."""
    tags = ["O"] * len(tokens)
    for start, end, label in spans:
        inside = [i for i, t in enumerate(tokens) if t.start >= start and t.end <= end]
        for k, i in enumerate(inside):
            tags[i] = ("B-" if k == 0 else "I-") + label
    return tags


def tags_to_spans(tokens: list[Token], tags: list[str]) -> list[tuple[int, int, str]]:
    """Spans of an IOB2 tag sequence (an ``I-`` without a matching ``B-`` starts a span, as seqeval does)."""
    spans: list[tuple[int, int, str]] = []
    cur: list = []
    for tok, tag in zip(tokens, tags):
        if tag.startswith("B-") or (tag.startswith("I-") and (not cur or cur[2] != tag[2:])):
            if cur:
                spans.append(tuple(cur))
            cur = [tok.start, tok.end, tag[2:]]
        elif tag.startswith("I-"):
            cur[1] = tok.end
        else:
            if cur:
                spans.append(tuple(cur))
            cur = []
    if cur:
        spans.append(tuple(cur))
    return spans


def writable_spans(doc: Document) -> tuple[list[tuple[int, int, str]], list[Issue]]:
    """The mentions IOB2 can hold (outermost, token-aligned), and a note for each one it cannot."""
    bounds_start = {t.start for s in tokenize(doc.text) for t in s}
    bounds_end = {t.end for s in tokenize(doc.text) for t in s}
    mentions = sorted(doc.mentions(), key=lambda m: (m.span.start, -m.span.end))
    kept: list[tuple[int, int, str]] = []
    notes: list[Issue] = []
    for m in mentions:
        where = f"{doc.doc_id}:{m.span.start}-{m.span.end}"
        if m.span.start not in bounds_start or m.span.end not in bounds_end:
            notes.append(Issue("iob2-dropped", doc.doc_id, f"/mentions/{m.id}", f"{where} {m.span.text!r} does not fall on token boundaries", severity="warning"))
        elif kept and m.span.start < kept[-1][1]:
            notes.append(Issue("iob2-dropped", doc.doc_id, f"/mentions/{m.id}", f"{where} {m.span.text!r} is nested in another mention", severity="warning"))
        else:
            kept.append((m.span.start, m.span.end, m.entity_type))
    return kept, notes


def export_iob2(docs: list[Document]) -> tuple[str, list[Issue]]:
    """One IOB2 file for all documents, and the notes on mentions it could not hold."""
    out: list[str] = []
    notes: list[Issue] = []
    for d in docs:
        spans, dropped = writable_spans(d)
        notes += dropped
        out.append(f"# doc_id = {d.doc_id}")
        for sent in tokenize(d.text):
            for tok, tag in zip(sent, spans_to_tags(sent, [s for s in spans if s[0] >= sent[0].start and s[1] <= sent[-1].end])):
                out.append(f"{tok.text}\t{tok.start}\t{tok.end}\t{tag}")
            out.append("")
    return "\n".join(out) + "\n", notes


def import_iob2(content: str, file: str = "pred.iob2") -> tuple[list[dict], list[Issue]]:
    """Prediction dicts (one entity per span, offsets from the file's columns) from an IOB2 file."""
    docs: dict[str, tuple[list[Token], list[str]]] = {}
    issues: list[Issue] = []
    current = None
    for lineno, line in enumerate(content.splitlines(), 1):
        if line.startswith("# doc_id = "):
            current = line[len("# doc_id = "):].strip()
            docs.setdefault(current, ([], []))
            continue
        if not line.strip() or line.startswith("#"):
            if current is not None and docs[current][1] and docs[current][1][-1] != "O":
                docs[current][0].append(Token("", -1, -1))  # sentence break closes a span
                docs[current][1].append("O")
            continue
        cols = line.split("\t")
        if current is None or len(cols) != 4 or not cols[1].isdigit() or not cols[2].isdigit():
            issues.append(Issue("invalid-value", file, f"/line/{lineno}",
                                "expected '# doc_id = ID' then lines 'token<TAB>start<TAB>end<TAB>tag'"))
            continue
        tag = cols[3]
        if tag != "O" and not re.fullmatch(r"[BI]-[A-Z_]+", tag):
            issues.append(Issue("invalid-value", file, f"/line/{lineno}", f"'{tag}' is not an IOB2 tag"))
            tag = "O"
        docs[current][0].append(Token(cols[0], int(cols[1]), int(cols[2])))
        docs[current][1].append(tag)
    preds = []
    for doc_id, (tokens, tags) in docs.items():
        spans = tags_to_spans(tokens, tags)
        preds.append({"doc_id": doc_id, "entities": [
            {"type": label, "mentions": [{"start": s, "end": e}]} for s, e, label in spans]})
    return preds, issues
