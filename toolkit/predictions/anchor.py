"""Anchoring quoted spans to offsets.

Systems (LLM-based ones above all) often give a span by its text rather than its offsets. A span
spec is a dict with ``start``/``end`` (and optional ``text``), or ``text`` alone, optionally with
``occurrence`` (0-based index among the text's occurrences; with ``context``, among the context's)
or ``context`` (a longer quote containing the text). Rules, in order:

1. ``start``/``end`` given and ``text`` absent or equal to the slice: taken as is.
2. ``start``/``end`` given but ``text`` differs: the occurrence of ``text`` nearest to ``start`` is
   used, with a ``span-text-mismatch`` warning (an error in strict mode).
3. ``context`` given: the context must occur in the text (once, or pick it with ``occurrence``);
   ``text`` is then found inside it, and must occur there once.
4. ``occurrence`` given: that occurrence of ``text``.
5. ``text`` alone: its only occurrence. If it occurs several times, strict mode (gold authoring)
   reports ``ambiguous-quote``; lenient mode (predictions) takes the first occurrence not yet used
   by an earlier quote of the same text in the same document, with an ``ambiguous-quote`` warning,
   so that the k-th quote of a repeated word lands on its k-th occurrence.

Occurrences respect word boundaries: a quote that starts (ends) with a letter or digit does not
match where the character before (after) it is a letter or digit, so "Korea" never lands inside
"Korean". A quote found nowhere gives ``unanchored-quote``: it is reported, never dropped silently.
"""

from __future__ import annotations

from typing import Iterator

from toolkit.model.issues import Issue, pointer


def occurrences(text: str, quote: str, lo: int = 0, hi: int | None = None) -> list[int]:
    """Start offsets of ``quote`` in ``text[lo:hi]`` that respect word boundaries."""
    hi = len(text) if hi is None else hi
    out: list[int] = []
    if not quote:
        return out
    i = text.find(quote, lo, hi)
    while i != -1:
        j = i + len(quote)
        ok_left = not (quote[0].isalnum() and i > 0 and text[i - 1].isalnum())
        ok_right = not (quote[-1].isalnum() and j < len(text) and text[j].isalnum())
        if ok_left and ok_right:
            out.append(i)
        i = text.find(quote, i + 1, hi)
    return out


def _locations(text: str, hits: list[int], size: int, limit: int = 4) -> str:
    shown = ", ".join(f"{h}-{h + size} ({text[max(0, h - 15):h + size + 15]!r})" for h in hits[:limit])
    return shown + (f" and {len(hits) - limit} more" if len(hits) > limit else "")


