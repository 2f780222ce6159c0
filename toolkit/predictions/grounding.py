"""Grounding predicted quotes in the gold text, with a status per span (the prediction path).

LLM-based extractors write spans as quotes, and quote imperfectly: a straight apostrophe where the
text has a curly one, another letter case, a collapsed line break, a word that is not in the text
at all. :func:`ground_document` anchors every span of one prediction dict to code-point offsets in
the gold document's text and gives each span one **alignment status**, named as LangExtract names
its statuses (``AlignmentStatus`` in ``langextract/core/data.py``: ``match_exact``,
``match_fuzzy``, ...; a span it cannot place has no ``char_interval``):

``match_exact``
    the quote occurs in the text code point for code point (or the offsets given hold it);
``match_normalized``
    the quote occurs once both sides are normalised by :func:`normalize` (Unicode NFKC, curly and
    straight quotes and apostrophes, dashes, runs of whitespace, letter case); the span is mapped
    back to the exact code-point offsets of the original text, so its ``text`` is the original
    slice (``Seoul's`` anchors on ``Seoul’s``);
``match_fuzzy``
    only with a similarity threshold (``fuzzy``, e.g. 0.9; off by default): the normalised quote is
    at least that similar (``difflib.SequenceMatcher.ratio``, 2·matches / total length) to a
    normalised stretch of the text that starts and ends on word boundaries; the most similar
    stretch is taken;
``ungrounded``
    none of the above: the span is left out of the anchored dict, reported (``unanchored-quote``,
    an error) and kept as a :class:`Refused` item, which scoring counts as a false positive.

Rules of placement, in order: offsets given and holding the text (or no text) are taken as they
are; offsets given with another text take the occurrence of the text nearest to the offsets;
``context`` and ``occurrence`` pick the place as in :mod:`toolkit.predictions.anchor`; a quote
alone that occurs once is placed there. A quote alone that occurs several times (exactly, or
after normalisation, or as equally similar fuzzy stretches) is placed by an **optimal
assignment**: all the quotes of one document and one kind of span (mentions, triggers, argument
spans, holders, evidence) that compete for the same places are assigned to them at once with
:func:`scipy.optimize.linear_sum_assignment`, maximising first the number of places that are a
gold span of that kind with the quote's label, then the number that are a gold span of that kind
at all, then keeping the quotes in text order; each place takes one quote while free places remain.
So the k-th "Seoul" lands on a gold "Seoul" whenever one is free, whatever order the system listed
them in; a quote with no position is given the benefit of the doubt, never placed first come,
first served.

Occurrences respect word boundaries (in the normalised text too): "Korea" never lands inside
"Korean". Nothing here raises on bad input, prints or exits.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

import numpy as np

from toolkit.model.issues import Issue

STATUSES = ("match_exact", "match_normalized", "match_fuzzy", "ungrounded")
"""Alignment statuses, best first (LangExtract's names where it has one)."""

SPAN_KINDS = ("mention", "trigger", "argument", "holder", "evidence")
"""The kinds of predicted span that are grounded, each reported apart."""

SPAN_KIND_TASK = {"mention": "entities", "trigger": "events", "argument": "events", "holder": "stances", "evidence": "stances"}

UNKNOWN_LABEL = "(unknown label)"
"""The label a prediction's label outside the inventory is scored under (one row for all of them)."""

_CHAR_MAP = str.maketrans({
    # apostrophes and single quotes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'",
    # double quotes
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    # hyphens, dashes and the minus sign
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
})


def _fold(segment: str) -> str:
    """One segment (a starter and its combining marks) in normal form: NFKC, quotes and dashes, case."""
    return unicodedata.normalize("NFKC", segment).translate(_CHAR_MAP).casefold()


@lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """``text`` as normalised matching sees it: NFKC, one kind of quote, apostrophe and dash, runs of
    whitespace as one space, lower case (``str.casefold``), no whitespace at either end."""
    if text.isascii():  # NFKC leaves ASCII as it is, and casefold is lower: the same result, 30x faster
        return " ".join(text.replace("`", "'").split()).lower()
    return NormalizedText(text).norm.strip(" ")


_ASCII_SPACE = r"[ \t\n\r\x0b\x0c\x1c-\x1f]+"  # what str.split() splits an ASCII string at


def normalize_many(texts):
    """:func:`normalize` of every text (an Arrow string array, or a sequence of strings), as an Arrow
    string array: the ASCII ones as Arrow string operations (the same steps as normalize's ASCII
    branch), the others one by one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from toolkit.io.arrow import one_array

    arr = one_array(texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else np.asarray(texts, dtype=object), pa.string())
    folded = pc.ascii_lower(pc.utf8_trim(pc.replace_substring_regex(pc.replace_substring(arr, "`", "'"), _ASCII_SPACE, " "), " "))
    other = np.flatnonzero(~np.asarray(pc.fill_null(pc.string_is_ascii(arr), True).to_numpy(zero_copy_only=False), dtype=bool))
    if not len(other):
        return folded
    mask = np.zeros(len(arr), dtype=bool)
    mask[other] = True
    values = [normalize(t) for t in arr.take(pa.array(other)).to_pylist()]
    return pc.replace_with_mask(folded, pa.array(mask), pa.array(values, pa.string()))


class NormalizedText:
    """The normalised form of a text with a map back to code-point offsets of the original.

    The text is cut into segments (a character with combining class 0 and the combining marks
    after it, or a run of whitespace); each segment is normalised on its own, so every character
    of the normal form belongs to exactly one segment and a match that starts and ends on segment
    boundaries maps back to ``[start of its first segment, end of its last segment)``.
    """

    def __init__(self, text: str):
        parts: list[str] = []
        seg_of: list[int] = []  # normal-form index -> segment number
        bounds: list[tuple[int, int]] = []  # segment number -> original (start, end)
        i, n = 0, len(text)
        while i < n:
            j = i + 1
            if text[i].isspace():
                while j < n and text[j].isspace():
                    j += 1
                folded = " "
            else:
                while j < n and unicodedata.combining(text[j]):
                    j += 1
                folded = _fold(text[i:j])
                if folded.isspace() or not folded:
                    folded = " " if folded else ""
            if folded:
                if folded == " " and parts and parts[-1] == " ":  # whitespace after a space-like segment: extend it
                    bounds[-1] = (bounds[-1][0], j)
                else:
                    seg = len(bounds)
                    bounds.append((i, j))
                    parts.append(folded)
                    seg_of.extend([seg] * len(folded))
            i = j
        self.norm = "".join(parts)
        self.seg_of = seg_of
        self.bounds = bounds

    def find(self, quote: str) -> list[tuple[int, int]]:
        """Original offsets of every occurrence of the normalised ``quote`` that respects word and segment boundaries."""
        q = normalize(quote)
        out: list[tuple[int, int]] = []
        if not q:
            return out
        norm, seg_of = self.norm, self.seg_of
        i = norm.find(q)
        while i != -1:
            j = i + len(q)
            if self._boundary(i, j, q[0].isalnum(), q[-1].isalnum()):
                out.append(self.original(i, j))
            i = norm.find(q, i + 1)
        return out

    def _boundary(self, i: int, j: int, left_word: bool, right_word: bool) -> bool:
        norm, seg_of = self.norm, self.seg_of
        if i > 0 and seg_of[i] == seg_of[i - 1]:
            return False
        if j < len(norm) and seg_of[j] == seg_of[j - 1]:
            return False
        if left_word and i > 0 and norm[i - 1].isalnum():
            return False
        if right_word and j < len(norm) and norm[j].isalnum():
            return False
        return True

    def original(self, i: int, j: int) -> tuple[int, int]:
        """The original offsets of the normal-form stretch ``[i, j)`` (on segment boundaries)."""
        return self.bounds[self.seg_of[i]][0], self.bounds[self.seg_of[j - 1]][1]

    def fuzzy(self, quote: str, threshold: float) -> tuple[list[tuple[int, int]], float]:
        """The most similar stretches (original offsets) of at least ``threshold`` similarity, and that similarity.

        A stretch runs from the start of a word (or a punctuation mark) to the end of one; the
        similarity is ``difflib.SequenceMatcher(None, q, stretch).ratio()`` of the normalised
        quote and stretch. Equally similar stretches that overlap a better-placed one are dropped.
        """
        q = normalize(quote)
        if not q:
            return [], 0.0
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(self.norm)]
        # ratio = 2M/(|q| + |w|) with M <= min(|q|, |w|) bounds the stretch lengths worth trying
        lo = len(q) * threshold / (2 - threshold)
        hi = len(q) * (2 - threshold) / threshold
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(q)
        best, found = 0.0, []
        for a in range(len(tokens)):
            start = tokens[a][0]
            for b in range(a, len(tokens)):
                end = tokens[b][1]
                size = end - start
                if size > hi:
                    break
                if size < lo:
                    continue
                window = self.norm[start:end]
                matcher.set_seq1(window)
                if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                    continue
                r = matcher.ratio()
                if r < threshold or r < best - 1e-12:
                    continue
                if not self._boundary(start, end, False, False):
                    continue
                if r > best + 1e-12:
                    best, found = r, []
                found.append((abs(size - len(q)), start, end))
        kept: list[tuple[int, int]] = []
        for _, start, end in sorted(found):
            if all(end <= s or e <= start for s, e in kept):
                kept.append((start, end))
        return sorted(self.original(s, e) for s, e in kept), best


_TOKEN = re.compile(r"\w+|[^\w\s]")


def exact_occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    """Offsets of ``quote`` in ``text`` (code point for code point) that respect word boundaries."""
    out: list[tuple[int, int]] = []
    if not quote:
        return out
    i = text.find(quote)
    while i != -1:
        j = i + len(quote)
        ok_left = not (quote[0].isalnum() and i > 0 and text[i - 1].isalnum())
        ok_right = not (quote[-1].isalnum() and j < len(text) and text[j].isalnum())
        if ok_left and ok_right:
            out.append((i, j))
        i = text.find(quote, i + 1)
    return out


@dataclass(frozen=True)
class Refused:
    """A predicted item that cannot be scored as given, kept to be counted as a false positive.

    ``task`` is ``entities`` (a mention: ``label`` its entity type), ``events`` (an event whose
    trigger is ungrounded: ``label`` its event type) or ``arguments`` (an argument whose span is
    ungrounded or whose mention does not exist: ``label`` its event type, ``role`` its role).
    ``reason`` says why, for the error listing.
    """

    task: str
    label: str
    text: str
    reason: str
    role: str = ""
    kind: str = ""
    trigger: str = ""
    """For an argument: the quote (or text) of its event's trigger."""


@dataclass
class Grounding:
    """What grounding one prediction dict found: a status per span, refused items, issues."""

    statuses: list[tuple[str, str]] = field(default_factory=list)
    """(span kind, status) of every predicted span, in document order."""
    refused: list[Refused] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    mentions: list[tuple[str, str, str]] = field(default_factory=list)
    """(quote as the system wrote it, entity type, kind) of every predicted mention, grounded or not."""


@lru_cache(maxsize=8)
def _normalized(text: str) -> NormalizedText:
    return NormalizedText(text)


@dataclass
class _Pending:
    kind: str
    label: str
    where: str
    quote: str
    status: str
    candidates: tuple[tuple[int, int], ...]
    ratio: float
    slot: list  # [offsets or None], filled in by the assignment


def gold_spans(gold) -> dict[str, dict[tuple[int, int], set[str]]]:
    """Gold span -> labels, per span kind (the places a repeated quote is preferably assigned to)."""
    out: dict[str, dict[tuple[int, int], set[str]]] = {k: {} for k in SPAN_KINDS}
    mentions = gold.mention_index()
    for m in gold.mentions():
        out["mention"].setdefault(m.span.offsets, set()).add(m.entity_type)
    for ev in gold.events:
        out["trigger"].setdefault(ev.trigger.offsets, set()).add(ev.type)
        for arg in ev.arguments:
            mention = mentions.get(arg.mention_id)
            if mention is not None:
                out["argument"].setdefault(mention.span.offsets, set()).add(arg.role)
    entities = gold.entity_index()
    for st in gold.stances:
        for m in getattr(entities.get(st.holder), "mentions", ()):
            out["holder"].setdefault(m.span.offsets, set()).add("")
        for ev in st.evidence:
            out["evidence"].setdefault(ev.offsets, set()).add("")
    return out


class Grounder:
    """Grounds the span specs of one prediction dict in one gold document (see the module docstring)."""

    def __init__(self, gold, file: str, fuzzy: float | None = None):
        self.text = gold.text
        self.gold = gold_spans(gold)
        self.file = file
        self.fuzzy = fuzzy
        self.result = Grounding()
        self.pending: list[_Pending] = []

    def _issue(self, code: str, where: str, message: str, hint: str | None = None, severity: str = "warning") -> None:
        self.result.issues.append(Issue(code, self.file, where, message, hint, severity))  # type: ignore[arg-type]

    def _candidates(self, quote: str) -> tuple[str, list[tuple[int, int]], float]:
        hits = exact_occurrences(self.text, quote)
        if hits:
            return "match_exact", hits, 1.0
        hits = _normalized(self.text).find(quote)
        if hits:
            return "match_normalized", hits, 1.0
        if self.fuzzy is not None:
            hits, ratio = _normalized(self.text).fuzzy(quote, self.fuzzy)
            if hits:
                return "match_fuzzy", hits, ratio
        return "ungrounded", [], 0.0

    def span(self, spec: dict, where: str, kind: str, label: str) -> list:
        """A slot ``[offsets or None]`` for one span spec; filled now, or by :meth:`resolve` for repeated quotes."""
        text = self.text
        quote = spec.get("text")
        if "start" in spec and "end" in spec:
            start, end = spec["start"], spec["end"]
            for key in ("start", "end"):
                if type(spec[key]) is not int:
                    self._issue("wrong-type", f"{where}/{key}", f"{key} {spec[key]!r} is not a whole number written without a decimal point",
                                severity="error")
                    return self._done(kind, None, "ungrounded")
            inside = 0 <= start < end <= len(text)
            if quote is None or (inside and text[start:end] == quote):
                if not inside:
                    code = "span-reversed" if end <= start else "span-out-of-bounds"
                    self._issue(code, where, f"offsets {start}-{end} are not a span of the {len(text)}-character text", severity="error")
                    return self._done(kind, None, "ungrounded")
                return self._done(kind, (start, end), "match_exact")
            if inside and normalize(text[start:end]) == normalize(quote):
                self._issue("normalized-quote", where + "/text", f"{quote!r} matches the slice {start}-{end} {text[start:end]!r} once normalised",
                            "copy quotes exactly (quote marks, apostrophes, dashes, spaces and case as the text has them)")
                return self._done(kind, (start, end), "match_normalized")
            status, hits, ratio = self._candidates(quote)
            if not hits:
                self._ungrounded(where, quote, f" and offsets {start}-{end} hold {text[start:end]!r}" if inside else "")
                return self._done(kind, None, "ungrounded")
            best = min(hits, key=lambda h: abs(h[0] - start))
            self._issue("span-text-mismatch", where, f"text {quote!r} differs from the slice {start}-{end}; anchored at {best[0]}-{best[1]}",
                        f"{quote!r} occurs at {_locations(text, hits)}")
            self._status_issue(status, where, quote, best, ratio)
            return self._done(kind, best, status)
        if not isinstance(quote, str) or not quote:
            self._issue("invalid-value", where, "a span needs 'start' and 'end', or its 'text'", severity="error")
            return self._done(kind, None, "ungrounded")
        context = spec.get("context")
        occ = spec.get("occurrence")
        if isinstance(context, str) and context:
            return self._in_context(spec, where, kind, quote, context, occ)
        status, hits, ratio = self._candidates(quote)
        if not hits:
            self._ungrounded(where + "/text", quote)
            return self._done(kind, None, "ungrounded")
        if isinstance(occ, int):
            if occ >= len(hits):
                self._issue("unanchored-quote", where + "/occurrence", f"{quote!r} occurs {len(hits)} time(s), no occurrence {occ}",
                            "occurrences count from 0; scored as a false positive", "error")
                return self._done(kind, None, "ungrounded")
            self._status_issue(status, where + "/text", quote, hits[occ], ratio)
            return self._done(kind, hits[occ], status)
        if len(hits) == 1:
            self._status_issue(status, where + "/text", quote, hits[0], ratio)
            return self._done(kind, hits[0], status)
        slot: list = [None]
        self.pending.append(_Pending(kind, label, where + "/text", quote, status, tuple(hits), ratio, slot))
        self.result.statuses.append((kind, status))
        return slot

    def _in_context(self, spec: dict, where: str, kind: str, quote: str, context: str, occ: object) -> list:
        text = self.text
        c_status, starts, _ = ("match_exact", exact_occurrences(text, context), 1.0)
        if not starts:
            c_status, starts = "match_normalized", _normalized(text).find(context)
        if not starts:
            self._issue("unanchored-quote", where + "/context", f"context {context!r} does not occur in the text",
                        "quote the context exactly as the text has it; scored as a false positive", "error")
            return self._done(kind, None, "ungrounded")
        if isinstance(occ, int):
            if occ >= len(starts):
                self._issue("unanchored-quote", where + "/occurrence", f"context {context!r} occurs {len(starts)} time(s), no occurrence {occ}",
                            "scored as a false positive", "error")
                return self._done(kind, None, "ungrounded")
            starts = [starts[occ]]
        elif len(starts) > 1:
            self._issue("ambiguous-quote", where + "/context", f"context {context!r} occurs {len(starts)} times; the first is used",
                        "lengthen the context or add 'occurrence'")
        c0, c1 = starts[0]
        inner = [h for h in exact_occurrences(text, quote) if c0 <= h[0] and h[1] <= c1]
        status = c_status
        if not inner:
            inner = [h for h in _normalized(text).find(quote) if c0 <= h[0] and h[1] <= c1]
            status = "match_normalized"
        if not inner:
            self._issue("unanchored-quote", where + "/text", f"{quote!r} does not occur (as whole words) inside its context {context!r}",
                        "scored as a false positive", "error")
            return self._done(kind, None, "ungrounded")
        if len(inner) > 1:
            self._issue("ambiguous-quote", where + "/text", f"{quote!r} occurs {len(inner)} times inside its context; the first is used",
                        "choose a context in which the text occurs once")
        self._status_issue(status, where + "/text", quote, inner[0], 1.0)
        return self._done(kind, inner[0], status)

    def _status_issue(self, status: str, where: str, quote: str, at: tuple[int, int], ratio: float) -> None:
        found = self.text[at[0]:at[1]]
        if status == "match_normalized":
            self._issue("normalized-quote", where, f"{quote!r} matches {found!r} at {at[0]}-{at[1]} once normalised",
                        "copy quotes exactly (quote marks, apostrophes, dashes, spaces and case as the text has them)")
        elif status == "match_fuzzy":
            self._issue("fuzzy-quote", where, f"{quote!r} is closest to {found!r} at {at[0]}-{at[1]} (similarity {ratio:.3f}, threshold {self.fuzzy})",
                        "quote the text exactly; a fuzzy match may be a different phrase")

    def _ungrounded(self, where: str, quote: str, extra: str = "") -> None:
        near = [h for h in range(len(self.text)) if self.text.startswith(quote, h)]
        hint = (f"it occurs only inside longer words, at {_locations(self.text, [(h, h + len(quote)) for h in near])}" if near
                else "the quote is not in the text (not even after normalising quotes, dashes, spaces and case)")
        self._issue("unanchored-quote", where, f"{quote!r} does not occur in the text{extra}", hint + "; scored as a false positive", "error")

    def _done(self, kind: str, offsets: tuple[int, int] | None, status: str) -> list:
        self.result.statuses.append((kind, status))
        return [offsets]

    def resolve(self) -> None:
        """Place the repeated quotes by optimal assignment (module docstring) and report each."""
        groups: dict[tuple, list[_Pending]] = {}
        for p in self.pending:
            groups.setdefault((p.kind, p.candidates), []).append(p)
        for (kind, candidates), items in groups.items():
            for p, at in zip(items, _assign(items, candidates, self.gold[kind])):
                p.slot[0] = at
                self._issue("ambiguous-quote", p.where, f"{p.quote!r} occurs {len(candidates)} times; anchored at {at[0]}-{at[1]}",
                            "add 'occurrence' or 'context' to choose; repeated quotes go to the places that best match the gold")
                self._status_issue(p.status, p.where, p.quote, at, p.ratio)
        self.pending = []


def _assign(items: list[_Pending], candidates: tuple[tuple[int, int], ...], gold: Mapping[tuple[int, int], set[str]]) -> list[tuple[int, int]]:
    """One place per item: a maximum-weight assignment, rounds of it while items outnumber places."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    out: list[tuple[int, int] | None] = [None] * len(items)
    todo = list(range(len(items)))
    m = len(candidates)
    while todo:
        n = len(todo)
        big = n * max(n, m) + 1  # one more gold place outweighs any reordering
        weight = np.zeros((n, m))
        for r, i in enumerate(todo):
            label = items[i].label
            for c, cand in enumerate(candidates):
                labels = gold.get(cand)
                score = 0 if labels is None else 2 if label in labels else 1
                weight[r, c] = score * big - abs(r - c)
        rows, cols = linear_sum_assignment(weight, maximize=True)
        for r, c in zip(rows, cols):
            out[todo[r]] = candidates[c]
        todo = [i for i in todo if out[i] is None]
    return out  # type: ignore[return-value]


def _locations(text: str, hits: list[tuple[int, int]], limit: int = 4) -> str:
    shown = ", ".join(f"{s}-{e} ({text[max(0, s - 15):e + 15]!r})" for s, e in hits[:limit])
    return shown + (f" and {len(hits) - limit} more" if len(hits) > limit else "")


SPAN_KEYS = ("start", "end", "text", "occurrence", "context")


def _anchored(spec: dict, offsets: tuple[int, int], text: str) -> dict:
    out = {k: v for k, v in spec.items() if k not in SPAN_KEYS}
    out.update(start=offsets[0], end=offsets[1], text=text[offsets[0]:offsets[1]])
    return out


def _quote(spec: object) -> str:
    if not isinstance(spec, dict):
        return ""
    return spec.get("text") if isinstance(spec.get("text"), str) else ""


def ground_document(data: dict, gold, file: str, prefix: str = "", fuzzy: float | None = None) -> tuple[dict, Grounding]:
    """A copy of a (schema-valid) prediction dict with every span anchored, and what grounding found.

    Ungrounded spans are left out of the copy: a mention (kept as a refused ``entities`` item), an
    event whose trigger is ungrounded (a refused ``events`` item, and each of its arguments a
    refused ``arguments`` item), an argument span (a refused ``arguments`` item), evidence (not
    scored; only its status is counted). A stance whose holder span is ungrounded keeps
    ``"holder": None``: it can match no gold stance and counts as a false positive.
    """
    g = Grounder(gold, file, fuzzy)
    text = gold.text
    res = g.result

    entities = []
    for i, ent in enumerate(data.get("entities") or []):
        mentions = []
        for j, m in enumerate(ent.get("mentions") or []):
            slot = g.span(m, f"{prefix}/entities/{i}/mentions/{j}", "mention", ent["type"])
            mentions.append((m, slot))
        entities.append((ent, mentions))
    events = []
    for i, ev in enumerate(data.get("events") or []):
        tslot = g.span(ev["trigger"], f"{prefix}/events/{i}/trigger", "trigger", ev["type"])
        args = []
        for k, arg in enumerate(ev.get("arguments") or []):
            if "mention" in arg and not any(key in arg for key in ("start", "text")):
                args.append((arg, None))
                continue
            args.append((arg, g.span(arg, f"{prefix}/events/{i}/arguments/{k}", "argument", arg["role"])))
        events.append((ev, tslot, args))
    stances = []
    for i, st in enumerate(data.get("stances") or []):
        hslot = g.span(st["holder"], f"{prefix}/stances/{i}/holder", "holder", "") if isinstance(st.get("holder"), dict) else None
        evidence = [(e, g.span(e, f"{prefix}/stances/{i}/evidence/{k}", "evidence", "")) for k, e in enumerate(st.get("evidence") or [])]
        stances.append((st, hslot, evidence))
    g.resolve()

    out = {k: v for k, v in data.items() if k not in ("entities", "events", "stances")}
    if "entities" in data:
        out["entities"] = []
        for ent, mentions in entities:
            kept = []
            for m, slot in mentions:
                quote = _quote(m) or (text[m["start"]:m["end"]] if slot[0] is not None else "")
                res.mentions.append((quote, ent["type"], m.get("kind", "")))
                if slot[0] is not None:
                    kept.append(_anchored(m, slot[0], text))
                else:
                    res.refused.append(Refused("entities", ent["type"], quote, "ungrounded mention", kind=m.get("kind", "")))
            out["entities"].append({**ent, "mentions": kept})
    if "events" in data:
        out["events"] = []
        for ev, tslot, args in events:
            if tslot[0] is None:
                res.refused.append(Refused("events", ev["type"], _quote(ev["trigger"]), "ungrounded trigger"))
                for arg, _ in args:
                    res.refused.append(Refused("arguments", ev["type"], _quote(arg) or str(arg.get("mention", "")),
                                               "argument of an event whose trigger is ungrounded", arg["role"],
                                               trigger=_quote(ev["trigger"])))
                continue
            kept = []
            for arg, slot in args:
                if slot is None:
                    kept.append(dict(arg))
                elif slot[0] is not None:
                    kept.append(_anchored(arg, slot[0], text))
                else:
                    res.refused.append(Refused("arguments", ev["type"], _quote(arg), "ungrounded argument span", arg["role"],
                                               trigger=text[tslot[0][0]:tslot[0][1]]))
            out["events"].append({**ev, "trigger": _anchored(ev["trigger"], tslot[0], text), "arguments": kept})
    if "stances" in data:
        out["stances"] = []
        for st, hslot, evidence in stances:
            new = dict(st)
            if hslot is not None:
                new["holder"] = _anchored(st["holder"], hslot[0], text) if hslot[0] is not None else None
            new["evidence"] = [_anchored(e, slot[0], text) for e, slot in evidence if slot[0] is not None]
            out["stances"].append(new)
    return out, res


def status_counts(statuses: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """(kind, status) pairs as kind -> status -> count (only what occurs)."""
    out: dict[str, dict[str, int]] = {}
    for kind, status in statuses:
        per = out.setdefault(kind, {})
        per[status] = per.get(status, 0) + 1
    return out
