"""toolkit show: marks, the self-contained page, and a real headless browser."""

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.reporting.render import view_html
from toolkit.reporting.view import build_view
from toolkit.checks.validate import validate_paths

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()
TINY = validate_paths([FIXTURES / "valid"]).documents[0]
# Choi Sang-mok (0-13) PER correct; Scott Bessent typed ORG (mistyped); Washington missed;
# "Thursday. He" spurious; trigger "met" correct.
PRED = {"doc_id": "tiny",
        "entities": [{"type": "PER", "mentions": [{"start": 0, "end": 13}]},
                     {"type": "ORG", "mentions": [{"start": 18, "end": 31}]},
                     {"type": "DATE", "mentions": [{"start": 49, "end": 57}]},
                     {"type": "PER", "mentions": [{"start": 59, "end": 61}]},
                     {"type": "GPE", "mentions": [{"start": 67, "end": 72}]},
                     {"type": "COMMODITY", "mentions": [{"start": 79, "end": 85}]}],
        "events": [{"type": "Trade.Negotiate", "trigger": {"start": 14, "end": 17}}]}


def test_marks_have_the_right_status():
    view = build_view(TINY, PRED)
    assert view.gold.counts() == {"correct": 5, "mistyped": 1, "missed": 1}
    assert view.pred.counts() == {"correct": 5, "mistyped": 1, "spurious": 1}
    missed = [m for m in view.gold.marks if m.status == "missed"]
    assert [(m.start, m.end, m.label) for m in missed] == [(35, 45, "GPE")]
    spurious = [m for m in view.pred.marks if m.status == "spurious"]
    assert [(TINY.text[m.start:m.end], m.label) for m in spurious] == [("tariff", "COMMODITY")]


def test_page_is_self_contained():
    page = view_html(build_view(TINY, PRED))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert page.count('data-status="missed"') == 1


def test_show_refuses_to_write_into_annotations(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    shutil.copy(FIXTURES / "valid" / "tiny.json", tmp_path / "annotations")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["show", "tiny", "--html", "annotations/view.html"])
    assert r.exit_code == 2
    assert not (tmp_path / "annotations" / "view.html").exists()
    r = runner.invoke(app, ["show", "nope"])
    assert r.exit_code == 1 and "no document 'nope'" in r.stderr


def test_show_text_and_prediction_file(tmp_path):
    (tmp_path / "tiny.json").write_text(json.dumps(PRED))
    r = runner.invoke(app, ["show", "tiny", "--gold", str(FIXTURES / "valid"), "--pred", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "[Washington|GPE#E3|missed]" in r.stdout
    assert "[Scott Bessent|ORG#e2|mistyped]" in r.stdout


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium) - browser test skipped")
def test_page_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "view.html"
    r = runner.invoke(app, ["show", "tiny", "--gold", str(FIXTURES / "valid"), "--system", "baseline", "--html", str(page)])
    assert r.exit_code == 0, r.output
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120,
        ).stdout
    # the inline script ran (no error stopped it) and counted the marks of both columns
    assert 'data-rendered="yes"' in dom
    sides = dict(re.findall(r'<section class="side" data-side="(\w+)"([^>]*)>', dom))
    assert set(sides) == {"gold", "baseline"}
    assert re.search(r'data-correct="[1-9]\d*"', sides["gold"])
    assert re.search(r'data-correct="[1-9]\d*"', sides["baseline"])
    assert "Choi Sang-mok" in dom
