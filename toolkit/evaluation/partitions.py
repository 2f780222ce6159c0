"""Scoring a corpus in partitions, in local processes or on a Dask cluster (``toolkit eval --workers N`` / ``--scheduler ADDRESS``).

A partition is a contiguous run of the gold documents in doc-id order (the sorted ids cut into
``count`` runs of nearly equal size) with the predictions for them. Each partition is loaded and
scored on its own, by :func:`score_partition`, in a worker: it finds every line's doc id (and the
gold's status) by a search of the two JSONL files' bytes, which is all the partitions are cut by,
then parses, checks, anchors and scores only its own lines (:func:`toolkit.io.arrow.read_jsonl_rows`;
the parse checks what the search found, and a difference means one process scores the corpus).
A prediction for a document the gold does not have goes to partition 0 (which reports it). The
reduce is :meth:`~toolkit.evaluation.evaluate.EvalReport.merge` of the partitions' reports, in
order: their counts tables are concatenated, in document order, so every sum is taken in the
same order as in one process and the report is the same, byte for byte (tests/test_partitions.py).

Partitions are cut only from what the columnar loaders read whole: a gold folder holding one
``.jsonl`` file (or, with the ``load_gold`` a layer above gives, a published dataset folder with one
``documents`` file), and a ``.jsonl`` prediction file, without ``--fuzzy``. Anything else raises
:class:`toolkit.io.arrow.NotColumnar` in the workers, and the caller scores in one process.
Without ``--workers``, ``toolkit eval`` partitions on its own from :data:`AUTO_FROM` bytes of input
(:func:`auto_workers`), where the workers save more than they cost.

Execution: :func:`run` with ``workers`` scores the partitions in that many local processes
(:class:`concurrent.futures.ProcessPoolExecutor`), forked from the calling process where the
platform forks (Linux: the toolkit is already imported there, so a worker starts at once, where a
spawned one imports it again, about 1 s of CPU each), else spawned; with ``scheduler`` it scores
one partition per worker of the running Dask cluster at that address (the files must then be
readable at the same paths on the cluster's machines). Forked workers hand their counts table back
through files on ``/dev/shm`` (:func:`_spill`). Measured on two cores, all tasks, in alternating
runs: at 200,000 documents one process 26.8 s, two forked processes 16.5 s (1.70x); a local
Dask cluster started for each run had cost about 3 s more (its start, its workers' imports, its
scheduler's own CPU time) and was no faster than one process (benchmarks/README.md).
Dask is optional (``pip install "toolkit[dask]"``), needed for ``scheduler`` only: only this
module imports it, and only in :func:`run`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from toolkit.model.issues import Issue, has_errors


@dataclass(frozen=True)
class Partition:
    """The ``index``-th of ``count`` partitions of a corpus."""

    index: int
    count: int

    def _mine(self, ids):
        """This partition's doc ids: the distinct ids (None as ""), sorted, cut into ``count`` runs
        (so a repeated id, which validation reports, stays in one partition)."""
        import pyarrow.compute as pc

        keys = pc.unique(pc.fill_null(ids, ""))
        keys = keys.take(pc.array_sort_indices(keys))  # Arrow orders strings by their UTF-8 bytes: code-point order, as sorted()
        run = np.array_split(np.arange(len(keys)), self.count)[self.index]
        return keys.slice(int(run[0]), len(run)) if len(run) else keys.slice(0, 0)

    def gold_rows(self, doc_ids) -> np.ndarray:
        """The rows (line indices) of the gold file whose documents are in this partition."""
        import pyarrow.compute as pc

        ids = _strings(doc_ids)
        keyed = pc.fill_null(ids, "")
        return np.flatnonzero(pc.is_in(keyed, value_set=self._mine(ids)).to_numpy(zero_copy_only=False)).astype(np.int64)

    def prediction_rows(self, pred_ids, gold_ids) -> np.ndarray:
        """The rows of the prediction file whose doc id belongs to this partition's gold documents
        (predictions for no gold document, or without a doc id: partition 0)."""
        import pyarrow.compute as pc

        pred, gold = _strings(pred_ids), _strings(gold_ids)
        ours = pc.fill_null(pc.is_in(pred, value_set=self._mine(gold)), False)  # a null doc id is no gold id: not ours
        if self.index == 0:  # and every prediction whose doc id (None included) no gold document has
            known = pc.is_in(pred, value_set=pc.unique(gold), skip_nulls=False)
            ours = pc.or_(ours, pc.invert(pc.fill_null(known, False)))
        return np.flatnonzero(ours.to_numpy(zero_copy_only=False)).astype(np.int64)


def _strings(ids):
    """Doc ids as an Arrow string array (a column as it is; a list's ids as ``str``, None as null)."""
    import pyarrow as pa

    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    if isinstance(ids, pa.Array) and pa.types.is_string(ids.type):
        return ids
    return pa.array([None if d is None else str(d) for d in ids], type=pa.string())


@dataclass
class PartitionResult:
    """What one partition gives back: its report, or the gold's issues when the gold does not validate."""

    report: object = None
    issues: list[Issue] = field(default_factory=list)
    """Prediction issues (or, when ``gold_invalid``, the gold's)."""
    drafts: list[str] = field(default_factory=list)
    gold_invalid: bool = False
    spilled: dict | None = None
    """Where the report's counts frame was written (:func:`_spill`), when it was; its ``frame`` is then None."""


def _spill(frame, folder: str, name: str) -> dict | None:
    """Write the columns of a counts frame to files in ``folder`` (a tmpfs), one raw array per column
    (a categorical's codes; its categories stay in the description), for the parent to map
    (:func:`_unspill`) instead of receiving the frame through a pipe. None, with nothing left behind,
    when a column is not a plain array or the folder is full: the frame is then sent as it is.

    Measured at 200,000 documents, all tasks: each partition's frame is 9.3 million rows, 188 MB
    pickled; receiving the two through the pool's pipes took the parent 1.5–2.5 s, most of it
    system time (the pipe's copies, and new memory, which this machine's virtual machine backs
    only when first touched); mapping the files maps pages that already exist."""
    import pandas as pd

    if not len(frame) or not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
        return None
    columns, written = {}, []
    try:
        for i, c in enumerate(frame.columns):
            s = frame[c]
            if isinstance(s.dtype, pd.CategoricalDtype):
                values, dtype = s.cat.codes.to_numpy(), s.dtype
            elif isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":
                values, dtype = s.to_numpy(), None
            else:
                return None
            path = os.path.join(folder, f"{name}.{i}")
            written.append(path)
            np.ascontiguousarray(values).tofile(path)
            columns[c] = (path, values.dtype.str, dtype)
    except OSError:
        return None
    finally:
        if len(columns) != len(frame.columns):
            for path in written:
                try:
                    os.unlink(path)
                except OSError:
                    pass
    return {"rows": len(frame), "columns": columns}


def _unspill(spilled: dict):
    """The counts frame :func:`_spill` wrote: its columns mapped from the files (private, copy on
    write), the same dtypes, categories and column order. The files may be removed at once."""
    import pandas as pd

    data = {}
    for c, (path, code_type, dtype) in spilled["columns"].items():
        values = np.asarray(np.memmap(path, dtype=np.dtype(code_type), mode="c", shape=(spilled["rows"],)))  # a plain array over the map
        data[c] = pd.Categorical.from_codes(values, dtype=dtype) if dtype is not None else values
    return pd.DataFrame(data, copy=False)


def score_partition(gold: str, pred: str, part: Partition, tasks: Sequence[str], options, fuzzy: float | None,
                    errors: bool, load_gold=None, spill: str | None = None) -> PartitionResult:
    """Load and score one partition (module docstring); the worker's task. ``load_gold(path, select)``
    reads the gold's partition (default :func:`toolkit.checks.validate.load_corpus`; a layer above
    gives one that also reads a published dataset folder); ``spill``: a folder on a tmpfs of this
    machine to write the counts frame to (:func:`_spill`), for a local parent."""
    from toolkit.checks.gold import split_drafts
    from toolkit.checks.validate import InvalidData, load_corpus
    from toolkit.evaluation.evaluate import evaluate
    from toolkit.io.arrow import NotColumnar
    from toolkit.predictions.load import load_predictions

    if fuzzy is not None:
        raise NotColumnar("--fuzzy")
    gold_ids: list = []  # the gold file's doc-id column, once its search has found it
    known: list = []  # every gold document but the drafts: what one process scores against

    def gold_select(path, table):
        column = table.column("doc_id")
        gold_ids[:] = [column]
        status = table.column("status").to_pylist()
        known[:] = [d for d, s in zip(column.to_pylist(), status) if s != "draft" and d is not None]
        return part.gold_rows(column)

    try:
        corpus = load_corpus(gold, select=gold_select) if load_gold is None else load_gold(gold, gold_select)
    except InvalidData as exc:
        return PartitionResult(issues=exc.issues, gold_invalid=True)
    gold_docs, drafts = split_drafts(corpus)

    def pred_select(path, table):
        return part.prediction_rows(table.column("doc_id"), gold_ids[0])

    preds = load_predictions(pred, gold_docs, fuzzy, ignore=drafts, select=pred_select, known=known)
    report = evaluate(gold_docs, preds.documents, tasks, options, preds.records, errors=errors, statuses=preds.statuses)
    spilled = _spill(report.counts.frame, spill, f"partition-{part.index}") if spill is not None else None
    if spilled is not None:
        report.counts.frame = None
        report.counts.__dict__.pop("_totals", None)  # a cache that holds the frame
    return PartitionResult(report, preds.issues, drafts, spilled=spilled)


def partitionable(gold: Path, pred: Path) -> bool:
    """Whether partitions can be cut from these paths (module docstring); checked before starting workers."""
    return one_jsonl(gold) and jsonl_file(pred)


def jsonl_file(pred: Path) -> bool:
    """Whether ``pred`` is a ``.jsonl`` file, the predictions that partitions are cut from."""
    pred = Path(pred)
    return pred.is_file() and pred.suffix == ".jsonl"


def one_jsonl(gold: Path) -> bool:
    """Whether ``gold`` is a folder holding one ``.jsonl`` file and no ``.json`` file."""
    gold = Path(gold)
    if not gold.is_dir():
        return False
    files = [p for p in gold.iterdir() if p.suffix in (".json", ".jsonl")]
    return len(files) == 1 and files[0].suffix == ".jsonl"


AUTO_FROM = 32 * 2**20
"""The size of the input (gold and prediction files together, in bytes) from which ``toolkit eval``
scores in partitions without being asked (:func:`auto_workers`). Measured on two cores with the
synthetic corpus of benchmarks/synth.py, entities, JSONL gold, medians of three: at 2,000 documents
(5.7 MB) two workers took 0.72 s against 0.65 s in one process, at 5,000 (14 MB) 0.84 against 0.85,
at 10,000 (28 MB) 1.13 against 1.07, at 20,000 (57 MB) 1.51 against 1.75, at 50,000 (142 MB) 2.82
against 3.46: below about 30 MB, starting the workers costs what they save."""

AUTO_MOST = 4
"""The most workers chosen without being asked: each reads the whole files to find its lines, and
holds its own copy of what it loads."""


def usable_cores() -> int:
    """The processors this process may run on (its affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def auto_workers(files: Sequence[Path]) -> int:
    """How many local workers to score in when the user did not say (``toolkit eval`` without
    ``--workers``): one process below :data:`AUTO_FROM` bytes of input, else one worker per usable
    core, at most :data:`AUTO_MOST`. The report is the same either way; only the time differs."""
    size = 0
    for f in files:
        try:
            size += os.stat(f).st_size
        except OSError:
            return 1
    return 1 if size < AUTO_FROM else min(AUTO_MOST, usable_cores())


def _renamed(issue: Issue, names) -> Issue:
    file, message = issue.file, issue.message
    for absolute, original in names:
        if file == absolute or file.startswith(absolute + "/"):
            file = original + file[len(absolute):]
        message = message.replace(absolute, original)
    return Issue(issue.code, file, issue.pointer, message, issue.hint, issue.severity)


def _line(issue: Issue) -> int:
    head = issue.pointer.split("/")[1] if issue.pointer.startswith("/") else ""
    return int(head) if head.isdigit() else -1


def combine(results: Sequence[PartitionResult]) -> tuple[object, list[Issue], list[str]]:
    """The report of all partitions, their prediction issues in the order one process gives them
    (by line, then the missing predictions by doc id), and the drafts."""
    report = None
    for r in results:
        report = r.report if report is None else report.merge(r.report)
    issues = [i for r in results for i in r.issues]
    missing = sorted((i for i in issues if i.code == "missing-prediction"), key=lambda i: i.message)
    rest = sorted((i for i in issues if i.code != "missing-prediction"), key=_line)
    return report, rest + missing, sorted(d for r in results for d in r.drafts)


class PartitionedRun:
    """The outcome of :func:`run`: the merged report and the predictions' issues (``ok`` as a PredictionSet's)."""

    def __init__(self, report, issues: list[Issue], drafts: list[str]):
        self.report, self.issues, self.drafts = report, issues, drafts

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)


def _start_method() -> str:
    """How local workers start: forked where the platform forks safely (Linux), else spawned."""
    import sys

    return "fork" if sys.platform.startswith("linux") else "spawn"


_TMPFS = "/dev/shm"


def _spill_folder() -> str | None:
    """A new private folder on the machine's tmpfs for forked workers' counts (:func:`_spill`), or
    None (no writable ``/dev/shm``: the counts come through the pipes)."""
    import tempfile

    if not (os.path.isdir(_TMPFS) and os.access(_TMPFS, os.W_OK | os.X_OK)):
        return None
    _remove_stale(_TMPFS)
    try:
        return tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=_TMPFS)
    except OSError:
        return None


_PREFIX = "toolkit-partitions-"


def _remove_stale(tmpfs: str) -> None:
    """Remove the spill folders of commands that are no longer running (killed before they removed
    their own: the folder is named for the command's process id), so a killed run does not keep
    its counts in memory. A folder of a running process, or of another user, is left alone."""
    import shutil

    try:
        names = [n for n in os.listdir(tmpfs) if n.startswith(_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except OSError:  # running, as another user
            continue
        shutil.rmtree(os.path.join(tmpfs, name), ignore_errors=True)


def _share_cores(threads: int) -> None:
    """A local worker's start: Arrow's thread pool sized to the worker's share of the cores, so that
    N workers' parses do not run N times as many threads as there are cores (on two cores, two
    workers: 0.93x the CPU time, 0.97x the wall time at 50,000 documents)."""
    import pyarrow as pa

    pa.set_cpu_count(threads)


def _pool(workers: int, method: str):
    """The pool of ``workers`` local processes, each with its share of Arrow's threads."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=_share_cores, initargs=(max(1, usable_cores() // workers),))


