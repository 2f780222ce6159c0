"""Commands for annotators: validate, anchor, new, stats, agree, adjudicate."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from toolkit.model.issues import has_errors
from toolkit.reporting import report

from toolkit.cli.common import (EXIT_INVALID, IssueFormat, TableFormat, err, load_gold, app)


@app.command()
def validate(
    paths: List[Path] = typer.Argument(None, help="Annotation files or folders (searched recursively). Default: annotations/."),
    format: IssueFormat = typer.Option(IssueFormat.text, "--format", help="text for people, json for machines."),
) -> None:
    """Check annotation files against the JSON Schema and the seed texts.

    Reports every problem with file, JSON pointer, message and hint. Exit 0 when valid,
    1 when any file is invalid, 2 on a usage error.
    """
    from toolkit.checks.validate import validate_paths

    paths = paths or [Path("annotations")]
    result = validate_paths(paths)
    files = [r.file for r in result.results]
    if format is IssueFormat.json:
        typer.echo(report.issues_json(result.issues, files))
    else:
        if result.issues:
            err(report.format_issues(result.issues))
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
    from toolkit.annotation.authoring import anchor_drafts

    results, issues = anchor_drafts(drafts, out)
    if issues:
        err(report.format_issues(issues))
    for path in results:
        typer.echo(f"wrote {path}")
    raise typer.Exit(EXIT_INVALID if has_errors(issues) else 0)


@app.command()
def stats(
    path: Path = typer.Argument(Path("annotations"), help="Folder of annotation files (its top-level *.json)."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown (for the README and the card), csv or json."),
    all_labels: bool = typer.Option(False, "--all", help="Also list labels that occur nowhere (json and csv always do)."),
) -> None:
    """Count documents, entities, mentions, events and stances per document and per label."""
    from toolkit.reporting.corpus_stats import corpus_stats

    typer.echo(report.stats_output(corpus_stats(load_gold(path).values()), format.value, all_labels))


@app.command()
def new(
    text: Path = typer.Argument(..., help="A UTF-8 text file to add as a source document."),
    doc_id: Optional[str] = typer.Option(None, "--id", help="Document id (default: the file name without .txt)."),
    root: Path = typer.Option(Path("."), "--root", help="Repository root holding seeds/ and annotations/."),
) -> None:
    """Add a source document: copy it into seeds/ and write an empty annotation file marked "status": "draft"."""
    from toolkit.annotation.authoring import NewDocumentError, new_document

    try:
        seed, annotation = new_document(text, root, doc_id)
    except NewDocumentError as exc:
        err(report.format_issue(exc.issue))
        raise typer.Exit(EXIT_INVALID)
    typer.echo(f"added {seed}\nwrote {annotation} (status draft: eval and publish skip it until it is annotated "
               "and adjudicated; CONTRIBUTING.md §8)")


@app.command()
def agree(
    a: Path = typer.Argument(..., help="Folder of the first pass (e.g. annotations/passes/a)."),
    b: Path = typer.Argument(..., help="Folder of the second pass (e.g. annotations/passes/b)."),
    format: TableFormat = typer.Option(TableFormat.text, "--format", help="text, markdown, csv or json."),
    differences: bool = typer.Option(False, "--differences", help="List every disagreement (for adjudication) instead of the scores."),
) -> None:
    """Inter-annotator agreement of two passes: mention F1, coreference, event F1, Cohen's kappa on stances, per document and overall."""
    from toolkit.evaluation.agreement import agreement
    from toolkit.checks.validate import InvalidData

    try:
        result = agreement(a, b)
    except InvalidData as exc:
        err(report.format_issues(exc.issues))
        raise typer.Exit(EXIT_INVALID)
    for doc_id in result.only_in_a:
        err(f"warning: {doc_id} is only in {a}")
    for doc_id in result.only_in_b:
        err(f"warning: {doc_id} is only in {b}")
    if differences:
        from toolkit.evaluation.agreement import differences_table

        typer.echo(report.table_output(differences_table(result), format.value))
        return
    typer.echo(report.agreement_output(result, format.value))


@app.command()
def adjudicate(
    a: Path = typer.Argument(..., help="Folder of pass A (the starting point)."),
    b: Path = typer.Argument(..., help="Folder of pass B."),
    decisions: Path = typer.Argument(..., help="CSV from `toolkit agree A B --differences --format csv` with a filled-in 'decision' column."),
    out: Path = typer.Option(..., "--out", help="Folder to write the adjudicated gold files into."),
    review: Optional[Path] = typer.Option(None, "--review", help="A third reader's changes, applied after the decisions (CSV: doc_id, layer, item, change, value, rule, reason; CONTRIBUTING.md §8)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing gold files whose content changes."),
) -> None:
    """Merge two passes into the gold: pass A plus the adjudicator's decision on each disagreement, then the review."""
    from toolkit.annotation.adjudicate import AdjudicationError, adjudicate as run
    from toolkit.io.write import write_json_atomic
    from toolkit.io.read import RawDoc
    from toolkit.checks.validate import InvalidData, check_raw

    for path in (decisions, review):
        if path is not None and not path.is_file():
            err(f"{path}: error [file-not-found] no such file")
            raise typer.Exit(EXIT_INVALID)
    try:
        gold = run(a, b, decisions, review)
    except InvalidData as exc:
        err(report.format_issues(exc.issues))
        raise typer.Exit(EXIT_INVALID)
    except AdjudicationError as exc:
        err(f"error: cannot apply a row: {exc}")
        raise typer.Exit(EXIT_INVALID)
    except (KeyError, StopIteration, ValueError) as exc:
        err(f"{decisions}: error: cannot apply a decision: {exc!r}")
        raise typer.Exit(EXIT_INVALID)
    failed = False
    checked: dict[Path, dict] = {}
    for doc_id, data in gold.items():
        target = out / f"{doc_id}.json"
        result = check_raw(RawDoc(data, str(target), "", target), seed_root=a.resolve())
        if result.issues:
            err(report.format_issues(result.issues))
            failed = True
        checked[target] = data
    if failed:
        raise typer.Exit(EXIT_INVALID)
    import json

    changed = [t for t, data in checked.items() if t.exists() and json.loads(t.read_text(encoding="utf-8")) != data]
    if changed and not force:
        err(f"{changed[0]}: error would overwrite {len(changed)} existing gold file(s) with different content; "
            f"hint: pass --force to replace them")
        raise typer.Exit(EXIT_INVALID)
    for target, data in checked.items():
        write_json_atomic(target, data)
        typer.echo(f"wrote {target}")
