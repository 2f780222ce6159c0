"""The review stage: a third reader's changes to the adjudicated gold, one CSV row per change.

The gold is ``passes/a`` + ``decisions.csv`` (one decision per disagreement of the two passes) +
``review.csv`` (changes made afterwards by a reader who made neither pass). Each review row names one
item by the words of the text, not by an id, so that a reader can check it against the seed:

    doc_id,layer,item,change,value,rule,reason
    004_1f9f02a8e8f58cc1,argument,lead@1211 Agent=he@1252,mention,Ahn Duk-geun@1128,9.13,the subject of "is expected to lead"

A span is written ``text@start`` (:mod:`toolkit.annotation.locate`): the quoted text and its start
offset, checked against the seed. Rows apply in file order; every row needs a rule and a reason.
The grammar of ``item``, ``change`` and ``value`` per layer is in CONTRIBUTING.md §8 and in
:data:`CHANGES`. Changes that would silently lose something are refused: a mention that fills an
argument, or an event a stance targets, cannot be dropped until that argument or stance is changed
by an earlier row.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from toolkit.annotation.locate import AdjudicationError, locator, span_of
from toolkit.model.labels import inventory

COLUMNS = ("doc_id", "layer", "item", "change", "value", "rule", "reason")

# layer -> change -> what the value is (the documentation of the grammar, also used in error messages)
CHANGES: dict[str, dict[str, str]] = {
    "document": {"set": "the new value of source.publisher, source.date, source.title or notes (empty: null)"},
    "mention": {
        "add": "TYPE kind ENTITY, where ENTITY is a mention of the entity to join (text@start) or 'new' / 'new: name'",
        "drop": "nothing",
        "span": "the new span, text@start",
        "kind": "name, nominal or pronoun",
        "entity": "a mention (text@start) of the entity to move it to, or 'new' / 'new: name'",
    },
    "entity": {"type": "the entity type", "name": "the canonical name"},
    "event": {
        "add": "Type realis",
        "drop": "nothing",
        "type": "the event type",
        "realis": "actual, generic or other",
        "trigger": "the new trigger span, text@start",
    },
    "argument": {"add": "nothing", "drop": "nothing", "mention": "the new filler, text@start", "role": "the new role"},
    "stance": {
        "add": "label: evidence@start | evidence@start ...",
        "drop": "nothing",
        "holder": "a mention (text@start) of the new holder",
        "target": "a topic id, 'event trigger@start' or 'entity text@start'",
        "label": "favour, against or neutral",
        "evidence": "evidence spans, text@start | text@start ...",
    },
}

_EVENT = re.compile(r"^(?P<loc>.+?@\d+)(?:/(?P<type>[A-Z][\w.-]+))?$")
_ARGUMENT = re.compile(r"^(?P<event>.+?@\d+(?:/[A-Z][\w.-]+)?) (?P<role>[A-Z][A-Za-z]+)=(?P<mention>.+@\d+)$")


def _ids(prefix: str, used: set[str]):
    n = 1
    while True:
        candidate = f"{prefix}{n}"
        if candidate not in used:
            used.add(candidate)
            yield candidate
        n += 1


def _sort_mentions(entity: dict) -> None:
    entity["mentions"].sort(key=lambda m: (m["start"], -m["end"]))


class Reviewed:
    """One gold document dict being changed by review rows (mutated in place)."""

    def __init__(self, data: dict, text: str):
        self.data, self.text = data, text
        used = {e["id"] for e in data["entities"]} | {m["id"] for e in data["entities"] for m in e["mentions"]}
        used |= {v["id"] for v in data["events"]} | {s["id"] for s in data["stances"]}
        self.new_entity, self.new_mention = _ids("E", used), _ids("M", used)
        self.new_event, self.new_stance = _ids("V", used), _ids("S", used)

    # --- finding items by their words -------------------------------------------------------
    def span(self, loc: str) -> dict:
        start, end = span_of(loc, self.text)
        return {"start": start, "end": end, "text": self.text[start:end]}

    def mention(self, loc: str) -> tuple[dict, dict]:
        start, end = span_of(loc, self.text)
        for e in self.data["entities"]:
            for m in e["mentions"]:
                if (m["start"], m["end"]) == (start, end):
                    return e, m
        raise AdjudicationError(f"no gold mention at '{loc}'")

    def mention_by_id(self, mention_id: str) -> tuple[dict, dict]:
        return next((e, m) for e in self.data["entities"] for m in e["mentions"] if m["id"] == mention_id)

    def event(self, loc: str) -> dict:
        match = _EVENT.match(loc.strip())
        if not match:
            raise AdjudicationError(f"'{loc}' is not an event: write its trigger as text@start")
        start, end = span_of(match["loc"], self.text)
        found = [v for v in self.data["events"] if (v["trigger"]["start"], v["trigger"]["end"]) == (start, end)
                 and match["type"] in (None, v["type"])]
        if not found:
            raise AdjudicationError(f"no gold event with the trigger '{loc}'")
        if len(found) > 1:
            raise AdjudicationError(f"several gold events have the trigger '{loc}': add the type, "
                                    f"'{match['loc']}/{found[0]['type']}'")
        return found[0]

    def argument(self, item: str) -> tuple[dict, str, dict]:
        match = _ARGUMENT.match(item.strip())
        if not match:
            raise AdjudicationError(f"'{item}' is not an argument: write 'trigger@start Role=mention@start'")
        return self.event(match["event"]), match["role"], self.mention(match["mention"])[1]

    def describe_event(self, v: dict) -> str:
        return f"{v['trigger']['text']}@{v['trigger']['start']}"

    def entity_ref(self, value: str, type_: str, default_name: str) -> dict:
        """An existing entity named by one of its mentions, or a new one (``new`` / ``new: name``)."""
        value = value.strip()
        if value == "new" or value.startswith("new:"):
            name = value[4:].strip() or default_name
            entity = {"id": next(self.new_entity), "type": type_, "name": name, "mentions": []}
            self.data["entities"].append(entity)
            return entity
        return self.mention(value)[0]

    def target(self, value: str) -> dict:
        value = value.strip()
        if value.startswith("event "):
            return {"kind": "event", "id": self.event(value[6:])["id"]}
        if value.startswith("entity "):
            return {"kind": "entity", "id": self.mention(value[7:])[0]["id"]}
        if value not in inventory().topics:
            raise AdjudicationError(f"'{value}' is not a topic of labels.schema.json, nor 'event trigger@start' "
                                    f"or 'entity mention@start'")
        return {"kind": "topic", "id": value}

    def stance(self, item: str) -> tuple[dict, dict]:
        """The holder entity and target of ``holder@start -> target``."""
        holder, arrow, target = item.partition(" -> ")
        if not arrow:
            raise AdjudicationError(f"'{item}' is not a stance: write 'holder@start -> target'")
        return self.mention(holder)[0], self.target(target)

    def find_stance(self, item: str) -> dict:
        holder, target = self.stance(item)
        for s in self.data["stances"]:
            if s["holder"] == holder["id"] and s["target"] == target:
                return s
        raise AdjudicationError(f"no gold stance '{item}' (holder {holder['id']} '{holder['name']}')")

    def evidence(self, value: str) -> list[dict]:
        spans = [self.span(part) for part in value.split(" | ") if part.strip()]
        if not spans:
            raise AdjudicationError("a stance needs at least one evidence span, text@start")
        return spans

    # --- the changes -------------------------------------------------------------------------
    def apply(self, layer: str, item: str, change: str, value: str) -> None:
        handler: Callable[[str, str, str], None] = getattr(self, f"_{layer}_{change}")
        handler(item, value, change)

    def _document_set(self, item: str, value: str, change: str) -> None:
        value = value if value.strip() else None
        if item == "notes":
            if value is None:
                self.data.pop("notes", None)
            else:  # in the place Document.to_dict gives it: after source, before the layers
                items = [(k, v) for k, v in self.data.items() if k != "notes"]
                at = next((i + 1 for i, (k, _) in enumerate(items) if k == "source"), len(items))
                items.insert(at, ("notes", value))
                self.data.clear()
                self.data.update(items)
        elif item in ("source.publisher", "source.date", "source.title", "source.url"):
            self.data.setdefault("source", {})[item.split(".", 1)[1]] = value
        else:
            raise AdjudicationError(f"'{item}' is not a document field: source.publisher, source.date, "
                                    f"source.title, source.url or notes")

    def _mention_add(self, item: str, value: str, change: str) -> None:
        span = self.span(item)
        if any((m["start"], m["end"]) == (span["start"], span["end"]) for e in self.data["entities"] for m in e["mentions"]):
            raise AdjudicationError(f"'{item}' is already a mention")
        parts = value.split(None, 2)
        if len(parts) != 3:
            raise AdjudicationError(f"'{value}': write {CHANGES['mention']['add']}")
        type_, kind, ref = parts
        entity = self.entity_ref(ref, type_, span["text"])
        if entity["type"] != type_:
            raise AdjudicationError(f"the entity of '{ref}' is {entity['type']}, not {type_}")
        entity["mentions"].append({"id": next(self.new_mention), **span, "kind": kind})
        _sort_mentions(entity)

    def _fillers(self, mention_id: str) -> list[str]:
        return [f"{self.describe_event(v)} {a['role']}" for v in self.data["events"] for a in v["arguments"]
                if a["mention"] == mention_id]

    def _remove_if_empty(self, entity: dict, successor: dict | None) -> None:
        if entity["mentions"]:
            return
        refs = [s for s in self.data["stances"] if s["holder"] == entity["id"]
                or (s["target"]["kind"] == "entity" and s["target"]["id"] == entity["id"])]
        if refs and successor is None:
            raise AdjudicationError(f"this is the last mention of {entity['id']} '{entity['name']}', which stances "
                                    f"{', '.join(s['id'] for s in refs)} refer to: change their holder or target first")
        for s in refs:
            if s["holder"] == entity["id"]:
                s["holder"] = successor["id"]
            if s["target"]["kind"] == "entity" and s["target"]["id"] == entity["id"]:
                s["target"]["id"] = successor["id"]
        self.data["entities"].remove(entity)

    def _mention_drop(self, item: str, value: str, change: str) -> None:
        entity, mention = self.mention(item)
        fills = self._fillers(mention["id"])
        if fills:
            raise AdjudicationError(f"'{item}' fills {', '.join(fills)}: drop or change that argument in an earlier row")
        entity["mentions"].remove(mention)
        self._remove_if_empty(entity, None)

    def _mention_span(self, item: str, value: str, change: str) -> None:
        entity, mention = self.mention(item)
        span = self.span(value)
        if any((m["start"], m["end"]) == (span["start"], span["end"]) for e in self.data["entities"] for m in e["mentions"]):
            raise AdjudicationError(f"'{value}' is already a mention")
        mention.update(span)
        _sort_mentions(entity)

    def _mention_kind(self, item: str, value: str, change: str) -> None:
        self.mention(item)[1]["kind"] = value.strip()

    def _mention_entity(self, item: str, value: str, change: str) -> None:
        entity, mention = self.mention(item)
        target = self.entity_ref(value, entity["type"], mention["text"])
        if target is entity:
            raise AdjudicationError(f"'{item}' is already a mention of {entity['id']} '{entity['name']}'")
        if target["type"] != entity["type"]:
            raise AdjudicationError(f"'{item}' is {entity['type']} and {target['id']} '{target['name']}' is "
                                    f"{target['type']}: change the entity type in a separate row")
        entity["mentions"].remove(mention)
        target["mentions"].append(mention)
        _sort_mentions(target)
        self._remove_if_empty(entity, target)

    def _entity_type(self, item: str, value: str, change: str) -> None:
        self.mention(item)[0]["type"] = value.strip()

    def _entity_name(self, item: str, value: str, change: str) -> None:
        self.mention(item)[0]["name"] = value.strip()

    def _event_add(self, item: str, value: str, change: str) -> None:
        span = self.span(item)
        parts = value.split()
        if len(parts) != 2:
            raise AdjudicationError(f"'{value}': write {CHANGES['event']['add']}")
        if any((v["trigger"]["start"], v["trigger"]["end"], v["type"]) == (span["start"], span["end"], parts[0])
               for v in self.data["events"]):
            raise AdjudicationError(f"'{item}' already triggers a {parts[0]} event")
        self.data["events"].append({"id": next(self.new_event), "type": parts[0], "realis": parts[1],
                                    "trigger": span, "arguments": []})

    def _event_drop(self, item: str, value: str, change: str) -> None:
        event = self.event(item)
        refs = [s["id"] for s in self.data["stances"] if s["target"] == {"kind": "event", "id": event["id"]}]
        if refs:
            raise AdjudicationError(f"stances {', '.join(refs)} target '{item}': change or drop them in an earlier row")
        self.data["events"].remove(event)

    def _event_type(self, item: str, value: str, change: str) -> None:
        self.event(item)["type"] = value.strip()

    def _event_realis(self, item: str, value: str, change: str) -> None:
        self.event(item)["realis"] = value.strip()

    def _event_trigger(self, item: str, value: str, change: str) -> None:
        self.event(item)["trigger"] = self.span(value)

    def _argument_add(self, item: str, value: str, change: str) -> None:
        event, role, mention = self.argument(item)
        if {"role": role, "mention": mention["id"]} in event["arguments"]:
            raise AdjudicationError(f"'{item}' is already an argument")
        event["arguments"].append({"role": role, "mention": mention["id"]})

    def _existing_argument(self, item: str) -> tuple[dict, dict]:
        event, role, mention = self.argument(item)
        for a in event["arguments"]:
            if a == {"role": role, "mention": mention["id"]}:
                return event, a
        have = ", ".join(f"{a['role']}={locator(self.text, *self._offsets(a['mention']))}" for a in event["arguments"])
        raise AdjudicationError(f"no argument '{item}'; the event has {have or 'no arguments'}")

    def _offsets(self, mention_id: str) -> tuple[int, int]:
        m = self.mention_by_id(mention_id)[1]
        return m["start"], m["end"]

    def _argument_drop(self, item: str, value: str, change: str) -> None:
        event, argument = self._existing_argument(item)
        event["arguments"].remove(argument)

    def _argument_mention(self, item: str, value: str, change: str) -> None:
        event, argument = self._existing_argument(item)
        new = self.mention(value)[1]
        if {"role": argument["role"], "mention": new["id"]} in event["arguments"]:
            raise AdjudicationError(f"'{value}' is already the {argument['role']} of this event: drop the old argument")
        argument["mention"] = new["id"]

    def _argument_role(self, item: str, value: str, change: str) -> None:
        self._existing_argument(item)[1]["role"] = value.strip()

    def _stance_add(self, item: str, value: str, change: str) -> None:
        holder, target = self.stance(item)
        if any(s["holder"] == holder["id"] and s["target"] == target for s in self.data["stances"]):
            raise AdjudicationError(f"the gold already has a stance '{item}': one stance per holder and target "
                                    f"(change its evidence instead)")
        label, colon, evidence = value.partition(":")
        if not colon:
            raise AdjudicationError(f"'{value}': write {CHANGES['stance']['add']}")
        self.data["stances"].append({"id": next(self.new_stance), "holder": holder["id"], "target": target,
                                     "label": label.strip(), "evidence": self.evidence(evidence)})

    def _stance_drop(self, item: str, value: str, change: str) -> None:
        self.data["stances"].remove(self.find_stance(item))

    def _stance_holder(self, item: str, value: str, change: str) -> None:
        stance = self.find_stance(item)
        holder = self.mention(value)[0]
        if any(s is not stance and s["holder"] == holder["id"] and s["target"] == stance["target"]
               for s in self.data["stances"]):
            raise AdjudicationError(f"{holder['id']} '{holder['name']}' already holds a stance on this target: "
                                    f"merge the evidence into it and drop this one")
        stance["holder"] = holder["id"]

    def _stance_target(self, item: str, value: str, change: str) -> None:
        self.find_stance(item)["target"] = self.target(value)

    def _stance_label(self, item: str, value: str, change: str) -> None:
        self.find_stance(item)["label"] = value.strip()

    def _stance_evidence(self, item: str, value: str, change: str) -> None:
        self.find_stance(item)["evidence"] = self.evidence(value)


def row_where(row: dict) -> str:
    line = f"{row.get('_file', '')}:{row['_line']}: " if row.get("_line") else ""
    return f"{line}{row.get('doc_id')} {row.get('layer')} '{row.get('item')}' {row.get('change')}"


def check_row(row: dict) -> None:
    """A row's columns before it is applied: a known layer and change, a rule and a reason."""
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise AdjudicationError(f"the review record needs the columns {', '.join(COLUMNS)} (missing: "
                                f"{', '.join(missing)})")
    layer, change = (row["layer"] or "").strip(), (row["change"] or "").strip()
    if layer not in CHANGES:
        raise AdjudicationError(f"layer '{layer}' is not one of {', '.join(CHANGES)}")
    if change not in CHANGES[layer]:
        raise AdjudicationError(f"a {layer} row's change is one of {', '.join(CHANGES[layer])}, not '{change}'")
    if not (row["rule"] or "").strip() or not (row["reason"] or "").strip():
        raise AdjudicationError("every review row needs the rule it applies and a reason")


