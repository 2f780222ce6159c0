""""Did you mean ...?": the nearest allowed word to a misspelt one."""

from __future__ import annotations

import difflib
from typing import Iterable


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), case-insensitive."""
    a, b = a.lower(), b.lower()
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def nearest(word: str, choices: Iterable[str], max_share: float = 0.5, max_len: int = 200) -> str | None:
    """The choice closest to ``word`` by edit distance, if at most ``max_share`` of the longer of the two
    has to change (ties: difflib's similarity, then the first); None when nothing is that close.

    Edit distance counts the changes a typist makes, so ``fast-deal`` suggests ``quick-deal`` (5 edits)
    rather than ``package-deal`` (6 edits, though difflib finds it more similar); ``PERSON`` gives ``PER``.
    Words longer than ``max_len`` get no suggestion (a paragraph is not a misspelt label).
    """
    if not isinstance(word, str) or not word or len(word) > max_len:
        return None
    best: tuple | None = None
    for order, choice in enumerate(choices):
        d = edit_distance(word, choice)
        if d > max_share * max(len(word), len(choice)):
            continue
        key = (d, -difflib.SequenceMatcher(None, word.lower(), choice.lower()).ratio(), order)
        if best is None or key < best[0]:
            best = (key, choice)
    return best[1] if best else None
