"""Count rows: what every scorer returns, one row per (document, task, measure, label, outcome).

A scorer turns matched items into :class:`Rows`: parallel arrays ``doc``, ``measure``, ``label``,
``outcome`` and ``count`` (and ``task``, once set). :mod:`toolkit.evaluation.counts` stacks the rows of every
task into the corpus's counts table. Labels are "" for the overall (micro) rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Rows:
    """Count rows as parallel numpy arrays (module docstring); ``task`` is set with :meth:`assign`."""

    doc: np.ndarray
    measure: np.ndarray
    label: np.ndarray
    outcome: np.ndarray
    count: np.ndarray
    task: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.doc)

    def assign(self, task: str) -> "Rows":
        return Rows(self.doc, self.measure, self.label, self.outcome, self.count, np.full(len(self.doc), task, dtype=object))

    def frame(self) -> pd.DataFrame:
        """The rows as the counts table's DataFrame (``doc``, ``task``, ``measure``, ``label``, ``outcome``, ``count``)."""
        task = self.task if self.task is not None else np.full(len(self.doc), "", dtype=object)
        obj = lambda v: pd.Series(v, dtype=object)  # noqa: E731  (the few distinct labels stay Python strings: no conversion)
        return pd.DataFrame({"doc": self.doc, "task": obj(task), "measure": obj(self.measure), "label": obj(self.label),
                             "outcome": obj(self.outcome), "count": self.count})

    @staticmethod
    def empty() -> "Rows":
        o = np.zeros(0, dtype=object)
        return Rows(np.zeros(0, dtype=np.int64), o, o, o, np.zeros(0), o)

    @staticmethod
    def of(doc, measure, label, outcome, count, task=None) -> "Rows":
        n = len(doc)
        arr = lambda v: np.asarray(v, dtype=object) if np.ndim(v) else np.full(n, v, dtype=object)  # noqa: E731
        return Rows(np.asarray(doc, dtype=np.int64), arr(measure), arr(label), arr(outcome), np.asarray(count, dtype=float),
                    None if task is None else arr(task))


def _codes(value, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the code book of a column given as an array or as one scalar for all n entries."""
    if np.ndim(value):
        codes, uniques = pd.factorize(np.asarray(value, dtype=object))
        return codes.astype(np.int64), np.asarray(uniques, dtype=object)
    return np.zeros(n, dtype=np.int64), np.array([value], dtype=object)


def tally(doc, measure, label, outcome, weight=None) -> pd.DataFrame:
    """Rows from one entry per counted item: equal (doc, measure, label, outcome) entries are summed.

    ``measure``, ``label`` and ``outcome`` are arrays or scalars; ``weight`` (default 1 per entry)
    gives the amount of each entry.
    """
    doc = np.asarray(doc, dtype=np.int64)
    n = len(doc)
    if not n:
        return Rows.empty()
    (mc, mu), (lc, lu), (oc, ou) = (_codes(v, n) for v in (measure, label, outcome))
    key = ((doc * len(mu) + mc) * len(lu) + lc) * len(ou) + oc
    weights = np.ones(n) if weight is None else np.asarray(weight, dtype=float)
    uniq, inverse = np.unique(key, return_inverse=True)
    counts = np.bincount(inverse, weights=weights)
    keep = counts != 0
    uniq, counts = uniq[keep], counts[keep]
    oc = uniq % len(ou)
    rest = uniq // len(ou)
    lc = rest % len(lu)
    rest //= len(lu)
    mc = rest % len(mu)
    return Rows(rest // len(mu), mu[mc], lu[lc], ou[oc], counts)


def concat(parts: list[Rows]) -> Rows:
    """The rows of several parts in one (their tasks kept when every part has one)."""
    parts = [r for r in parts if len(r)]
    if not parts:
        return Rows.empty()
    if len(parts) == 1:
        return parts[0]
    task = np.concatenate([r.task for r in parts]) if all(r.task is not None for r in parts) else None
    return Rows(np.concatenate([r.doc for r in parts]), np.concatenate([r.measure for r in parts]),
                np.concatenate([r.label for r in parts]), np.concatenate([r.outcome for r in parts]),
                np.concatenate([r.count for r in parts]), task)


@dataclass(frozen=True)
class ErrorItem:
    """One error of a system, for error analysis (``toolkit eval --errors``).

    ``category`` is ``false-positive``, ``false-negative``, ``type-confusion`` (same span, other
    type or role), ``boundary`` (overlapping span) or ``label-confusion`` (stance label).
    ``start``/``end``/``text`` locate the gold item (the predicted one for false positives);
    ``detail`` says where the prediction was, for boundary errors.
    """

    task: str
    category: str
    doc_id: str
    start: int | None
    end: int | None
    text: str
    gold: str | None = None
    pred: str | None = None
    detail: str = ""

    def to_dict(self) -> dict:
        return {"task": self.task, "category": self.category, "doc_id": self.doc_id, "start": self.start, "end": self.end,
                "text": self.text, "gold": self.gold, "pred": self.pred, "detail": self.detail}


_BLOCK = {"entities": 0, "arguments": 1, "events": 1, "stances": 2}


def sorted_errors(errors: list[ErrorItem]) -> list[ErrorItem]:
    """Errors in a fixed order: by document; in a document entity errors, then event and argument
    errors, then stance errors; within those by task, offsets, category, labels and text."""
    return sorted(errors, key=lambda e: (e.doc_id, _BLOCK.get(e.task, 3), e.task, e.start if e.start is not None else -1,
                                         e.end or -1, e.category, e.gold or "", e.pred or "", e.text, e.detail))