def apply_review(gold: dict[str, dict], texts: dict[str, str], rows: Iterable[dict]) -> dict[str, dict]:
    """Apply review rows, in order, to gold annotation dicts keyed by doc id (changed in place and returned)."""
    reviewed: dict[str, Reviewed] = {}
    for row in rows:
        try:
            check_row(row)
            doc_id = row["doc_id"].strip()
            if doc_id not in gold:
                raise AdjudicationError(f"no gold document '{doc_id}'")
            if doc_id not in reviewed:
                reviewed[doc_id] = Reviewed(gold[doc_id], texts[doc_id])
            reviewed[doc_id].apply(row["layer"].strip(), row["item"] or "", row["change"].strip(), row["value"] or "")
        except AdjudicationError as exc:
            raise AdjudicationError(f"{row_where(row)}: {exc}") from None
    return gold


# The review's categories: (name, what one checked item is, counts the gold's items, selects the rows changing them)
CATEGORIES: tuple[tuple[str, str, Callable[[dict], int], Callable[[dict], bool]], ...] = (
    ("mentions", "mention (span, type, kind)", lambda d: sum(len(e["mentions"]) for e in d["entities"]),
     lambda r: r["layer"] == "mention" and r["change"] in ("add", "drop", "span", "kind")),
    ("entities / coreference", "entity (its cluster, type, name)", lambda d: len(d["entities"]),
     lambda r: r["layer"] == "entity" or (r["layer"] == "mention" and r["change"] == "entity")),
    ("triggers", "event (trigger span and type)", lambda d: len(d["events"]),
     lambda r: r["layer"] == "event" and r["change"] in ("add", "drop", "type", "trigger")),
    ("arguments", "argument (role and filler)", lambda d: sum(len(v["arguments"]) for v in d["events"]),
     lambda r: r["layer"] == "argument"),
    ("realis", "event's realis", lambda d: len(d["events"]),
     lambda r: r["layer"] == "event" and r["change"] == "realis"),
    ("stances", "stance (holder, target, label)", lambda d: len(d["stances"]),
     lambda r: r["layer"] == "stance" and r["change"] in ("add", "drop", "holder", "target", "label")),
    ("evidence", "stance's evidence list", lambda d: len(d["stances"]),
     lambda r: r["layer"] == "stance" and r["change"] == "evidence"),
)