class Anchorer:
    """Anchors the span specs of one document; remembers used occurrences for lenient mode."""

    def __init__(self, text: str, file: str, strict: bool):
        self.text = text
        self.file = file
        self.strict = strict
        self.used: set[tuple[int, int]] = set()
        self.issues: list[Issue] = []

    def _issue(self, code: str, where: str, message: str, hint: str | None = None, error: bool = True) -> None:
        self.issues.append(Issue(code, self.file, where, message, hint, "error" if error or self.strict else "warning"))

    def span(self, spec: dict, where: str) -> tuple[int, int] | None:
        """Offsets for one span spec, or None (with an issue recorded) when it cannot be anchored."""
        text = self.text
        if not isinstance(spec, dict):
            self._issue("wrong-type", where, f"expected a span object, got {type(spec).__name__}")
            return None
        quote = spec.get("text")
        if quote is not None and not isinstance(quote, str):
            self._issue("wrong-type", where + "/text", f"expected a string, got {type(quote).__name__}")
            return None
        if "start" in spec and "end" in spec:
            start, end = spec["start"], spec["end"]
            for key in ("start", "end"):
                # JSON Schema counts 13.0 as an integer; an offset must still be written as one
                if type(spec[key]) is not int:
                    self._issue("wrong-type", f"{where}/{key}", f"{key} {spec[key]!r} is not a whole number written without a decimal point")
                    return None
            if quote is None or (0 <= start < end <= len(text) and text[start:end] == quote):
                if not (0 <= start < end <= len(text)):
                    code = "span-reversed" if end <= start else "span-out-of-bounds"
                    self._issue(code, where, f"offsets {start}-{end} are not a span of the {len(text)}-character text")
                    return None
                return self._use(start, end)
            hits = occurrences(text, quote)
            if not hits:
                self._issue("unanchored-quote", where, f"{quote!r} does not occur in the text, and offsets {start}-{end} hold {text[start:end]!r}")
                return None
            best = min(hits, key=lambda h: abs(h - start))
            self._issue("span-text-mismatch", where, f"text {quote!r} differs from the slice {start}-{end}; anchored at {best}-{best + len(quote)}",
                        f"{quote!r} occurs at {_locations(text, hits, len(quote))}", error=False)
            return self._use(best, best + len(quote))
        if not isinstance(quote, str) or not quote:
            self._issue("invalid-value", where, "a span needs 'start' and 'end', or its 'text'")
            return None
        occ = spec.get("occurrence")
        context = spec.get("context")
        if occ is not None and (type(occ) is not int or occ < 0):
            self._issue("wrong-type", where + "/occurrence", f"occurrence {occ!r} is not a whole number from 0 up")
            return None
        if isinstance(context, str):
            starts = [i for i in range(len(text)) if text.startswith(context, i)] if context else []
            if not starts:
                self._issue("unanchored-quote", where + "/context", f"context {context!r} does not occur in the text",
                            "quote the context exactly as the text has it (same quotes, dashes and spaces)")
                return None
            if isinstance(occ, int):
                if occ >= len(starts):
                    self._issue("unanchored-quote", where + "/occurrence", f"context {context!r} occurs {len(starts)} time(s), no occurrence {occ}")
                    return None
                starts = [starts[occ]]
            elif len(starts) > 1:
                self._issue("ambiguous-quote", where + "/context", f"context {context!r} occurs {len(starts)} times",
                            "lengthen the context or add 'occurrence'")
                if self.strict:
                    return None
            c0 = starts[0]
            inner = occurrences(text, quote, c0, c0 + len(context))
            inner = [h for h in inner if h + len(quote) <= c0 + len(context)]
            if not inner:
                self._issue("unanchored-quote", where + "/text", f"{quote!r} does not occur (as whole words) inside its context {context!r}")
                return None
            if len(inner) > 1:
                self._issue("ambiguous-quote", where + "/text", f"{quote!r} occurs {len(inner)} times inside its context",
                            "choose a context in which the text occurs once")
                if self.strict:
                    return None
            return self._use(inner[0], inner[0] + len(quote))
        hits = occurrences(text, quote)
        if not hits:
            near = [i for i in range(len(text)) if text.startswith(quote, i)]
            hint = f"it occurs only inside longer words, at {_locations(text, near, len(quote))}" if near else "check spelling, quotes and dashes"
            self._issue("unanchored-quote", where + "/text", f"{quote!r} does not occur in the text", hint)
            return None
        if isinstance(occ, int):
            if occ >= len(hits):
                self._issue("unanchored-quote", where + "/occurrence", f"{quote!r} occurs {len(hits)} time(s), no occurrence {occ}",
                            "occurrences count from 0")
                return None
            return self._use(hits[occ], hits[occ] + len(quote))
        if len(hits) == 1:
            return self._use(hits[0], hits[0] + len(quote))
        if self.strict:
            self._issue("ambiguous-quote", where + "/text", f"{quote!r} occurs {len(hits)} times: {_locations(text, hits, len(quote))}",
                        "add 'context' (a longer quote containing it) or 'occurrence' (0-based)")
            return None
        free = [h for h in hits if (h, h + len(quote)) not in self.used] or hits
        self._issue("ambiguous-quote", where + "/text", f"{quote!r} occurs {len(hits)} times; anchored at {free[0]}-{free[0] + len(quote)}",
                    "add 'occurrence' or 'context' to choose", error=False)
        return self._use(free[0], free[0] + len(quote))

    def _use(self, start: int, end: int) -> tuple[int, int]:
        self.used.add((start, end))
        return start, end


SPAN_KEYS = ("start", "end", "text", "occurrence", "context")


def _anchored(spec: dict, offsets: tuple[int, int], text: str) -> dict:
    out = {k: v for k, v in spec.items() if k not in SPAN_KEYS}
    out.update(start=offsets[0], end=offsets[1], text=text[offsets[0]:offsets[1]])
    return out


def anchor_document(data: dict, text: str, file: str, strict: bool = False, prefix: str = "") -> tuple[dict, list[Issue]]:
    """Return a copy of a prediction (or draft annotation) dict with every span anchored to offsets.

    Spans that cannot be anchored are left out of the copy and reported as issues: mentions,
    triggers (the whole event is left out), argument spans, evidence spans, and span holders.
    ``strict`` turns ambiguity and mismatches into errors (for gold authoring).
    """
    a = Anchorer(text, file, strict)
    out = {k: v for k, v in data.items() if k not in ("entities", "events", "stances")}
    entities = []
    for i, ent in enumerate(data.get("entities") or []):
        mentions = []
        for j, m in enumerate(ent.get("mentions") or []):
            off = a.span(m, f"{prefix}/entities/{i}/mentions/{j}")
            if off is not None:
                mentions.append(_anchored(m, off, text))
        entities.append({**ent, "mentions": mentions})
    events = []
    for i, ev in enumerate(data.get("events") or []):
        off = a.span(ev["trigger"], f"{prefix}/events/{i}/trigger")
        if off is None:
            continue
        args = []
        for k, arg in enumerate(ev.get("arguments") or []):
            if "mention" in arg and not any(key in arg for key in ("start", "text")):
                args.append(dict(arg))
                continue
            aoff = a.span(arg, f"{prefix}/events/{i}/arguments/{k}")
            if aoff is not None:
                args.append(_anchored(arg, aoff, text))
        events.append({**ev, "trigger": _anchored(ev["trigger"], off, text), "arguments": args})
    stances = []
    for i, st in enumerate(data.get("stances") or []):
        new = dict(st)
        if isinstance(st.get("holder"), dict):
            hoff = a.span(st["holder"], f"{prefix}/stances/{i}/holder")
            if hoff is None:
                continue
            new["holder"] = _anchored(st["holder"], hoff, text)
        evidence = []
        for k, ev in enumerate(st.get("evidence") or []):
            eoff = a.span(ev, f"{prefix}/stances/{i}/evidence/{k}")
            if eoff is not None:
                evidence.append(_anchored(ev, eoff, text))
        new["evidence"] = evidence
        stances.append(new)
    if "entities" in data:
        out["entities"] = entities
    if "events" in data:
        out["events"] = events
    if "stances" in data:
        out["stances"] = stances
    return out, a.issues


