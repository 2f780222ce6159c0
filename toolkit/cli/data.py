"""Commands that move data between formats and places: publish, convert, show."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from toolkit.model.issues import has_errors
from toolkit.reporting import report

from toolkit.cli.common import (EXIT_INVALID, EXIT_USAGE, ConvertFormat, err, force_option, guard, load_gold,
                                missing_paths, out as say, quiet_option, require_path, show_issues, usage_error,
                                verbose_option, verbosity, writing, app)


@app.command()
def publish(
    out: Path = typer.Option(..., "--out", help="Dataset folder to write: absent, empty, or an earlier output of publish (replaced atomically when complete)."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Folder of gold annotation files."),
    push_to_hub: Optional[str] = typer.Option(None, "--push-to-hub", help="Also upload to this Hub dataset repo (ORG/NAME); needs HF_TOKEN and network."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Build a Hugging Face dataset folder (Parquet configs, dataset card, schema, guidelines) from the validated gold.

    --out must be absent, empty or an unchanged earlier output of publish (recognised by its
    .toolkit-publish.json); the repository root, a folder holding or inside annotations/, seeds/
    or .git, any other non-empty folder and a file are refused (exit 2) before any work. The new
    folder is built beside --out and swapped in atomically; the old one is removed only then.
    Exit 0 when published, 1 when the gold does not validate, 2 on a usage error or when
    --push-to-hub cannot upload (no token, no network: nothing was uploaded).
    """
    from toolkit.dataset.publish import HubUnavailable, publish as build_dataset, push_to_hub as push
    from toolkit.dataset.card import card_for
    from toolkit.io.write import check_replaceable

    from toolkit.checks.gold import split_drafts

    verbosity(verbose, quiet)
    rules = guard(gold)
    with writing():
        check_replaceable(out, guard=rules, keep=(gold, Path.cwd()))
    gold_docs, drafts = split_drafts(load_gold(gold))
    for doc_id in drafts:
        err(f"note: {doc_id} is a draft (\"status\": \"draft\", not yet annotated and adjudicated): left out")
    docs = list(gold_docs.values())
    if not docs:
        err(f"{gold}: no {'adjudicated ' if drafts else ''}annotation files to publish")
        raise typer.Exit(EXIT_INVALID)
    body = card_for(docs, gold, repo_id=push_to_hub)
    guidelines = next((p for p in (gold.resolve().parent / "CONTRIBUTING.md", Path("CONTRIBUTING.md")) if p.is_file()), None)
    with writing():
        result = build_dataset(docs, out, body, guidelines, guard=rules, keep=(gold, Path.cwd()))
    say(f"published {len(docs)} documents to {result.out}: " + ", ".join(f"{c} {n} rows" for c, n in result.counts.items()))
    if result.skipped:
        err(f"warning: no rows for config(s) {', '.join(result.skipped)}; left out (datasets cannot load an empty split)")
    if push_to_hub:
        try:
            url = push(result.out, push_to_hub)
        except HubUnavailable as exc:
            raise usage_error(f"--push-to-hub {push_to_hub}: {exc}", f"the dataset folder {result.out} is complete; "
                              "push it later with HF_TOKEN set and the network reachable")
        say(f"pushed to {url}")


@app.command()
def regenerate(
    root: Path = typer.Option(Path("."), "--root", help="Repository root (holding annotations/, README.md and dataset/)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; list every generated file that is stale and exit 1 if any is."),
) -> None:
    """Rewrite what the gold generates: the committed dataset folder dataset/ (as `toolkit publish --out dataset`
    writes it) and the marked tables of README.md (gold statistics, agreement, baseline scores).

    Run it after every change to annotations/ (or to the label inventory, the guidelines, the tokeniser or the
    scores); the tests fail while any of these files is stale. Drafts ("status": "draft") are left out.
    """
    from toolkit.checks.validate import InvalidData
    from toolkit.dataset.repository import GeneratedError, regenerate as run, stale
    from toolkit.io.write import OutputRefused

    require_path(root / "annotations", "--root")
    try:
        if check:
            problems = stale(root)
            for problem in problems:
                err(problem)
            if problems:
                err(f"stale: run `toolkit regenerate{'' if root == Path('.') else f' --root {root}'}`")
                raise typer.Exit(EXIT_INVALID)
            typer.echo("dataset/ and the README tables are current")
            return
        written, drafts = run(root)
    except InvalidData as exc:
        err(report.format_issues(exc.issues))
        err(f"{root / 'annotations'}: the gold does not validate; run `toolkit validate`")
        raise typer.Exit(EXIT_INVALID)
    except (GeneratedError, FileNotFoundError) as exc:
        err(str(exc))
        raise typer.Exit(EXIT_INVALID)
    except OutputRefused as exc:  # dataset/ holds files publish did not write
        raise usage_error(exc.message, exc.hint)
    for doc_id in drafts:
        err(f"note: {doc_id} is a draft (\"status\": \"draft\"): left out of the dataset and the tables")
    for path in written:
        typer.echo(f"{'wrote' if path.exists() else 'removed'} {path}")
    if not written:
        typer.echo("dataset/ and the README tables were already current")


