"""A loaded corpus: its item tables, and its documents built only when asked for.

:class:`Corpus` is what the loaders return for the gold: a mapping from doc id to
:class:`~toolkit.model.document.Document`, as before, whose :attr:`~Corpus.tables` the engine
scores on directly. Documents that came through the row-wise path are kept as they are; those
that came through the columnar path (:mod:`toolkit.checks.columnar`) are built from the tables
the first time they are asked for, so scoring 50,000 documents builds none.
"""

from __future__ import annotations

from typing import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit.model.document import Argument, Document, Entity, Event, Mention, Source, Span, SpanArgument, Stance, Target
from toolkit.model.tables import Tables, from_documents


class Meta(Sequence):
    """Per document of a columnar part, what a :class:`Document` needs beyond its items (seed file,
    checksum, status, notes, source, the stance column), kept as columns; a row becomes a dict only
    when asked for."""

    FIELDS = ("seed_file", "sha256", "notes", "status", "publisher", "date", "title", "url", "language", "stances")

    def __init__(self, columns: Mapping[str, Sequence], rows: Sequence[int]):
        self._columns = dict(columns)
        self._rows = list(rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: int) -> dict:
        r = self._rows[i]
        return {k: v[r] for k, v in self._columns.items()}

    def value(self, i: int, name: str):
        return self._columns[name][self._rows[i]]

    def values(self, name: str) -> list:
        """Field ``name`` of every position, in order."""
        column = self._columns[name]
        return [column[r] for r in self._rows]

    def take(self, positions: Sequence[int]) -> "Meta":
        return Meta(self._columns, [self._rows[i] for i in positions])

    @staticmethod
    def concat(parts: Sequence["Meta"]) -> "Meta":
        if len(parts) == 1:
            return parts[0]
        columns: dict[str, list] = {k: [] for k in Meta.FIELDS}
        for m in parts:
            for k in Meta.FIELDS:
                col = m._columns[k]
                columns[k].extend(col[r] for r in m._rows)
        return Meta(columns, range(sum(len(m) for m in parts)))


