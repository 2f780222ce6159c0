"""One document with very many predicted mentions: scoring stays near-linear in them.

A document with a million predicted mentions once took 116 s, quadratic in the mentions of one
document (every predicted span compared with every gold span). Matching now finds candidate pairs
by sorting and joining spans (toolkit/metrics/matching.py), so its cost follows the mentions plus
the overlapping pairs. Here `toolkit eval` scores 200,000 predicted mentions (20,000 of them gold,
in one JSONL line) end to end and must give the exact counts; a quadratic step would take about
4·10⁹ comparisons (200,000 × 20,000) and never finish. No timing is asserted: `python -m benchmarks.big_document`
times a million (benchmarks/README.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.big_document import big_corpus  # noqa: E402
from toolkit.cli import app  # noqa: E402

runner = CliRunner()


def test_two_hundred_thousand_predicted_mentions_in_one_document(tmp_path):
    n, every = 200_000, 10
    gold, pred = big_corpus(tmp_path, n, every)
    result = runner.invoke(app, ["eval", "--gold", str(gold), "--pred", str(pred), "--tasks", "entities", "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    micro = json.loads(result.stdout)["entities"]["micro"]["strict"]
    n_gold = n // every
    assert (micro["correct"], micro["incorrect"], micro["partial"], micro["missed"], micro["spurious"]) == (n_gold, 0, 0, 0, n - n_gold)
    assert (micro["possible"], micro["actual"]) == (n_gold, n)
