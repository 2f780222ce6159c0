"""Unbreakable: broken annotation, prediction and counts files end in a located error, never a crash.

Hypothesis takes valid files (copies of the gold ``annotations/*.json`` with the seeds, the
baseline's predictions, counts files of ``toolkit eval --counts-only``) and breaks one of them in
one of these ways: truncated JSON, wrong types, missing keys, offsets out of range or reversed,
unknown labels, duplicate ids, dangling references, invalid UTF-8, empty files, huge numbers,
deeply nested junk. Every mutation makes the file invalid, so ``validate``, ``eval`` (gold side
and prediction side) and ``publish`` (and ``merge`` for counts files) must end with exit 1 or 2,
name the broken file with a location (a JSON pointer, or the file itself when it cannot be read
at all) on stderr, print no traceback, and change nothing under the repository's
``annotations/`` and ``seeds/``.

A prediction span whose offsets are wrong but whose text still occurs in the document is
re-anchored by design (a warning, see docs/metrics.md), so the offset mutations of predictions
drop the span's text: the offsets are all the system said.
"""

import copy
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.evaluation.evaluate import evaluate
from toolkit.checks.gold import split_drafts
from toolkit.dataset.gold import load_gold
from toolkit.model.labels import inventory
from toolkit.model.issues import pointer
from toolkit.predictions.load import predictions_from_dicts
from toolkit.evaluation.shards import counts_dict
from toolkit.predictions.systems import load_system, run_system

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

GOLD_FILES = sorted((ROOT / "annotations").glob("*.json"))
# Adjudicated gold only: a draft that `toolkit new` added has no span, id or reference to break.
GOLD_DATA = {p.name: data for p in GOLD_FILES if (data := json.loads(p.read_text(encoding="utf-8"))).get("status") != "draft"}
GOLD = split_drafts(load_gold(ROOT / "annotations"))[0]  # what eval scores: drafts are left out
TEXT_LEN = {d.doc_id: len(d.text) for d in GOLD.values()}
_baseline = load_system("baseline")
PRED_DATA = {f"{d}.json": run_system(_baseline, d, GOLD[d].text) for d in sorted(GOLD)}
_report = evaluate(GOLD, predictions_from_dicts(list(PRED_DATA.values()), GOLD).documents)
COUNTS_DATA = {"counts.json": json.loads(json.dumps(counts_dict(_report, errors=True)))}


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


REPO_STATE = {name: digest(ROOT / name) for name in ("annotations", "seeds")}