def _in_processes(workers: int, jobs: list[tuple]) -> list[PartitionResult]:
    import shutil

    method = _start_method()
    if method == "fork":  # what a worker imports, imported once here and shared by every fork
        import toolkit.checks.validate  # noqa: F401
        import toolkit.evaluation.evaluate  # noqa: F401
        import toolkit.predictions.load  # noqa: F401
    folder = _spill_folder() if method == "fork" else None  # spawned workers: platforms whose files may not be removed while mapped
    try:
        with _pool(workers, method) as pool:
            results = list(pool.map(score_partition, *zip(*jobs), [folder] * len(jobs)))  # each job ends with its load_gold
        for r in results:
            if r.spilled is not None:
                r.report.counts.frame = _unspill(r.spilled)
                r.spilled = None
        return results
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)  # mapped files stay readable until unmapped


@dataclass
class CheckedPartition:
    """What :func:`check_partition` gives back: the partition's issues, and the file of each
    document checked, as runs of (file, count)."""

    issues: list[Issue]
    files: list[tuple[str, int]]


def _runs(names: list[str]) -> list[tuple[str, int]]:
    runs: list[list] = []
    for name in names:
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    return [(name, n) for name, n in runs]


def check_partition(paths: Sequence[str], part: Partition) -> CheckedPartition:
    """Validate one partition of the gold at ``paths`` (``toolkit validate`` in partitions): only the
    lines of its documents are parsed and checked (:func:`toolkit.checks.validate.validate_paths`
    with ``select``). Raises :class:`~toolkit.io.arrow.NotColumnar` for a file Arrow cannot read whole."""
    from toolkit.checks.validate import validate_paths

    report = validate_paths(list(paths), select=lambda path, table: part.gold_rows(table.column("doc_id")), documents=False)
    return CheckedPartition(report.issues, _runs([r.file for r in report.results]))


