"""Corpus statistics on the hand-written fixture (counts checked by hand)."""

import json
from pathlib import Path

from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.reporting.corpus_stats import corpus_stats
from toolkit.checks.validate import validate_paths

FIXTURES = Path(__file__).parent / "fixtures"


def tiny():
    return validate_paths([FIXTURES / "valid"]).documents


def test_document_counts():
    docs = corpus_stats(tiny()).documents
    row = docs[docs.doc_id == "tiny"].iloc[0]
    # Choi Sang-mok (2 mentions), Bessent, Washington, Thursday, Korea: 5 entities, 6 mentions, 1 pronoun.
    assert (row.entities, row.mentions, row.names, row.nominals, row.pronouns) == (5, 6, 5, 0, 1)
    assert (row.events, row.arguments, row.stances, row.characters) == (1, 4, 1, 94)
    assert docs.iloc[-1].doc_id == "total" and docs.iloc[-1].mentions == 6


def test_label_counts_cover_the_whole_inventory():
    labels = corpus_stats(tiny()).labels
    get = lambda cat, lab: int(labels[(labels.category == cat) & (labels.label == lab)].total.iloc[0])  # noqa: E731
    assert get("mention type", "PER") == 3
    assert get("role", "Participant") == 2
    assert get("topic", "korea-tariff-relief") == 1
    assert get("event type", "Contact.Meet") == 0  # listed although absent
    assert (labels.groupby("category").total.sum()[["mention type", "mention kind"]] == 6).all()


def test_stats_command_formats(tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["stats", str(FIXTURES / "valid"), "--format", "json"])
    assert out.exit_code == 0
    data = json.loads(out.stdout)
    assert data["documents"][0]["mentions"] == 6
    md = runner.invoke(app, ["stats", str(FIXTURES / "valid"), "--format", "markdown"]).stdout
    assert "| doc_id | characters |" in md
    bad = runner.invoke(app, ["stats", str(FIXTURES / "invalid")])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
