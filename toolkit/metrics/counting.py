"""Count rows: what every scorer returns, one row per (document, task, measure, label, outcome).

A scorer turns matched items into :class:`Rows`: parallel arrays ``doc``, ``measure``, ``label``,
``outcome`` and ``count`` for one task. :mod:`toolkit.evaluation.counts` stacks the rows of every
task into the corpus's counts table. Labels are "" for the overall (micro) rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Rows:
    """Count rows of one task (see the module docstring)."""

    task: str
    frame: pd.DataFrame  # doc (int64), measure, label, outcome (str), count (float64)

    @staticmethod
    def empty(task: str) -> "Rows":
        return Rows(task, pd.DataFrame({"doc": np.zeros(0, np.int64), "measure": np.zeros(0, object).astype(str),
                                         "label": np.zeros(0, object).astype(str), "outcome": np.zeros(0, object).astype(str),
                                         "count": np.zeros(0)}))


def tally(doc, measure, label, outcome, weight=None) -> pd.DataFrame:
    """Rows from one entry per counted item: equal (doc, measure, label, outcome) entries are summed.

    ``measure``, ``label`` and ``outcome`` are arrays or scalars; ``weight`` (default 1 per entry)
    gives the amount of each entry.
    """
    doc = np.asarray(doc, dtype=np.int64)
    n = len(doc)
    cols = {"doc": doc}
    for name, value in (("measure", measure), ("label", label), ("outcome", outcome)):
        cols[name] = np.asarray(value, dtype=object) if np.ndim(value) else np.full(n, value, dtype=object)
    cols["count"] = np.ones(n) if weight is None else np.asarray(weight, dtype=float)
    df = pd.DataFrame(cols)
    if not n:
        return Rows.empty("").frame
    out = df.groupby(["doc", "measure", "label", "outcome"], sort=False, as_index=False)["count"].sum()
    return out[out["count"] != 0]


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else Rows.empty("").frame


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