# ---------------------------------------------------------------- mutations

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or isinstance(value, float) and value.is_integer():
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def walk(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


def put(doc, path, value):
    get(doc, path[:-1])[path[-1]] = value


def spans(doc):
    """Paths of every span (mention, trigger, evidence) of a document."""
    return [p for p, v in walk(doc) if isinstance(v, dict) and "start" in v and "end" in v]


def required_key(path, kind: str) -> bool:
    """Is the key at ``path`` required by the schema of ``kind`` (so deleting it is an error)?"""
    key = path[-1]
    if not isinstance(key, str):
        return False
    parent = path[-2] if len(path) > 1 else None
    if kind == "gold":
        return key not in ("notes", "url", "language")
    if kind == "pred":
        return (key in ("doc_id", "type", "mentions", "trigger", "role", "holder", "target", "label", "start", "end")
                or (parent == "target" and key in ("kind", "id"))
                or (key == "mention" and len(path) > 2 and path[-3] == "arguments"))
    return len(path) == 1 and key != "errors" or (parent in ("options",)) or key in (
        "correct", "incorrect", "partial", "missed", "spurious", "tp", "fp", "fn", "r_num", "r_den", "p_num", "p_den",
        "strict", "exact", "type", "by_target", "confusion", "task", "doc_id", "start", "end", "text")


def label_paths(doc, kind: str):
    """Paths of label values (entity and mention types, realis, roles, stance labels, target kinds and topics)."""
    out = []
    for path, value in walk(doc):
        if not path or not isinstance(value, str):
            continue
        key = path[-1]
        in_target = len(path) > 1 and path[-2] == "target"
        if key in ("type", "realis", "label") or (key == "kind" and not in_target and len(path) > 3):
            out.append(path)
        elif key == "role" and kind == "gold":  # a prediction's unknown role is a warning: scored as given
            out.append(path)
        elif in_target and (key == "kind" or (key == "id" and get(doc, path[:-1]).get("kind") == "topic")):
            out.append(path)
    return out


def id_groups(doc):
    """Paths of the ids of each kind of item, for duplicates."""
    groups = {"entities": [], "mentions": [], "events": [], "stances": []}
    for path, value in walk(doc):
        if path and path[-1] == "id" and isinstance(value, str) and len(path) >= 3 and path[-3] in groups:
            groups[path[-3]].append(path)
    return [g for g in groups.values() if len(g) >= 2]


def reference_paths(doc):
    out = []
    for path, value in walk(doc):
        if not path or not isinstance(value, str):
            continue
        if path[-1] == "mention" and "arguments" in path or path[-1] == "holder":
            out.append(path)
    for i, stance in enumerate(doc.get("stances", [])):
        out.append(("stances", i, "target"))
    return out


def wrong_value(original):
    """A value of another JSON type than ``original`` (never null: some gold fields may be null)."""
    numeric = json_type(original) in ("integer", "number")
    options = {"integer": st.integers(-(10**6), 10**6), "number": st.floats(0.1, 1e6).filter(lambda f: not f.is_integer()),
               "string": st.text(max_size=6), "array": st.lists(st.integers(), max_size=2), "boolean": st.booleans()}
    return st.one_of(*(s for t, s in options.items() if t != json_type(original) and not (numeric and t in ("integer", "number"))))


@st.composite
def broken(draw, files: dict, kind: str):
    """(file name, bytes, pointer of the damage or None for the whole file, mutation class)."""
    name = draw(st.sampled_from(sorted(files)))
    doc = copy.deepcopy(files[name])
    classes = ["truncate", "wrong-type", "missing-key", "invalid-utf8", "empty", "huge-number", "nested-junk", "not-an-object"]
    if kind in ("gold", "pred"):
        classes += ["offsets", "unknown-label", "duplicate-id", "dangling-reference"]
    mutation = draw(st.sampled_from(classes))
    where = None
    text = None
    if mutation == "wrong-type":
        paths = [p for p, v in walk(doc) if p and v is not None and not (kind == "pred" and "holder" in p)
                 and not (kind == "counts" and "mention_kinds" in p)]
        where = draw(st.sampled_from(paths))
        put(doc, where, draw(wrong_value(get(doc, where))))
    elif mutation == "missing-key":
        where = draw(st.sampled_from([p for p, _ in walk(doc) if p and required_key(p, kind)]))
        del get(doc, where[:-1])[where[-1]]
    elif mutation == "offsets":
        span = draw(st.sampled_from(spans(doc)))
        size = TEXT_LEN[doc["doc_id"]]
        node = get(doc, span)
        how = draw(st.sampled_from(["beyond", "reversed", "negative"]))
        if how == "beyond":
            node["end"] = size + draw(st.integers(1, 10**6))
            where = span + ("end",)
        elif how == "reversed":
            node["start"], node["end"] = node["end"], node["start"] - draw(st.integers(0, node["start"]))
            where = span
        else:
            node["start"] = -draw(st.integers(1, 10**6))
            where = span + ("start",)
        if kind == "pred":
            node.pop("text", None)
    elif mutation == "huge-number":
        numbers = [p for p, v in walk(doc) if p and json_type(v) == "integer"]
        where = draw(st.sampled_from(numbers))
        put(doc, where, draw(st.sampled_from([10**20, 10**400, -(10**400), 2**63, 2**64 + 1])))
        if kind == "pred":
            get(doc, where[:-1]).pop("text", None)
    elif mutation == "unknown-label":
        where = draw(st.sampled_from(label_paths(doc, kind)))
        value = "X-" + draw(st.text(max_size=8))
        assert value not in inventory().entity_types
        put(doc, where, value)
    elif mutation == "duplicate-id":
        group = draw(st.sampled_from(id_groups(doc)))
        i, j = sorted(draw(st.lists(st.integers(0, len(group) - 1), min_size=2, max_size=2, unique=True)))
        where = group[j]
        put(doc, where, get(doc, group[i]))
    elif mutation == "dangling-reference":
        where = draw(st.sampled_from(reference_paths(doc)))
        put(doc, where, {"kind": draw(st.sampled_from(["event", "entity"])), "id": "Zz404"} if where[-1] == "target" else "Zz404")
    elif mutation == "nested-junk":
        depth = draw(st.integers(20, 3000))
        junk = "[" * depth + "]" * depth if draw(st.booleans()) else '{"a": ' * depth + "null" + "}" * depth
        paths = [p for p, v in walk(doc) if p]
        where = draw(st.sampled_from(paths))
        marker = "\u2603JUNK\u2603"
        put(doc, where, marker)
        text = json.dumps(doc, ensure_ascii=False).replace(json.dumps(marker, ensure_ascii=False), junk)
    elif mutation == "not-an-object":
        # a prediction file may hold a JSON array of documents: there, an array holding something else is the damage
        text = json.dumps(draw(st.sampled_from([[[doc]] if kind == "pred" else [doc], "doc", 42, None, True])))
    if text is None:
        text = json.dumps(doc, ensure_ascii=False, indent=draw(st.sampled_from([None, 1])))
    raw = text.encode("utf-8")
    if mutation == "truncate":
        raw = raw[: draw(st.integers(0, len(raw) - 1))]
    elif mutation == "invalid-utf8":
        raw = bytearray(raw)
        raw[draw(st.integers(0, len(raw) - 1))] = draw(st.sampled_from([0xFF, 0xFE, 0xC0, 0xF8]))
        raw = bytes(raw)
    elif mutation == "empty":
        raw = draw(st.sampled_from([b"", b" \n\t", b"\xef\xbb\xbf"]))
    return name, raw, (pointer(*where) if where is not None else None), mutation


# ---------------------------------------------------------------- checks

ISSUE = re.compile(r"^(?P<file>[^\n]+?)(?::(?P<ptr>/[^\n]*?))?: error \[(?P<code>[a-z0-9-]+)\]", re.M)


def check(result, args, target: Path, damage: str | None, codes=(1, 2)):
    """Exit 1 or 2 (or ``codes``), the broken file named with a location, no traceback, no exception."""
    shown = f"{args}\n{result.output}"
    assert result.exit_code in codes, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), (shown, repr(result.exception))
    assert "Traceback" not in result.output and "internal error" not in result.output, shown
    located = [m for m in ISSUE.finditer(result.stderr) if m.group("file") == str(target)]
    assert located, f"no error names {target}:\n{shown}"
    if damage:  # the damage is inside the file: some error points at it (or at what holds it, or inside it)
        pointers = [m.group("ptr") or "" for m in located]
        assert any(related(p, damage) for p in pointers if p) or \
            any(p == "" and m.group("code") == "invalid-json" for p, m in zip(pointers, located)), shown