def _entity_made_or_removed(before: dict[str, dict], r: dict) -> bool:
    """A mention row that adds an entity (``add`` with ``new`` / ``new: name``) or removes one (``drop`` of the only
    mention of its entity in the adjudicated gold): a change of the entities too."""
    if r["layer"] != "mention":
        return False
    if r["change"] == "add":  # TYPE kind ENTITY
        parts = r["value"].split(None, 2)
        entity = parts[2] if len(parts) == 3 else ""
        return entity == "new" or entity.startswith("new:")
    if r["change"] == "drop":
        text, _, start = r["item"].rpartition("@")
        for e in (before.get(r["doc_id"]) or {}).get("entities", ()):
            if any(m["text"] == text and str(m["start"]) == start for m in e["mentions"]):
                return len(e["mentions"]) == 1
    return False


def review_summary(before: dict[str, dict], rows: Iterable[dict]) -> list[dict]:
    """Per category: how many items the reviewed gold had (``checked``) and how many review rows changed
    (``changed``: distinct items, an added item counting as one change; ``document`` rows are metadata).
    A mention added as a new entity, or the dropped only mention of one, changes the entities too."""
    rows = [{k: str(r.get(k) or "").strip() for k in COLUMNS} for r in rows]
    out = []
    for name, item, count, selects in CATEGORIES:
        changed = {(r["doc_id"], r["item"]) for r in rows
                   if selects(r) or (name == "entities / coreference" and _entity_made_or_removed(before, r))}
        out.append({"category": name, "item": item, "checked": sum(count(d) for d in before.values()),
                    "changed": len(changed)})
    return out
