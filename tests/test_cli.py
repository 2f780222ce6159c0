"""The command line: exit codes, streams, help and documentation of every command."""

import json
import shutil
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
runner = CliRunner()


def commands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_every_command_has_help_and_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(commands()) >= 2
    for name in commands():
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage" in result.output
        assert f"toolkit {name}" in readme, f"README.md does not document `toolkit {name}`"


def test_help_and_usage_errors_import_no_data_library():
    """`toolkit --help`, every command's --help and a usage error load only the CLI (typer): pandas,
    numpy and pyarrow (0.5 s of imports) come with the commands that read data."""
    import subprocess
    import sys

    calls = [["--help"], *([name, "--help"] for name in commands()), ["eval", "--tasks", "nope"]]
    code = ("import json, sys; from typer.testing import CliRunner; from toolkit.cli import app; "
            "codes = [CliRunner().invoke(app, args).exit_code for args in json.loads(sys.argv[1])]; "
            "print(json.dumps([codes, sorted(m for m in ('pandas', 'numpy', 'pyarrow', 'datasets') if m in sys.modules)]))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(calls)], capture_output=True, text=True, check=True, cwd=ROOT)
    codes, loaded = json.loads(done.stdout)
    assert codes == [0] * (len(calls) - 1) + [2] and loaded == []


def test_validate_valid_exits_0():
    result = runner.invoke(app, ["validate", str(FIXTURES / "valid")])
    assert result.exit_code == 0
    assert "0 error(s)" in result.stdout


def test_validate_invalid_exits_1_with_located_errors_on_stderr():
    path = FIXTURES / "invalid" / "span-text-mismatch.json"
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:/entities/1/mentions/0/text: error [span-text-mismatch]" in result.stderr
    assert "Traceback" not in result.output


def test_validate_every_broken_fixture_without_traceback():
    result = runner.invoke(app, ["validate", str(FIXTURES / "invalid")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_validate_json_format_is_machine_readable():
    path = FIXTURES / "invalid" / "unknown-label.json"
    result = runner.invoke(app, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["issues"][0]["code"] == "unknown-label"
    assert data["issues"][0]["pointer"] == "/entities/0/type"


def test_missing_path_is_reported():
    result = runner.invoke(app, ["validate", "does/not/exist"])
    assert result.exit_code == 2  # a path that does not exist is a usage error (README, exit codes)
    assert "[file-not-found]" in result.stderr


def test_usage_error_exits_2():
    assert runner.invoke(app, ["validate", "--format", "yaml"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_anchor_writes_a_valid_file(tmp_path):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    draft = {
        "doc_id": "tiny",
        "source": {"publisher": None, "date": None, "title": None},
        "entities": [{"id": "E1", "type": "PER", "name": "Choi", "mentions": [{"id": "M1", "text": "Choi Sang-mok", "kind": "name"}]}],
        "events": [{"id": "V1", "type": "Trade.Negotiate", "realis": "actual", "trigger": {"text": "met"},
                    "arguments": [{"role": "Participant", "mention": "M1"}]}],
        "stances": [],
    }
    (tmp_path / "draft.json").write_text(json.dumps(draft))
    out = tmp_path / "annotations"
    result = runner.invoke(app, ["anchor", str(tmp_path / "draft.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads((out / "tiny.json").read_text())
    assert written["entities"][0]["mentions"][0] == {"id": "M1", "start": 0, "end": 13, "text": "Choi Sang-mok", "kind": "name"}
    assert written["events"][0]["trigger"] == {"start": 14, "end": 17, "text": "met"}
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


def test_anchor_refuses_an_ambiguous_draft(tmp_path):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    draft = {"doc_id": "tiny", "entities": [], "events": [{"id": "V1", "type": "Trade.Negotiate", "realis": "actual",
             "trigger": {"text": "."}, "arguments": []}], "stances": []}
    (tmp_path / "draft.json").write_text(json.dumps(draft))
    result = runner.invoke(app, ["anchor", str(tmp_path / "draft.json"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "[ambiguous-quote]" in result.stderr
    assert not (tmp_path / "out" / "tiny.json").exists()


def test_the_command_uses_the_system_allocator_unless_the_user_chose_one():
    """``toolkit`` makes the C library's malloc Arrow's pool (toolkit/io/perf.py: a smaller peak, which
    is time on a machine where new memory is dear), before pyarrow allocates; a pool named in
    ARROW_DEFAULT_MEMORY_POOL is kept."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom toolkit.cli import main\nsys.argv = ['toolkit', 'stats', 'annotations']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "import pyarrow\nprint(pyarrow.default_memory_pool().backend_name, file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    backends = []
    for extra in ({}, {"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, **extra}, capture_output=True, text=True, timeout=300)
        assert done.stdout.startswith("Documents"), done.stderr
        backends.append(done.stderr.strip().splitlines()[-1])
    assert backends == ["system", "mimalloc"]
