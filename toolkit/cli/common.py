"""What every command shares: the app, exit codes, option types and the helpers that turn problems into exit codes.

Exit codes (README, "Exit codes"): 0 success; 1 invalid data (a file that does not validate, a
system that fails on a document, an id that cannot be a file name); 2 usage error (a bad option
value, a path that does not exist, an unknown system or document, an output path that is refused,
a push that cannot be made). Every issue list goes through :func:`show_issues`, which prints them
as ``--verbose``/``--quiet`` ask (:func:`toolkit.reporting.report.summarise_issues`); every file
goes through :mod:`toolkit.io.write` (:func:`writing` turns its refusals into exit codes).
"""

from __future__ import annotations

import contextlib
from enum import Enum
from pathlib import Path
from typing import Iterator, Optional

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


@app.callback()
def _reset() -> None:
    """Validate, score and publish information-extraction annotations (entities, coreference, events, stances)."""
    verbosity(False, False)  # every command starts from the default (tests run many in one process)


# ---------------------------------------------------------------- issue output (--verbose / --quiet)

_VERBOSITY = {"verbose": False, "quiet": False}

VERBOSE_HELP = "Print every issue (by default, repeated issues are summarised: the first few of each code, then a count)."
QUIET_HELP = "Print no issue lines, only a count of them and the command's own result."


def verbose_option() -> bool:
    """The ``--verbose`` option of a command that reports issues: ``verbose: bool = verbose_option()``."""
    return typer.Option(False, "--verbose", help=VERBOSE_HELP)


def quiet_option() -> bool:
    """The ``--quiet`` option of a command that reports issues: ``quiet: bool = quiet_option()``."""
    return typer.Option(False, "--quiet", help=QUIET_HELP)


def verbosity(verbose: bool, quiet: bool) -> None:
    """Set how :func:`show_issues` prints for the running command (call it first; both at once is a usage error)."""
    if verbose and quiet:
        raise typer.BadParameter("give --verbose or --quiet, not both", param_hint="--quiet")
    _VERBOSITY.update(verbose=verbose, quiet=quiet)


def show_issues(issues) -> None:
    """Print issues on stderr, summarised unless --verbose, not at all with --quiet (a count line instead)."""
    text = report.summarise_issues(issues, **_VERBOSITY)
    if text:
        err(text)


def out(text: str, nl: bool = True) -> None:
    """Print a result on stdout (a lone surrogate printed as its escape, never a crash)."""
    typer.echo(report.safe_text(text), nl=nl)


class IssueFormat(str, Enum):
    text = "text"
    json = "json"


def err(text: str) -> None:
    """Print a problem or a note on stderr (a lone surrogate printed as its escape, never a crash)."""
    typer.echo(report.safe_text(text), err=True)


# ---------------------------------------------------------------- usage checks and writing


def usage_error(message: str, hint: str | None = None) -> typer.Exit:
    """Print a usage error (and its hint) and return the exit 2 to raise."""
    err(f"error: {message}" + (f"\n    hint: {hint}" if hint else ""))
    return typer.Exit(EXIT_USAGE)


def require_path(path: Optional[Path], option: str) -> None:
    """Exit 2 when a path given on the command line does not exist."""
    if path is not None and not path.exists():
        raise usage_error(f"{option} {path}: no such file or folder", "check the path")


def missing_paths(issues) -> list:
    """The ``file-not-found`` issues among ``issues`` (a path named on the command line that does not exist: exit 2)."""
    return [i for i in issues if i.code == "file-not-found"]


def guard(*anchors, allow=(), corpora=()):
    """The :class:`toolkit.io.write.Guard` of a command: protects ``anchors`` (its gold, its inputs) and their
    corpora, the corpora of ``corpora`` (a --root) and of the working directory; ``allow``: the kinds
    (``annotations``, ``seeds``) it may write into."""
    from toolkit.io.write import Guard

    return Guard.around(*anchors, allow=allow, corpora=corpora)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Turn the refusals of :mod:`toolkit.io.write` into exits: a refused output path 2, an unsafe id 1."""
    from toolkit.io.write import OutputRefused, UnsafeName

    try:
        yield
    except OutputRefused as exc:
        raise usage_error(exc.message, exc.hint)
    except UnsafeName as exc:
        err(f"error: {exc}; nothing written")
        raise typer.Exit(EXIT_INVALID)


FORCE_HELP = "Replace output files that already exist (without it, an existing file is never overwritten)."


def force_option() -> bool:
    """The ``--force`` option of a command that writes files."""
    return typer.Option(False, "--force", help=FORCE_HELP)


class TableFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    csv = "csv"
    json = "json"


def load_gold(path: Path):
    """Load a corpus for a command, or print every issue and exit 1 (2 when the path does not exist)."""
    from toolkit.checks.validate import InvalidData, load_corpus

    require_path(path, "gold")
    try:
        return load_corpus(path)
    except InvalidData as exc:
        show_issues(exc.issues)
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
    """Usage error when an output path lies inside the annotations or seeds of the gold's corpus or the current one."""
    from toolkit.io.write import OutputRefused

    try:
        guard(gold).check(path)
    except OutputRefused as exc:
        raise usage_error(exc.message, exc.hint)


EVAL_TASKS = ("entities", "coreference", "events", "stances")


