"""A corpus as item tables: the column layout the engine scores on and the published dataset stores.

A :class:`Tables` holds one corpus (gold or predicted) as pandas DataFrames with a document index
(``docs``): every other table has a ``doc`` column (the row of ``docs``), and items refer to each
other by row (``entity``, ``event``), so no Python object exists per item. Offsets are code-point
indices, end exclusive, as everywhere.

================  ================================================================================
table             columns
================  ================================================================================
``docs``          ``doc_id``
``entities``      ``doc``, ``entity_id``, ``type``, ``name``
``mentions``      ``doc``, ``entity`` (row of ``entities``), ``mention_id``, ``start``, ``end``,
                  ``text``, ``type`` (the entity's), ``kind`` ("" when a prediction gives none)
``events``        ``doc``, ``event_id``, ``type``, ``realis``, ``start``, ``end``, ``text`` (the trigger)
``arguments``     ``doc``, ``event`` (row of ``events``), ``role``, ``start``, ``end``, ``text``,
                  ``entity`` (row of ``entities`` of the mention it names, −1 for a span of its own)
``stances``       ``doc``, ``stance_id``, ``holder`` (row of ``entities``, −1 for a holder given as a
                  span), ``holder_start``, ``holder_end``, ``holder_text`` (−1 and "" unless a span), ``target_kind``
                  (topic, event, entity), ``topic`` ("" unless a topic), ``target`` (row of
                  ``events`` or ``entities``, −1 for a topic), ``label``, ``evidence_start``,
                  ``evidence_end`` (the first evidence span, −1 when none)
================  ================================================================================

Rows keep the order of the documents' lists (entities, then their mentions, in file order), which
is what "first occurrence" means for a repeated predicted mention. :func:`from_documents` builds
the tables from :class:`~toolkit.model.document.Document` objects (the row-wise model people use
for single documents); the readers in :mod:`toolkit.io.tables` build them straight from files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from toolkit.model.document import Document

COLUMNS: dict[str, tuple[str, ...]] = {
    "docs": ("doc_id",),
    "entities": ("doc", "entity_id", "type", "name"),
    "mentions": ("doc", "entity", "mention_id", "start", "end", "text", "type", "kind"),
    "events": ("doc", "event_id", "type", "realis", "start", "end", "text"),
    "arguments": ("doc", "event", "role", "start", "end", "text", "entity"),
    "stances": ("doc", "stance_id", "holder", "holder_start", "holder_end", "holder_text", "target_kind", "topic", "target",
                "label", "evidence_start", "evidence_end"),
}
INT_COLUMNS = {"doc", "entity", "start", "end", "event", "holder", "holder_start", "holder_end", "target",
               "evidence_start", "evidence_end"}


def frame(name: str, data: dict | None = None) -> pd.DataFrame:
    """A table of the layout ``name``, empty or from column sequences (int64 integers, strings)."""
    data = data or {}
    out = {}
    for col in COLUMNS[name]:
        values = data.get(col, ())
        if isinstance(values, pd.Series):  # a string column built from Arrow (toolkit.checks.columnar): taken as it is
            out[col] = values.reset_index(drop=True)
        else:
            out[col] = np.asarray(values, dtype=np.int64) if col in INT_COLUMNS else np.asarray(values, dtype=object)
    return pd.DataFrame(out, columns=list(COLUMNS[name]))


@dataclass
class Tables:
    """One corpus as item tables (module docstring)."""

    docs: pd.DataFrame = field(default_factory=lambda: frame("docs"))
    entities: pd.DataFrame = field(default_factory=lambda: frame("entities"))
    mentions: pd.DataFrame = field(default_factory=lambda: frame("mentions"))
    events: pd.DataFrame = field(default_factory=lambda: frame("events"))
    arguments: pd.DataFrame = field(default_factory=lambda: frame("arguments"))
    stances: pd.DataFrame = field(default_factory=lambda: frame("stances"))

    @property
    def doc_ids(self) -> list[str]:
        return self.docs["doc_id"].tolist()

    def reindexed(self, doc_ids: list[str]) -> "Tables":
        """The same items with ``doc`` renumbered to positions in ``doc_ids``; documents not listed
        are dropped, listed documents this corpus lacks simply have no item."""
        if self.doc_ids == list(doc_ids):
            return self
        pos = {d: i for i, d in enumerate(doc_ids)}
        mapping = np.array([pos.get(d, -1) for d in self.doc_ids], dtype=np.int64)
        out = Tables(frame("docs", {"doc_id": list(doc_ids)}))
        for name in ("entities", "mentions", "events", "arguments", "stances"):
            df = getattr(self, name)
            new_doc = mapping[df["doc"].to_numpy()] if len(df) else np.zeros(0, dtype=np.int64)
            keep = new_doc >= 0
            df = df.assign(doc=new_doc)
            setattr(out, name, df[keep] if not keep.all() else df)
        if not all(len(getattr(out, n)) == len(getattr(self, n)) for n in ("entities", "events")):
            out = _renumber(out, self)
        return out


def _renumber(out: Tables, source: Tables) -> Tables:
    """After dropping rows, map ``entity`` / ``event`` / ``holder`` / ``target`` references to the new rows."""
    ent_map = np.full(len(source.entities), -1, dtype=np.int64)
    ent_map[out.entities.index.to_numpy()] = np.arange(len(out.entities))
    ev_map = np.full(len(source.events), -1, dtype=np.int64)
    ev_map[out.events.index.to_numpy()] = np.arange(len(out.events))

    def remap(mapping, values, where=None):
        values = np.asarray(values)
        out = np.full(len(values), -1, dtype=np.int64)
        ok = (values >= 0) if where is None else (values >= 0) & where
        out[ok] = mapping[values[ok]]
        return out

    out.entities = out.entities.reset_index(drop=True)
    out.events = out.events.reset_index(drop=True)
    out.mentions = out.mentions.assign(entity=remap(ent_map, out.mentions["entity"])).reset_index(drop=True)
    out.arguments = out.arguments.assign(event=remap(ev_map, out.arguments["event"]),
                                         entity=remap(ent_map, out.arguments["entity"])).reset_index(drop=True)
    st = out.stances
    is_event = (st["target_kind"] == "event").to_numpy()
    is_entity = (st["target_kind"] == "entity").to_numpy()
    target = np.where(is_event, remap(ev_map, st["target"], is_event), remap(ent_map, st["target"], is_entity))
    out.stances = st.assign(holder=remap(ent_map, st["holder"]), target=target).reset_index(drop=True)
    return out


def from_documents(docs: Iterable[Document]) -> Tables:
    """The tables of row-wise documents (gold, or predictions from :mod:`toolkit.predictions.load`)."""
    cols: dict[str, dict[str, list]] = {name: {c: [] for c in COLUMNS[name]} for name in COLUMNS}

    def add(name: str, *values) -> None:
        for c, v in zip(COLUMNS[name], values):
            cols[name][c].append(v)

    for d, doc in enumerate(docs):
        add("docs", doc.doc_id)
        entity_row: dict[str, int] = {}
        mention_entity: dict[str, int] = {}
        for ent in doc.entities:
            row = len(cols["entities"]["doc"])
            entity_row[ent.id] = row
            add("entities", d, ent.id, ent.type, ent.name)
            for m in ent.mentions:
                mention_entity[m.id] = row
                add("mentions", d, row, m.id, m.span.start, m.span.end, m.span.text, ent.type, m.kind)
        mention_span = {m.id: m.span for m in doc.mentions()}
        event_row: dict[str, int] = {}
        for ev in doc.events:
            row = len(cols["events"]["doc"])
            event_row[ev.id] = row
            add("events", d, ev.id, ev.type, ev.realis, ev.trigger.start, ev.trigger.end, ev.trigger.text)
            for arg in ev.arguments:
                span = getattr(arg, "span", None)
                if span is not None:
                    add("arguments", d, row, arg.role, span.start, span.end, span.text, -1)
                elif arg.mention_id in mention_span:
                    s = mention_span[arg.mention_id]
                    add("arguments", d, row, arg.role, s.start, s.end, s.text, mention_entity[arg.mention_id])
        for st in doc.stances:
            hspan = getattr(st, "holder_span", None)
            holder = entity_row.get(st.holder, -1) if hspan is None else -1
            kind, tid = st.target.kind, st.target.id
            target = event_row.get(tid, -1) if kind == "event" else entity_row.get(tid, -1) if kind == "entity" else -1
            ev = st.evidence[0] if st.evidence else None
            add("stances", d, st.id, holder, hspan.start if hspan else -1, hspan.end if hspan else -1, hspan.text if hspan else "", kind,
                tid if kind == "topic" else "", target, st.label, ev.start if ev else -1, ev.end if ev else -1)
    return Tables(**{name: frame(name, cols[name]) for name in COLUMNS})
