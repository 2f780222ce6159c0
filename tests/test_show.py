"""toolkit show: marks from eval's own pairs, the self-contained pages, and a real headless browser."""

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from browser import CHROMIUM, SKIP_REASON, Browser
from toolkit.checks.validate import validate_paths
from toolkit.cli import app
from toolkit.reporting.render import view_html, view_text
from toolkit.reporting.view import build_view

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = FIXTURES.parent.parent
runner = CliRunner()
TINY = validate_paths([FIXTURES / "valid"]).documents[0]
# Against tiny.json, counted by hand: "Choi" (0-4) for "Choi Sang-mok" (0-13) is a boundary error,
# one partial pair; Scott Bessent typed ORG is mistyped; Washington is missed; "tariff" is
# spurious; Thursday, He, Korea and the trigger "met" are correct.
PRED = {"doc_id": "tiny",
        "entities": [{"type": "PER", "name": "<script>alert('x')</script>", "mentions": [{"start": 0, "end": 4}]},
                     {"type": "ORG", "mentions": [{"start": 18, "end": 31}]},
                     {"type": "DATE", "mentions": [{"start": 49, "end": 57}]},
                     {"type": "PER", "mentions": [{"start": 59, "end": 61}]},
                     {"type": "GPE", "mentions": [{"start": 67, "end": 72}]},
                     {"type": "COMMODITY", "mentions": [{"start": 79, "end": 85}]}],
        "events": [{"type": "Trade.Negotiate", "trigger": {"start": 14, "end": 17}}]}
GOLD_COUNTS = {"correct": 4, "mistyped": 1, "partial": 1, "missed": 1}
PRED_COUNTS = {"correct": 4, "mistyped": 1, "partial": 1, "spurious": 1}


def test_marks_have_the_statuses_eval_counts():
    view = build_view(TINY, PRED)
    assert view.gold.counts() == GOLD_COUNTS
    assert view.pred.counts() == PRED_COUNTS
    partial = [(m.layer, m.start, m.end, m.link) for side in (view.gold, view.pred) for m in side.marks if m.status == "partial"]
    assert [p[:3] for p in partial] == [("entity", 0, 13), ("entity", 0, 4)] and partial[0][3] == partial[1][3] != ""
    assert [(m.layer, m.start, m.end, m.label) for m in view.gold.marks if m.status == "missed"] == [
        ("entity", 35, 45, "GPE"), ("evidence", 67, 92, "favour")]  # the stance is missed: so is its evidence
    assert [(TINY.text[m.start:m.end], m.label) for m in view.pred.marks if m.status == "spurious"] == [("tariff", "COMMODITY")]
    # the predicted He and Choi are one entity in neither side: each predicted entity is labelled by its aligned gold cluster
    clusters = {TINY.text[m.start:m.end]: m.cluster for m in view.pred.marks if m.layer == "entity"}
    assert clusters["He"] in ("E1", "") and clusters["Korea"] == "E5"
    # every gold argument is missed (the prediction has none); the stance is missed
    assert {a["status"] for e in view.gold.events for a in e["arguments"]} == {"missed"}
    assert [s["status"] for s in view.gold.stances] == ["missed"]
    assert dict(view.scores)["mentions strict F1"] == pytest.approx(2 * 3 / (6 + 6))  # Thursday, He, Korea of 6 gold and 6 predicted mentions


def test_page_is_self_contained_and_escaped():
    page = view_html(build_view(TINY, PRED, pred_title='<img src=x onerror="alert(1)">'))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.count("<script>") == 1


def test_show_refuses_to_write_into_annotations(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    shutil.copy(FIXTURES / "valid" / "tiny.json", tmp_path / "annotations")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["show", "tiny", "--html", "annotations/view.html"])
    assert r.exit_code == 2
    assert not (tmp_path / "annotations" / "view.html").exists()
    r = runner.invoke(app, ["show", "nope"])
    assert r.exit_code == 2 and "no document 'nope'" in r.stderr  # an unknown document is a usage error


def test_terminal_view_prints_the_text_once(tmp_path):
    (tmp_path / "tiny.json").write_text(json.dumps(PRED))
    r = runner.invoke(app, ["show", "tiny", "--gold", str(FIXTURES / "valid"), "--pred", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert r.stdout.count("wants") == 1 and r.stdout.count("relief.") == 1  # the text once, not once per side
    assert "[Washington|GPE#E3|missed]" in r.stdout
    assert "[Scott Bessent|PER#E2|mistyped -> 18-31 'Scott Bessent' ORG]" in r.stdout
    assert "[tariff|COMMODITY|spurious]" in r.stdout
    assert "\x1b[" not in r.stdout  # not a terminal: no colour
    coloured = view_text(build_view(TINY, PRED), colour=True)
    assert "\x1b[31m[" in coloured and "\x1b[32m[" in coloured  # missed red, correct green


@pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)
def test_pages_in_headless_chromium(tmp_path):
    (tmp_path / "pred").mkdir()
    (tmp_path / "pred" / "tiny.json").write_text(json.dumps(PRED))
    page = tmp_path / "tiny.html"
    r = runner.invoke(app, ["show", "tiny", "--gold", str(FIXTURES / "valid"), "--pred", str(tmp_path / "pred"), "--html", str(page)])
    assert r.exit_code == 0, r.output
    with Browser() as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("document.body.dataset.rendered") == "yes"
        counts = browser.evaluate("""(function(){ var o = {};
          document.querySelectorAll('.counts').forEach(function(b){ var c = {};
            ['correct','mistyped','partial','missed','spurious'].forEach(function(k){ if (+b.dataset[k]) c[k] = +b.dataset[k]; });
            o[b.dataset.side] = c; }); return o; })()""")
        assert counts == {"gold": GOLD_COUNTS, "pred": PRED_COUNTS}
        # the boundary error is one pair: hovering one span lights up both
        browser.evaluate("document.querySelector('td.pred .mark[data-status=\"partial\"]').dispatchEvent(new MouseEvent('mouseenter'))")
        assert browser.evaluate("document.querySelectorAll('.mark.hl').length") == 2
        # gold and prediction of a sentence stand in one row
        assert browser.evaluate("document.querySelectorAll('tr.sent').length") == 2
        browser.evaluate("document.getElementById('errors-only').click()")
        assert browser.evaluate("getComputedStyle(document.querySelector('.mark[data-status=\"correct\"]')).outlineStyle") == "none"
        assert browser.evaluate("getComputedStyle(document.querySelector('tr.sent')).display") != "none"
        assert browser.console_errors() == []


@pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)
def test_corpus_index_links_every_page(tmp_path):
    out = tmp_path / "site"
    r = runner.invoke(app, ["show", "--all", "--gold", str(ROOT / "annotations"), "--system", "baseline", "--html", str(out)])
    assert r.exit_code == 0, r.output
    pages = sorted(p.name for p in out.glob("*.html"))
    gold = sorted(p.stem for p in (ROOT / "annotations").glob("*.json"))
    assert pages == sorted([f"{d}.html" for d in gold] + ["index.html"])
    with Browser() as browser:
        browser.open((out / "index.html").as_uri())
        links = browser.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
        assert links == [f"{d}.html" for d in gold]
        scores = browser.evaluate("document.querySelectorAll('table.index tr').length")
        assert scores == len(gold) + 1
        for d in gold:
            browser.open((out / f"{d}.html").as_uri())
            assert browser.evaluate("document.body.dataset.rendered") == "yes"
            assert browser.evaluate("document.querySelectorAll('td.pred .mark').length") > 0
        assert browser.console_errors() == []
