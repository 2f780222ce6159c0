"""Commands for annotators: validate, anchor, new, stats, agree, adjudicate."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from toolkit.model.issues import has_errors
from toolkit.reporting import report

from toolkit.cli.common import (EXIT_INVALID, EXIT_USAGE, IssueFormat, TableFormat, err, force_option, guard, load_gold,
                                missing_paths, out as say, quiet_option, show_issues, usage_error, verbose_option, verbosity,
                                writing, app)


@app.command()
def validate(
    paths: List[Path] = typer.Argument(None, help="Annotation files or folders (searched recursively). Default: annotations/."),
    format: IssueFormat = typer.Option(IssueFormat.text, "--format", help="text for people, json for machines (every issue, unabridged)."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, show_default=False, help="Check partitions of one .jsonl file in N local processes (the same report). Default: one per core (at most 4) for a file of 32 MiB or more, else one process."),
) -> None:
    """Check annotation files against the JSON Schema and the seed texts.

    Reports every problem with file, JSON pointer, message and hint (repeated ones summarised
    unless --verbose). Exit 0 when valid, 1 when any file is invalid, 2 on a usage error (a path
    that does not exist). Writes nothing.
    """
    verbosity(verbose, quiet)
    paths = paths or [Path("annotations")]
    result = _validated(paths, workers)
    files = [r.file for r in result.results]
    if format is IssueFormat.json:
        say(report.issues_json(result.issues, files))
    else:
        show_issues(result.issues)
        say(report.issues_summary(result.issues, len(files)))
    if missing_paths(i for i in result.issues if i.file in {str(p) for p in paths}):
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(0 if result.ok else EXIT_INVALID)


def _validated(paths: list[Path], workers: int | None):
    """The report of ``validate``: in partitions (:func:`toolkit.evaluation.partitions.validate`) when
    the paths are one ``.jsonl`` file, or a folder holding one, and workers are asked for or chosen
    (:func:`toolkit.evaluation.partitions.auto_workers`), else in one process. A partitioned check
    that cannot be done (a file Arrow cannot read whole; a worker that dies, with a note) is done
    in one process."""
    from toolkit.checks.validate import validate_paths
    from toolkit.evaluation import partitions

    single = partitions.one_jsonl_file(paths)
    chosen = workers is None
    if single is not None and chosen:
        workers = partitions.auto_workers([single])
    if single is not None and (workers or 1) > 1:
        from concurrent.futures.process import BrokenProcessPool

        from toolkit.io.arrow import NotColumnar

        try:
            return partitions.validate(paths, workers)
        except NotColumnar:
            if not chosen:
                err("note: checking in one process: the file could not be read whole as JSONL")
        except BrokenProcessPool:
            err("note: a worker process ended before its partition was checked (out of memory?); checking in one process"
                + (" (--workers 1 does so from the start)" if chosen else ""))
    elif not chosen and (workers or 1) > 1 and all(p.exists() for p in paths):
        err("note: checking in one process: partitions are cut from one .jsonl file (or a folder holding one)")
    return validate_paths(paths, documents=False)


@app.command()
def anchor(
    drafts: List[Path] = typer.Argument(..., help="Draft annotation files whose spans are quotes (text + context/occurrence)."),
    out: Path = typer.Option(..., "--out", help="Folder to write the anchored annotation files into (<doc_id>.json); may be in annotations/, never in seeds/."),
    force: bool = force_option(),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Compute offsets for an annotator's draft and write a schema-valid annotation file.

    Only offsets are computed: every label, id and reference is the annotator's. Problems are
    reported against the draft (its file and JSON pointer); a quote that occurs nowhere or more
    than once, a misspelt key or label, or anything else that does not validate means nothing is
    written for that draft. An existing <doc_id>.json is replaced only with --force. Exit 0 when
    every draft was written, 1 when a draft has errors, 2 on a usage error (a draft that does not
    exist, a refused --out).
    """
    from toolkit.annotation.authoring import anchor_drafts
    from toolkit.io.write import check_folder, plan_files, write_json

    verbosity(verbose, quiet)
    for draft in drafts:
        if not draft.exists():
            raise usage_error(f"{draft}: no such draft file", "check the path")
    rules = guard(*drafts, allow=("annotations",))
    with writing():
        check_folder(out, guard=rules, what=f"--out {out}")
    results, issues = anchor_drafts(drafts)
    show_issues(issues)
    with writing():
        targets = plan_files(out, [f"{doc_id}.json" for doc_id in results], force=force, guard=rules)
        for target, (_, data) in zip(targets, results.values()):
            write_json(target, data, force=force, guard=rules)
            say(f"wrote {target}")
    if has_errors(issues):
        err(f"{sum(i.severity == 'error' for i in issues)} error(s) in the draft(s); nothing written for the drafts that have them")
    raise typer.Exit(EXIT_INVALID if has_errors(issues) else 0)


