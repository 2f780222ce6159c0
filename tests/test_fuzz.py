"""Unbreakable: mutated annotation files never crash validate or publish, and never change the gold.

Hypothesis mutates the valid fixture (truncation, wrong types, missing keys, offsets out of range
or reversed, unknown labels, duplicate ids, dangling references, invalid UTF-8, empty files, huge
numbers, deeply nested junk); every command must end with exit 0, 1 or 2, print a message naming
the file when it fails, and print no traceback. The eval side is covered in test_fuzz_eval.py.
"""

import copy
import hashlib
import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
BASE = json.loads((FIXTURES / "valid" / "tiny.json").read_text())
runner = CliRunner()

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12,
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


ALL_PATHS = [p for p in paths(BASE) if p]


def set_at(doc, path, value):
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def delete_at(doc, path):
    node = doc
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


@st.composite
def mutated(draw):
    """Bytes of a mutated annotation file."""
    kind = draw(st.sampled_from(["set", "delete", "truncate", "bytes", "empty", "nest", "offsets", "label", "dup", "dangle"]))
    doc = copy.deepcopy(BASE)
    if kind == "set":
        set_at(doc, draw(st.sampled_from(ALL_PATHS)), draw(JUNK))
    elif kind == "delete":
        delete_at(doc, draw(st.sampled_from(ALL_PATHS)))
    elif kind == "offsets":
        m = doc["entities"][draw(st.integers(0, 4))]["mentions"][0]
        m[draw(st.sampled_from(["start", "end"]))] = draw(st.integers(-5, 10**20) | st.sampled_from([10**400, -1, 0]))
    elif kind == "label":
        target = draw(st.sampled_from([("entities", 0, "type"), ("events", 0, "type"), ("events", 0, "realis"),
                                       ("stances", 0, "label"), ("entities", 0, "mentions", 0, "kind")]))
        set_at(doc, target, draw(st.text(max_size=12)))
    elif kind == "dup":
        doc["entities"][1]["id"] = doc["entities"][0]["id"]
    elif kind == "dangle":
        doc["stances"][0]["target"] = {"kind": "event", "id": draw(st.text(min_size=1, max_size=6))}
    text = json.dumps(doc, ensure_ascii=False)
    if kind == "truncate":
        return text.encode()[: draw(st.integers(0, len(text) - 1))]
    if kind == "bytes":
        raw = bytearray(text.encode())
        raw[draw(st.integers(0, len(raw) - 1))] = draw(st.sampled_from([0xFF, 0xC3, 0x80, 0x00]))
        return bytes(raw)
    if kind == "empty":
        return draw(st.sampled_from([b"", b"   \n", b"\xef\xbb\xbf"]))
    if kind == "nest":
        depth = draw(st.integers(50, 5000))
        return ("[" * depth + "]" * depth).encode() if draw(st.booleans()) else (
            '{"doc_id": ' + "[" * depth + "]" * depth + "}").encode()
    return text.encode()


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


REPO_STATE = {name: digest(ROOT / name) for name in ("annotations", "seeds")}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=mutated())
def test_validate_and_publish_survive_mutations(tmp_path_factory, raw):
    project = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(FIXTURES / "seeds", project / "seeds")
    (project / "annotations").mkdir()
    target = project / "annotations" / "tiny.json"
    target.write_bytes(raw)
    before = digest(project)
    for args in (["validate", str(project / "annotations")],
                 ["validate", "--format", "json", str(project / "annotations")],
                 ["publish", "--gold", str(project / "annotations"), "--out", str(project / "out")],
                 ["stats", str(project / "annotations")]):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
        assert "Traceback" not in result.output
        if result.exit_code == 1 and args[0] != "publish" or (args[0] == "publish" and result.exit_code == 1):
            assert "tiny.json" in result.output, (args, result.output)
    after = {k: v for k, v in digest(project).items() if not k.startswith("out/")}
    assert after == before  # nothing under annotations/ or seeds/ changed
    assert {name: digest(ROOT / name) for name in ("annotations", "seeds")} == REPO_STATE
