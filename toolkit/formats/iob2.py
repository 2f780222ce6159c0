"""IOB2 token files (CoNLL style) for entity mentions, and plain 2-column CoNLL in.

**Tokeniser** (documented, deterministic; :func:`tokenize`): a token is a run of letters and
digits joined by internal hyphens or apostrophes (``Sang-mok``), a possessive ``'s``/``’s`` on its
own (``Korea’s`` -> ``Korea`` ``’s``), or any other single non-space character; a token holding a
mention edge (``AFP-Yonhap`` where ``AFP`` is a mention) is split into its pieces there. Each line
is ``token<TAB>start<TAB>end<TAB>tag`` with code-point offsets, so a file maps back to exact
character spans; each document opens with ``-DOCSTART- -X- O O`` and ``# doc_id = <id><TAB>O``,
and sentences end with a blank line (a sentence ends at a newline in the text).

**What IOB2 can hold**: one flat layer of typed spans on token boundaries within a line. Nested
mentions keep the outermost (longest) span; a mention across a line break cannot be written.
Each is reported as an ``iob2-dropped`` note, never dropped silently. Coreference, events and
stances are not part of IOB2, so an IOB2 file is scored on entities only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.formats.ids import doc_id_problem
from toolkit.model.document import Document
from toolkit.model.issues import Issue

TOKEN = re.compile(r"['’][sS]\b|\w+(?:-\w+|['’](?![sS]\b)\w+)*|[^\w\s]")
PIECE = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def _split(tok: Token, bounds: set[int]) -> list[Token]:
    """``tok`` cut at every boundary in ``bounds`` inside it: first into its word and punctuation
    pieces (``AFP-Yonhap`` -> ``AFP`` ``-`` ``Yonhap``), then any piece still holding a boundary at it."""
    if not any(tok.start < b < tok.end for b in bounds):
        return [tok]
    out = []
    for m in PIECE.finditer(tok.text):
        s, e = tok.start + m.start(), tok.start + m.end()
        cuts = [s] + sorted(b for b in bounds if s < b < e) + [e]
        out += [Token(tok.text[a - tok.start:b - tok.start], a, b) for a, b in zip(cuts, cuts[1:])]
    return out


def tokenize(text: str, bounds: set[int] | frozenset[int] = frozenset()) -> list[list[Token]]:
    """Sentences (split at newlines) of tokens with code-point offsets.

    A token is a run of letters and digits joined by internal hyphens or apostrophes
    (``Sang-mok``, ``don't``), a possessive ``'s`` / ``’s`` on its own (``Korea’s`` -> ``Korea``
    ``’s``), or any other single non-space character. ``bounds`` are offsets that must fall between
    tokens (mention edges): a token holding one is split into its pieces there (``AFP-Yonhap`` with
    a mention ``AFP`` -> ``AFP`` ``-`` ``Yonhap``).
    """
    sentences: list[list[Token]] = []
    offset = 0
    for line in text.split("\n"):
        toks: list[Token] = []
        for m in TOKEN.finditer(line):
            toks += _split(Token(m.group(), offset + m.start(), offset + m.end()), bounds)
        if toks:
            sentences.append(toks)
        offset += len(line) + 1
    return sentences


def mention_bounds(doc: Document) -> set[int]:
    return {b for m in doc.mentions() for b in (m.span.start, m.span.end)}


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
    """The mentions IOB2 can hold (outermost, on token boundaries, within one line), and a note for
    each one it cannot, saying why (nested in another mention; across a line break)."""
    sentences = tokenize(doc.text, mention_bounds(doc))
    line_of = {}
    for k, sent in enumerate(sentences):
        for t in sent:
            line_of[t.start] = line_of[t.end] = k
    mentions = sorted(doc.mentions(), key=lambda m: (m.span.start, -m.span.end))
    kept: list[tuple[int, int, str]] = []
    notes: list[Issue] = []
    for m in mentions:
        where = f"{doc.doc_id}:{m.span.start}-{m.span.end}"
        if m.span.start not in line_of or m.span.end not in line_of:
            notes.append(Issue("iob2-dropped", doc.doc_id, f"/mentions/{m.id}", f"{where} {m.span.text!r} does not fall on token boundaries", severity="warning"))
        elif line_of[m.span.start] != line_of[m.span.end]:
            notes.append(Issue("iob2-dropped", doc.doc_id, f"/mentions/{m.id}", f"{where} {m.span.text!r} crosses a line break (IOB2 sentences end there)", severity="warning"))
        elif kept and m.span.start < kept[-1][1]:
            notes.append(Issue("iob2-dropped", doc.doc_id, f"/mentions/{m.id}", f"{where} {m.span.text!r} is nested in another mention", severity="warning"))
        else:
            kept.append((m.span.start, m.span.end, m.entity_type))
    return kept, notes


DOCSTART = "-DOCSTART- -X- O O"
"""The document separator of CoNLL-2003 files, exactly as ``spacy convert`` expects it."""
DOC_ID = "# doc_id = "


def export_iob2(docs: list[Document]) -> tuple[str, list[Issue]]:
    """One IOB2 file for all documents, and the notes on mentions it could not hold.

    Each document opens with ``-DOCSTART- -X- O O`` (CoNLL-2003's separator) and the line
    ``# doc_id = <id><TAB>O``; the trailing ``O`` makes ``spacy convert`` read that line as one
    token outside every entity (spaCy's CoNLL reader has no comments), while ours reads the id.
    """
    out: list[str] = []
    notes: list[Issue] = []
    for d in docs:
        spans, dropped = writable_spans(d)
        notes += dropped
        out += [DOCSTART, f"{DOC_ID}{d.doc_id}\tO", ""]
        for sent in tokenize(d.text, mention_bounds(d)):
            for tok, tag in zip(sent, spans_to_tags(sent, [s for s in spans if s[0] >= sent[0].start and s[1] <= sent[-1].end])):
                out.append(f"{tok.text}\t{tok.start}\t{tok.end}\t{tag}")
            out.append("")
    return "\n".join(out) + "\n", notes


TAG = re.compile(r"O|[BI]-[A-Za-z][A-Za-z0-9_.-]*")
MAX_ISSUES = 20
"""Bad lines reported one by one before the rest are summed up in one issue."""


class _Lines:
    """Issues of a token file: the first few bad lines one by one, then a count."""

    def __init__(self, file: str):
        self.file, self.issues, self.extra = file, [], 0

    def bad(self, lineno: int, message: str, hint: str | None = None) -> None:
        if len([i for i in self.issues if i.pointer.startswith("/line/")]) < MAX_ISSUES:
            self.issues.append(Issue("invalid-value", self.file, f"/line/{lineno}", message, hint))
        else:
            self.extra += 1

    def done(self) -> list[Issue]:
        if self.extra:
            self.issues.append(Issue("invalid-value", self.file, "", f"{self.extra} more bad line(s) like the ones above"))
        return self.issues


def _doc_id_of(line: str) -> str:
    return line[len(DOC_ID):].split("\t")[0].strip()


def import_iob2(content: str, file: str = "pred.iob2") -> tuple[list[dict], list[Issue]]:
    """Prediction dicts (one entity per span, offsets from the file's columns) from an IOB2 file
    written in our 4-column form (``token<TAB>start<TAB>end<TAB>tag``, documents opened by
    ``# doc_id = ...``, ``-DOCSTART-`` lines allowed). A file of 2-column lines is CoNLL: read it
    with :func:`import_conll`."""
    docs: dict[str, tuple[list[Token], list[str]]] = {}
    log = _Lines(file)
    current = None
    if not content.strip():
        return [], [Issue("empty-file", file, "", "the file holds no document", "write '# doc_id = ID' then token lines")]
    for lineno, line in enumerate(content.splitlines(), 1):
        line = line.rstrip("\r")
        if line.startswith(DOC_ID):
            current = _doc_id_of(line)
            problem = doc_id_problem(current)
            if problem:
                log.issues.append(Issue("invalid-value", file, f"/line/{lineno}", problem, "document ids become file names"))
                current = None
                continue
            if current in docs:
                log.issues.append(Issue("duplicate-document", file, f"/line/{lineno}", f"doc_id '{current}' is given twice"))
            docs.setdefault(current, ([], []))
            continue
        if line.startswith("-DOCSTART-"):
            current = None
            continue
        if not line.strip() or line.startswith("#"):
            if current is not None and docs[current][1] and docs[current][1][-1] != "O":
                docs[current][0].append(Token("", -1, -1))  # sentence break closes a span
                docs[current][1].append("O")
            continue
        cols = line.split("\t")
        if current is None:
            log.bad(lineno, "token line before any '# doc_id = ID' line", "open each document with '# doc_id = <id>'")
            continue
        if len(cols) != 4 or not cols[1].isdigit() or not cols[2].isdigit() or not cols[1].isascii() or not cols[2].isascii():
            hint = "a 2-column file (token tag) is CoNLL: use --from conll" if len(line.split()) == 2 else None
            log.bad(lineno, f"expected 'token<TAB>start<TAB>end<TAB>tag', got {line[:60]!r}", hint)
            continue
        start, end = int(cols[1]), int(cols[2])
        if start >= end or end > 10**12:
            log.bad(lineno, f"token offsets {start}-{end}: the end must be after the start")
            continue
        tag = cols[3].strip()
        if not TAG.fullmatch(tag):
            log.bad(lineno, f"'{tag[:40]}' is not an IOB2 tag (O, B-TYPE, I-TYPE)")
            continue
        docs[current][0].append(Token(cols[0], start, end))
        docs[current][1].append(tag)
    preds = []
    for doc_id, (tokens, tags) in docs.items():
        spans = tags_to_spans(tokens, tags)
        preds.append({"doc_id": doc_id, "entities": [
            {"type": label, "mentions": [{"start": s, "end": e}]} for s, e, label in spans]})
    issues = log.done()
    if not preds and not issues:
        issues.append(Issue("empty-file", file, "", "the file holds no document", "open each document with '# doc_id = <id>'"))
    return preds, issues


def looks_like_iob2(content: str) -> bool:
    """True when the first token line is in our 4-column form (token, start, end, tag), else the
    file is read as plain CoNLL (token first, tag last, no offsets)."""
    for line in content.splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("-DOCSTART-"):
            continue
        cols = line.rstrip("\r").split("\t")
        return len(cols) == 4 and cols[1].isdigit() and cols[2].isdigit()
    return True


def _squash(text: str) -> str:
    return "".join(text.split())


def import_conll(content: str, file: str = "pred.conll", texts: dict[str, str] | None = None) -> tuple[list[dict], list[Issue]]:
    """Prediction dicts from a plain CoNLL file: whitespace-separated columns, the token first and
    the tag last (``token tag``, or CoNLL-2003's ``token POS chunk tag``), sentences separated by
    blank lines, documents by ``-DOCSTART-`` lines, as CoNLL-2003 files come. Tags may be IOB2 or
    IOB1 (an ``I-`` after ``O`` starts a span, as seqeval reads it).

    Such files have no offsets: each document is placed on the text of the ``texts`` document it
    spells (the text without whitespace equals the tokens joined), its doc id taken from there (or
    from a ``# doc_id = ...`` line when there is one); tokens are then found one after the other in
    that text. A document that matches no text is reported.
    """
    log = _Lines(file)
    if not content.strip():
        return [], [Issue("empty-file", file, "", "the file holds no token", "one 'token tag' line per token")]
    blocks: list[tuple[int, str | None, list[tuple[int, str, str]]]] = []
    cur: list[tuple[int, str, str]] = []
    cur_id: str | None = None
    start_line = 1

    def close() -> None:
        nonlocal cur, cur_id
        if cur:
            blocks.append((start_line, cur_id, cur))
        cur, cur_id = [], None

    for lineno, line in enumerate(content.splitlines(), 1):
        line = line.rstrip("\r")
        if line.startswith("-DOCSTART-"):
            close()
            start_line = lineno
            continue
        if line.startswith(DOC_ID):
            cur_id = _doc_id_of(line)
            problem = doc_id_problem(cur_id)
            if problem:
                log.issues.append(Issue("invalid-value", file, f"/line/{lineno}", problem, "document ids become file names"))
                cur_id = None
            continue
        cols = line.split()
        if not cols:
            if cur and cur[-1][2] != "":
                cur.append((lineno, "", ""))  # sentence break
            continue
        if len(cols) < 2:
            log.bad(lineno, f"expected 'token tag', got {line[:60]!r}", "one token and its tag per line, separated by whitespace")
            continue
        tag = cols[-1]
        if not TAG.fullmatch(tag):
            log.bad(lineno, f"'{tag[:40]}' is not an IOB tag (O, B-TYPE, I-TYPE)")
            continue
        cur.append((lineno, cols[0], tag))
    close()
    texts = texts or {}
    by_key: dict[str, str] = {}
    for doc_id, text in texts.items():
        by_key.setdefault(_squash(text)[:200], doc_id)
    preds = []
    for first, given_id, rows in blocks:
        tokens = [t for _, t, _ in rows if t]
        key = "".join(tokens)
        doc_id = given_id if given_id in texts else by_key.get(key[:200])
        if doc_id is None or _squash(texts[doc_id]) != key:
            log.issues.append(Issue("unknown-document", file, f"/line/{first}",
                                    f"the document at line {first} ({' '.join(tokens[:6])[:60]!r}...) spells no known text",
                                    "CoNLL files carry no offsets: their tokens must spell a gold (or seed) text"))
            continue
        text, pos = texts[doc_id], 0
        toks, tags = [], []
        for lineno, tok, tag in rows:
            if not tok:
                toks.append(Token("", -1, -1))
                tags.append("O")
                continue
            while text[pos].isspace():
                pos += 1
            toks.append(Token(tok, pos, pos + len(tok)))
            tags.append(tag)
            pos += len(tok)
        spans = tags_to_spans(toks, tags)
        preds.append({"doc_id": doc_id, "entities": [{"type": label, "mentions": [{"start": s, "end": e}]} for s, e, label in spans]})
    issues = log.done()
    if not preds and not issues:
        issues.append(Issue("empty-file", file, "", "the file holds no document"))
    return preds, issues
