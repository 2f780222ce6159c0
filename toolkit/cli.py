"""The ``toolkit`` command: thin commands over the library.

Each command parses its arguments, calls one library function, renders the result with
:mod:`toolkit.report` and picks the exit code: 0 success, 1 invalid data, 2 usage error.
Results go to stdout, problems to stderr. Nothing imports this module.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import report
from .issues import has_errors

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


def _err(text: str) -> None:
    typer.echo(text, err=True)


@app.command()
def validate(
    paths: List[Path] = typer.Argument(None, help="Annotation files or folders (searched recursively). Default: annotations/."),
    format: IssueFormat = typer.Option(IssueFormat.text, "--format", help="text for people, json for machines."),
) -> None:
    """Check annotation files against the JSON Schema and the seed texts.

    Reports every problem with file, JSON pointer, message and hint. Exit 0 when valid,
    1 when any file is invalid, 2 on a usage error.
    """
    from .validate import validate_paths

    paths = paths or [Path("annotations")]
    result = validate_paths(paths)
    files = [r.file for r in result.results]
    if format is IssueFormat.json:
        typer.echo(report.issues_json(result.issues, files))
    else:
        if result.issues:
            _err(report.format_issues(result.issues))
        typer.echo(report.issues_summary(result.issues, len(files)))
    raise typer.Exit(0 if result.ok else EXIT_INVALID)


@app.command()
def anchor(
    drafts: List[Path] = typer.Argument(..., help="Draft annotation files whose spans are quotes (text + context/occurrence)."),
    out: Path = typer.Option(..., "--out", help="Folder to write the anchored annotation files into (<doc_id>.json)."),
) -> None:
    """Compute offsets for an annotator's draft and write a schema-valid annotation file.

    Only offsets are computed: every label, id and reference is the annotator's. Quotes that
    occur nowhere or more than once are reported, and nothing is written for that draft.
    """
    from .authoring import anchor_drafts

    results, issues = anchor_drafts(drafts, out)
    if issues:
        _err(report.format_issues(issues))
    for path in results:
        typer.echo(f"wrote {path}")
    raise typer.Exit(EXIT_INVALID if has_errors(issues) else 0)


class TableFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    csv = "csv"
    json = "json"


def _load_gold(path: Path):
    """Load a corpus for a command, or print every issue and exit 1."""
    from .validate import InvalidData, load_corpus

    try:
        return load_corpus(path)
    except InvalidData as exc:
        _err(report.format_issues(exc.issues))
        _err(f"{path}: the annotations do not validate; run `toolkit validate {path}`")
        raise typer.Exit(EXIT_INVALID)


@app.command()
def stats(
    path: Path = typer.Argument(Path("annotations"), help="Folder of annotation files (its top-level *.json)."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown (for the README and the card), csv or json."),
    all_labels: bool = typer.Option(False, "--all", help="Also list labels that occur nowhere (json and csv always do)."),
) -> None:
    """Count documents, entities, mentions, events and stances per document and per label."""
    from .stats import corpus_stats

    typer.echo(report.stats_output(corpus_stats(_load_gold(path).values()), format.value, all_labels))


@app.command()
def new(
    text: Path = typer.Argument(..., help="A UTF-8 text file to add as a source document."),
    doc_id: Optional[str] = typer.Option(None, "--id", help="Document id (default: the file name without .txt)."),
    root: Path = typer.Option(Path("."), "--root", help="Repository root holding seeds/ and annotations/."),
) -> None:
    """Add a source document: copy it into seeds/ and write an empty, valid annotation file."""
    from .authoring import NewDocumentError, new_document

    try:
        seed, annotation = new_document(text, root, doc_id)
    except NewDocumentError as exc:
        _err(report.format_issue(exc.issue))
        raise typer.Exit(EXIT_INVALID)
    typer.echo(f"added {seed}\nwrote {annotation}")


@app.command()
def publish(
    out: Path = typer.Option(..., "--out", help="Dataset folder to write (replaced atomically when complete)."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Folder of gold annotation files."),
    push_to_hub: Optional[str] = typer.Option(None, "--push-to-hub", help="Also upload to this Hub dataset repo (ORG/NAME); needs HF_TOKEN and network."),
) -> None:
    """Build a Hugging Face dataset folder (Parquet configs, dataset card, schema, guidelines) from the validated gold."""
    from .publish import HubUnavailable, publish as build_dataset, push_to_hub as push
    from .publishing import card_for

    docs = list(_load_gold(gold).values())
    if not docs:
        _err(f"{gold}: no annotation files to publish")
        raise typer.Exit(EXIT_INVALID)
    body = card_for(docs, gold, repo_id=push_to_hub)
    guidelines = next((p for p in (gold.resolve().parent / "CONTRIBUTING.md", Path("CONTRIBUTING.md")) if p.is_file()), None)
    result = build_dataset(docs, out, body, guidelines)
    typer.echo(f"published {len(docs)} documents to {result.out}: " + ", ".join(f"{c} {n} rows" for c, n in result.counts.items()))
    if result.skipped:
        _err(f"warning: no rows for config(s) {', '.join(result.skipped)}; left out (datasets cannot load an empty split)")
    if push_to_hub:
        try:
            url = push(result.out, push_to_hub)
        except HubUnavailable as exc:
            _err(f"--push-to-hub {push_to_hub}: {exc}")
            raise typer.Exit(EXIT_INVALID)
        typer.echo(f"pushed to {url}")


class ConvertFormat(str, Enum):
    json = "json"
    brat = "brat"
    labelstudio = "labelstudio"
    iob2 = "iob2"


@app.command()
def convert(
    src: Path = typer.Argument(..., help="Input: an annotations folder (json), a brat folder, a Label Studio JSON file or an IOB2 file."),
    from_: ConvertFormat = typer.Option(..., "--from", help="Input format."),
    to: ConvertFormat = typer.Option(..., "--to", help="Output format."),
    out: Path = typer.Option(..., "--out", help="Folder to write into (created; existing files of the same name are replaced)."),
    root: Path = typer.Option(Path("."), "--root", help="Repository root with seeds/ (for imports)."),
) -> None:
    """Convert annotations between our JSON and brat standoff, Label Studio JSON or IOB2 token files.

    What a format cannot hold is reported (stderr), never dropped silently.
    """
    from .authoring import write_text_atomic
    from .convert import convert as run_convert

    files, issues = run_convert(src, from_.value, to.value, root)
    if issues:
        _err(report.format_issues(issues))
    if has_errors(issues):
        raise typer.Exit(EXIT_INVALID)
    for name, content in files.items():
        write_text_atomic(out / name, content)
        typer.echo(f"wrote {out / name}")


def _refuse_protected(path: Path, gold: Path) -> None:
    """Usage error when an output path lies inside the gold annotations or the seeds."""
    target = path.resolve()
    for protected in (gold.resolve(), Path("annotations").resolve(), Path("seeds").resolve()):
        if target == protected or protected in target.parents:
            _err(f"{path}: refusing to write inside {protected} (annotations and seeds are never written by this command)")
            raise typer.Exit(EXIT_USAGE)


@app.command()
def show(
    doc: str = typer.Argument(..., help="Document id (e.g. 000_f9a79c641ca46a11)."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Gold annotations folder or published dataset folder."),
    pred: Optional[Path] = typer.Option(None, "--pred", help="Prediction file, or folder holding <doc_id>.json, or a .jsonl file."),
    system: Optional[str] = typer.Option(None, "--system", help="Run a system (baseline, empty, or package.module:function) and show its output."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write a self-contained HTML page here instead of printing text."),
) -> None:
    """Render a document with its annotations inline; with predictions, mark each span correct, missed, spurious or mistyped."""
    from .gold import load_gold
    from .render import view_html, view_text
    from .show import build_view
    from .viewing import prediction_for
    from .validate import InvalidData

    if pred is not None and system is not None:
        _err("give --pred or --system, not both")
        raise typer.Exit(EXIT_USAGE)
    if html is not None:
        _refuse_protected(html, gold)
    try:
        docs = load_gold(gold)
    except InvalidData as exc:
        _err(report.format_issues(exc.issues))
        raise typer.Exit(EXIT_INVALID)
    if doc not in docs:
        _err(f"{gold}: no document '{doc}'; documents: {', '.join(sorted(docs))}")
        raise typer.Exit(EXIT_INVALID)
    prediction, issues = (None, [])
    if pred is not None or system is not None:
        prediction, issues = prediction_for(docs[doc], pred, system)
        if issues:
            _err(report.format_issues(issues))
        if prediction is None:
            raise typer.Exit(EXIT_INVALID)
    view = build_view(docs[doc], prediction, pred_title=system or (str(pred) if pred else "predictions"))
    if html is not None:
        from .authoring import write_text_atomic

        write_text_atomic(html, view_html(view))
        typer.echo(f"wrote {html}")
    else:
        typer.echo(view_text(view), nl=False)


@app.command()
def agree(
    a: Path = typer.Argument(..., help="Folder of the first pass (e.g. annotations/passes/a)."),
    b: Path = typer.Argument(..., help="Folder of the second pass (e.g. annotations/passes/b)."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown, csv or json."),
    differences: bool = typer.Option(False, "--differences", help="List every disagreement (for adjudication) instead of the scores."),
) -> None:
    """Inter-annotator agreement of two passes: mention F1, coreference, event F1, Cohen's kappa on stances, per document and overall."""
    from .agree import agreement
    from .validate import InvalidData

    try:
        result = agreement(a, b)
    except InvalidData as exc:
        _err(report.format_issues(exc.issues))
        raise typer.Exit(EXIT_INVALID)
    for doc_id in result.only_in_a:
        _err(f"warning: {doc_id} is only in {a}")
    for doc_id in result.only_in_b:
        _err(f"warning: {doc_id} is only in {b}")
    if differences:
        from .agree import differences_table

        typer.echo(report.table_output(differences_table(result), format.value))
        return
    typer.echo(report.agreement_output(result, format.value))


