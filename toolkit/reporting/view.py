"""What ``toolkit show`` displays: a document's spans, each with its layer, label and status.

Without predictions every span is ``gold``. With predictions each gold span is ``correct`` (a
prediction has the same offsets and label), ``mistyped`` (same offsets, another label) or
``missed``; each predicted span is ``correct``, ``mistyped`` or ``spurious``. Entity mentions are
compared with entity types, triggers with event types, by exact offsets. Rendering lives in
:mod:`toolkit.reporting.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.model.document import Document

STATUSES = ("gold", "correct", "mistyped", "missed", "spurious")


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    layer: str  # "entity" | "trigger" | "evidence"
    label: str
    group: str  # entity id (cluster), event id or stance id
    status: str
    note: str = ""


@dataclass
class Side:
    """One column of the view: the marks and the event and stance rows of one annotation."""

    title: str
    marks: list[Mark] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    stances: list[dict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for m in self.marks:
            if m.layer != "evidence":
                out[m.status] += 1
        return {k: v for k, v in out.items() if v}


@dataclass
class View:
    doc_id: str
    text: str
    gold: Side
    pred: Side | None = None


def _side_from_dict(title: str, data: dict, text: str) -> Side:
    """Marks of an anchored prediction or annotation dict (spans already have offsets)."""
    side = Side(title)
    mention_text: dict[str, str] = {}
    entity_name: dict[str, str] = {}
    for i, ent in enumerate(data.get("entities") or []):
        eid = ent.get("id") or f"e{i + 1}"
        entity_name[eid] = ent.get("name") or ""
        for m in ent.get("mentions") or []:
            if "start" in m:
                side.marks.append(Mark(m["start"], m["end"], "entity", ent["type"], eid, "gold",
                                       f"{ent['type']} {m.get('kind', '')} · entity {eid} {ent.get('name') or ''}".strip()))
                if m.get("id"):
                    mention_text[m["id"]] = text[m["start"]:m["end"]]
                entity_name.setdefault(eid, text[m["start"]:m["end"]])
    for i, ev in enumerate(data.get("events") or []):
        vid = ev.get("id") or f"v{i + 1}"
        trig = ev["trigger"]
        side.marks.append(Mark(trig["start"], trig["end"], "trigger", ev["type"], vid, "gold",
                               f"{ev['type']} ({ev.get('realis', '?')}) · event {vid}"))
        args = []
        for a in ev.get("arguments") or []:
            filler = mention_text.get(a.get("mention"), a.get("text") or a.get("mention") or "?")
            args.append(f"{a['role']}: {filler}")
        side.events.append({"id": vid, "type": ev["type"], "realis": ev.get("realis", ""), "trigger": text[trig["start"]:trig["end"]],
                            "arguments": args})
    for i, st in enumerate(data.get("stances") or []):
        sid = st.get("id") or f"s{i + 1}"
        holder = st.get("holder")
        holder_name = entity_name.get(holder, holder) if isinstance(holder, str) else (holder or {}).get("text", "?")
        target = st.get("target") or {}
        for x in st.get("evidence") or []:
            if "start" in x:
                side.marks.append(Mark(x["start"], x["end"], "evidence", st.get("label", "?"), sid, "gold",
                                       f"stance {sid}: {holder_name} {st.get('label')} {target.get('kind')}:{target.get('id')}"))
        side.stances.append({"id": sid, "holder": holder_name, "target": f"{target.get('kind')}:{target.get('id')}",
                             "label": st.get("label", "")})
    return side


def _compare(gold: Side, pred: Side) -> None:
    """Set the status of every entity and trigger mark of both sides (exact offsets)."""
    for layer in ("entity", "trigger"):
        g = {(m.start, m.end): m for m in gold.marks if m.layer == layer}
        p = {(m.start, m.end): m for m in pred.marks if m.layer == layer}
        for side, mine, other, absent in ((gold, g, p, "missed"), (pred, p, g, "spurious")):
            for i, m in enumerate(side.marks):
                if m.layer != layer:
                    continue
                match = other.get((m.start, m.end))
                status = absent if match is None else ("correct" if match.label == m.label else "mistyped")
                note = m.note + ("" if match is None or match.label == m.label else f" · other side: {match.label}")
                side.marks[i] = Mark(m.start, m.end, m.layer, m.label, m.group, status, note)


def build_view(gold: Document, pred: dict | None = None, pred_title: str = "predictions") -> View:
    """The view of a gold document, compared with an anchored prediction dict when one is given."""
    view = View(gold.doc_id, gold.text, _side_from_dict("gold", gold.to_dict(), gold.text))
    if pred is not None:
        view.pred = _side_from_dict(pred_title, pred, gold.text)
        _compare(view.gold, view.pred)
    return view