def related(found: str, damage: str) -> bool:
    """The same place, one inside the other, or two fields of one object (end reported for a start)."""
    parent = damage.rsplit("/", 1)[0]
    return found == damage or found.startswith(damage + "/") or damage.startswith(found + "/") or (
        bool(parent) and found.rsplit("/", 1)[0] == parent)


def unchanged(*folders: Path):
    assert {name: digest(ROOT / name) for name in ("annotations", "seeds")} == REPO_STATE
    for folder, before in folders:
        assert digest(folder) == before


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])


def write_files(folder: Path, files: dict):
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------- the tests


@FUZZ
@given(case=broken(GOLD_DATA, "gold"))
def test_broken_gold_file(tmp_path_factory, case):
    name, raw, damage, _ = case
    project = tmp_path_factory.mktemp("gold")
    shutil.copytree(ROOT / "seeds", project / "seeds")
    (project / "annotations").mkdir()
    for path in GOLD_FILES:
        shutil.copy(path, project / "annotations" / path.name)
    target = project / "annotations" / name
    target.write_bytes(raw)
    write_files(project / "pred", PRED_DATA)
    before = digest(project)
    for args in (["validate", project / "annotations"],
                 ["eval", "--gold", project / "annotations", "--pred", project / "pred"],
                 ["eval", "--gold", project / "annotations", "--system", "baseline", "--counts-only"],
                 ["publish", "--gold", project / "annotations", "--out", project / "published"]):
        check(invoke(*args), args, target, damage)
    unchanged((project, before))