# ---------------------------------------------------------------- toolkit eval

EVAL_TASKS = ("entities", "coreference", "events", "stances")


def _list_option(value: str, allowed, option: str) -> tuple[str, ...]:
    """Split a comma-separated option; a value outside ``allowed`` is a usage error (exit 2)."""
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        raise typer.BadParameter(f"{', '.join(bad) or 'nothing given'}: choose from {', '.join(allowed)}", param_hint=option)
    return items


@app.command("eval")
def eval_command(
    pred: Optional[Path] = typer.Option(None, "--pred", help="Predictions: a folder of <doc_id>.json files, a .jsonl file (one document per line) or one .json file."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Gold annotations folder, or a dataset folder written by `toolkit publish`."),
    tasks: str = typer.Option(",".join(EVAL_TASKS), "--tasks", help="Comma-separated tasks to score: entities, coreference, events, stances."),
    mention_kinds: Optional[str] = typer.Option(None, "--mention-kinds", help="Score only mentions of these kinds (comma-separated: name,nominal,pronoun); predicted mentions without a kind are kept."),
    coref_args: bool = typer.Option(False, "--coref-args", help="Credit a predicted argument whose span equals any mention of the gold argument's entity."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown, csv (one row per score) or json (counts per document too)."),
    errors: bool = typer.Option(False, "--errors", help="Also list false positives, false negatives and type confusions with doc id, offsets and text."),
    system: Optional[str] = typer.Option(None, "--system", help="Instead of --pred, run a system on the gold texts (baseline, empty, or package.module:function)."),
) -> None:
    """Score predictions against the gold: entities (SemEval-2013 strict/exact/partial/type), coreference, events (OneIE/TextEE), stances.

    Every prediction problem is reported on stderr (file, JSON pointer, code, message, hint);
    a gold document with no prediction is scored as predicting nothing (a warning). Exit 0 when
    scored, 1 when the predictions or the gold do not validate, 2 on a usage error. Writes nothing.
    Definitions: docs/metrics.md.
    """
    from .gold import load_gold
    from .inventory import inventory
    from .validate import InvalidData

    task_list = _list_option(tasks, EVAL_TASKS, "--tasks")
    kinds = _list_option(mention_kinds, tuple(inventory().mention_kinds), "--mention-kinds") if mention_kinds is not None else None
    if (pred is None) == (system is None):
        raise typer.BadParameter("give exactly one of --pred PATH or --system NAME", param_hint="--pred")
    try:
        gold_docs = load_gold(gold)
    except InvalidData as exc:
        _err(report.format_issues(exc.issues))
        _err(f"{gold}: the gold annotations do not validate; run `toolkit validate {gold}`")
        raise typer.Exit(EXIT_INVALID)
    if not gold_docs:
        _err(f"{gold}: no gold documents to score against")
        raise typer.Exit(EXIT_INVALID)

    from .evaluate import EvalOptions, evaluate
    from .prediction import load_predictions, predictions_from_dicts

    if system is not None:
        from .systems import SystemFailure, load_system, run_system

        try:
            func = load_system(system)
            outputs = [run_system(func, d.doc_id, d.text) for d in gold_docs.values()]
        except SystemFailure as exc:
            _err(f"--system {system}: {exc}")
            raise typer.Exit(EXIT_INVALID)
        preds = predictions_from_dicts(outputs, gold_docs, f"<system {system}>")
    else:
        preds = load_predictions(pred, gold_docs)
    if preds.issues:
        _err(report.format_issues(preds.issues))
    if not preds.ok:
        n_errors = sum(i.severity == "error" for i in preds.issues)
        _err(f"{pred or system}: {n_errors} error(s) in the predictions; nothing scored")
        raise typer.Exit(EXIT_INVALID)
    result = evaluate(gold_docs, preds.documents, task_list, EvalOptions(kinds, coref_args))
    typer.echo(report.eval_output(result, format.value, errors))


# ---------------------------------------------------------------- end toolkit eval


@app.command()
def adjudicate(
    a: Path = typer.Argument(..., help="Folder of pass A (the starting point)."),
    b: Path = typer.Argument(..., help="Folder of pass B."),
    decisions: Path = typer.Argument(..., help="CSV from `toolkit agree A B --differences --format csv` with a filled-in 'decision' column."),
    out: Path = typer.Option(..., "--out", help="Folder to write the adjudicated gold files into."),
) -> None:
    """Merge two passes into the gold: pass A plus the adjudicator's decision on each disagreement."""
    from .adjudicate import AdjudicationError, adjudicate as run
    from .authoring import write_json_atomic
    from .corpus import RawDoc
    from .validate import InvalidData, check_raw

    try:
        gold = run(a, b, decisions)
    except InvalidData as exc:
        _err(report.format_issues(exc.issues))
        raise typer.Exit(EXIT_INVALID)
    except (AdjudicationError, KeyError, StopIteration, ValueError) as exc:
        _err(f"{decisions}: cannot apply a decision: {exc}")
        raise typer.Exit(EXIT_INVALID)
    failed = False
    for doc_id, data in gold.items():
        target = out / f"{doc_id}.json"
        result = check_raw(RawDoc(data, str(target), "", target), seed_root=a.resolve())
        if result.issues:
            _err(report.format_issues(result.issues))
            failed = True
            continue
        write_json_atomic(target, data)
        typer.echo(f"wrote {target}")
    raise typer.Exit(EXIT_INVALID if failed else 0)


def main() -> None:  # pragma: no cover - console-script entry point
    """Run the app; an unexpected internal error is reported in one line (TOOLKIT_DEBUG=1 shows the traceback)."""
    import os
    import sys

    try:
        app()
    except Exception as exc:  # bad input never gets here: every command reports issues itself
        if os.environ.get("TOOLKIT_DEBUG"):
            raise
        print(f"toolkit: internal error: {type(exc).__name__}: {exc} (rerun with TOOLKIT_DEBUG=1 for the traceback, "
              "and please report it)", file=sys.stderr)
        sys.exit(EXIT_INVALID)