class Corpus(Mapping):
    """Documents keyed by doc id (sorted), with the item tables of all of them."""

    def __init__(self, documents: Mapping[str, Document] | None = None, part: Tables | None = None,
                 texts: list[str] | None = None, meta: Meta | None = None):
        self._docs: dict[str, Document] = dict(documents or {})
        self._part = part
        self._pos = {d: i for i, d in enumerate(part.doc_ids)} if part is not None else {}
        self._text_list = list(texts or [])
        self._meta = meta
        ids = part.doc_ids if part is not None else []
        if self._docs or any(a >= b for a, b in zip(ids, ids[1:])):
            ids = sorted(set(self._docs) | set(self._pos))
        self._ids = list(ids)  # a part's own ids when they ascend strictly (no sort of a set of 50,000 strings)
        self._tables: Tables | None = None
        self._index: dict | None = None

    # the Mapping interface
    def __getitem__(self, doc_id: str) -> Document:
        doc = self._docs.get(doc_id)
        if doc is None:
            if doc_id not in self._pos:
                raise KeyError(doc_id)
            doc = self._docs[doc_id] = self._build(doc_id)
        return doc

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._pos or doc_id in self._docs

    def text(self, doc_id: str) -> str:
        return self._text_list[self._pos[doc_id]] if doc_id in self._pos else self._docs[doc_id].text

    def sha256(self, doc_id: str) -> str:
        return self._meta.value(self._pos[doc_id], "sha256") if doc_id in self._pos else self._docs[doc_id].sha256

    def texts_and_checksums(self, doc_ids: Sequence[str | None]) -> tuple[list[str | None], list[str | None]]:
        """The text and sha256 of each of ``doc_ids`` (None for an id the corpus does not hold), in
        one pass without a method call per document (predictions are checked against them)."""
        pos, docs, texts = self._pos, self._docs, self._text_list
        sha = self._meta.values("sha256") if self._meta is not None else None
        out_t: list[str | None] = []
        out_s: list[str | None] = []
        for d in doc_ids:
            p = pos.get(d)
            if p is not None:
                out_t.append(texts[p])
                out_s.append(sha[p])
            elif d in docs:
                out_t.append(docs[d].text)
                out_s.append(docs[d].sha256)
            else:
                out_t.append(None)
                out_s.append(None)
        return out_t, out_s

    def is_draft(self, doc_id: str) -> bool:
        if doc_id in self._pos:
            return self._meta.value(self._pos[doc_id], "status") == "draft"
        return self._docs[doc_id].is_draft

    def drafts(self) -> list[str]:
        """The ids of the documents with ``"status": "draft"``, sorted (the columnar part's from its
        status column, without a lookup per document)."""
        found = [d for d, doc in self._docs.items() if d not in self._pos and doc.is_draft]
        if self._part is not None and self._meta is not None:
            found += [d for d, s in zip(self._part.doc_ids, self._meta.values("status")) if s == "draft"]
        return sorted(found)

    def without(self, doc_ids) -> "Corpus":
        """The corpus without these documents (e.g. drafts)."""
        drop = set(doc_ids)
        if not drop:
            return self
        docs = {d: doc for d, doc in self._docs.items() if d not in drop and d not in self._pos}
        keep = [d for d in (self._part.doc_ids if self._part is not None else []) if d not in drop]
        part = self._part.reindexed(keep) if self._part is not None else None
        out = Corpus(docs, part, [self._text_list[self._pos[d]] for d in keep], self._meta.take([self._pos[d] for d in keep]) if keep else None)
        out._docs.update({d: doc for d, doc in self._docs.items() if d in out._pos})
        return out

    @property
    def tables(self) -> Tables:
        """The item tables of every document, in doc-id order."""
        if self._tables is None:
            rowwise = [d for d in self._ids if d not in self._pos]
            parts = []
            if self._part is not None:
                parts.append(self._part)
            if rowwise:
                parts.append(from_documents(self._docs[d] for d in rowwise))
            self._tables = concat_tables(parts).reindexed(self._ids) if parts else from_documents([])
        return self._tables

    def _build(self, doc_id: str) -> Document:
        if self._index is None:  # once: every column as a Python list, and each document's rows
            t = self._part
            self._index = {}
            for name in ("entities", "mentions", "events", "arguments", "stances"):
                df = getattr(t, name)
                cols = {c: df[c].tolist() for c in df.columns}
                doc = df["doc"].to_numpy()
                cut = np.searchsorted(doc, np.arange(len(t.docs) + 1)) if (np.diff(doc) >= 0).all() else None
                self._index[name] = (cols, cut, None if cut is not None else df.groupby("doc").indices)
        d = self._pos[doc_id]

        def rows(name):
            cols, cut, groups = self._index[name]
            rows_ = range(cut[d], cut[d + 1]) if cut is not None else groups.get(d, np.zeros(0, dtype=np.int64)).tolist()
            return cols, rows_

        (ec, er), (mc, mr), (vc, vr), (ac, ar) = (rows(n) for n in ("entities", "mentions", "events", "arguments"))
        by_entity: dict[int, list] = {}
        mention_id_at: dict[tuple, str] = {}
        for r in mr:
            e = mc["entity"][r]
            by_entity.setdefault(e, []).append(r)
            mention_id_at[(e, mc["start"][r], mc["end"][r])] = mc["mention_id"][r]
        entities = tuple(Entity(ec["entity_id"][e], ec["type"][e], ec["name"][e],
                                tuple(Mention(mc["mention_id"][m], Span(mc["start"][m], mc["end"][m], mc["text"][m]), mc["kind"][m],
                                              ec["entity_id"][e], ec["type"][e]) for m in by_entity.get(e, ())))
                         for e in er)
        by_event: dict[int, list] = {}
        for a in ar:
            ent, start, end = ac["entity"][a], ac["start"][a], ac["end"][a]
            by_event.setdefault(ac["event"][a], []).append(
                Argument(ac["role"][a], mention_id_at[(ent, start, end)]) if ent >= 0 else
                SpanArgument(ac["role"][a], "", Span(start, end, ac["text"][a])))  # a prediction's, by span
        events = tuple(Event(vc["event_id"][v], vc["type"][v], vc["realis"][v], Span(vc["start"][v], vc["end"][v], vc["text"][v]),
                             tuple(by_event.get(v, ())))
                       for v in vr)
        meta = self._meta[self._pos[doc_id]]
        text = self._text_list[self._pos[doc_id]]
        stances = tuple(Stance(s["id"], s["holder"], Target(s["target"]["kind"], s["target"]["id"]), s["label"],
                               tuple(Span(x["start"], x["end"], x["text"] if x["text"] is not None else text[x["start"]:x["end"]])
                                     for x in s["evidence"] or ()))
                        for s in meta["stances"].as_py() or ())
        return Document(doc_id, text, entities, events, stances, meta["seed_file"], meta["sha256"],
                        Source(meta.get("publisher"), meta.get("date"), meta.get("title"), meta.get("url"), meta.get("language") or "en"),
                        meta.get("notes") or "", **({"status": meta["status"]} if meta.get("status") is not None else {}))


def concat_tables(parts: list[Tables]) -> Tables:
    """One set of tables from several (documents, then the rows referring to them, renumbered)."""
    if len(parts) == 1:
        return parts[0]
    out: dict[str, list[pd.DataFrame]] = {n: [] for n in ("docs", "entities", "mentions", "events", "arguments", "stances")}
    n_docs = n_ent = n_ev = 0
    for t in parts:
        out["docs"].append(t.docs)
        out["entities"].append(t.entities.assign(doc=t.entities["doc"] + n_docs))
        out["mentions"].append(t.mentions.assign(doc=t.mentions["doc"] + n_docs, entity=t.mentions["entity"] + n_ent))
        out["events"].append(t.events.assign(doc=t.events["doc"] + n_docs))
        a = t.arguments
        out["arguments"].append(a.assign(doc=a["doc"] + n_docs, event=a["event"] + n_ev,
                                         entity=np.where(a["entity"] >= 0, a["entity"] + n_ent, -1)))
        s = t.stances
        is_event = (s["target_kind"] == "event").to_numpy()
        is_entity = (s["target_kind"] == "entity").to_numpy()
        target = s["target"].to_numpy().copy()
        target[is_event & (target >= 0)] += n_ev
        target[is_entity & (target >= 0)] += n_ent
        out["stances"].append(s.assign(doc=s["doc"] + n_docs, holder=np.where(s["holder"] >= 0, s["holder"] + n_ent, -1), target=target))
        n_docs, n_ent, n_ev = n_docs + len(t.docs), n_ent + len(t.entities), n_ev + len(t.events)
    return Tables(**{n: pd.concat(v, ignore_index=True) for n, v in out.items()})
