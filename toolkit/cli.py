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
    bootstrap: int = typer.Option(0, "--bootstrap", min=0, help="Add 95% percentile-bootstrap intervals of every headline score from N resamples of the documents (e.g. 1000)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of --bootstrap (the same seed gives the same intervals)."),
    save_pred: Optional[Path] = typer.Option(None, "--save-pred", help="With --system: keep its output as DIR/<doc_id>.json (scorable later with --pred DIR)."),
    counts_only: bool = typer.Option(False, "--counts-only", help="Output the raw counts per document (JSON, no score) of this shard, for `toolkit merge`."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the output (report or counts) to this file instead of stdout."),
) -> None:
    """Score predictions against the gold: entities (SemEval-2013 strict/exact/partial/type), coreference, events (OneIE/TextEE), stances.

    Every prediction problem is reported on stderr (file, JSON pointer, code, message, hint);
    a gold document with no prediction is scored as predicting nothing (a warning). Exit 0 when
    scored, 1 when the predictions or the gold do not validate, 2 on a usage error. Writes no file
    but --out and --save-pred. Definitions: docs/metrics.md.
    """
    from .inventory import inventory

    task_list = _list_option(tasks, EVAL_TASKS, "--tasks")
    kinds = _list_option(mention_kinds, tuple(inventory().mention_kinds), "--mention-kinds") if mention_kinds is not None else None
    if (pred is None) == (system is None):
        raise typer.BadParameter("give exactly one of --pred PATH or --system NAME", param_hint="--pred")
    if save_pred is not None:
        if system is None:
            raise typer.BadParameter("--save-pred keeps what --system produced; --pred files are already saved", param_hint="--save-pred")
        _refuse_protected(save_pred, gold)
    _check_counts_only(counts_only, format, bootstrap, out, gold)
    gold_docs = _gold_for_scoring(gold)

    from .evaluate import EvalOptions, evaluate

    if system is not None:
        preds = _system_predictions(system, gold_docs, save_pred, f"--system {system}")
    else:
        from .prediction import load_predictions

        preds = load_predictions(pred, gold_docs)
    _check_predictions(preds, str(pred or system))
    result = evaluate(gold_docs, preds.documents, task_list, EvalOptions(kinds, coref_args))
    _render_report(result, format, errors, counts_only, bootstrap, seed, out)


def _render_report(result, format: "TableFormat", errors: bool, counts_only: bool, bootstrap: int, seed: int,
                   out: Optional[Path]) -> None:
    """Emit an evaluation report (``eval`` and ``merge``): its counts, or its scores with optional intervals."""
    if counts_only:
        return _emit(report.counts_output(result, errors), out)
    intervals = None
    if bootstrap:
        from .statistics import intervals as bootstrap_intervals

        intervals = bootstrap_intervals(result, bootstrap, seed)
    _emit(report.eval_output(result, format.value, errors, intervals), out)


def _gold_for_scoring(gold: Path) -> dict:
    """The gold documents, or exit 1 with every issue."""
    from .gold import load_gold
    from .validate import InvalidData

    try:
        gold_docs = load_gold(gold)
    except InvalidData as exc:
        _err(report.format_issues(exc.issues))
        _err(f"{gold}: the gold annotations do not validate; run `toolkit validate {gold}`")
        raise typer.Exit(EXIT_INVALID)
    if not gold_docs:
        _err(f"{gold}: no gold documents to score against")
        raise typer.Exit(EXIT_INVALID)
    return gold_docs


def _system_predictions(system: str, gold_docs: dict, save_pred: Optional[Path], label: str):
    """Run a system on every gold text (optionally saving its outputs); exit 1 naming the failure."""
    from .corpus import RawDoc
    from .prediction import predictions_from_dicts, predictions_from_raw
    from .systems import SystemFailure, load_system, run_system, save_outputs

    try:
        func = load_system(system)
        outputs = {d.doc_id: run_system(func, d.doc_id, d.text) for d in gold_docs.values()}
        if save_pred is None:
            return predictions_from_dicts(list(outputs.values()), gold_docs, f"<system {system}>")
        paths = save_outputs(outputs, save_pred)
    except SystemFailure as exc:
        _err(f"{label}: {exc}")
        raise typer.Exit(EXIT_INVALID)
    _err(f"saved {len(paths)} prediction file(s) of {system} in {save_pred}")
    raws = [RawDoc(outputs[p.stem], str(p), "", p) for p in paths]
    return predictions_from_raw(raws, gold_docs, str(save_pred))