@app.command()
def stats(
    path: Path = typer.Argument(Path("annotations"), help="Folder of annotation files (its top-level *.json)."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown (for the README and the card), csv or json."),
    all_labels: bool = typer.Option(False, "--all", help="Also list labels that occur nowhere (json and csv always do)."),
) -> None:
    """Count documents, entities, mentions, events and stances per document and per label. Writes nothing."""
    from toolkit.reporting.corpus_stats import corpus_stats

    say(report.stats_output(corpus_stats(load_gold(path).values()), format.value, all_labels))


@app.command()
def new(
    text: Path = typer.Argument(..., help="A UTF-8 text file to add as a source document."),
    doc_id: Optional[str] = typer.Option(None, "--id", help="Document id (default: the file name without .txt)."),
    root: Path = typer.Option(Path("."), "--root", help="Repository root holding seeds/ and annotations/."),
) -> None:
    """Add a source document: copy it into seeds/ and write an empty annotation file marked "status": "draft".

    Writes exactly ROOT/seeds/<id>.txt and ROOT/annotations/<id>.json, never over an existing
    file (seeds are never overwritten; there is no --force). Exit 0 when added, 1 when the text is
    not UTF-8 or the id is taken, 2 on a usage error (a text that does not exist, a bad --id).
    """
    from toolkit.annotation.authoring import NewDocumentError, new_document

    if not text.exists():
        raise usage_error(f"{text}: no such file", "give the path of a UTF-8 text file")
    if not text.is_file():
        raise usage_error(f"{text}: is a folder, not a text file", "give the path of a UTF-8 text file")
    try:
        with writing():
            seed, annotation = new_document(text, root, doc_id, guard(corpora=(root,), allow=("annotations", "seeds")))
    except NewDocumentError as exc:
        err(report.format_issue(exc.issue))
        raise typer.Exit(EXIT_USAGE if exc.issue.code == "invalid-value" else EXIT_INVALID)
    say(f"added {seed}\nwrote {annotation} (status draft: eval and publish skip it until it is annotated "
        "and adjudicated; CONTRIBUTING.md §8)")


@app.command()
def agree(
    a: Path = typer.Argument(..., help="Folder of the first pass (e.g. annotations/passes/a)."),
    b: Path = typer.Argument(..., help="Folder of the second pass (e.g. annotations/passes/b)."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown, csv or json."),
    differences: bool = typer.Option(False, "--differences", help="List every disagreement (for adjudication) instead of the scores."),
) -> None:
    """Inter-annotator agreement of two passes: mention F1, coreference, event F1, Cohen's kappa on stances, per document and overall. Writes nothing."""
    from toolkit.evaluation.agreement import agreement
    from toolkit.checks.validate import InvalidData

    for path in (a, b):
        if not path.exists():
            raise usage_error(f"{path}: no such folder", "give the folders of the two passes")
    try:
        result = agreement(a, b)
    except InvalidData as exc:
        show_issues(exc.issues)
        raise typer.Exit(EXIT_INVALID)
    for doc_id in result.only_in_a:
        err(f"warning: {doc_id} is only in {a}")
    for doc_id in result.only_in_b:
        err(f"warning: {doc_id} is only in {b}")
    if differences:
        from toolkit.evaluation.agreement import differences_table

        say(report.table_output(differences_table(result), format.value))
        return
    say(report.agreement_output(result, format.value))


@app.command()
def adjudicate(
    a: Path = typer.Argument(..., help="Folder of pass A (the starting point)."),
    b: Path = typer.Argument(..., help="Folder of pass B."),
    decisions: Path = typer.Argument(..., help="CSV from `toolkit agree A B --differences --format csv` with a filled-in 'decision' column."),
    out: Path = typer.Option(..., "--out", help="Folder to write the adjudicated gold files into (<doc_id>.json; e.g. annotations/)."),
    review: Optional[Path] = typer.Option(None, "--review", help="A third reader's changes, applied after the decisions (CSV: doc_id, layer, item, change, value, rule, reason; CONTRIBUTING.md §8)."),
    force: bool = typer.Option(False, "--force", help="Replace existing gold files whose content changes (files that would not change are left as they are)."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Merge two passes into the gold: pass A plus the adjudicator's decision on each disagreement, then the review.

    Writes one OUT/<doc_id>.json per document of both passes (into annotations/ is its job; never
    into seeds/), each validated first, and only when every document validates; an existing file
    whose content would change is replaced only with --force (an unchanged one is left as it is).
    Exit 0 when written, 1 when a CSV or a decision cannot be applied or a result does not
    validate, 2 on a usage error (a path that does not exist, a refused --out, a changed file
    without --force).
    """
    import json

    from toolkit.annotation.adjudicate import AdjudicationError, adjudicate as run
    from toolkit.io.write import check_folder, dumps_json, write_files
    from toolkit.io.read import RawDoc
    from toolkit.checks.validate import InvalidData, check_raw

    verbosity(verbose, quiet)
    for path in (a, b, decisions, review):
        if path is not None and not path.exists():
            raise usage_error(f"{path}: no such file or folder", "check the path")
    rules = guard(a, b, allow=("annotations",))
    with writing():
        check_folder(out, guard=rules, what=f"--out {out}")
    try:
        gold = run(a, b, decisions, review)
    except InvalidData as exc:
        show_issues(exc.issues)
        raise typer.Exit(EXIT_INVALID)
    except AdjudicationError as exc:
        err(f"error: cannot apply a row: {exc}")
        raise typer.Exit(EXIT_INVALID)
    failed = False
    files = {}
    for doc_id, data in gold.items():
        target = out / f"{doc_id}.json"
        result = check_raw(RawDoc(data, f"{target} (adjudicated, not written)", "", target), seed_root=a.resolve())
        if result.issues:
            show_issues(result.issues)
            failed = True
            continue
        text = dumps_json(data)
        try:
            if target.is_file() and json.loads(target.read_text(encoding="utf-8")) == data:
                say(f"unchanged {target}")
                continue
        except (OSError, ValueError):
            pass  # unreadable or not JSON: a change, which needs --force
        files[f"{doc_id}.json"] = text
    if failed:
        err("the adjudicated gold does not validate; nothing written")
        raise typer.Exit(EXIT_INVALID)
    with writing():
        for path in write_files(out, files, force=force, guard=rules):
            say(f"wrote {path}")
