"""The output contract for LLMs: a JSON Schema that strict structured-output modes accept.

``toolkit schema prediction --structured-output [--tasks ...]`` prints :func:`structured_output_schema`.
It describes a *subset* of ``schema/prediction.schema.json`` (every instance valid against it is a
valid prediction for ``toolkit eval``; tests/test_contract.py checks this with hypothesis) written in
the subset of JSON Schema that the strict modes of the common LLM APIs accept:

- OpenAI Structured Outputs with ``strict: true`` ("Supported schemas" in the Structured Outputs
  guide, platform.openai.com/docs/guides/structured-outputs): the root is an object and not
  ``anyOf``; every object has ``additionalProperties: false`` and lists every property in
  ``required`` (an optional field is written as required and nullable); supported types string,
  number, boolean, integer, object, array, enum, anyOf; ``$defs``/``$ref``; string ``pattern``;
  not ``allOf``, ``not``, ``if``/``then``/``else``, ``dependentRequired``, ``dependentSchemas``,
  ``patternProperties``, ``unevaluatedProperties``.
- Anthropic structured outputs (``output_config.format``, and strict tool use; "JSON Schema
  limitations" in docs.claude.com/.../structured-outputs): ``additionalProperties: false`` on
  every object; basic types, ``enum``, ``const``, ``anyOf``, local ``$ref``/``$defs``,
  ``required``, simple ``pattern``; not recursive schemas, numerical constraints (``minimum``,
  ``maximum``, ``multipleOf``), string length (``minLength``, ``maxLength``), array constraints
  beyond ``minItems`` 0 or 1; a budget of 24 optional parameters and 16 parameters using
  ``anyOf`` or type arrays per request.

So the contract uses only: ``type`` (object, array, string), ``properties``, ``required`` (all
properties), ``additionalProperties: false``, ``items``, ``enum``, ``anyOf`` (one, below the root),
``pattern`` (a non-whitespace character; an id's characters), ``$defs``/``$ref`` (local, not
recursive), ``title`` and ``description``. It has no optional and no nullable property (each
field is needed to score), and one ``anyOf`` (a stance target is a topic, or an event or entity
id). Labels are ``enum``s taken from ``schema/labels.schema.json``; roles are the union of every
event type's roles (a role the type lacks is scored as given and matches no gold argument).

The shape, for an LLM: spans are quotes (``{"text": ...}``), never offsets; the toolkit grounds
them (:mod:`toolkit.predictions.grounding`). Entities carry an id (events and stances may target
them); events carry an id (stances may target them); a stance's holder is a quote of one of the
holder's mentions.
"""

from __future__ import annotations

from typing import Iterable

from toolkit.model.labels import inventory

CONTRACT_TASKS = ("entities", "events", "stances")
"""The tasks a contract can ask for (``coreference`` is the entities' clustering, asked with ``entities``)."""

ALLOWED_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties", "items", "enum", "anyOf",
                              "pattern", "$defs", "$ref", "title", "description"})
"""Every keyword the contract may use (the intersection above); tests/test_contract.py checks the emitted schema against it."""

NON_EMPTY = r"\S"
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


def contract_tasks(tasks: Iterable[str]) -> tuple[str, ...]:
    """The contract tasks of ``tasks`` in canonical order (``coreference`` means ``entities``); ValueError on another name."""
    wanted = set()
    for t in tasks:
        if t == "coreference":
            t = "entities"
        if t not in CONTRACT_TASKS:
            raise ValueError(f"unknown task {t!r}; the contract covers {', '.join(CONTRACT_TASKS)} (and coreference, with entities)")
        wanted.add(t)
    return tuple(t for t in CONTRACT_TASKS if t in wanted)


def _text(description: str) -> dict:
    return {"type": "string", "pattern": NON_EMPTY, "description": description}


def _span(description: str) -> dict:
    return {"type": "object", "description": description, "properties": {"text": _text("The exact words of the document, copied character for character.")},
            "required": ["text"], "additionalProperties": False}


def _enum(values: Iterable[str], description: str) -> dict:
    return {"type": "string", "enum": list(values), "description": description}


