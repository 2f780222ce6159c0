"""The compiled schema check (toolkit/checks/fastschema.py) says "valid" exactly when jsonschema finds no error.

Documents: synthetic gold and prediction documents (benchmarks/synth.py), the gold files, every
fixture; each checked as is and after random mutations (values replaced by arbitrary JSON or by
another part of the document, keys deleted or added), against both schemas.
"""

import copy
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synth import _Doc, _roles  # noqa: E402
from toolkit.checks.fastschema import Unsupported, checker, compile_schema, is_valid  # noqa: E402
from toolkit.model.labels import inventory  # noqa: E402
from toolkit.checks.validate import schema_issues, validator  # noqa: E402

KINDS = ("annotation", "prediction")


def jsonschema_ok(data, kind):
    return next(iter(validator(kind).iter_errors(data)), None) is None


def files():
    out = []
    for path in sorted(ROOT.glob("annotations/**/*.json")) + sorted(ROOT.glob("tests/fixtures/**/*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError):
            continue
    return out


FILES = files()
ROLES = _roles()


def synthetic(seed: int) -> tuple[dict, dict]:
    doc = _Doc(random.Random(seed), seed, ROLES)
    gold = doc.gold()
    return gold, doc.prediction()[0]


inv = inventory()
FIELDS = ["schema_version", "doc_id", "seed_file", "sha256", "source", "notes", "system", "entities", "events", "stances",
          "id", "type", "name", "mentions", "start", "end", "text", "kind", "occurrence", "context", "score", "realis",
          "trigger", "arguments", "role", "mention", "holder", "target", "label", "evidence", "publisher", "date",
          "title", "url", "language"]
WORDS = [*inv.entity_types, *inv.mention_kinds, *inv.realis, *inv.stance_labels, *inv.topics, *inv.event_types,
         "topic", "event", "entity", "1.0", "1", "M1", "E1", "V1", "S1", "seeds/x.txt", "seeds/a b.txt", "a" * 64,
         "0" * 64, "A" * 65, "", " ", "2025", "2025-01", "2025-1-1", "x-y", "_x", "Participant"]
SCALARS = (st.none() | st.booleans() | st.integers(-2, 300) | st.sampled_from([0, 1, 1.0, 0.5, -1, 2**70])
           | st.floats(allow_nan=False, width=32) | st.sampled_from(WORDS) | st.sampled_from(FIELDS) | st.text(max_size=4))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=3), inner, max_size=4), max_leaves=8)


def slots(node, out):
    """Every (container, key) of a JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((node, k))
            slots(v, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((node, i))
            slots(v, out)
    return out


@st.composite
def documents(draw):
    source = draw(st.sampled_from(["gold", "pred", "file"]))
    if source == "file":
        doc = copy.deepcopy(draw(st.sampled_from(FILES)))
    else:
        gold, pred = synthetic(draw(st.integers(0, 10**6)))
        doc = gold if source == "gold" else pred
    for _ in range(draw(st.integers(0, 4))):
        places = slots(doc, [])
        op = draw(st.sampled_from(["replace", "graft", "delete", "add"]))
        if op == "add" or not places:
            dicts = [d for d in [doc] + [c[k] for c, k in places] if isinstance(d, dict)]
            if not dicts:
                continue
            target = draw(st.sampled_from(dicts))
            target[draw(st.sampled_from(FIELDS))] = draw(VALUES)
            continue
        container, key = draw(st.sampled_from(places))
        if op == "replace":
            container[key] = draw(VALUES)
        elif op == "graft":
            c2, k2 = draw(st.sampled_from(places))
            container[key] = copy.deepcopy(c2[k2])
        elif isinstance(container, dict):
            del container[key]
        else:
            container.pop(key)
    return doc


@pytest.mark.parametrize("kind", KINDS)
def test_our_schemas_compile(kind):
    check, source = compile_schema(f"{kind}.schema.json")
    assert checker(kind) is not None and "def " in source


@pytest.mark.parametrize("kind", KINDS)
def test_every_file_and_fixture_agrees_with_jsonschema(kind):
    for data in FILES:
        assert is_valid(data, kind) == jsonschema_ok(data, kind), data.get("doc_id") if isinstance(data, dict) else data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_compiled_check_says_valid_iff_jsonschema_finds_no_error(doc):
    for kind in KINDS:
        assert is_valid(doc, kind) == jsonschema_ok(doc, kind), kind


@settings(max_examples=100, deadline=None)
@given(documents())
def test_issues_are_jsonschemas_whatever_the_fast_path_says(doc):
    """On failure the issues are built from jsonschema's errors, as before the compiled check existed."""
    from toolkit.checks import validate

    if not isinstance(doc, dict):
        return  # "not-an-object", before any schema check
    for kind in KINDS:
        fast = list(schema_issues(doc, "f.json", kind))
        errors = sorted(validator(kind).iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
        slow = [i for e in errors for i in validate._issues_from_error(e, "f.json", "", kind)]
        assert fast == slow


def test_unknown_keywords_are_not_compiled(monkeypatch):
    from toolkit.checks import fastschema

    schema = {"type": "object", "properties": {"a": {"type": "integer", "multipleOf": 2}}}
    monkeypatch.setattr(fastschema, "load_schema", lambda name: schema)
    with pytest.raises(Unsupported):
        fastschema.compile_schema("x.schema.json")
