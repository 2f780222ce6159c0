"""One document with very many predicted mentions, timed end to end (`toolkit eval`, a subprocess).

    python -m benchmarks.big_document                 # a million predicted mentions, 100,000 of them gold
    python -m benchmarks.big_document --mentions 200000

A document with a million predicted mentions once took 116 s (matching was quadratic in the mentions
of a document); tests/test_big_document.py checks the exact counts at 200,000 without timing them.
Prints the wall time, the peak RSS and the time per predicted mention of each size given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

TYPES = ("PER", "ORG", "GPE", "DATE")


def big_corpus(root: Path, n_pred: int, every: int = 10) -> tuple[Path, Path]:
    """A corpus of one document of ``n_pred`` two-letter words: the gold marks every ``every``-th word, the
    prediction (one JSONL line, spans by offsets) marks every word, with the gold's type where the gold has one."""
    text = " ".join(f"w{i % 10}" for i in range(n_pred)) + "\n"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "big.txt").write_bytes(text.encode("utf-8"))
    spans = [(3 * i, 3 * i + 2) for i in range(n_pred)]
    gold_entities = [{"id": f"E{k}", "type": TYPES[k % 4], "name": text[s:e],
                      "mentions": [{"id": f"M{k}", "start": s, "end": e, "text": text[s:e], "kind": "name"}]}
                     for k, (s, e) in enumerate(spans[::every])]
    gold = {"schema_version": "1.0", "doc_id": "big", "seed_file": "seeds/big.txt",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "source": {"publisher": None, "date": None, "title": None}, "entities": gold_entities, "events": [], "stances": []}
    (root / "annotations").mkdir()
    (root / "annotations" / "big.json").write_text(json.dumps(gold), encoding="utf-8")
    pred = {"doc_id": "big", "entities": [{"type": TYPES[(i // every) % 4] if i % every == 0 else TYPES[i % 4],
                                           "mentions": [{"start": s, "end": e, "text": text[s:e]}]}
                                          for i, (s, e) in enumerate(spans)]}
    (root / "pred.jsonl").write_text(json.dumps(pred) + "\n", encoding="utf-8")
    return root / "annotations", root / "pred.jsonl"


def run(n_pred: int, every: int = 10) -> dict:
    """``toolkit eval --tasks entities`` on :func:`big_corpus` of ``n_pred`` mentions (a subprocess, as
    :func:`benchmarks.run._run_cli` times the other commands): seconds, peak RSS, exit code, counts."""
    from benchmarks.run import _run_cli

    with tempfile.TemporaryDirectory(prefix="toolkit-big-") as tmp:
        gold, pred = big_corpus(Path(tmp), n_pred, every)
        res = _run_cli(["eval", "--gold", str(gold), "--pred", str(pred), "--tasks", "entities", "--format", "json"],
                       Path(tmp), Path(tmp) / "out.json")
        micro = json.loads((Path(tmp) / "out.json").read_text())["entities"]["micro"]["strict"]
    return {"predicted_mentions": n_pred, "gold_mentions": n_pred // every, "seconds": res["seconds"],
            "us_per_predicted_mention": 1e6 * res["seconds"] / n_pred, "peak_rss_mb": res["peak_rss_mb"],
            "exit": res["exit"], "correct": micro["correct"], "spurious": micro["spurious"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", default="1000000", help="comma-separated numbers of predicted mentions")
    args = parser.parse_args(argv)
    for n in (int(x) for x in args.mentions.split(",")):
        r = run(n)
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
