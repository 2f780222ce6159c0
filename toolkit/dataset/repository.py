"""The repository's generated files: the committed dataset folder and the marked tables of README.md.

Everything here is computed from the gold in ``annotations/`` (drafts left out) and the passes in
``annotations/passes/``, never edited by hand:

- ``dataset/``: what ``toolkit publish --out dataset`` writes (Parquet configs, the dataset card,
  the schemas, the guidelines, the licence), committed so that ``datasets.load_dataset("dataset",
  CONFIG, split="test")`` works in a fresh clone with no build step and no network;
- the regions of ``README.md`` between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``:
  ``gold-statistics`` (counts per document), ``agreement`` (pass A against pass B) and
  ``baseline`` (the rule-based baseline with bootstrap intervals) and ``llm-runs`` (every recorded
  LLM run's headline scores beside the baseline's);
- the regions of each recorded run's ``runs/llm/<run>/README.md``: ``run-eval`` (what ``toolkit eval
  --pred runs/llm/<run>/responses --format markdown`` prints) and ``run-compare`` (``toolkit compare
  gold system:baseline runs/llm/<run>/responses --format markdown``), so a run's scores follow the gold
  when it changes. The run's prompts and responses are its record, never regenerated.

``toolkit regenerate`` rewrites them; :func:`stale` (``toolkit regenerate --check``, and the tests)
lists every one that no longer equals what the gold gives. A Parquet file counts as current when
its features and rows are equal: its bytes also record the pyarrow version that wrote it.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.model.document import Document

DATASET_DIR = "dataset"
README = "README.md"
COMMAND = "toolkit regenerate"
REGIONS = ("gold-statistics", "agreement", "baseline", "llm-runs")
_REGION = re.compile(r"(?P<open><!-- generated:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(?P<close><!-- /generated:(?P=name) -->)", re.S)


class GeneratedError(Exception):
    """A generated file cannot be written (README markers missing or duplicated, gold invalid ...)."""


@dataclass
class Generated:
    """What the gold gives: the documents, the README regions and the dataset card."""

    docs: list[Document]
    drafts: list[str]
    regions: dict[str, str]
    card: str
    run_regions: dict[str, dict[str, str]]
    """The regions of each recorded run's README, keyed by its path relative to the root."""

    def files(self) -> dict[str, dict[str, str]]:
        """Every file with marked regions (relative path -> its regions): README.md first."""
        return {README: self.regions, **self.run_regions}


def compute(root: Path) -> Generated:
    """Load the gold under ``root/annotations`` (raises :class:`toolkit.checks.validate.InvalidData`) and
    compute every generated table once: the baseline runs one time for the README and the card."""
    from toolkit.checks.gold import split_drafts
    from toolkit.checks.validate import load_corpus
    from toolkit.dataset.card import agreement_report, baseline_markdown, baseline_predictions, baseline_table, card_body
    from toolkit.reporting.corpus_stats import corpus_stats
    from toolkit.reporting.report import agreement_markdown, markdown_table

    root = Path(root)
    gold, drafts = split_drafts(load_corpus(root / "annotations"))
    docs = [gold[d] for d in sorted(gold)]
    stats = corpus_stats(docs).documents
    total = stats.iloc[-1]
    regions = {"gold-statistics": (
        f"{len(docs)} articles: {int(total.entities)} entities with {int(total.mentions)} mentions, {int(total.events)} "
        f"events with {int(total.arguments)} arguments, {int(total.stances)} stances. Counts per document "
        "(`toolkit stats --format markdown`; a document still marked `\"status\": \"draft\"` is not counted):\n\n"
        + markdown_table(stats))}
    report = agreement_report(docs, root / "annotations")
    agreement_md = agreement_markdown(report) if report is not None and report.documents else None
    regions["agreement"] = agreement_md or "(no document has both passes)"
    baseline = baseline_predictions(docs)
    table = baseline_table(docs, baseline)
    regions["baseline"] = markdown_table(table) if table is not None else "(the baseline could not run)"
    runs = run_reports(root, gold, drafts)
    regions["llm-runs"] = llm_runs_markdown(runs, table)
    card = card_body(docs, agreement_md=agreement_md, baseline_md=baseline_markdown(docs, table))
    return Generated(docs, drafts, regions, card, run_regions(root, gold, runs, baseline))