def one_jsonl_file(paths: Sequence[Path]) -> Path | None:
    """The one file ``toolkit validate PATHS`` would check when it is a ``.jsonl`` file (the paths
    name it, or folders whose files, searched as validate searches them, are it alone), else None."""
    from toolkit.io.read import list_files

    files, issues = list_files(list(paths), recursive=True, suffixes=(".json", ".jsonl"), confine=True)
    return files[0] if len(files) == 1 and not issues and files[0].suffix == ".jsonl" else None


def validate(paths: Sequence[str], workers: int):
    """``toolkit validate`` of a gold that is one ``.jsonl`` file, in ``workers`` local processes
    (forked on Linux): a :class:`~toolkit.checks.validate.ValidationReport` with the issues of one
    process, in its order (by line: a line belongs to one partition, whose issues keep their
    order), and one result per document checked, without documents. Raises
    :class:`~toolkit.io.arrow.NotColumnar` when a partition cannot be read so, and
    ``BrokenProcessPool`` when a worker dies."""
    from toolkit.checks.validate import FileResult, ValidationReport

    method = _start_method()
    if method == "fork":
        import toolkit.checks.columnar  # noqa: F401  (imported once, shared by the forks)
        import toolkit.checks.validate  # noqa: F401
    paths = [str(p) for p in paths]
    with _pool(workers, method) as pool:
        parts = list(pool.map(check_partition, [paths] * workers, [Partition(i, workers) for i in range(workers)]))
    issues = sorted((i for part in parts for i in part.issues), key=_line)  # stable: a line's issues keep their order
    results = [FileResult(name, None) for part in parts for name, n in part.files for _ in range(n)]
    return ValidationReport(results=results, issues=issues)


