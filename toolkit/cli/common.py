"""What every command shares: the app, exit codes, option types and the helpers that turn problems into exit codes."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from toolkit.reporting import report

app = typer.Typer(
    help="Validate, score and publish information-extraction annotations (entities, coreference, events, stances).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INVALID = 1
EXIT_USAGE = 2


class IssueFormat(str, Enum):
    text = "text"
    json = "json"


def err(text: str) -> None:
    typer.echo(text, err=True)


class TableFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    csv = "csv"
    json = "json"

def load_gold(path: Path):
    """Load a corpus for a command, or print every issue and exit 1."""
    from toolkit.checks.validate import InvalidData, load_corpus

    try:
        return load_corpus(path)
    except InvalidData as exc:
        err(report.format_issues(exc.issues))
        err(f"{path}: the annotations do not validate; run `toolkit validate {path}`")
        raise typer.Exit(EXIT_INVALID)


class ConvertFormat(str, Enum):
    json = "json"
    brat = "brat"
    labelstudio = "labelstudio"
    iob2 = "iob2"
    conll = "conll"
    spacy = "spacy"

def refuse_protected(path: Path, gold: Path) -> None:
    """Usage error when an output path lies inside the gold annotations or the seeds."""
    target = path.resolve()
    for protected in (gold.resolve(), Path("annotations").resolve(), Path("seeds").resolve()):
        if target == protected or protected in target.parents:
            err(f"{path}: refusing to write inside {protected} (annotations and seeds are never written by this command)")
            raise typer.Exit(EXIT_USAGE)


EVAL_TASKS = ("entities", "coreference", "events", "stances")


def list_option(value: str, allowed, option: str) -> tuple[str, ...]:
    """Split a comma-separated option; a value outside ``allowed`` is a usage error (exit 2)."""
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        raise typer.BadParameter(f"{', '.join(bad) or 'nothing given'}: choose from {', '.join(allowed)}", param_hint=option)
    return items


def render_report(result, format: "TableFormat", errors: bool, counts_only: bool, bootstrap: int, seed: int,
                   out: Optional[Path]) -> None:
    """Emit an evaluation report (``eval`` and ``merge``): its counts, or its scores with optional intervals."""
    if counts_only:
        return emit(report.counts_output(result, errors), out)
    intervals = None
    if bootstrap:
        from toolkit.evaluation.significance import intervals as bootstrap_intervals

        intervals = bootstrap_intervals(result, bootstrap, seed)
    emit(report.eval_output(result, format.value, errors, intervals), out)


def gold_for_scoring(gold: Path) -> tuple[dict, list[str]]:
    """The gold documents and the ids of the drafts left out (a note each), or exit 1 with every issue."""
    from toolkit.checks.gold import load_gold, split_drafts
    from toolkit.checks.validate import InvalidData

    try:
        gold_docs, drafts = split_drafts(load_gold(gold))
    except InvalidData as exc:
        err(report.format_issues(exc.issues))
        err(f"{gold}: the gold annotations do not validate; run `toolkit validate {gold}`")
        raise typer.Exit(EXIT_INVALID)
    for doc_id in drafts:
        err(f"note: {doc_id} is a draft (\"status\": \"draft\", not yet annotated and adjudicated): not scored, "
            "and predictions for it are ignored")
    if not gold_docs:
        err(f"{gold}: no gold documents to score against")
        raise typer.Exit(EXIT_INVALID)
    return gold_docs, drafts


def system_predictions(system: str, gold_docs: dict, save_pred: Optional[Path], label: str, fuzzy: Optional[float] = None):
    """Run a system on every gold text (optionally saving its outputs); exit 1 naming the failure."""
    from toolkit.io.read import RawDoc
    from toolkit.predictions.load import predictions_from_dicts, predictions_from_raw
    from toolkit.predictions.systems import SystemFailure, load_system, run_system, save_outputs

    try:
        func = load_system(system)
        outputs = {d.doc_id: run_system(func, d.doc_id, d.text) for d in gold_docs.values()}
        if save_pred is None:
            return predictions_from_dicts(list(outputs.values()), gold_docs, f"<system {system}>", fuzzy)
        paths = save_outputs(outputs, save_pred)
    except SystemFailure as exc:
        err(f"{label}: {exc}")
        raise typer.Exit(EXIT_INVALID)
    err(f"saved {len(paths)} prediction file(s) of {system} in {save_pred}")
    raws = [RawDoc(outputs[p.stem], str(p), "", p) for p in paths]
    return predictions_from_raw(raws, gold_docs, str(save_pred), fuzzy)


def check_predictions(preds, label: str) -> None:
    """Report prediction issues on stderr; exit 1 when any is an error."""
    if preds.issues:
        err(report.format_issues(preds.issues))
    if not preds.ok:
        n_errors = sum(i.severity == "error" for i in preds.issues)
        err(f"{label}: {n_errors} error(s) in the predictions; nothing scored")
        raise typer.Exit(EXIT_INVALID)


class CompareTest(str, Enum):
    bootstrap = "bootstrap"
    permutation = "permutation"


def check_counts_only(counts_only: bool, format: TableFormat, bootstrap: int, out: Optional[Path], gold: Path) -> None:
    """Usage errors of --counts-only and --out (exit 2)."""
    if counts_only and format is not TableFormat.text:
        raise typer.BadParameter("--counts-only always writes JSON counts; leave out --format", param_hint="--format")
    if counts_only and bootstrap:
        raise typer.BadParameter("--counts-only writes counts, not scores; bootstrap the merged counts (toolkit merge --bootstrap N)", param_hint="--bootstrap")
    if out is not None:
        refuse_protected(out, gold)


def emit(text: str, out: Optional[Path]) -> None:
    """Print ``text``, or write it to ``out`` (atomically) and say so on stderr."""
    if out is None:
        typer.echo(text)
        return
    from toolkit.io.write import write_text_atomic

    write_text_atomic(out, text + "\n")
    err(f"wrote {out}")