def run_reports(root: Path, gold: dict, drafts: list[str]) -> dict[Path, object]:
    """Every recorded LLM run (``runs/llm/<run>/responses``) scored as ``toolkit eval --pred`` scores it:
    responses folder -> :class:`toolkit.evaluation.evaluate.EvalReport`, by folder name."""
    from toolkit.evaluation.evaluate import evaluate
    from toolkit.predictions.load import load_predictions

    out = {}
    for run in sorted(p for p in (Path(root) / "runs" / "llm").glob("*/responses") if p.is_dir()):
        preds = load_predictions(run, gold, ignore=drafts)
        out[run] = evaluate(gold, preds.documents, records=preds.records, statuses=preds.statuses)
    return out


def run_regions(root: Path, gold: dict, runs: dict, baseline) -> dict[str, dict[str, str]]:
    """The ``run-eval`` and ``run-compare`` regions of every recorded run (``runs``: :func:`run_reports`) that has
    a README: exactly what ``toolkit eval`` and ``toolkit compare`` (1000 paired bootstrap resamples, seed 0)
    print in Markdown; ``baseline``: the baseline's predictions (None: it could not run)."""
    from toolkit.evaluation.evaluate import TASKS, evaluate
    from toolkit.evaluation.significance import compare, compare_metrics
    from toolkit.reporting.report import comparison_output, eval_output

    out: dict[str, dict[str, str]] = {}
    documented = {run: report for run, report in runs.items() if (run.parent / README).is_file()}
    if documented and baseline is not None:  # the other two systems of every comparison, scored once
        others = {"gold": evaluate(gold, gold),
                  "baseline": evaluate(gold, baseline.documents, records=baseline.records, statuses=baseline.statuses)}
    for run, report in documented.items():
        source = run.relative_to(root).as_posix()
        regions = {"run-eval": eval_output(report, "markdown")}
        if baseline is not None:
            reports = {**others, run.name: report}
            labels = {"gold": "gold", "baseline": "system:baseline", run.name: source}
            result = compare(reports, 1000, 0, "bootstrap", compare_metrics(TASKS), None, labels=labels)
            regions["run-compare"] = comparison_output(result, "markdown")
        else:
            regions["run-compare"] = "(the baseline could not run)"
        out[(run.parent / README).relative_to(root).as_posix()] = regions
    return out


def llm_runs_markdown(runs: dict, baseline) -> str:
    """The headline scores of every recorded LLM run (``runs``: :func:`run_reports`) beside the
    baseline's F1 (``baseline``: :func:`toolkit.dataset.card.baseline_table`), and each run's grounding figures."""
    from toolkit.dataset.card import headline_scores
    from toolkit.reporting.report import markdown_table

    if not runs:
        return "(no recorded run)"
    table = baseline[["task", "metric", "F1"]].rename(columns={"F1": "baseline F1"}) if baseline is not None else None
    notes = []
    for run, report in runs.items():
        name = run.parent.name
        scores = headline_scores(report.scores()).rename(columns={"P": f"{name} P", "R": f"{name} R", "F1": f"{name} F1"})
        table = scores if table is None else table.merge(scores, on=["task", "metric"], how="left")
        g = report.grounding() or {}
        spans = g.get("spans", {})
        total = sum(s["total"] for s in spans.values())
        exact = sum(s["counts"]["match_exact"] for s in spans.values())
        docs = g.get("documents", {})
        notes.append(f"`{name}` (`runs/llm/{name}/`): {docs.get('valid', 0)} of {docs.get('gold', 0)} documents parsed and "
                     f"schema-valid; {exact} of {total} quoted spans found exactly in the text"
                     + (f" ({exact / total:.1%})" if total else "") + ".")
    return markdown_table(table) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def fill_regions(text: str, regions: dict[str, str], file: str = README) -> str:
    """``text`` with the body of each marked region replaced; every region must be marked exactly once."""
    found = [m.group("name") for m in _REGION.finditer(text)]
    for name in regions:
        if found.count(name) != 1:
            raise GeneratedError(f"{file}: region '{name}' is marked {found.count(name)} times; it needs one "
                                 f"'<!-- generated:{name} -->' line and one '<!-- /generated:{name} -->' after it")
    unknown = sorted(set(found) - set(regions))
    if unknown:
        raise GeneratedError(f"{file}: unknown generated region(s) {', '.join(unknown)}; known: {', '.join(regions)}")
    return _REGION.sub(lambda m: m.group("open") + regions[m.group("name")].rstrip("\n") + "\n" + m.group("close"), text)


