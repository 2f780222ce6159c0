"""The output contract (`toolkit schema prediction --structured-output`): the strict structured-output
subset of JSON Schema, labels from labels.schema.json, and every instance a valid prediction."""

import json
import re

import jsonschema
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from typer.testing import CliRunner

from toolkit.dataset.gold import load_gold
from toolkit.checks.validate import schema_issues
from toolkit.cli import app
from toolkit.model.labels import inventory, load_schema
from toolkit.predictions.contract import ALLOWED_KEYWORDS, CONTRACT_TASKS, structured_output_schema
from toolkit.predictions.load import prediction_from_dict

runner = CliRunner()
TASK_SETS = [("entities",), ("events",), ("stances",), ("entities", "events"), ("entities", "stances"), ("events", "stances"),
             CONTRACT_TASKS]


def walk(node, path=""):
    """Every schema object of the contract with its path (properties, items, anyOf, $defs)."""
    yield path, node
    for key, child in (node.get("properties") or {}).items():
        yield from walk(child, f"{path}/properties/{key}")
    if isinstance(node.get("items"), dict):
        yield from walk(node["items"], f"{path}/items")
    for i, child in enumerate(node.get("anyOf") or []):
        yield from walk(child, f"{path}/anyOf/{i}")
    for key, child in (node.get("$defs") or {}).items():
        yield from walk(child, f"{path}/$defs/{key}")


@pytest.mark.parametrize("tasks", TASK_SETS, ids=",".join)
def test_the_contract_keeps_to_the_strict_structured_output_subset(tasks):
    schema = structured_output_schema(tasks)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and "anyOf" not in schema and "oneOf" not in schema
    any_of = 0
    for path, node in walk(schema):
        assert set(node) <= ALLOWED_KEYWORDS, (path, set(node) - ALLOWED_KEYWORDS)
        assert not {"dependentRequired", "unevaluatedProperties", "oneOf", "allOf", "not", "if", "const", "minLength"} & set(node)
        if node.get("type") == "object":
            assert node["additionalProperties"] is False, path  # every object closed
            assert node["required"] == list(node["properties"]), path  # every property required
        if "type" in node:
            assert isinstance(node["type"], str) and node["type"] in ("object", "array", "string"), path  # no nullable type lists
        any_of += "anyOf" in node
        if "$ref" in node:
            assert re.fullmatch(r"#/\$defs/\w+", node["$ref"]) and node["$ref"].split("/")[-1] in schema["$defs"]
    assert any_of <= 1  # Anthropic: at most 16 parameters with anyOf or type arrays in a request; we use one
    # no recursion: following the $refs from any definition never comes back to it
    refs = {name: set(re.findall(r'"#/\$defs/(\w+)"', json.dumps(d))) for name, d in schema["$defs"].items()}
    for start in refs:
        seen, todo = set(), list(refs[start])
        while todo:
            name = todo.pop()
            assert name != start, f"{start} is recursive"
            if name not in seen:
                seen.add(name)
                todo.extend(refs[name])


def test_labels_are_the_inventory():
    inv = inventory()
    defs = structured_output_schema()["$defs"]
    assert defs["Entity"]["properties"]["type"]["enum"] == list(inv.entity_types)
    assert defs["Mention"]["properties"]["kind"]["enum"] == list(inv.mention_kinds)
    assert defs["Event"]["properties"]["type"]["enum"] == list(inv.event_types)
    assert defs["Event"]["properties"]["realis"]["enum"] == list(inv.realis)
    assert defs["Argument"]["properties"]["role"]["enum"] == list(inv.all_roles())
    assert defs["Stance"]["properties"]["label"]["enum"] == list(inv.stance_labels)
    topic = defs["Stance"]["properties"]["target"]["anyOf"][0]
    assert topic["properties"]["id"]["enum"] == [a["const"] for a in load_schema("labels.schema.json")["$defs"]["Topic"]["oneOf"]]


def test_targets_follow_the_tasks():
    alone = structured_output_schema(("stances",))["$defs"]["Stance"]["properties"]["target"]
    assert "anyOf" not in alone and alone["properties"]["kind"]["enum"] == ["topic"]
    both = structured_output_schema(("events", "stances"))["$defs"]["Stance"]["properties"]["target"]["anyOf"][1]
    assert both["properties"]["kind"]["enum"] == ["event"]
    assert set(structured_output_schema(("entities",))["properties"]) == {"doc_id", "entities"}
    with pytest.raises(ValueError):
        structured_output_schema(("relations",))


# ---------------------------------------------------------------- every instance is a valid prediction


def instances(schema):
    """A hypothesis strategy of the instances of a contract (its keywords only: object, array, string, enum, pattern, anyOf, $ref)."""
    defs = schema.get("$defs", {})

    def of(node):
        if "$ref" in node:
            return st.deferred(lambda: of(defs[node["$ref"].split("/")[-1]]))
        if "anyOf" in node:
            return st.one_of([of(n) for n in node["anyOf"]])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        kind = node["type"]
        if kind == "object":
            return st.fixed_dictionaries({k: of(v) for k, v in node["properties"].items()})
        if kind == "array":
            return st.lists(of(node["items"]), max_size=3)
        pattern = node.get("pattern")
        return st.from_regex(pattern, fullmatch=pattern.startswith("^")) if pattern else st.text()

    return of(schema)


GOLD = load_gold("annotations")
DOC = GOLD["000_f9a79c641ca46a11"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(TASK_SETS).flatmap(lambda t: st.tuples(st.just(t), instances(structured_output_schema(t)))))
@example((("entities",), {"doc_id": "0", "entities": [{"id": "0", "type": "PER", "mentions": [{"text": "3", "kind": "name"},
                                                                                             {"text": "3", "kind": "name"}]}]}))
def test_every_instance_of_the_contract_is_a_valid_prediction(case):
    tasks, answer = case
    assert list(jsonschema.Draft202012Validator(structured_output_schema(tasks)).iter_errors(answer)) == []
    assert list(schema_issues(answer, "llm.json", "prediction")) == []
    # and it loads: nothing but grounding and reference issues, never a crash (a quote given twice
    # anchors twice to one span: the duplicate-mention warning, as for any prediction)
    answer = dict(answer, doc_id=DOC.doc_id)
    doc, issues, record = prediction_from_dict(answer, DOC, "llm.json")
    assert doc is not None and record.valid and record.scored
    assert {i.code for i in issues} <= {"unanchored-quote", "ambiguous-quote", "normalized-quote", "dangling-reference",
                                        "duplicate-id", "role-not-allowed", "span-text-mismatch", "duplicate-mention"}


def test_an_example_answer_validates_against_the_contract():
    from toolkit.predictions.prompt import example_answers

    for tasks in TASK_SETS:
        validator = jsonschema.Draft202012Validator(structured_output_schema(tasks))
        for _, answer in example_answers(tasks):
            assert list(validator.iter_errors(answer)) == [], (tasks, answer)
            assert list(schema_issues(answer, "example", "prediction")) == []


def test_schema_command_prints_the_contract_and_the_schema_files():
    result = runner.invoke(app, ["schema", "prediction", "--structured-output", "--tasks", "entities,coreference"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == structured_output_schema(("entities",))
    for name in ("annotation", "prediction", "labels", "counts"):
        result = runner.invoke(app, ["schema", name])
        assert result.exit_code == 0 and json.loads(result.stdout) == load_schema(f"{name}.schema.json")
    for args in (["schema", "labels", "--structured-output"], ["schema", "prediction", "--structured-output", "--tasks", "parsing"],
                 ["schema", "nothing"]):
        assert runner.invoke(app, args).exit_code == 2, args