def list_option(value: str, allowed, option: str) -> tuple[str, ...]:
    """Split a comma-separated option; a value outside ``allowed`` is a usage error (exit 2)."""
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        raise typer.BadParameter(f"{', '.join(bad) or 'nothing given'}: choose from {', '.join(allowed)}", param_hint=option)
    return items


def render_report(result, format: "TableFormat", errors: bool, counts_only: bool, bootstrap: int, seed: int,
                   out: Optional[Path], force: bool = False, anchors=(), per_document: bool = False) -> None:
    """Emit an evaluation report (``eval`` and ``merge``): its counts, or its scores with optional intervals."""
    if counts_only:
        return emit(report.counts_output(result, errors), out, force, anchors)
    intervals = None
    if bootstrap:
        from toolkit.evaluation.significance import intervals as bootstrap_intervals

        intervals = bootstrap_intervals(result, bootstrap, seed)
    emit(report.eval_output(result, format.value, errors, intervals, per_document), out, force, anchors)


def gold_for_scoring(gold: Path) -> tuple[dict, list[str]]:
    """The gold documents and the ids of the drafts left out (a note each), or exit 1 with every issue."""
    from toolkit.checks.gold import split_drafts
    from toolkit.dataset.gold import load_gold
    from toolkit.checks.validate import InvalidData

    require_path(gold, "--gold")
    try:
        gold_docs, drafts = split_drafts(load_gold(gold))
    except InvalidData as exc:
        show_issues(exc.issues)
        err(f"{gold}: the gold annotations do not validate; run `toolkit validate {gold}`")
        raise typer.Exit(EXIT_INVALID)
    for doc_id in drafts:
        err(f"note: {doc_id} is a draft (\"status\": \"draft\", not yet annotated and adjudicated): not scored, "
            "and predictions for it are ignored")
    if not gold_docs:
        err(f"{gold}: no gold documents to score against")
        raise typer.Exit(EXIT_INVALID)
    return gold_docs, drafts


def system_for(system: str, label: str):
    """The callable of ``--system`` (exit 2 when it cannot be loaded: an unknown name, a module that is not there)."""
    from toolkit.predictions.systems import SystemNotFound, load_system

    try:
        return load_system(system)
    except SystemNotFound as exc:
        raise usage_error(f"{label}: {exc}", "a system is baseline, empty, or package.module:function "
                          "(imported from the current folder or the Python path; it runs as your code)")


def system_predictions(system: str, gold_docs: dict, save_pred: Optional[Path], label: str, fuzzy: Optional[float] = None,
                       force: bool = False, anchors=()):
    """Run a system on every gold text (optionally saving its outputs); exit 1 naming the failure."""
    from toolkit.io.read import RawDoc
    from toolkit.predictions.load import predictions_from_dicts, predictions_from_raw
    from toolkit.predictions.systems import SystemFailure, run_system, save_outputs

    func = system_for(system, label)
    try:
        outputs = {d.doc_id: run_system(func, d.doc_id, d.text) for d in gold_docs.values()}
        if save_pred is None:
            return predictions_from_dicts(list(outputs.values()), gold_docs, f"<system {system}>", fuzzy)
        with writing():
            paths = save_outputs(outputs, save_pred, force=force, guard=guard(*anchors))
    except SystemFailure as exc:
        err(f"{label}: {exc}")
        raise typer.Exit(EXIT_INVALID)
    err(f"saved {len(paths)} prediction file(s) of {system} in {save_pred}")
    raws = [RawDoc(outputs[p.stem], str(p), "", p) for p in paths]
    return predictions_from_raw(raws, gold_docs, str(save_pred), fuzzy)


def check_predictions(preds, label: str) -> None:
    """Report prediction issues on stderr; exit 1 when any is an error."""
    show_issues(preds.issues)
    if not preds.ok:
        n_errors = sum(i.severity == "error" for i in preds.issues)
        err(f"{label}: {n_errors} error(s) in the predictions; nothing scored")
        raise typer.Exit(EXIT_INVALID)


class CompareTest(str, Enum):
    bootstrap = "bootstrap"
    permutation = "permutation"


def check_counts_only(counts_only: bool, format: TableFormat, bootstrap: int, out: Optional[Path], anchors=(),
                      force: bool = False) -> None:
    """Usage errors of --counts-only and --out (exit 2): checked before any work is done."""
    if counts_only and format is not TableFormat.text:
        raise typer.BadParameter("--counts-only always writes JSON counts; leave out --format", param_hint="--format")
    if counts_only and bootstrap:
        raise typer.BadParameter("--counts-only writes counts, not scores; bootstrap the merged counts (toolkit merge --bootstrap N)", param_hint="--bootstrap")
    if out is not None:
        from toolkit.io.write import check_file

        with writing():
            check_file(out, force=force, guard=guard(*anchors), what=f"--out {out}")


def emit(text: str, out_path: Optional[Path], force: bool = False, anchors=()) -> None:
    """Print ``text``, or write it to ``out_path`` (atomically, never over a file without ``force``) and say so on stderr."""
    if out_path is None:
        out(text)
        return
    from toolkit.io.write import write_text

    with writing():
        write_text(out_path, text + "\n", force=force, guard=guard(*anchors))
    err(f"wrote {out_path}")
