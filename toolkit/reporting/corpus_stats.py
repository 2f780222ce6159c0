"""Coverage statistics of a corpus: counts per document and per label (pandas)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from toolkit.model.document import Document
from toolkit.model.labels import inventory


@dataclass(frozen=True)
class CorpusStats:
    """``documents``: one row per document; ``labels``: one row per (category, label), a column per document and a total."""

    documents: pd.DataFrame
    labels: pd.DataFrame


def corpus_stats(docs: Iterable[Document]) -> CorpusStats:
    """Count what each document holds. Every label of the inventory gets a row, zero counts included,
    so gaps in coverage show."""
    docs = sorted(docs, key=lambda d: d.doc_id)
    inv = inventory()
    rows = []
    per_doc: dict[str, Counter] = {}
    for d in docs:
        mentions = list(d.mentions())
        kinds = Counter(m.kind for m in mentions)
        rows.append({
            "doc_id": d.doc_id,
            "characters": len(d.text),
            "entities": len(d.entities),
            "mentions": len(mentions),
            "names": kinds["name"],
            "nominals": kinds["nominal"],
            "pronouns": kinds["pronoun"],
            "events": len(d.events),
            "arguments": sum(len(e.arguments) for e in d.events),
            "stances": len(d.stances),
        })
        c: Counter = Counter()
        for e in d.entities:
            c[("entity type", e.type)] += 1
        for m in mentions:
            c[("mention type", m.entity_type)] += 1
            c[("mention kind", m.kind)] += 1
        for ev in d.events:
            c[("event type", ev.type)] += 1
            c[("realis", ev.realis)] += 1
            for a in ev.arguments:
                c[("role", a.role)] += 1
        for s in d.stances:
            c[("stance label", s.label)] += 1
            c[("stance target", s.target.kind)] += 1
            if s.target.kind == "topic":
                c[("topic", s.target.id)] += 1
        per_doc[d.doc_id] = c
    documents = pd.DataFrame(rows, columns=["doc_id", "characters", "entities", "mentions", "names", "nominals",
                                            "pronouns", "events", "arguments", "stances"])
    if len(documents):
        total = documents.drop(columns="doc_id").sum()
        documents = pd.concat([documents, pd.DataFrame([{"doc_id": "total", **total.to_dict()}])], ignore_index=True)
    categories = [
        ("entity type", list(inv.entity_types)),
        ("mention type", list(inv.entity_types)),
        ("mention kind", list(inv.mention_kinds)),
        ("event type", list(inv.event_types)),
        ("realis", list(inv.realis)),
        ("role", list(inv.all_roles())),
        ("stance label", list(inv.stance_labels)),
        ("stance target", ["topic", "event", "entity"]),
        ("topic", list(inv.topics)),
    ]
    label_rows = []
    for category, labels in categories:
        for label in labels:
            row = {"category": category, "label": label}
            for d in docs:
                row[d.doc_id] = per_doc[d.doc_id][(category, label)]
            row["total"] = sum(per_doc[d.doc_id][(category, label)] for d in docs)
            label_rows.append(row)
    labels_df = pd.DataFrame(label_rows, columns=["category", "label", *[d.doc_id for d in docs], "total"])
    return CorpusStats(documents=documents, labels=labels_df)