def _on_cluster(scheduler: str, job) -> list[PartitionResult]:
    from dask.distributed import Client

    client = Client(scheduler)
    try:
        count = max(1, len(client.scheduler_info().get("workers", {})))
        futures = [client.submit(score_partition, *job(Partition(i, count)), pure=False) for i in range(count)]
        return client.gather(futures)
    finally:
        client.close()


def run(gold: Path, pred: Path, tasks: Sequence[str], options, fuzzy: float | None, errors: bool,
        workers: int | None = None, scheduler: str | None = None, load_gold=None) -> PartitionedRun:
    """Score ``pred`` against ``gold`` in partitions, in ``workers`` local processes or on the Dask
    cluster at ``scheduler`` (module docstring). ``load_gold``: as :func:`score_partition` takes it, a
    module-level function (the workers receive it by name); with it, only ``pred`` is checked here,
    and a gold it cannot read in partitions raises :class:`~toolkit.io.arrow.NotColumnar` in the workers.

    Raises :class:`toolkit.io.arrow.NotColumnar` when the paths cannot be partitioned,
    :class:`toolkit.checks.validate.InvalidData` with the gold's issues when it does not validate,
    and ImportError when ``scheduler`` is given and Dask is not installed.
    """
    from toolkit.checks.validate import InvalidData
    from toolkit.io.arrow import NotColumnar

    if not (jsonl_file(pred) if load_gold is not None else partitionable(gold, pred)) or fuzzy is not None:
        raise NotColumnar(f"{gold} / {pred}")
    given = (str(gold), str(pred))
    gold, pred = str(Path(gold).resolve()), str(Path(pred).resolve())  # the workers may run elsewhere (another cwd, machine)

    def job(part: Partition) -> tuple:
        return gold, pred, part, tuple(tasks), options, fuzzy, errors, load_gold

    if scheduler is not None:
        results = _on_cluster(scheduler, job)
    else:
        count = int(workers)
        results = _in_processes(count, [job(Partition(i, count)) for i in range(count)])
    for r in results:  # issues name the files as the user gave them, as in one process
        r.issues = [_renamed(i, ((pred, given[1]), (gold, given[0]))) for i in r.issues]
    invalid = [r for r in results if r.gold_invalid]
    if invalid:
        raise InvalidData(sorted((i for r in invalid for i in r.issues), key=_line))  # in line order, as one process lists them
    report, issues, drafts = combine(results)
    return PartitionedRun(report, issues, drafts)