@app.command()
def convert(
    src: Path = typer.Argument(..., help="Input: an annotations folder (json), a brat folder, a Label Studio JSON export, an IOB2 file or a 2-column CoNLL file."),
    from_: ConvertFormat = typer.Option(..., "--from", help="Input format."),
    to: ConvertFormat = typer.Option(..., "--to", help="Output format."),
    out: Path = typer.Option(..., "--out", help="Folder to write into (created when missing; never annotations/ or seeds/)."),
    root: Path = typer.Option(Path("."), "--root", help="Repository root with seeds/ (for imports)."),
    force: bool = force_option(),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Convert annotations between our JSON and brat standoff, Label Studio JSON, IOB2 or CoNLL token files and spaCy DocBins.

    What a format cannot hold is reported (stderr), never dropped silently. Every output file is
    checked before the first is written: an existing file is replaced only with --force, and no
    file name made from a document id may leave --out. Exit 0 when converted, 1 when the input
    does not convert, 2 on a usage error (SRC does not exist, a refused --out).
    """
    from toolkit.io.write import check_folder, write_files
    from toolkit.formats import convert as run_convert, unsupported

    verbosity(verbose, quiet)
    refused = unsupported(from_.value, to.value)
    if refused is not None:
        raise usage_error(*refused)
    require_path(src, "SRC")
    rules = guard(src, corpora=(root,))
    with writing():
        check_folder(out, guard=rules, what=f"--out {out}")
    files, issues = run_convert(src, from_.value, to.value, root)
    show_issues(issues)
    if has_errors(issues):
        raise typer.Exit(EXIT_USAGE if missing_paths(i for i in issues if i.file == str(src)) else EXIT_INVALID)
    with writing():
        # formats may write subfolders (Label Studio: one per annotator); every part is a checked plain name
        for path in write_files(out, files, force=force, guard=rules, subfolders=True):
            say(f"wrote {path}")


@app.command()
def show(
    doc: Optional[str] = typer.Argument(None, help="Document id (e.g. 000_f9a79c641ca46a11); leave out with --all."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Gold annotations folder or published dataset folder."),
    pred: Optional[Path] = typer.Option(None, "--pred", help="Prediction file, or folder holding <doc_id>.json, or a .jsonl file."),
    system: Optional[str] = typer.Option(None, "--system", help="Run a system (baseline, empty, or package.module:function, which imports and runs that code) and show its output."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write a self-contained HTML page here (with --all: a folder, index.html and one page per document; never in annotations/ or seeds/)."),
    all_docs: bool = typer.Option(False, "--all", help="Every document of the gold: with --html DIR, an index page linking each document's page with its scores."),
    force: bool = force_option(),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Render a document with its annotations inline; with predictions, gold and predictions side by side, sentence by
    sentence, each span marked as `toolkit eval` counts it: correct, mistyped, partial, missed or spurious.

    Exit 0 when shown, 1 when the gold or the prediction does not validate, 2 on a usage error
    (an unknown document, a path that does not exist, an unknown system, a refused --html, an
    existing --html file without --force).
    """
    import sys

    from toolkit.dataset.gold import load_gold
    from toolkit.reporting.render import index_html, view_html, view_text
    from toolkit.reporting.view import build_view
    from toolkit.predictions.single import prediction_for
    from toolkit.checks.validate import InvalidData
    from toolkit.io.write import check_file, check_folder, write_files, write_text

    verbosity(verbose, quiet)
    if pred is not None and system is not None:
        raise usage_error("give --pred or --system, not both")
    if all_docs == (doc is not None):
        raise usage_error("give a document id, or --all (with --html DIR)")
    if all_docs and html is None:
        raise usage_error("--all writes one page per document: give --html DIR")
    require_path(gold, "--gold")
    require_path(pred, "--pred")
    rules = guard(gold, pred)
    if html is not None:
        with writing():
            if all_docs:
                check_folder(html, guard=rules, what=f"--html {html}")
            else:
                check_file(html, force=force, guard=rules, what=f"--html {html}")
    try:
        docs = load_gold(gold)
    except InvalidData as exc:
        show_issues(exc.issues)
        raise typer.Exit(EXIT_INVALID)
    title = system or (str(pred) if pred else "predictions")
    if system is not None:
        from toolkit.cli.common import system_for

        system_for(system, f"--system {system}")  # an unknown system is a usage error
    if not all_docs:
        if doc not in docs:
            import difflib

            close = difflib.get_close_matches(doc, list(docs), n=1, cutoff=0.5)
            listed = ", ".join(sorted(docs)[:10]) + (" ..." if len(docs) > 10 else "")
            raise usage_error(f"{gold}: no document {doc[:80]!r}", f"did you mean {close[0]!r}?" if close else f"documents: {listed}")
        prediction, issues = (None, [])
        if pred is not None or system is not None:
            prediction, issues = prediction_for(docs[doc], pred, system)
            show_issues(issues)
            if prediction is None:
                raise typer.Exit(EXIT_INVALID)
        view = build_view(docs[doc], prediction, pred_title=title)
        if html is not None:
            with writing():
                write_text(html, view_html(view), force=force, guard=rules)
            say(f"wrote {html}")
        else:
            say(view_text(view, colour=sys.stdout.isatty()), nl=False)
        return
    from toolkit.cli.common import check_predictions, system_predictions

    documents = None
    if system is not None:
        documents = system_predictions(system, docs, None, f"--system {system}").documents
    elif pred is not None:
        from toolkit.predictions.load import load_predictions

        preds = load_predictions(pred, docs)
        check_predictions(preds, str(pred))
        documents = preds.documents
    entries, pages = [], {}
    for doc_id in sorted(docs):
        view = build_view(docs[doc_id], None if documents is None else documents.get(doc_id) or
                          type(docs[doc_id])(doc_id=doc_id, text=docs[doc_id].text), pred_title=title)
        pages[f"{doc_id}.html"] = view_html(view, index="index.html")
        entries.append((view, f"{doc_id}.html"))
    pages["index.html"] = index_html(entries, f"{gold}" + (f" vs {title}" if documents is not None else ""))
    with writing():
        write_files(html, pages, force=force, guard=rules)  # every page checked before the first is written
    say(f"wrote {html / 'index.html'} and {len(entries)} document page(s)")
