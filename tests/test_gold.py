"""The gold set itself: valid, reproducible from its two passes and the recorded decisions, publishable losslessly."""

import hashlib
import json
from pathlib import Path

import pytest

from toolkit.annotation.adjudicate import adjudicate, read_rows
from toolkit.annotation.review import review_summary
from toolkit.checks.gold import split_drafts
from toolkit.dataset.publish import load_published, publish
from toolkit.checks.validate import load_corpus, validate_paths

ROOT = Path(__file__).resolve().parent.parent
ANN = ROOT / "annotations"
SHARED = ROOT.parent / "shared" / "seeds"


def test_gold_and_both_passes_validate():
    """Every seed has an annotation file; every adjudicated document has both passes (a draft, still being
    annotated, may have none, one or both)."""
    report = validate_paths([ANN])
    assert report.issues == []
    docs = load_corpus(ANN)
    assert sorted(docs) == sorted(p.stem for p in (ROOT / "seeds").glob("*.txt"))
    gold, drafts = split_drafts(docs)
    for name in ("a", "b"):
        passes = load_corpus(ANN / "passes" / name)
        assert set(gold) <= set(passes), f"adjudicated without pass {name}: {sorted(set(gold) - set(passes))}"
        assert set(passes) <= set(docs), f"pass {name} of a document not in annotations/: {sorted(set(passes) - set(docs))}"


SHARED_SUMS = ROOT / "tests" / "fixtures" / "shared-seeds.sha256"
"""``sha256sum`` of ``../shared/seeds/*.txt``, recorded from the originals on 2026-12-02, so that a clone without
``../shared`` beside it (CI) still checks that seeds/ holds exactly those files, byte for byte."""


def test_seeds_are_the_shared_originals_byte_for_byte():
    recorded = dict(reversed(line.split("  ", 1)) for line in SHARED_SUMS.read_text(encoding="utf-8").splitlines())
    have = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (ROOT / "seeds").glob("*.txt")}
    # every original is there with the same bytes (a document added later with `toolkit new` brings its own seed)
    assert {name: have.get(name) for name in recorded} == recorded
    if SHARED.is_dir():  # beside the originals: compare them too, and the record with them
        for name in recorded:
            assert (ROOT / "seeds" / name).read_bytes() == (SHARED / name).read_bytes()
        assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SHARED.glob("*.txt")} == recorded


def test_gold_is_the_passes_plus_the_recorded_decisions_and_review():
    # byte-for-byte content: `toolkit adjudicate passes/a passes/b decisions.csv --review review.csv` rebuilds every
    # adjudicated file; a draft ("status": "draft", still being annotated) may have passes or not
    gold, drafts = split_drafts(load_corpus(ANN))
    rebuilt = adjudicate(ANN / "passes" / "a", ANN / "passes" / "b", ANN / "adjudication" / "decisions.csv",
                         ANN / "adjudication" / "review.csv")
    assert set(gold) <= set(rebuilt) <= set(gold) | set(drafts)
    for doc_id in gold:
        assert rebuilt[doc_id] == json.loads((ANN / f"{doc_id}.json").read_text(encoding="utf-8")), doc_id


def test_gold_round_trips_through_the_published_dataset(tmp_path):
    gold, _ = split_drafts(load_corpus(ANN))
    publish(list(gold.values()), tmp_path / "dataset", "card")
    assert load_published(tmp_path / "dataset") == gold


def test_no_adjudicated_document_is_empty():
    """A document without a single entity is one nobody annotated: it must still say "status": "draft"
    (news articles name people, bodies and countries), so that eval does not score systems against it."""
    for doc in load_corpus(ANN).values():
        assert hashlib.sha256((ROOT / doc.seed_file).read_bytes()).hexdigest() == doc.sha256
        if not doc.is_draft:
            assert doc.entities and doc.events, f"{doc.doc_id}: no entities or no events, but not marked as a draft"


def test_the_review_table_counts_what_review_csv_changed():
    # annotations/adjudication/README.md: per category, items of the adjudicated gold and items the review changed
    before = adjudicate(ANN / "passes" / "a", ANN / "passes" / "b", ANN / "adjudication" / "decisions.csv")
    # the review (annotations/adjudication/README.md) read these five documents; a later one is not in its table
    reviewed = ("000_f9a79c641ca46a11", "001_159ea22dcbf8448e", "002_7aa5e5a6d7ba9754", "003_cc2259c0be3b36af", "004_1f9f02a8e8f58cc1")
    before = {d: before[d] for d in reviewed}
    summary = review_summary(before, read_rows(ANN / "adjudication" / "review.csv"))
    readme = (ANN / "adjudication" / "README.md").read_text(encoding="utf-8")
    table = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2].isdigit():
            table[cells[0]] = (cells[1], int(cells[2]), int(cells[3]))
    assert table == {r["category"]: (r["item"], r["checked"], r["changed"]) for r in summary}
