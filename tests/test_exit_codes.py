"""Exit codes as the README says, command by command: 0 success, 1 invalid data, 2 usage error
(and 3 for eval and compare: scored, with errors counted).

One table walks every command through its documented cases (README, "Exit codes"): usage errors
(a path that does not exist, an unknown system or document, a bad option value, a refused output)
exit 2 with a hint; invalid data exits 1 naming the file; a push that cannot be made is non-zero and
says that nothing was uploaded. A command added without cases here fails the coverage test.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.dataset.repository import REGIONS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TINY = json.loads((FIXTURES / "valid" / "tiny.json").read_text(encoding="utf-8"))
runner = CliRunner()


@pytest.fixture(scope="module")
def p(tmp_path_factory) -> Path:
    """A project: a valid corpus, an invalid one, predictions, a draft, passes, decisions, counts."""
    r = tmp_path_factory.mktemp("codes")
    (r / "seeds").mkdir()
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", r / "seeds")
    for name in ("annotations", "bad", "a", "b"):
        (r / name).mkdir()
    for name in ("annotations", "a", "b"):
        shutil.copy(FIXTURES / "valid" / "tiny.json", r / name)
    shutil.copy(FIXTURES / "invalid" / "span-reversed.json", r / "bad" / "tiny.json")
    (r / "pred.json").write_text(json.dumps(TINY))
    (r / "badpred.json").write_text('{"doc_id": "tiny", "entities": [{"type": "PERSON", "mentions": []}]}')
    draft = json.loads(json.dumps(TINY))
    for e in draft["entities"]:
        for m in e["mentions"]:
            del m["start"], m["end"]
    (r / "draft.json").write_text(json.dumps(draft))
    draft["entities"][0]["mentions"][0]["text"] = "Nobody"
    (r / "baddraft.json").write_text(json.dumps(draft))
    (r / "decisions.csv").write_text("doc_id,layer,only_in,start,end,text,label,detail,decision,reason\n")
    (r / "baddecisions.csv").write_text("doc_id,layer,only_in,start,end,text,label,detail,decision\ntiny,mention,a,0,13,x,PER,,explode\n")
    (r / "text.txt").write_text("A new text.")
    (r / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    counts = runner.invoke(app, ["eval", "--gold", str(r / "annotations"), "--pred", str(r / "pred.json"), "--counts-only"])
    (r / "counts.json").write_text(counts.stdout)
    (r / "badcounts.json").write_text('{"format": "toolkit-counts/1"}')
    shutil.copytree(r / "annotations", r / "brat-src")
    for name, gold in (("repo", FIXTURES / "valid" / "tiny.json"), ("badrepo", FIXTURES / "invalid" / "span-reversed.json")):
        (r / name / "annotations").mkdir(parents=True)
        shutil.copytree(r / "seeds", r / name / "seeds")
        shutil.copy(gold, r / name / "annotations" / "tiny.json")
        (r / name / "README.md").write_text("".join(f"<!-- generated:{g} -->\n<!-- /generated:{g} -->\n"
                                                    for g in REGIONS))
    return r


def cases(p: Path, out: Path) -> dict[str, list[tuple[list, int, str]]]:
    """command -> [(arguments, exit code, text that must be on stderr)]."""
    g = ["--gold", p / "annotations"]
    return {
        "validate": [([p / "annotations"], 0, ""), ([p / "bad"], 1, "span-reversed"),
                     ([p / "nope"], 2, "file-not-found"), (["--format", "yaml"], 2, "")],
        "anchor": [([p / "draft.json", "--out", out / "anchored"], 0, ""),
                   ([p / "baddraft.json", "--out", out / "anchored2"], 1, "baddraft.json"),
                   ([p / "nope.json", "--out", out / "x"], 2, "no such draft"),
                   ([p / "draft.json", "--out", p / "seeds"], 2, "refusing")],
        "new": [([p / "text.txt", "--root", out / "newroot"], 0, ""), ([p / "latin1.txt", "--root", out / "newroot"], 1, "invalid-encoding"),
                ([p / "text.txt", "--root", out / "newroot"], 1, "already exists"),
                ([p / "nope.txt", "--root", out / "newroot"], 2, "no such file"),
                ([p / "text.txt", "--root", out / "newroot", "--id", "../x"], 2, "not a valid document id")],
        "stats": [([p / "annotations"], 0, ""), ([p / "bad"], 1, "span-reversed"), ([p / "nope"], 2, "no such")],
        "agree": [([p / "a", p / "b"], 0, ""), ([p / "a", p / "bad"], 1, "span-reversed"), ([p / "a", p / "nope"], 2, "no such")],
        "adjudicate": [([p / "a", p / "b", p / "decisions.csv", "--out", out / "gold"], 0, ""),
                       ([p / "a", p / "b", p / "baddecisions.csv", "--out", out / "gold2"], 1, "baddecisions.csv"),
                       ([p / "a", p / "b", p / "nope.csv", "--out", out / "gold3"], 2, "no such"),
                       ([p / "a", p / "b", p / "decisions.csv", "--out", p / "seeds"], 2, "refusing")],
        "publish": [(["--out", out / "ds", *g], 0, ""), (["--out", out / "ds2", "--gold", p / "bad"], 1, "span-reversed"),
                    (["--out", p / "annotations", *g], 2, "refusing"), (["--out", out / "ds3", "--gold", p / "nope"], 2, "no such"),
                    (["--out", out / "ds4", *g, "--push-to-hub", "someone/data"], 2, "nothing was uploaded")],
        "convert": [([p / "annotations", "--from", "json", "--to", "brat", "--out", out / "brat"], 0, ""),
                    ([p / "bad", "--from", "json", "--to", "brat", "--out", out / "brat2"], 1, "span-reversed"),
                    ([p / "nope", "--from", "json", "--to", "brat", "--out", out / "brat3"], 2, "no such"),
                    ([p / "annotations", "--from", "yaml", "--to", "brat", "--out", out / "brat4"], 2, ""),
                    ([p / "annotations", "--from", "json", "--to", "conll", "--out", out / "conll"], 2, "--to iob2"),
                    ([p / "nope.iob2", "--from", "iob2", "--to", "brat", "--out", out / "brat5"], 2, "--to json"),
                    ([p / "annotations", "--from", "json", "--to", "brat", "--out", p / "seeds"], 2, "refusing")],
        "eval": [([*g, "--pred", p / "pred.json"], 0, ""), ([*g, "--pred", p / "badpred.json", "--strict"], 1, "unknown-label"),
                 ([*g, "--pred", p / "badpred.json"], 3, "unknown-label"),
                 (["--gold", p / "bad", "--pred", p / "pred.json"], 1, "span-reversed"),
                 ([*g, "--pred", p / "nope.json"], 2, "no such"), ([*g, "--system", "nosuch"], 2, "unknown system"),
                 ([*g, "--system", "no.such.module:f"], 2, "cannot import"), ([*g, "--pred", p / "pred.json", "--tasks", "x"], 2, ""),
                 (["--gold", p / "nope", "--pred", p / "pred.json"], 2, "no such"),
                 ([*g, "--pred", p / "pred.json", "--out", p / "seeds" / "r.txt"], 2, "refusing")],
        "compare": [([p / "pred.json", "system:empty", *g, "--resamples", "10"], 0, ""),
                    ([p / "badpred.json", "system:empty", *g, "--strict"], 1, "unknown-label"),
                    ([p / "badpred.json", "system:empty", *g, "--resamples", "10"], 3, "unknown-label"),
                    ([p / "nope.json", "system:empty", *g], 2, "no such"), (["system:nosuch", "system:empty", *g], 2, "unknown system")],
        "merge": [([p / "counts.json"], 0, ""), ([p / "badcounts.json"], 1, "badcounts.json"), ([p / "nope.json"], 2, "file-not-found"),
                  ([p / "counts.json", "--out", p / "annotations" / "m.json"], 2, "refusing")],
        "show": [(["tiny", *g], 0, ""), (["tiny", *g, "--pred", p / "badpred.json"], 1, "unknown-label"),
                 (["nope", *g], 2, "no document"), (["tiny", *g, "--pred", p / "nope.json"], 2, "no such"),
                 (["tiny", *g, "--system", "nosuch"], 2, "unknown system"), (["tiny", *g, "--html", p / "seeds" / "x.html"], 2, "refusing")],
        "regenerate": [(["--root", p / "repo"], 0, ""), (["--root", p / "badrepo"], 1, "span-reversed"),
                       (["--root", p / "nope"], 2, "no such")],
        "schema": [(["prediction"], 0, ""), (["nosuch"], 2, ""), (["annotation", "--structured-output"], 2, "")],
        "prompt": [(["--doc", "tiny", *g], 0, ""), (["--text", p / "latin1.txt"], 1, "invalid-encoding"),
                   (["--doc", "nope", *g], 2, "no document"), (["--text", p / "nope.txt"], 2, "no such file"),
                   (["--doc", "tiny", *g, "--out", p / "seeds" / "prompt.txt"], 2, "refusing")],
    }


# the codes each command documents (README, "Exit codes"): 3 is eval's and compare's "scored, with errors counted";
# schema reads no data, so it has no invalid-data case
CODES = {"eval": {0, 1, 2, 3}, "compare": {0, 1, 2, 3}, "schema": {0, 2}}


def test_every_command_has_its_cases(p, tmp_path):
    assert set(cases(p, tmp_path)) == set(typer.main.get_command(app).commands)


def _unwrapped(panel: str) -> str:
    """A usage error's text as one line: typer draws it in a box as wide as the terminal, so a long
    path (a test's temporary folder) moves its line breaks, and "no such" may be cut in two."""
    return re.sub(r"[\s\u2500-\u257f]+", " ", panel)


@pytest.mark.parametrize("command", sorted(cases(Path("."), Path("."))))
def test_exit_codes(p, tmp_path, monkeypatch, command):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    seen = set()
    for args, code, text in cases(p, tmp_path)[command]:
        result = runner.invoke(app, [command, *map(str, args)])
        shown = f"{command} {' '.join(map(str, args))}\n{result.output[:2000]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (shown, repr(result.exception))
        assert result.exit_code == code, shown
        assert text in result.stderr or text in _unwrapped(result.stderr), shown
        if code == 2 and text:
            assert "hint:" in result.stderr or "Usage:" in result.stderr or "file-not-found" in result.stderr, shown
        seen.add(code)
    assert seen == CODES.get(command, {0, 1, 2}), f"{command}: every command has a case of each exit code it documents"
