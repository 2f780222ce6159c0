"""The importers never crash: brat .ann, Label Studio exports, IOB2 and 2-column CoNLL, damaged at random.

Every input ends with exit 0, 1, 2 or 3 (eval: scored, errors counted); an exit other than 0 comes with a message naming the file and
the place (a JSON pointer, or /line/N); nothing raises. Damage (hypothesis): truncation, NUL, a BOM,
CRLF line ends, invalid UTF-8, lone surrogates, wrong JSON types, huge, negative or float offsets,
long strings, deep nesting, arrays where objects belong, references to nothing.
"""

import hashlib
import json
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from toolkit.checks.validate import validate_paths
from toolkit.cli import app
from toolkit.formats.brat import export_brat
from toolkit.formats.iob2 import export_iob2
from toolkit.formats.labelstudio import export_labelstudio, import_labelstudio

FIXTURES = Path(__file__).parent / "fixtures"
TINY = validate_paths([FIXTURES / "valid"]).documents[0]
runner = CliRunner()
SETTINGS = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "120")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                               HealthCheck.too_slow])


def damage_bytes(data: bytes, draw) -> bytes:
    kind = draw(st.sampled_from(["truncate", "nul", "bom", "crlf", "invalid-utf8", "surrogate", "garbage-line", "none"]))
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return data[:at]
    if kind == "nul":
        return data[:at] + b"\0" + data[at:]
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "invalid-utf8":
        return data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80"])) + data[at:]
    if kind == "surrogate":
        return data[:at] + "\ud800".encode("utf-8", "surrogatepass") + data[at:]
    if kind == "garbage-line":
        lines = data.split(b"\n")
        k = draw(st.integers(0, max(0, len(lines) - 1)))
        lines[k] = draw(st.sampled_from([b"T1\tPER -5 3\tx", b"T9\tPER 0 99999999999999999999999\tx", b"T2\tPER 1.5 3\tx",
                                         b"E1\tTrade.Negotiate:T404 Participant:T405", b"A1\tKind T404 name", b"*\tCoref T1 T999",
                                         b"#1\tAnnotatorNotes", b"T3\tNOPE 0 4\tChoi", b"R1\tRel Arg1:T1 Arg2:T2", b"\t\t\t",
                                         b"T1\tPER 0 4\tChoi", b"X" * 100_000, b"E7\t:", b"A2\tRealis E1", b"T5\tPER 0 4;5 9\tx"]))
        return b"\n".join(lines)
    return data


def _digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


_REPO_ROOT = Path(__file__).resolve().parent.parent
REPO = {name: _digest(_REPO_ROOT / name) for name in ("annotations", "seeds")}


def assert_clean(result, name: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    # 0: the damage left a file that still converts (a changed word, say); 3: eval scored what it could
    assert result.exit_code in (0, 1, 2, 3)
    assert "internal error" not in result.output and "Traceback" not in result.output
    if result.exit_code:
        assert name in result.stderr, result.stderr[:500]
        # the place too: a located issue (FILE:POINTER, or FILE: for the whole file) with its code, or a usage error
        # (eval's digest: one line per kind, "error   CODE xN, first: FILE:POINTER: message")
        assert (re.search(r"(:/[^\s]*)?: (error|warning) \[[a-z0-9-]+\]", result.stderr) or "error:" in result.stderr
                or re.search(r"(error|warning) +[a-z0-9-]+ x\d+, first: \S+", result.stderr)), result.stderr[:500]
    assert {n: _digest(_REPO_ROOT / n) for n in ("annotations", "seeds")} == REPO  # the repository's gold is untouched


@SETTINGS
@given(st.data())
def test_brat_import_survives_damage(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("brat")
    shutil.copytree(FIXTURES / "seeds", root / "seeds")
    src = root / "in"
    src.mkdir()
    for name, content in export_brat([TINY]).items():
        (src / name).write_text(content, encoding="utf-8")
    ann = src / "tiny.ann"
    ann.write_bytes(damage_bytes(ann.read_bytes(), data.draw))
    if data.draw(st.booleans()):
        meta = src / "tiny.meta.json"
        meta.write_bytes(damage_bytes(meta.read_bytes(), data.draw))
    r = runner.invoke(app, ["convert", str(src), "--from", "brat", "--to", "json", "--out", str(root / "out"), "--root", str(root)])
    assert_clean(r, "tiny")


NASTY = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True), st.text(max_size=5),
                  st.just("x" * 50_000), st.just([]), st.just({}), st.just([[[[[[[[[[]]]]]]]]]]), st.just({"id": "nothing"}),
                  st.just(-1), st.just(10**30), st.just(1.5), st.just("\ud800"))