@FUZZ
@given(case=broken(PRED_DATA, "pred"), jsonl=st.booleans())
def test_broken_prediction_file(tmp_path_factory, case, jsonl):
    name, raw, damage, mutation = case
    project = tmp_path_factory.mktemp("pred")
    if jsonl and mutation != "empty" and raw.strip() and b"\n" not in raw:
        # the broken document as one line of a .jsonl file among the valid ones (a blank line is no document)
        target = project / "pred.jsonl"
        lines = [raw if n == name else json.dumps(d, ensure_ascii=False).encode() for n, d in PRED_DATA.items()]
        target.write_bytes(b"\n".join(lines) + b"\n")
        line = sorted(PRED_DATA).index(name)
        damage = pointer(line) + (damage or "") if mutation not in ("invalid-utf8",) else None
        pred = target
    else:
        write_files(project / "pred", {n: d for n, d in PRED_DATA.items() if n != name})
        target = project / "pred" / name
        target.write_bytes(raw)
        pred = project / "pred"
    before = digest(project)
    for args in (["eval", "--gold", ROOT / "annotations", "--pred", pred, "--strict"],
                 ["eval", "--gold", ROOT / "annotations", "--pred", pred, "--counts-only", "--errors", "--strict"]):
        check(invoke(*args), args, target, damage)
    # without --strict the broken document (or item) is counted and the rest scored: exit 3, the same located errors
    args = ["eval", "--gold", ROOT / "annotations", "--pred", pred, "--verbose", "--format", "json"]
    result = invoke(*args)
    check(result, args, target, damage, codes=(3,))
    assert json.loads(result.stdout)["documents"]["scored"] == len(PRED_DATA)
    unchanged((project, before))


@FUZZ
@given(case=broken(COUNTS_DATA, "counts"))
def test_broken_counts_file(tmp_path_factory, case):
    name, raw, damage, _ = case
    project = tmp_path_factory.mktemp("counts")
    target = project / name
    target.write_bytes(raw)
    before = digest(project)
    for args in (["merge", target], ["merge", target, "--format", "json", "--errors"], ["merge", target, "--counts-only"]):
        check(invoke(*args), args, target, damage)
    unchanged((project, before))


def test_the_generator_covers_every_mutation_class():
    classes = {"truncate", "wrong-type", "missing-key", "offsets", "unknown-label", "duplicate-id", "dangling-reference",
               "invalid-utf8", "empty", "huge-number", "nested-junk", "not-an-object"}
    seen = set()

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=broken(GOLD_DATA, "gold"))
    def collect(case):
        seen.add(case[3])

    collect()
    assert seen == classes


# ---------------------------------------------------------------- what the fuzzing found


@pytest.mark.parametrize("content", [b"null", b"null\n"])
def test_a_file_holding_json_null_is_reported_not_skipped(tmp_path, content):
    """`null` used to parse to None, which the readers took for "unreadable, already reported": skipped silently."""
    (tmp_path / "annotations").mkdir()
    target = tmp_path / "annotations" / "x.json"
    target.write_bytes(content)
    result = invoke("validate", tmp_path / "annotations")
    assert result.exit_code == 1
    assert f"{target}: error [not-an-object]" in result.stderr
    lines = tmp_path / "pred.jsonl"
    lines.write_text(json.dumps(PRED_DATA[sorted(PRED_DATA)[0]]) + "\nnull\n")
    result = invoke("eval", "--gold", ROOT / "annotations", "--pred", lines, "--strict")
    assert result.exit_code == 1
    assert f"{lines}:/1: error [not-an-object]" in result.stderr
    result = invoke("eval", "--gold", ROOT / "annotations", "--pred", lines, "--verbose")
    assert result.exit_code == 3 and f"{lines}:/1: error [not-an-object]" in result.stderr


def test_deep_nesting_is_reported_where_it_starts(tmp_path):
    """JSON nested ~980 levels parsed, then blew the recursion limit in jsonschema's error message (a RecursionError)."""
    name = sorted(PRED_DATA)[0]
    text = json.dumps(PRED_DATA[name]).replace('"E1"', "[" * 300 + "]" * 300, 1)
    write_files(tmp_path / "pred", {})
    (tmp_path / "pred" / name).write_text(text)
    result = invoke("eval", "--gold", ROOT / "annotations", "--pred", tmp_path / "pred", "--strict")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"{tmp_path / 'pred' / name}:/entities/0/id: error [invalid-json] JSON nested more than 100 levels deep here" in result.stderr
    result = invoke("eval", "--gold", ROOT / "annotations", "--pred", tmp_path / "pred", "--verbose")
    assert result.exit_code == 3 and "error [invalid-json] JSON nested more than 100 levels deep here" in result.stderr
