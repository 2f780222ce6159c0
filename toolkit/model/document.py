"""Annotation documents as frozen dataclasses with half-open spans.

Offsets are 0-based code-point indices into the seed text, ``end`` exclusive. A
:class:`Document` is built from a dict that has passed schema validation (see
:mod:`toolkit.checks.validate`); its constructor does not re-check the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator


@dataclass(frozen=True, order=True)
class Span:
    """A half-open character span ``[start, end)`` with its text."""

    start: int
    end: int
    text: str = field(compare=False, default="")

    def overlaps(self, other: "Span") -> bool:
        """True when the spans share at least one character (adjacent spans do not overlap)."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: "Span") -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def offsets(self) -> tuple[int, int]:
        return (self.start, self.end)

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Mention:
    id: str
    span: Span
    kind: str
    entity_id: str
    entity_type: str


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    name: str
    mentions: tuple[Mention, ...]


@dataclass(frozen=True)
class Argument:
    role: str
    mention_id: str


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    realis: str
    trigger: Span
    arguments: tuple[Argument, ...]


@dataclass(frozen=True)
class Target:
    kind: str  # "topic" | "event" | "entity"
    id: str


@dataclass(frozen=True)
class Stance:
    id: str
    holder: str
    target: Target
    label: str
    evidence: tuple[Span, ...]


@dataclass(frozen=True)
class SpanArgument(Argument):
    """An argument a system gave by its span (``mention_id`` is the mention id if also given, else "")."""

    span: Span | None = None


@dataclass(frozen=True)
class PredStance(Stance):
    """A stance whose holder a system gave by its span (``holder`` is "")."""

    holder_span: Span | None = None


@dataclass(frozen=True)
class Source:
    publisher: str | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class Document:
    """One annotated document: its text and every label on it."""

    doc_id: str
    text: str
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = ()
    stances: tuple[Stance, ...] = ()
    seed_file: str = ""
    sha256: str = ""
    source: Source = Source()
    notes: str = ""
    status: str | None = None  # "draft": not yet annotated, not gold (eval and publish skip it); None or "adjudicated": gold

    @property
    def is_draft(self) -> bool:
        """True for a document that ``toolkit new`` added and nobody has annotated and adjudicated yet."""
        return self.status == "draft"

    def mentions(self) -> Iterator[Mention]:
        for entity in self.entities:
            yield from entity.mentions

    def mention_index(self) -> dict[str, Mention]:
        return {m.id: m for m in self.mentions()}

    def entity_index(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}

    def event_index(self) -> dict[str, Event]:
        return {e.id: e for e in self.events}

    @classmethod
    def from_dict(cls, data: dict, text: str) -> "Document":
        """Build a document from a schema-valid annotation dict and its seed text."""
        entities = []
        for e in data.get("entities", []):
            mentions = tuple(
                Mention(m["id"], Span(m["start"], m["end"], m["text"]), m["kind"], e["id"], e["type"])
                for m in e["mentions"]
            )
            entities.append(Entity(e["id"], e["type"], e.get("name", ""), mentions))
        events = tuple(
            Event(
                v["id"],
                v["type"],
                v["realis"],
                Span(v["trigger"]["start"], v["trigger"]["end"], v["trigger"]["text"]),
                tuple(Argument(a["role"], a["mention"]) for a in v.get("arguments", [])),
            )
            for v in data.get("events", [])
        )
        stances = tuple(
            Stance(
                s["id"],
                s["holder"],
                Target(s["target"]["kind"], s["target"]["id"]),
                s["label"],
                tuple(Span(x["start"], x["end"], x["text"]) for x in s.get("evidence", [])),
            )
            for s in data.get("stances", [])
        )
        src = data.get("source") or {}
        source = Source(
            src.get("publisher"), src.get("date"), src.get("title"), src.get("url"), src.get("language", "en")
        )
        return cls(
            doc_id=data["doc_id"],
            text=text,
            entities=tuple(entities),
            events=events,
            stances=stances,
            seed_file=data.get("seed_file", ""),
            sha256=data.get("sha256", ""),
            source=source,
            notes=data.get("notes", ""),
            status=data.get("status"),
        )

    def to_dict(self) -> dict:
        """The annotation-file dict of this document (inverse of :meth:`from_dict`)."""
        out: dict = {
            "schema_version": "1.0",
            "doc_id": self.doc_id,
            "seed_file": self.seed_file,
            "sha256": self.sha256,
        }
        if self.status is not None:
            out["status"] = self.status
        out["source"] = {"publisher": self.source.publisher, "date": self.source.date, "title": self.source.title}
        if self.source.url is not None:
            out["source"]["url"] = self.source.url
        if self.source.language != "en":
            out["source"]["language"] = self.source.language
        if self.notes:
            out["notes"] = self.notes
        out["entities"] = [
            {
                "id": e.id,
                "type": e.type,
                "name": e.name,
                "mentions": [
                    {"id": m.id, **m.span.as_dict(), "kind": m.kind} for m in e.mentions
                ],
            }
            for e in self.entities
        ]
        out["events"] = [
            {
                "id": v.id,
                "type": v.type,
                "realis": v.realis,
                "trigger": v.trigger.as_dict(),
                "arguments": [{"role": a.role, "mention": a.mention_id} for a in v.arguments],
            }
            for v in self.events
        ]
        out["stances"] = [
            {
                "id": s.id,
                "holder": s.holder,
                "target": {"kind": s.target.kind, "id": s.target.id},
                "label": s.label,
                "evidence": [x.as_dict() for x in s.evidence],
            }
            for s in self.stances
        ]
        return out
