"""`toolkit publish` never destroys data: it replaces only an absent or empty folder or its own unchanged
earlier output, and the replacement is atomic even when the process is killed (SIGKILL) at any moment."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.io.write import MARKER, leftovers, read_marker

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
runner = CliRunner()


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    r = tmp_path / "R"
    (r / "seeds").mkdir(parents=True)
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", r / "seeds")
    (r / "annotations" / "passes" / "a").mkdir(parents=True)
    shutil.copy(FIXTURES / "valid" / "tiny.json", r / "annotations")
    shutil.copy(FIXTURES / "valid" / "tiny.json", r / "annotations" / "passes" / "a")
    (r / ".git").mkdir()
    (r / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (r / "notes.txt").write_text("mine")
    monkeypatch.chdir(r)
    return r


def publish(out, gold="annotations"):
    result = runner.invoke(app, ["publish", "--gold", str(gold), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.mark.parametrize("out,why", [
    (".", "repository or corpus root"),
    ("annotations", "refusing to write inside"),
    ("annotations/passes", "refusing to write inside"),
    ("seeds", "refusing to write inside"),
    ("seeds/dataset", "refusing to write inside"),
    (".git", "refusing to write inside"),
    ("..", "refusing to replace"),
    ("notes.txt", "is a file"),
])
def test_refuses_what_it_must_not_replace(repo, out, why):
    before = digest(repo)
    result = publish(out)
    assert result.exit_code == 2, result.output
    assert why in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1  # a one-line reason
    assert digest(repo) == before


def test_refuses_a_folder_that_holds_a_corpus_or_a_repository_deeper_down(repo, tmp_path):
    for inner in ("project/annotations", "project/seeds", "project/.git"):
        holder = tmp_path / inner.replace("/", "-")
        (holder / inner).mkdir(parents=True)
        (holder / MARKER).write_text(json.dumps({"tool": "toolkit publish", "files": {}}))  # even one that claims to be ours
        result = publish(holder)
        assert result.exit_code == 2, result.output
        assert (holder / inner).is_dir()


def test_refuses_a_non_empty_folder_it_did_not_make(repo, tmp_path):
    keep = tmp_path / "scratch" / "keep"
    keep.mkdir(parents=True)
    (keep / "notes.txt").write_text("unrelated")
    result = publish(keep)
    assert result.exit_code == 2 and "not made by `toolkit publish`" in result.stderr
    assert (keep / "notes.txt").read_text() == "unrelated"


def test_writes_an_empty_folder_and_replaces_its_own_output(repo, tmp_path):
    out = tmp_path / "dataset"
    out.mkdir()
    assert publish(out).exit_code == 0
    marker = read_marker(out)
    assert marker is not None and set(marker["files"]) == set(digest(out)) - {MARKER}
    first = digest(out)
    assert publish(out).exit_code == 0  # an earlier output of publish: replaced
    assert digest(out) == first
    assert leftovers(out) == []


def test_refuses_an_earlier_output_someone_added_to_or_changed(repo, tmp_path):
    out = tmp_path / "dataset"
    assert publish(out).exit_code == 0
    (out / "my-notes.txt").write_text("mine")
    result = publish(out)
    assert result.exit_code == 2 and "my-notes.txt" in result.stderr
    assert (out / "my-notes.txt").read_text() == "mine"
    (out / "my-notes.txt").unlink()
    (out / "README.md").write_text("my edited card")
    result = publish(out)
    assert result.exit_code == 2 and "changed since it was published (README.md)" in result.stderr
    assert (out / "README.md").read_text() == "my edited card"


def test_the_marker_is_not_uploaded(monkeypatch, tmp_path):
    """push_to_hub leaves the marker out of the upload (ignore_patterns)."""
    import huggingface_hub

    from toolkit.dataset import publish as pub

    calls = {}

    class FakeApi:
        def __init__(self, token):
            pass

        def create_repo(self, *args, **kwargs):
            pass

        def upload_folder(self, **kwargs):
            calls.update(kwargs)
            return "https://example.invalid/commit"

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert pub.push_to_hub(tmp_path, "someone/data", token="t") == "https://example.invalid/commit"
    assert MARKER in calls["ignore_patterns"]


def test_push_without_a_token_says_nothing_was_uploaded(repo, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    result = runner.invoke(app, ["publish", "--out", str(tmp_path / "ds"), "--push-to-hub", "someone/data"])
    assert result.exit_code == 2
    assert "nothing was uploaded" in result.stderr and "HF_TOKEN" in result.stderr


def test_push_with_a_token_but_no_network_says_nothing_was_uploaded(repo, tmp_path):
    """A token, but the Hub unreachable (its endpoint a closed port on loopback): exit 2, nothing uploaded, the
    local folder complete. A subprocess: huggingface_hub reads HF_ENDPOINT when it is imported."""
    import socket
    import subprocess
    import sys

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "HUGGING_FACE_HUB_TOKEN")}
    env.update(HF_TOKEN="hf_not_a_real_token", HF_ENDPOINT=f"http://127.0.0.1:{port}", HF_DATASETS_OFFLINE="1")
    out = tmp_path / "ds"
    result = subprocess.run([sys.executable, "-c", "from toolkit.cli import main; main()", "publish", "--out", str(out),
                             "--push-to-hub", "someone/data"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "could not reach the Hugging Face Hub" in result.stderr and "nothing was uploaded" in result.stderr
    assert "Traceback" not in result.stderr and "hf_not_a_real_token" not in result.stderr + result.stdout
    assert any(out.glob("data/documents-test-*.parquet"))  # the local folder is complete


# ---------------------------------------------------------------- killed at random moments

SYNTHETIC = """
import sys, time
from pathlib import Path
from toolkit.io.write import replace_folder
out, version = Path(sys.argv[1]), sys.argv[2]
def build(folder):
    for i in range(40):
        (folder / f"f{i:02d}.txt").write_text(version * 500)
        time.sleep(0.0005)
    (folder / "sub").mkdir()
    (folder / "sub" / "last.txt").write_text(version)
