"""Bad input never ends in an internal error: every reader checks its input's shape before using it.

Property tests (hypothesis, strategies in tests/damage.py) for each reader of the toolkit: gold
annotation files (JSON and JSONL), prediction files (JSON and JSONL), counts files of
``toolkit eval --counts-only``, the adjudicator's decisions CSV and the annotator's anchor
drafts. Each input is damaged at the byte level (truncation, NUL, BOM, CRLF, invalid UTF-8, a
lone surrogate) or in its JSON (wrong types, huge, negative or float offsets, integers of more
than 4300 digits, 300,000-character strings, names over 255 bytes, nesting deeper than 100,
arrays where objects belong, references to nothing, misspelt keys, lone-surrogate escapes).

Every run must end with exit 0, 1 or 2 (1 or 2 whenever the damage makes the input invalid),
never with an exception or "internal error"; a failure names the damaged file on stderr; the
output stays small (long texts are shortened); nothing under the project's or the repository's
``annotations/`` and ``seeds/`` changes.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from damage import damaged_bytes, damaged_json
from toolkit.annotation.adjudicate import COLUMNS
from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TINY = json.loads((FIXTURES / "valid" / "tiny.json").read_text(encoding="utf-8"))
runner = CliRunner()

REFERENCES = (("events", "*", "arguments", "*", "mention"), ("stances", "*", "holder"), ("stances", "*", "target", "id"))
SOURCE_NULLABLE = tuple(("source", k) for k in ("publisher", "date", "title", "url"))  # "type": ["string", "null"] in the schema
MAX_OUTPUT = 200_000  # characters of stdout + stderr: a 300,000-character string must be shortened


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


REPO = {name: digest(ROOT / name) for name in ("annotations", "seeds")}
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])


def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("p")
    (folder / "seeds").mkdir()
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", folder / "seeds" / "tiny.txt")
    (folder / "annotations").mkdir()
    return folder


def check(args, target: Path, must_fail: bool, guarded: list[Path], refused=(1, 2), max_output=MAX_OUTPUT):
    before = {g: digest(g) for g in guarded}
    result = runner.invoke(app, [str(a) for a in args])
    shown = f"{args}\n{result.output[:3000]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (shown, repr(result.exception))
    assert "internal error" not in result.output and "Traceback" not in result.output, shown
    assert result.exit_code in (refused if must_fail else (0, *refused)), shown
    if result.exit_code:
        assert str(target) in result.output, f"no message names {target}:\n{shown}"  # stderr, or stdout for --format json
        # and the place: a located issue "FILE:POINTER: error [code]" (POINTER empty for the whole file) or, for a
        # refused command line, an "error:" line naming the file
        located = re.search(re.escape(str(target)) + r"(:/[^\s]*)?: (error|warning) \[[a-z0-9-]+\]", result.output)
        usage = re.search(r"error: [^\n]*" + re.escape(str(target)), result.output)
        assert located or usage or '"file"' in result.output, f"no located message for {target}:\n{shown}"
    assert len(result.output) < max_output, f"{len(result.output)} characters of output"
    for g in guarded:
        assert digest(g) == before[g], f"{g} changed"
    assert {name: digest(ROOT / name) for name in ("annotations", "seeds")} == REPO
    return result


def jsonl_of(raw: bytes, line: int = 1) -> bytes:
    """``raw`` as line ``line`` of a JSONL file whose other lines are valid (a damaged byte may hold a newline)."""
    good = json.dumps({"doc_id": "tiny", "entities": []}).encode()
    lines = [good, good]
    lines[line] = raw.replace(b"\n", b" ") if raw.strip() else b"[]"
    return b"\n".join(lines) + b"\n"


# ---------------------------------------------------------------- gold


GOLD_RAW = json.dumps(TINY, ensure_ascii=False, indent=1).encode()


@FUZZ
@given(case=st.one_of(damaged_bytes(GOLD_RAW),
                      damaged_json(TINY, names=("doc_id", "seed_file"), references=REFERENCES, nullable=SOURCE_NULLABLE)), jsonl=st.booleans())
def test_damaged_gold(tmp_path_factory, case, jsonl):
    raw, kind, must_fail = case
    folder = project(tmp_path_factory)
    target = folder / "annotations" / ("tiny.jsonl" if jsonl else "tiny.json")
    if jsonl:  # the document on one line (JSON escapes the newlines inside strings)
        raw = raw.replace(b"\n", b"")
    target.write_bytes(raw)
    for args in (["validate", folder / "annotations"], ["validate", "--format", "json", target],
                 ["eval", "--gold", folder / "annotations", "--system", "empty", "--tasks", "entities"],
                 ["stats", folder / "annotations"]):
        check(args, target, must_fail, [folder])


# ---------------------------------------------------------------- predictions


@FUZZ
@given(case=st.one_of(damaged_bytes(GOLD_RAW), damaged_json(TINY, references=REFERENCES, nullable=SOURCE_NULLABLE)), jsonl=st.booleans())
def test_damaged_prediction(tmp_path_factory, case, jsonl):
    raw, kind, must_fail = case
    folder = project(tmp_path_factory)
    target = folder / ("pred.jsonl" if jsonl else "pred.json")
    target.write_bytes(jsonl_of(raw) if jsonl else raw)
    # A prediction's source is free-form (a misspelt or retyped key there is fine), and a span whose offsets are
    # wrong but whose text occurs is re-anchored with a warning (docs/metrics.md): those may score (exit 0).
    # A .json prediction file may also hold a JSON array of documents.
    may_pass = kind in ("misspelt-key", "wrong-type", "huge-offset", "array-for-root")
    # --strict refuses (1); without it the damage is counted and the rest scored (3, the same located errors)
    # The counts (JSON data, texts kept whole) may quote the input: bounded by its size, not by MAX_OUTPUT.
    data_bound = 4 * len(raw) + MAX_OUTPUT
    for args, refused, bound in ((["eval", "--gold", FIXTURES / "valid", "--pred", target, "--strict"], (1, 2), MAX_OUTPUT),
                                 (["eval", "--gold", FIXTURES / "valid", "--pred", target, "--counts-only", "--errors", "--strict"],
                                  (1, 2), data_bound),
                                 (["eval", "--gold", FIXTURES / "valid", "--pred", target, "--verbose"], (1, 2, 3), MAX_OUTPUT)):
        check(args, target, must_fail and not may_pass, [folder], refused, bound)


# ---------------------------------------------------------------- counts files


def _counts() -> dict:
    result = runner.invoke(app, ["eval", "--gold", str(FIXTURES / "valid"), "--pred", str(FIXTURES / "valid" / "tiny.json"),
                                 "--counts-only", "--errors"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


COUNTS = _counts()
COUNTS_RAW = json.dumps(COUNTS, indent=1).encode()


@FUZZ
@given(case=st.one_of(damaged_bytes(COUNTS_RAW), damaged_json(COUNTS, offsets=False, names=(), keys=False)))
def test_damaged_counts_file(tmp_path_factory, case):
    raw, kind, must_fail = case
    folder = tmp_path_factory.mktemp("c")
    target = folder / "counts.json"
    target.write_bytes(raw)
    # per-document counts are keyed by doc id: a wrong type or long string there may be a valid count of another document
    for args in (["merge", target], ["merge", target, "--errors", "--format", "markdown"], ["merge", target, "--counts-only"]):
        check(args, target, must_fail and kind not in ("wrong-type",), [folder])


# ---------------------------------------------------------------- adjudication CSV


def _passes(root: Path) -> tuple[Path, Path]:
    shutil.copytree(FIXTURES / "valid", root / "a")
    b = copy.deepcopy(TINY)
    b["entities"][0]["mentions"].pop(1)   # "He" only in pass A
    b["entities"][1]["type"] = "ORG"       # Scott Bessent: PER in A, ORG in B
    b["events"][0]["realis"] = "other"
    (root / "b").mkdir()
    (root / "b" / "tiny.json").write_text(json.dumps(b))
    return root / "a", root / "b"


def _decisions() -> bytes:
    import tempfile

    from toolkit.evaluation.agreement import agreement, differences_table

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(FIXTURES / "seeds", Path(tmp) / "seeds", symlinks=True)
        rows = differences_table(agreement(*_passes(Path(tmp))))
    decide = {("mention", "a", "Scott Bessent"): "drop", ("mention", "b", "Scott Bessent"): "add",
              ("mention", "a", "He"): "keep", ("realis", "both", "met"): "b"}
    rows["decision"] = [decide.get((l, o, t), "") for l, o, t in zip(rows.layer, rows.only_in, rows.text)]
    rows["reason"] = "read the sentence"
    return rows.to_csv(index=False).encode()


DECISIONS = _decisions()
CELL_JUNK = st.sampled_from(["", "x", "-5", "1.5", "1e3", "1" * 5000, "x" * 300_000, "../../etc/passwd",
                             "drop", "add", "b", "both", "mention", "stance label", "\ufeff", "\ud800", "0", "99999"])


@st.composite
def damaged_csv(draw):
    rows = list(csv.reader(io.StringIO(DECISIONS.decode())))
    how = draw(st.sampled_from(["cell", "drop-column", "extra-cell", "short-row", "bytes"]))
    if how == "bytes":
        return draw(damaged_bytes(DECISIONS, csv=True))
    i = draw(st.integers(1 if how != "drop-column" else 0, len(rows) - 1))
    j = draw(st.integers(0, len(rows[0]) - 1))
    if how == "cell":
        rows[i][j] = draw(CELL_JUNK)
    elif how == "drop-column":
        for row in rows:
            del row[j]
    elif how == "extra-cell":
        rows[i].append("surplus")
    else:
        rows[i] = rows[i][: draw(st.integers(1, len(rows[i]) - 1))]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    required = [DECISIONS.decode().splitlines()[0].split(",").index(c) for c in COLUMNS]
    # a row may end before its (optional) reason; the text and reason columns are for people
    must_fail = how == "extra-cell" or (how == "short-row" and len(rows[i]) <= max(required)) or (
        how == "drop-column" and j in required)
    return out.getvalue().encode("utf-8", "surrogatepass"), how, must_fail


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=damaged_csv())
def test_damaged_decisions_csv(tmp_path_factory, case):
    raw, kind, must_fail = case
    folder = tmp_path_factory.mktemp("adj")
    shutil.copytree(FIXTURES / "seeds", folder / "seeds", symlinks=True)
    a, b = _passes(folder)
    target = folder / "decisions.csv"
    target.write_bytes(raw)
    result = check(["adjudicate", a, b, target, "--out", folder / "gold"], target, must_fail, [a, b, folder / "seeds"])
    if result.exit_code:
        assert not (folder / "gold").exists() or not any((folder / "gold").iterdir())  # nothing half written


def test_undamaged_decisions_adjudicate(tmp_path):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds", symlinks=True)
    a, b = _passes(tmp_path)
    (tmp_path / "d.csv").write_bytes(DECISIONS)
    result = runner.invoke(app, ["adjudicate", str(a), str(b), str(tmp_path / "d.csv"), "--out", str(tmp_path / "gold")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gold" / "tiny.json").is_file()


# ---------------------------------------------------------------- anchor drafts


def _draft() -> dict:
    draft = copy.deepcopy(TINY)
    for key in ("schema_version", "seed_file", "sha256"):
        del draft[key]
    for e in draft["entities"]:
        for m in e["mentions"]:
            del m["start"], m["end"]
    del draft["events"][0]["trigger"]["start"], draft["events"][0]["trigger"]["end"]
    for x in draft["stances"][0]["evidence"]:
        del x["start"], x["end"]
    return draft


DRAFT = _draft()
DRAFT_RAW = json.dumps(DRAFT, indent=1).encode()


@FUZZ
@given(case=st.one_of(damaged_bytes(DRAFT_RAW), damaged_json(DRAFT, offsets=False, references=REFERENCES, nullable=SOURCE_NULLABLE)))
def test_damaged_anchor_draft(tmp_path_factory, case):
    raw, kind, must_fail = case
    folder = project(tmp_path_factory)
    target = folder / "draft.json"
    target.write_bytes(raw)
    result = check(["anchor", target, "--out", folder / "annotations" / "passes" / "a"], target, must_fail,
                   [folder / "seeds"])
    if result.exit_code:
        assert not (folder / "annotations" / "passes" / "a" / "tiny.json").exists()
        assert str(folder / "annotations" / "passes") not in result.stderr  # problems name the draft, not the output


def test_undamaged_draft_anchors(tmp_path):
    (tmp_path / "seeds").mkdir()
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", tmp_path / "seeds")
    (tmp_path / "draft.json").write_bytes(DRAFT_RAW)
    result = runner.invoke(app, ["anchor", str(tmp_path / "draft.json"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "tiny.json").read_text()) == TINY
