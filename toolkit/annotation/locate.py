"""Spans written the way an adjudicator reads them: ``text@start`` (the quoted text and its start offset).

The adjudication records (``decisions.csv``, ``review.csv``) locate items by such locators, e.g.
``Ahn Duk-geun@1128`` or ``come to the table@1144``. The end offset is ``start + len(text)``, and the
text must equal the seed text there: a locator cannot silently point at the wrong words, and an
error names the offsets where the quoted text does occur.
"""

from __future__ import annotations

import re


class AdjudicationError(Exception):
    """A decision or review row that cannot be carried out; the message says where and how to fix it."""


_LOCATOR = re.compile(r"^(?P<text>.+)@(?P<start>\d+)$", re.S)


def occurrences(text: str, quote: str) -> list[int]:
    """Every start offset of ``quote`` in ``text`` (overlapping occurrences included)."""
    found, at = [], text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def span_of(locator: str, text: str) -> tuple[int, int]:
    """The ``(start, end)`` offsets of a ``text@start`` locator, checked against the document text."""
    match = _LOCATOR.match(locator.strip())
    if not match:
        raise AdjudicationError(f"'{locator}' is not a span: write the quoted text, '@' and its start offset, "
                                f"e.g. 'Seoul@696'")
    quote, start = match["text"], int(match["start"])
    end = start + len(quote)
    if text[start:end] != quote:
        found = occurrences(text, quote)
        where = (f"'{quote}' occurs at {', '.join(map(str, found[:10]))}" if found
                 else f"'{quote}' does not occur in the text")
        raise AdjudicationError(f"'{locator}': the text at {start}-{end} is '{text[start:end]}', not '{quote}'; {where}")
    return start, end


def locator(text: str, start: int, end: int) -> str:
    """The ``text@start`` locator of a span."""
    return f"{text[start:end]}@{start}"