replace_folder(out, build)
"""
SYNTHETIC_FILES = {f"f{i:02d}.txt" for i in range(40)} | {"sub/last.txt"}


def synthetic_version(out: Path) -> str:
    """The version the folder holds completely (every file, one version, the marker listing exactly them), else fail."""
    files = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
    assert set(files) == SYNTHETIC_FILES | {MARKER}, sorted(files)
    versions = {text[0] for name, text in files.items() if name != MARKER}
    assert len(versions) == 1, versions  # never a mix
    assert set(read_marker(out)["files"]) == SYNTHETIC_FILES
    return versions.pop()


def env():
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}


def kill_after(args, delay, cwd=None):
    proc = subprocess.Popen(args, cwd=cwd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
        return True  # finished before the kill
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return False


def test_folder_replacement_survives_sigkill_at_random_moments(tmp_path):
    """120 runs of toolkit.io.write.replace_folder killed at random moments: always the complete old or new folder."""
    out = tmp_path / "out"
    script = tmp_path / "build.py"
    script.write_text(SYNTHETIC)
    assert subprocess.run([sys.executable, str(script), str(out), "a"], env=env()).returncode == 0
    start = time.perf_counter()
    assert subprocess.run([sys.executable, str(script), str(out), "b"], env=env()).returncode == 0
    duration = time.perf_counter() - start
    current, rng = "b", random.Random(12)
    left_behind = cleaned = finished = 0
    pending = False
    for i in range(120):
        version = "ab"[i % 2]
        done = kill_after([sys.executable, str(script), str(out), version], rng.uniform(0, duration * 1.2))
        state = synthetic_version(out)  # complete old or complete new, never a mix, never nothing
        assert state in (current, version)
        if done:
            finished += 1
            assert state == version and leftovers(out) == []  # a finished run removed what killed runs left
            cleaned += pending
            pending = False
        current = state
        if leftovers(out):
            left_behind += 1
            pending = True
    assert subprocess.run([sys.executable, str(script), str(out), "a"], env=env()).returncode == 0
    assert synthetic_version(out) == "a" and leftovers(out) == []
    assert left_behind > 0 and finished > 0, (left_behind, finished)  # the kills did hit the build, and runs did finish


def test_publish_survives_sigkill_at_random_moments(tmp_path):
    """The real command, killed while it builds and swaps (after its imports): old or new dataset, whole; leftovers cleaned."""
    project = tmp_path / "p"
    (project / "seeds").mkdir(parents=True)
    shutil.copy(FIXTURES / "seeds" / "tiny.txt", project / "seeds")
    versions = {}
    for name, title in (("v1", "First"), ("v2", "Second")):
        data = json.loads((FIXTURES / "valid" / "tiny.json").read_text())
        data["source"]["title"] = title
        (project / name).mkdir()
        (project / name / "tiny.json").write_text(json.dumps(data))
    command = [sys.executable, "-c", "from toolkit.cli import main; main()", "publish", "--out", "ds"]
    for name in ("v2", "v1"):  # the reference outputs; the last one stays in ds as the old output
        if (project / "ds").exists():
            shutil.rmtree(project / "ds")
        start = time.perf_counter()
        assert subprocess.run(command + ["--gold", name], cwd=project, env=env()).returncode == 0
        versions[name] = digest(project / "ds")
        duration = time.perf_counter() - start
    assert versions["v1"] != versions["v2"]
    rng = random.Random(7)
    current, left_behind = "v1", 0
    for i in range(6):  # each run takes seconds (importing datasets); the mechanism itself is killed 120 times above
        name = ("v2", "v1")[i % 2]
        # kill in the last 40% of a run (the first part is Python importing datasets, which touches nothing)
        kill_after(command + ["--gold", name], rng.uniform(duration * 0.6, duration * 1.1), cwd=project)
        state = digest(project / "ds")
        assert state in (versions[current], versions[name]), "a mix, or nothing"
        current = "v1" if state == versions["v1"] else "v2"
        left_behind += bool(leftovers(project / "ds"))
    assert subprocess.run(command + ["--gold", "v2"], cwd=project, env=env()).returncode == 0
    assert digest(project / "ds") == versions["v2"] and leftovers(project / "ds") == []
