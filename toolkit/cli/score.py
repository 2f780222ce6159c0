"""Commands for researchers: eval, compare, merge."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from toolkit.reporting import report

from toolkit.cli.common import (EVAL_TASKS, EXIT_INVALID, EXIT_USAGE, CompareTest, TableFormat, check_counts_only,
                                check_predictions, err, force_option, gold_for_scoring, guard, list_option, missing_paths,
                                out as say, quiet_option, render_report, require_path, show_issues, system_for,
                                system_predictions, verbose_option, verbosity as set_verbosity, writing, app)


EXIT_REFUSED = 3
"""Exit code of `eval` and `compare`: scored, but some predictions could not be taken as given (each counted as an error)."""


def _verbosity(verbose: bool, quiet: bool) -> str:
    if verbose and quiet:
        raise typer.BadParameter("give --verbose or --quiet, not both", param_hint="--quiet")
    return "verbose" if verbose else "quiet" if quiet else "normal"


def _fuzzy(value: Optional[float]) -> Optional[float]:
    if value is not None and not 0 < value <= 1:
        raise typer.BadParameter(f"{value}: a similarity threshold is above 0 and at most 1 (e.g. 0.9)", param_hint="--fuzzy")
    return value


def _accept(preds, label: str, strict: bool, verbosity: str) -> bool:
    """Report prediction issues on stderr and say whether any was an error (something refused).

    ``strict``: exit 1 on any error, nothing scored (the behaviour before lenient scoring). Otherwise
    exit 1 only when nothing could be read at all (a path or folder without prediction files).
    """
    if strict:
        if verbosity == "quiet" and not preds.ok:
            err(f"{label}: {sum(i.severity == 'error' for i in preds.issues)} error(s) in the predictions; nothing scored (--strict)")
            raise typer.Exit(EXIT_INVALID)
        if verbosity != "quiet":
            check_predictions(preds, label)
        return False
    if any(i.code == "file-not-found" for i in preds.issues):
        err(report.format_issues([i for i in preds.issues if i.code == "file-not-found"]))
        err(f"{label}: no prediction to read; nothing scored")
        raise typer.Exit(EXIT_INVALID)
    digest = report.issue_digest(preds.issues, verbosity, label)
    if digest:
        err(digest)
    if not preds.ok and verbosity != "quiet":
        err(f"{label}: every error above was counted (false positives, empty documents), not refused; "
            "the grounding report beside the scores sums them up; --strict refuses instead")
    return not preds.ok


def _auto_workers(gold: Path, pred: Path | None, fuzzy: float | None) -> int:
    """The workers of an ``eval`` that did not say (:func:`toolkit.evaluation.partitions.auto_workers`):
    1 unless the paths can be partitioned and the input is large."""
    from toolkit.dataset.gold import partition_files
    from toolkit.evaluation.partitions import auto_workers, jsonl_file

    files = partition_files(gold) if pred is not None and fuzzy is None and jsonl_file(pred) else None
    return auto_workers([*files, pred]) if files else 1


def _partitioned(gold, pred, task_list, kinds, coref_args, fuzzy, errors, workers, scheduler, chosen=False):
    """``eval --workers/--scheduler``: the partitioned run, or None (after a note) when the paths cannot
    be partitioned, and it is scored in one process. ``chosen``: the workers were chosen for the
    user (:func:`_auto_workers`), who gets the one-process run without a note when partitions
    cannot be cut after all, or (with a note) when a worker dies."""
    from concurrent.futures.process import BrokenProcessPool

    from toolkit.checks.validate import InvalidData
    from toolkit.dataset.gold import load_gold, partition_files
    from toolkit.evaluation import partitions
    from toolkit.evaluation.evaluate import EvalOptions
    from toolkit.io.arrow import NotColumnar

    if partition_files(gold) is None or not partitions.jsonl_file(pred) or fuzzy is not None:
        err("note: scoring in one process: partitions are cut from a gold folder holding one .jsonl file "
            "(or a published dataset folder) and a .jsonl --pred file, without --fuzzy")
        return None
    try:
        run = partitions.run(gold, pred, task_list, EvalOptions(kinds, coref_args), fuzzy, errors,
                             workers if scheduler is None else None, scheduler, load_gold=load_gold)
    except ImportError:
        err('--scheduler needs Dask: pip install "toolkit[dask]"')
        raise typer.Exit(EXIT_USAGE)
    except NotColumnar:
        if not chosen:
            err("note: scoring in one process: a file could not be read whole as JSONL")
        return None
    except BrokenProcessPool:
        if chosen:
            err("note: a worker process ended before its partition was scored (out of memory?); scoring in one process "
                "(--workers 1 does so from the start)")
            return None
        err("--workers: a worker process ended before its partition was scored (out of memory?); "
            "nothing was scored: try fewer workers, or none")
        raise typer.Exit(EXIT_INVALID)
    except InvalidData as exc:
        show_issues(exc.issues)
        err(f"{gold}: the gold annotations do not validate; run `toolkit validate {gold}`")
        raise typer.Exit(EXIT_INVALID)
    for doc_id in run.drafts:
        err(f"note: {doc_id} is a draft (\"status\": \"draft\", not yet annotated and adjudicated): not scored, "
            "and predictions for it are ignored")
    if not run.report.counts.doc_ids:
        err(f"{gold}: no gold documents to score against")
        raise typer.Exit(EXIT_INVALID)
    return run


@app.command("eval")
def eval_command(
    pred: Optional[Path] = typer.Option(None, "--pred", help="Predictions: a folder of <doc_id>.json files, a .jsonl file (one document per line) or one .json file."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Gold annotations folder, or a dataset folder written by `toolkit publish`."),
    tasks: str = typer.Option(",".join(EVAL_TASKS), "--tasks", help="Comma-separated tasks to score: entities, coreference, events, stances."),
    mention_kinds: Optional[str] = typer.Option(None, "--mention-kinds", help="Score only mentions of these kinds (comma-separated: name,nominal,pronoun); predicted mentions without a kind are kept."),
    coref_args: bool = typer.Option(False, "--coref-args", help="Credit a predicted argument whose span equals any mention of the gold argument's entity."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown, csv (one row per score) or json."),
    per_document: bool = typer.Option(False, "--per-document", help="With --format json: add the counts of every document (as counts files hold them)."),
    errors: bool = typer.Option(False, "--errors", help="Also list false positives, false negatives and type confusions with doc id, offsets and text."),
    system: Optional[str] = typer.Option(None, "--system", help="Instead of --pred, run a system on the gold texts: baseline, empty, or package.module:function, which imports and runs that code (give only code you trust; the current folder is importable)."),
    bootstrap: int = typer.Option(0, "--bootstrap", min=0, help="Add 95% percentile-bootstrap intervals of every headline score from N resamples of the documents (e.g. 1000)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of --bootstrap (the same seed gives the same intervals)."),
    save_pred: Optional[Path] = typer.Option(None, "--save-pred", help="With --system: keep its output as DIR/<doc_id>.json (scorable later with --pred DIR)."),
    counts_only: bool = typer.Option(False, "--counts-only", help="Output the raw counts per document (JSON, no score) of this shard, for `toolkit merge`."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the output (report or counts) to this file instead of stdout (never in annotations/ or seeds/)."),
    force: bool = force_option(),
    strict: bool = typer.Option(False, "--strict", help="Refuse everything (exit 1, nothing scored) on any error in the predictions, instead of counting each error and scoring the rest."),
    fuzzy: Optional[float] = typer.Option(None, "--fuzzy", help="Also ground quotes by similarity: the most similar stretch of the text at or above this threshold (e.g. 0.9; off by default)."),
    verbose: bool = typer.Option(False, "--verbose", help="List every prediction issue (default: one line per kind of issue, with its count)."),
    quiet: bool = typer.Option(False, "--quiet", help="Print no prediction issue."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, show_default=False, help="Score partitions of the corpus in N local processes (the same report, byte for byte). Needs a gold folder holding one .jsonl file, or a published dataset folder, and a .jsonl --pred. Default: one per core (at most 4) when those files hold 32 MiB or more, else one process; 1 always scores in one."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Score the partitions on the running Dask cluster at this address (e.g. tcp://10.0.0.5:8786), one per worker; the files must be readable there at the same paths."),
) -> None:
    """Score predictions against the gold: entities (SemEval-2013 strict/exact/partial/type), coreference, events (OneIE/TextEE), stances.

    Imperfect predictions are scored, their problems counted: a quote that cannot be grounded and
    a label outside the inventory are false positives, a document that cannot be parsed or fails
    the schema is an empty prediction; a grounding and validity report stands beside the scores.
    A summary of the issues goes to stderr (--verbose: each one; --quiet: none). Exit 0 when
    scored as given, 3 when scored but something was counted as an error, 1 when nothing could be
    scored (the gold does not validate, no prediction file, a system that fails, or --strict and
    any error), 2 on a usage error (a bad option, a path that does not exist, an unknown system,
    a refused --out/--save-pred, or an existing one without --force). Writes no file but --out and
    --save-pred. Definitions: docs/metrics.md.
    """
    from toolkit.model.labels import inventory

    set_verbosity(verbose, quiet)
    task_list = list_option(tasks, EVAL_TASKS, "--tasks")
    kinds = list_option(mention_kinds, tuple(inventory().mention_kinds), "--mention-kinds") if mention_kinds is not None else None
    verbosity, fuzzy = _verbosity(verbose, quiet), _fuzzy(fuzzy)
    if (pred is None) == (system is None):
        raise typer.BadParameter("give exactly one of --pred PATH or --system NAME", param_hint="--pred")
    anchors = (gold, pred)
    if save_pred is not None:
        if system is None:
            raise typer.BadParameter("--save-pred keeps what --system produced; --pred files are already saved", param_hint="--save-pred")
        from toolkit.io.write import check_folder

        with writing():
            check_folder(save_pred, guard=guard(*anchors), what=f"--save-pred {save_pred}")
    check_counts_only(counts_only, format, bootstrap, out, anchors, force)
    require_path(pred, "--pred")
    if system is not None:
        system_for(system, f"--system {system}")  # an unknown system is a usage error, found before the gold is read
    chosen = workers is None and scheduler is None and system is None
    if chosen:
        workers = _auto_workers(gold, pred, fuzzy)
    if ((workers or 1) > 1 or scheduler is not None) and system is None:
        run = _partitioned(gold, pred, task_list, kinds, coref_args, fuzzy, errors, workers, scheduler, chosen)
        if run is not None:
            refused = _accept(run, str(pred), strict, verbosity)
            render_report(run.report, format, errors, counts_only, bootstrap, seed, out, force, anchors, per_document=per_document)
            if refused:
                raise typer.Exit(EXIT_REFUSED)
            return
    gold_docs, drafts = gold_for_scoring(gold)

    from toolkit.evaluation.evaluate import EvalOptions, evaluate

    if system is not None:
        preds = system_predictions(system, gold_docs, save_pred, f"--system {system}", fuzzy, force, anchors)
    else:
        from toolkit.predictions.load import is_token_file, load_predictions

        if is_token_file(pred) and set(task_list) != {"entities"}:
            # IOB2 and CoNLL hold entity mentions only: coreference, event and stance scores would be meaningless
            if tasks != ",".join(EVAL_TASKS):
                err(f"{pred}: an IOB2/CoNLL file holds entity mentions only; scoring entities, not {', '.join(t for t in task_list if t != 'entities')}")
            task_list = ["entities"]
        preds = load_predictions(pred, gold_docs, fuzzy, ignore=drafts)
    refused = _accept(preds, str(pred or system), strict, verbosity)
    result = evaluate(gold_docs, preds.documents, task_list, EvalOptions(kinds, coref_args), preds.records, errors=errors,
                      statuses=preds.statuses)
    render_report(result, format, errors, counts_only, bootstrap, seed, out, force, anchors, per_document=per_document)
    if refused:
        raise typer.Exit(EXIT_REFUSED)


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
    strict: bool = typer.Option(False, "--strict", help="Refuse (exit 1) when any system's predictions have an error, instead of counting each error."),
    fuzzy: Optional[float] = typer.Option(None, "--fuzzy", help="Also ground quotes by similarity at or above this threshold (e.g. 0.9; off by default)."),
    verbose: bool = typer.Option(False, "--verbose", help="List every prediction issue."),
    quiet: bool = typer.Option(False, "--quiet", help="Print no prediction issue."),
) -> None:
    """Score several systems on the same gold side by side, and test every pairwise difference (difference, interval, p-value).

    Predictions are scored as `toolkit eval` scores them (errors counted, not refused, unless
    --strict). Exit 0 when compared, 3 when compared but a system's predictions had errors (each
    counted), 1 when the gold does not validate, a system has no prediction file, or --strict and
    any error, 2 on a usage error (a path that does not exist, an unknown system). A system:NAME
    imports and runs that code. Writes nothing. Definitions: docs/metrics.md, section "Resampling".
    """
    from toolkit.evaluation.evaluate import EvalOptions, evaluate
    from toolkit.model.labels import inventory
    from toolkit.evaluation.significance import compare as run_compare, compare_metrics

    set_verbosity(verbose, quiet)
    task_list = list_option(tasks, EVAL_TASKS, "--tasks")
    kinds = list_option(mention_kinds, tuple(inventory().mention_kinds), "--mention-kinds") if mention_kinds is not None else None
    verbosity, fuzzy = _verbosity(verbose, quiet), _fuzzy(fuzzy)
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
        if source.startswith("system:"):
            system_for(source[len("system:"):], source)
    gold_docs, drafts = gold_for_scoring(gold)
    options = EvalOptions(kinds, coref_args)
    reports, labels = {}, {}
    refused = False
    for source in systems:
        records = statuses = None
        if source == "gold":
            name, docs = "gold", gold_docs
        elif source.startswith("system:"):
            spec = source[len("system:"):]
            name = spec
            preds = system_predictions(spec, gold_docs, None, source, fuzzy)
            refused |= _accept(preds, source, strict, verbosity)
            docs, records, statuses = preds.documents, preds.records, preds.statuses
        else:
            from toolkit.predictions.load import load_predictions

            name = Path(source).stem or source
            preds = load_predictions(Path(source), gold_docs, fuzzy, ignore=drafts)
            refused |= _accept(preds, source, strict, verbosity)
            docs, records, statuses = preds.documents, preds.records, preds.statuses
        unique, n = name, 2
        while unique in reports:
            unique, n = f"{name}-{n}", n + 1
        reports[unique] = evaluate(gold_docs, docs, task_list, options, records, statuses=statuses)
        labels[unique] = source
    result = run_compare(reports, resamples, seed, test.value, names, rank_by, labels=labels)
    say(report.comparison_output(result, format.value))
    if refused:
        raise typer.Exit(EXIT_REFUSED)


@app.command()
def merge(
    files: List[Path] = typer.Argument(..., help="Counts files of `toolkit eval --counts-only` (or folders of them), one per shard."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown, csv or json: the same report as `toolkit eval`."),
    per_document: bool = typer.Option(False, "--per-document", help="With --format json: add the counts of every document."),
    errors: bool = typer.Option(False, "--errors", help="Also list the errors (every counts file must have been written with --errors)."),
    counts_only: bool = typer.Option(False, "--counts-only", help="Output the merged counts again (JSON), to merge further up a hierarchy."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the output to this file instead of stdout (never in annotations/ or seeds/)."),
    bootstrap: int = typer.Option(0, "--bootstrap", min=0, help="Add 95% percentile-bootstrap intervals from N resamples of all the merged documents (as `toolkit eval --bootstrap`)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of --bootstrap."),
    force: bool = force_option(),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Merge the counts of shards scored apart into the report of one run over all their documents.

    The shards must be disjoint and scored with the same tasks and options; the merged report is
    exactly what `toolkit eval` prints for the whole corpus. Exit 0 when merged, 1 when a counts
    file is malformed or incompatible (file and JSON pointer on stderr), 2 on a usage error, a
    missing file or a refused --out (an existing file without --force). Writes no file but --out.
    """
    from toolkit.evaluation.shards import merge_counts

    set_verbosity(verbose, quiet)
    anchors = tuple(files)
    check_counts_only(counts_only, format, bootstrap, out, anchors, force)
    merged, issues = merge_counts(files, errors)
    show_issues(issues)
    if merged is None:
        missing = [i for i in issues if i.code == "file-not-found"]
        err(f"{len(issues)} problem(s) in the counts files; nothing merged")
        raise typer.Exit(EXIT_USAGE if missing else EXIT_INVALID)
    render_report(merged, format, errors, counts_only, bootstrap, seed, out, force, anchors, per_document=per_document)