def mutate(value, draw, depth=0):
    """``value`` with one node somewhere inside replaced by something nasty."""
    if depth > 12 or not isinstance(value, (dict, list)) or not value or draw(st.integers(0, 4)) == 0:
        return draw(NASTY)
    if isinstance(value, dict):
        key = draw(st.sampled_from(sorted(value)))
        if draw(st.integers(0, 9)) == 0:
            return {k: v for k, v in value.items() if k != key}  # a field missing
        return {**value, key: mutate(value[key], draw, depth + 1)}
    i = draw(st.integers(0, len(value) - 1))
    if draw(st.integers(0, 9)) == 0:
        return value + [value[i]]  # a duplicate
    return value[:i] + [mutate(value[i], draw, depth + 1)] + value[i + 1:]


TASKS = export_labelstudio([TINY])
ANNOTATED = [{**TASKS[0], "annotations": [{"result": TASKS[0]["predictions"][0]["result"], "completed_by": 1}]}]


@SETTINGS
@given(st.data())
def test_labelstudio_import_survives_wrong_shapes(data):
    tasks = mutate(data.draw(st.sampled_from([TASKS, ANNOTATED])), data.draw)
    docs, issues = import_labelstudio(tasks, "export.json")
    for i in issues:
        assert i.file == "export.json" and (i.pointer.startswith("/") or i.pointer == "")


@SETTINGS
@given(st.data())
def test_labelstudio_convert_survives_damage(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("ls")
    shutil.copytree(FIXTURES / "seeds", root / "seeds")
    ascii_ = data.draw(st.booleans())  # True: a lone surrogate arrives as a \\ud800 escape, valid JSON
    raw = json.dumps(mutate(ANNOTATED, data.draw), ensure_ascii=ascii_, allow_nan=True).encode("utf-8", "surrogatepass")
    (root / "export.json").write_bytes(damage_bytes(raw, data.draw) if data.draw(st.booleans()) else raw)
    r = runner.invoke(app, ["convert", str(root / "export.json"), "--from", "labelstudio", "--to", "json",
                            "--out", str(root / "out"), "--root", str(root)])
    assert_clean(r, "export.json")


@SETTINGS
@given(st.data())
def test_token_files_survive_damage(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("iob")
    content, _ = export_iob2([TINY])
    if data.draw(st.booleans()):  # 2-column CoNLL
        content = "\n".join(" ".join(line.split("\t")[::3]) if "\t" in line and not line.startswith("#") else line
                            for line in content.splitlines())
    lines = content.encode().split(b"\n")
    k = data.draw(st.integers(0, len(lines) - 1))
    lines[k] = data.draw(st.sampled_from([lines[k], b"Choi\t-1\t4\tB-PER", b"Choi\t4\t0\tB-PER", b"Choi\t0.5\t4\tB-PER",
                                          b"Choi\t0\t99999999999999999999\tB-PER", b"Choi\t0\t4\tB-", b"# doc_id = ../../x\tO",
                                          b"# doc_id = nosuch\tO", b"-DOCSTART-", b"x" * 100_000, b"\xff\xfe", b"a b c d e"]))
    path = root / data.draw(st.sampled_from(["p.iob2", "p.conll"]))
    path.write_bytes(damage_bytes(b"\n".join(lines), data.draw))
    r = runner.invoke(app, ["eval", "--gold", str(FIXTURES / "valid"), "--pred", str(path)])
    assert_clean(r, path.name)
    r = runner.invoke(app, ["convert", str(path), "--from", "iob2" if path.suffix == ".iob2" else "conll", "--to", "json",
                            "--out", str(root / "out"), "--root", str(FIXTURES.parent / "fixtures")])
    assert_clean(r, path.name)