def _publish(generated: Generated, root: Path, out: Path):
    from toolkit.dataset.publish import publish

    guidelines = root / "CONTRIBUTING.md"
    return publish(generated.docs, out, generated.card, guidelines if guidelines.is_file() else None)


def _same_parquet(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq
    from datasets import Features

    ta, tb = pq.read_table(a), pq.read_table(b)
    return Features.from_arrow_schema(ta.schema) == Features.from_arrow_schema(tb.schema) and ta.to_pylist() == tb.to_pylist()


def _files(folder: Path) -> set[str]:
    """The files of a dataset folder, without publish's marker (it records the bytes each copy was written with,
    which differ between pyarrow versions even when the rows are equal)."""
    from toolkit.io.write import MARKER

    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MARKER}


def _changes(committed: Path, fresh: Path) -> list[tuple[str, str]]:
    """(file name, how) of every file of ``committed`` that differs from the freshly built ``fresh``."""
    have, want = _files(committed), _files(fresh)
    out = [(name, "missing") for name in sorted(want - have)]
    out += [(name, "not part of the dataset any more") for name in sorted(have - want)]
    for name in sorted(have & want):
        a, b = committed / name, fresh / name
        same = _same_parquet(a, b) if name.endswith(".parquet") else a.read_bytes() == b.read_bytes()
        if not same:
            out.append((name, "differs from what annotations/ gives"))
    return out


def dataset_differences(committed: Path, fresh: Path) -> list[str]:
    """Every file of ``committed`` that differs from the freshly built ``fresh`` (Parquet by features and rows)."""
    return [f"{committed / name}: {how}" for name, how in _changes(committed, fresh)]


def stale(root: Path) -> list[str]:
    """Every generated file under ``root`` that is not what the gold gives (empty when all are current)."""
    root = Path(root)
    generated = compute(root)
    problems = []
    for name, regions in generated.files().items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        if fill_regions(text, regions, str(path)) != text:
            current = {m.group("name"): m.group("body") for m in _REGION.finditer(text)}
            changed = [n for n in regions if current[n].rstrip("\n") != regions[n].rstrip("\n")]
            problems.append(f"{path}: generated region(s) {', '.join(changed)} differ from what annotations/ gives")
    with tempfile.TemporaryDirectory(prefix="toolkit-regenerate-") as tmp:
        fresh = _publish(generated, root, Path(tmp) / DATASET_DIR).out
        problems += dataset_differences(root / DATASET_DIR, fresh)
    return problems


def regenerate(root: Path) -> tuple[list[Path], list[str]]:
    """Rewrite ``root/dataset`` and the marked regions of ``root/README.md`` from the gold.

    Returns the files that changed (written, or removed from the dataset folder) and the drafts left out.
    The README is written atomically and only when a region changed; the dataset folder, when a file of
    it changed, is replaced as ``toolkit publish`` replaces its output.
    """
    from toolkit.io.write import write_text_atomic

    root = Path(root)
    generated = compute(root)
    written = []
    updates = {}
    for name, regions in generated.files().items():  # every file checked before any is written
        path = root / name
        text = path.read_text(encoding="utf-8")
        new = fill_regions(text, regions, str(path))
        if new != text:
            updates[path] = new
    for path, new in updates.items():
        write_text_atomic(path, new)
        written.append(path)
    with tempfile.TemporaryDirectory(prefix="toolkit-regenerate-") as tmp:
        fresh = _publish(generated, root, Path(tmp) / DATASET_DIR).out
        changes = _changes(root / DATASET_DIR, fresh)
        if changes:
            _publish(generated, root, root / DATASET_DIR)
            written += [root / DATASET_DIR / name for name, _ in changes]
    return written, generated.drafts

