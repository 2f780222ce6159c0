"""Commands for researchers: eval, compare, merge."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from toolkit.reporting import report

from toolkit.cli.common import (EVAL_TASKS, EXIT_INVALID, EXIT_USAGE, CompareTest, TableFormat, check_counts_only,
                                check_predictions, err, gold_for_scoring, list_option, refuse_protected,
                                render_report, system_predictions, app)


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
    from toolkit.model.labels import inventory

    task_list = list_option(tasks, EVAL_TASKS, "--tasks")
    kinds = list_option(mention_kinds, tuple(inventory().mention_kinds), "--mention-kinds") if mention_kinds is not None else None
    if (pred is None) == (system is None):
        raise typer.BadParameter("give exactly one of --pred PATH or --system NAME", param_hint="--pred")
    if save_pred is not None:
        if system is None:
            raise typer.BadParameter("--save-pred keeps what --system produced; --pred files are already saved", param_hint="--save-pred")
        refuse_protected(save_pred, gold)
    check_counts_only(counts_only, format, bootstrap, out, gold)
    gold_docs = gold_for_scoring(gold)

    from toolkit.evaluation.evaluate import EvalOptions, evaluate

    if system is not None:
        preds = system_predictions(system, gold_docs, save_pred, f"--system {system}")
    else:
        from toolkit.predictions.load import load_predictions

        preds = load_predictions(pred, gold_docs)
    check_predictions(preds, str(pred or system))
    result = evaluate(gold_docs, preds.documents, task_list, EvalOptions(kinds, coref_args))
    render_report(result, format, errors, counts_only, bootstrap, seed, out)


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
    from toolkit.evaluation.evaluate import EvalOptions, evaluate
    from toolkit.model.labels import inventory
    from toolkit.evaluation.significance import compare as run_compare, compare_metrics

    task_list = list_option(tasks, EVAL_TASKS, "--tasks")
    kinds = list_option(mention_kinds, tuple(inventory().mention_kinds), "--mention-kinds") if mention_kinds is not None else None
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
    gold_docs = gold_for_scoring(gold)
    options = EvalOptions(kinds, coref_args)
    reports, labels = {}, {}
    for source in systems:
        if source == "gold":
            name, docs = "gold", gold_docs
        elif source.startswith("system:"):
            spec = source[len("system:"):]
            name = spec
            preds = system_predictions(spec, gold_docs, None, source)
            check_predictions(preds, source)
            docs = preds.documents
        else:
            from toolkit.predictions.load import load_predictions

            name = Path(source).stem or source
            preds = load_predictions(Path(source), gold_docs)
            check_predictions(preds, source)
            docs = preds.documents
        unique, n = name, 2
        while unique in reports:
            unique, n = f"{name}-{n}", n + 1
        reports[unique] = evaluate(gold_docs, docs, task_list, options)
        labels[unique] = source
    result = run_compare(reports, resamples, seed, test.value, names, rank_by, labels=labels)
    typer.echo(report.comparison_output(result, format.value))


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
    from toolkit.evaluation.shards import merge_counts

    check_counts_only(counts_only, format, bootstrap, out, Path("annotations"))
    merged, issues = merge_counts(files, errors)
    if issues:
        err(report.format_issues(issues))
    if merged is None:
        missing = [i for i in issues if i.code == "file-not-found"]
        err(f"{len(issues)} problem(s) in the counts files; nothing merged")
        raise typer.Exit(EXIT_USAGE if missing else EXIT_INVALID)
    render_report(merged, format, errors, counts_only, bootstrap, seed, out)