def structured_output_schema(tasks: Iterable[str] = CONTRACT_TASKS) -> dict:
    """The JSON Schema of an LLM's answer for one document (module docstring), for ``tasks``."""
    tasks = contract_tasks(tasks)
    if not tasks:
        raise ValueError("ask for at least one task")
    inv = inventory()
    defs: dict = {}
    props: dict = {"doc_id": _text("The id of the document, as given.")}
    if "entities" in tasks:
        defs["Mention"] = {
            "type": "object", "description": "One mention of the entity: a quote of the document.",
            "properties": {"text": _text("The mention's exact words in the document (no determiner, no trailing punctuation)."),
                           "kind": _enum(inv.mention_kinds, "How the mention refers: name, nominal or pronoun.")},
            "required": ["text", "kind"], "additionalProperties": False}
        defs["Entity"] = {
            "type": "object", "description": "One real-world entity: all its mentions in the document.",
            "properties": {"id": {"type": "string", "pattern": ID_PATTERN, "description": "An id unique in the answer, e.g. E1."},
                           "type": _enum(inv.entity_types, "The entity type."),
                           "mentions": {"type": "array", "items": {"$ref": "#/$defs/Mention"}, "description": "Every mention, in text order."}},
            "required": ["id", "type", "mentions"], "additionalProperties": False}
        props["entities"] = {"type": "array", "items": {"$ref": "#/$defs/Entity"}}
    if "events" in tasks:
        defs["Argument"] = {
            "type": "object", "description": "A participant or attribute of the event.",
            "properties": {"role": _enum(inv.all_roles(), "The role; use only the roles of the event's type."),
                           "text": _text("The exact words of the mention that fills the role.")},
            "required": ["role", "text"], "additionalProperties": False}
        defs["Event"] = {
            "type": "object", "description": "One event mention.",
            "properties": {"id": {"type": "string", "pattern": ID_PATTERN, "description": "An id unique in the answer, e.g. V1."},
                           "type": _enum(inv.event_types, "The event type."),
                           "realis": _enum(inv.realis, "Whether it happened (actual), is generic, or other."),
                           "trigger": _span("The word (or minimal fixed phrase) that most clearly expresses the event."),
                           "arguments": {"type": "array", "items": {"$ref": "#/$defs/Argument"}}},
            "required": ["id", "type", "realis", "trigger", "arguments"], "additionalProperties": False}
        props["events"] = {"type": "array", "items": {"$ref": "#/$defs/Event"}}
    if "stances" in tasks:
        targets: list[dict] = [{
            "type": "object", "description": "A debated question of the inventory.",
            "properties": {"kind": _enum(["topic"], "A topic."), "id": _enum(inv.topics, "The topic.")},
            "required": ["kind", "id"], "additionalProperties": False}]
        other = [k for k, t in (("event", "events"), ("entity", "entities")) if t in tasks]
        if other:
            targets.append({
                "type": "object", "description": "An event or entity of this answer, by its id.",
                "properties": {"kind": _enum(other, "What the id names."),
                               "id": {"type": "string", "pattern": ID_PATTERN, "description": "The id of an event or entity of this answer."}},
                "required": ["kind", "id"], "additionalProperties": False})
        defs["Stance"] = {
            "type": "object", "description": "A position a holder takes towards a target.",
            "properties": {"holder": _span("A mention of the holder (an entity), quoted."),
                           "target": targets[0] if len(targets) == 1 else {"anyOf": targets},
                           "label": _enum(inv.stance_labels, "favour, against or neutral."),
                           "evidence": {"type": "array", "items": {"$ref": "#/$defs/Quote"},
                                        "description": "The minimal clause or quotation that shows the stance."}},
            "required": ["holder", "target", "label", "evidence"], "additionalProperties": False}
        defs["Quote"] = _span("A stretch of the document, quoted exactly.")
        props["stances"] = {"type": "array", "items": {"$ref": "#/$defs/Stance"}}
    return {
        "title": "prediction",
        "description": "Extraction results for one document; every span is an exact quote of the document. "
                       "Scored by `toolkit eval` (schema/prediction.schema.json is the full format).",
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
        "$defs": defs,
    }