def iter_spans(data: dict) -> Iterator[dict]:
    """Every span dict of an anchored document (mentions, triggers, argument spans, evidence)."""
    for ent in data.get("entities") or []:
        yield from ent.get("mentions") or []
    for ev in data.get("events") or []:
        yield ev["trigger"]
    for st in data.get("stances") or []:
        yield from st.get("evidence") or []


_ORDER = {
    "entity": ("id", "type", "name", "mentions"),
    "mention": ("id", "start", "end", "text", "kind"),
    "event": ("id", "type", "realis", "trigger", "arguments"),
    "span": ("start", "end", "text"),
    "argument": ("role", "mention"),
    "stance": ("id", "holder", "target", "label", "evidence"),
}


def _ordered(item: dict, kind: str) -> dict:
    """``item`` with the keys of an annotation file in their usual order, any other key after them (kept: it is reported)."""
    keys = _ORDER[kind]
    return {**{k: item[k] for k in keys if k in item}, **{k: v for k, v in item.items() if k not in keys}}


DRAFT_KEYS = ("schema_version", "doc_id", "seed_file", "sha256", "source", "notes", "entities", "events", "stances")


def draft_to_annotation(draft: object, text: str, seed_file: str, sha256: str, file: str) -> tuple[dict | None, list[Issue]]:
    """Turn an annotator's draft (quotes with context/occurrence) into an annotation-file dict.

    The draft's shape is checked first (``schema/prediction.schema.json``: quotes, optional
    offsets; a misspelt key such as ``ocurrence`` or ``mentons`` is reported with the nearest
    right one, never dropped); then every quote is anchored strictly (each must land on exactly one
    place). Either step's errors are returned with ``None`` and stop there, so one quote that
    occurs nowhere is reported once, not again as a dangling reference to its mention. Only
    offsets are computed; every label, id, reference and key is the draft's own, so the caller's
    check of the result (the annotation schema) reports what an annotation file cannot hold
    (a holder given by its span, a missing kind, an unknown source field) at the draft's own pointers.
    """
    from toolkit.checks.validate import schema_issues

    issues = list(schema_issues(draft, file, "prediction"))
    if not isinstance(draft, dict):
        return None, issues
    for key in draft:
        if key not in DRAFT_KEYS and not any(i.pointer == pointer(key) for i in issues):
            issues.append(Issue("unknown-field", file, pointer(key), f"unknown field {key!r} in a draft",
                                f"a draft holds {', '.join(DRAFT_KEYS)}"))
    if any(i.severity == "error" for i in issues):
        return None, issues
    anchored, found = anchor_document(draft, text, file, strict=True)
    issues.extend(found)
    if any(i.severity == "error" for i in issues):
        return None, issues
    src = draft.get("source") if isinstance(draft.get("source"), dict) else {}
    out: dict = {
        "schema_version": "1.0",
        "doc_id": draft.get("doc_id"),
        "seed_file": seed_file,
        "sha256": sha256,
        "source": {"publisher": None, "date": None, "title": None, **src},
    }
    if draft.get("notes"):
        out["notes"] = draft["notes"]
    out["entities"] = [_ordered({**e, "mentions": [_ordered(m, "mention") for m in e.get("mentions") or []]}, "entity")
                       for e in anchored.get("entities") or []]
    out["events"] = [_ordered({**v, "trigger": _ordered(v["trigger"], "span"),
                               "arguments": [_ordered(a, "argument") for a in v.get("arguments") or []]}, "event")
                     for v in anchored.get("events") or []]
    out["stances"] = [_ordered({**st, "evidence": [_ordered(x, "span") for x in st.get("evidence") or []]}, "stance")
                      for st in anchored.get("stances") or []]
    return out, issues