def _check_predictions(preds, label: str) -> None:
    """Report prediction issues on stderr; exit 1 when any is an error."""
    if preds.issues:
        _err(report.format_issues(preds.issues))
    if not preds.ok:
        n_errors = sum(i.severity == "error" for i in preds.issues)
        _err(f"{label}: {n_errors} error(s) in the predictions; nothing scored")
        raise typer.Exit(EXIT_INVALID)


class CompareTest(str, Enum):
    bootstrap = "bootstrap"
    permutation = "permutation"


@app.command()
def compare(
    systems: List[str] = typer.Argument(..., help="Two or more systems: a prediction folder or file, system:NAME (baseline, empty, package.module:function) or gold."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Gold annotations folder, or a dataset folder written by `toolkit publish`."),
    tasks: str = typer.Option(",".join(EVAL_TASKS), "--tasks", help="Comma-separated tasks to score: entities, coreference, events, stances."),
    mention_kinds: Optional[str] = typer.Option(None, "--mention-kinds", help="Score only mentions of these kinds (comma-separated: name,nominal,pronoun)."),
    coref_args: bool = typer.Option(False, "--coref-args", help="Credit a predicted argument whose span equals any mention of the gold argument's entity."),
    metric: Optional[List[str]] = typer.Option(None, "--metric", help="A score to compare, by its path in the eval JSON (e.g. entities.micro.strict.f1); repeat it; 'all' for every headline score. Default: the F1 of each measure."),
    rank_by: Optional[str] = typer.Option(None, "--rank-by", help="The metric that orders the systems (default: the first compared metric)."),
    test: CompareTest = typer.Option(CompareTest.bootstrap, "--test", help="bootstrap (paired bootstrap) or permutation (approximate randomisation)."),
    resamples: int = typer.Option(1000, "--resamples", min=1, help="Bootstrap resamples, or randomisation trials."),
    seed: int = typer.Option(0, "--seed", help="Random seed (the same seed gives the same intervals and p-values)."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown, csv or json."),
) -> None:
    """Score several systems on the same gold side by side, and test every pairwise difference (difference, interval, p-value).

    Exit 0 when compared, 1 when a system's predictions or the gold do not validate, 2 on a usage
    error. Writes nothing. Definitions: docs/metrics.md, section "Resampling".
    """
    from .evaluate import EvalOptions, evaluate
    from .inventory import inventory
    from .statistics import compare as run_compare, compare_metrics

    task_list = _list_option(tasks, EVAL_TASKS, "--tasks")
    kinds = _list_option(mention_kinds, tuple(inventory().mention_kinds), "--mention-kinds") if mention_kinds is not None else None
    if len(systems) < 2:
        raise typer.BadParameter("give at least two systems to compare", param_hint="SYSTEMS")
    try:
        names = compare_metrics(task_list, metric)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--metric")
    if rank_by is not None and rank_by not in names:
        raise typer.BadParameter(f"{rank_by}: not among the compared metrics ({', '.join(names)})", param_hint="--rank-by")
    for source in systems:
        if source != "gold" and not source.startswith("system:") and not Path(source).exists():
            raise typer.BadParameter(f"{source}: no such file or folder (a system is written system:NAME, the gold as gold)",
                                     param_hint="SYSTEMS")
    gold_docs = _gold_for_scoring(gold)
    options = EvalOptions(kinds, coref_args)
    reports, labels = {}, {}
    for source in systems:
        if source == "gold":
            name, docs = "gold", gold_docs
        elif source.startswith("system:"):
            spec = source[len("system:"):]
            name = spec
            preds = _system_predictions(spec, gold_docs, None, source)
            _check_predictions(preds, source)
            docs = preds.documents
        else:
            from .prediction import load_predictions

            name = Path(source).stem or source
            preds = load_predictions(Path(source), gold_docs)
            _check_predictions(preds, source)
            docs = preds.documents
        unique, n = name, 2
        while unique in reports:
            unique, n = f"{name}-{n}", n + 1
        reports[unique] = evaluate(gold_docs, docs, task_list, options)
        labels[unique] = source
    result = run_compare(reports, resamples, seed, test.value, names, rank_by, labels=labels)
    typer.echo(report.comparison_output(result, format.value))


# ---------------------------------------------------------------- end toolkit eval


# ---------------------------------------------------------------- toolkit merge (sharded scoring)


def _check_counts_only(counts_only: bool, format: TableFormat, bootstrap: int, out: Optional[Path], gold: Path) -> None:
    """Usage errors of --counts-only and --out (exit 2)."""
    if counts_only and format is not TableFormat.text:
        raise typer.BadParameter("--counts-only always writes JSON counts; leave out --format", param_hint="--format")
    if counts_only and bootstrap:
        raise typer.BadParameter("--counts-only writes counts, not scores; bootstrap the merged counts (toolkit merge --bootstrap N)", param_hint="--bootstrap")
    if out is not None:
        _refuse_protected(out, gold)


def _emit(text: str, out: Optional[Path]) -> None:
    """Print ``text``, or write it to ``out`` (atomically) and say so on stderr."""
    if out is None:
        typer.echo(text)
        return
    from .authoring import write_text_atomic

    write_text_atomic(out, text + "\n")
    _err(f"wrote {out}")


@app.command()
def merge(
    files: List[Path] = typer.Argument(..., help="Counts files of `toolkit eval --counts-only` (or folders of them), one per shard."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown, csv or json: the same report as `toolkit eval`."),
    errors: bool = typer.Option(False, "--errors", help="Also list the errors (every counts file must have been written with --errors)."),
    counts_only: bool = typer.Option(False, "--counts-only", help="Output the merged counts again (JSON), to merge further up a hierarchy."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the output to this file instead of stdout."),
    bootstrap: int = typer.Option(0, "--bootstrap", min=0, help="Add 95% percentile-bootstrap intervals from N resamples of all the merged documents (as `toolkit eval --bootstrap`)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of --bootstrap."),
) -> None:
    """Merge the counts of shards scored apart into the report of one run over all their documents.

    The shards must be disjoint and scored with the same tasks and options; the merged report is
    exactly what `toolkit eval` prints for the whole corpus. Exit 0 when merged, 1 when a counts
    file is malformed or incompatible (file and JSON pointer on stderr), 2 on a usage error or a
    missing file. Writes no file but --out.
    """
    from .shards import merge_counts

    _check_counts_only(counts_only, format, bootstrap, out, Path("annotations"))
    merged, issues = merge_counts(files, errors)
    if issues:
        _err(report.format_issues(issues))
    if merged is None:
        missing = [i for i in issues if i.code == "file-not-found"]
        _err(f"{len(issues)} problem(s) in the counts files; nothing merged")
        raise typer.Exit(EXIT_USAGE if missing else EXIT_INVALID)
    _render_report(merged, format, errors, counts_only, bootstrap, seed, out)


# ---------------------------------------------------------------- end toolkit merge


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
    import gc
    import os
    import sys

    # One command per process, so the cyclic collector is off for all of it: the toolkit's data
    # is acyclic and reference counting frees it (toolkit/perf.py), while with the collector on,
    # its generation-2 passes over the growing heap (during the imports, between the stages and
    # at the end of every gc_paused block) took 1.6 s of the 6.3 s of `toolkit eval` at 10k
    # documents. The process exits when the command ends; nothing else runs in it.
    gc.disable()
    try:
        app()
    except Exception as exc:  # bad input never gets here: every command reports issues itself
        if os.environ.get("TOOLKIT_DEBUG"):
            raise
        print(f"toolkit: internal error: {type(exc).__name__}: {exc} (rerun with TOOLKIT_DEBUG=1 for the traceback, "
              "and please report it)", file=sys.stderr)
        sys.exit(EXIT_INVALID)
