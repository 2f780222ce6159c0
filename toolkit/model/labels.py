"""Label inventories, read from ``labels.schema.json`` (the one place they are defined).

The JSON Schemas reference the same file, so the code and the schema can never disagree:
adding a label is a change to ``schema/labels.schema.json`` plus its guideline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

SCHEMA_FILES = ("labels.schema.json", "annotation.schema.json", "prediction.schema.json")


def schema_dir() -> Path:
    """The folder holding the JSON Schemas: inside the installed package, else the repository's ``schema/``."""
    packaged = Path(__file__).resolve().parent.parent / "schema"
    if (packaged / "labels.schema.json").is_file():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "schema"


@cache
def load_schema(name: str) -> dict:
    """Parse one of the schema files by name (cached)."""
    with open(schema_dir() / name, encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Inventory:
    """Every label of the scheme, with its one-line definition."""

    entity_types: Mapping[str, str]
    mention_kinds: Mapping[str, str]
    realis: Mapping[str, str]
    stance_labels: Mapping[str, str]
    topics: Mapping[str, str]
    event_types: Mapping[str, str]
    roles: Mapping[str, Mapping[str, tuple[str, ...]]]
    """event type -> role -> entity types the role admits."""

    def all_roles(self) -> tuple[str, ...]:
        """Every role name used by any event type, sorted."""
        return tuple(sorted({r for roles in self.roles.values() for r in roles}))


def _labels(defs: dict, name: str) -> dict[str, str]:
    return {alt["const"]: alt.get("description", "") for alt in defs[name]["oneOf"]}


@cache
def inventory() -> Inventory:
    """The label inventory of ``labels.schema.json``."""
    defs = load_schema("labels.schema.json")["$defs"]
    roles = {
        alt["const"]: MappingProxyType({r: tuple(ts) for r, ts in alt["x-roles"].items()})
        for alt in defs["EventType"]["oneOf"]
    }
    return Inventory(
        entity_types=MappingProxyType(_labels(defs, "EntityType")),
        mention_kinds=MappingProxyType(_labels(defs, "MentionKind")),
        realis=MappingProxyType(_labels(defs, "Realis")),
        stance_labels=MappingProxyType(_labels(defs, "StanceLabel")),
        topics=MappingProxyType(_labels(defs, "Topic")),
        event_types=MappingProxyType(_labels(defs, "EventType")),
        roles=MappingProxyType(roles),
    )
