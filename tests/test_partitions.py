"""Partitioned scoring (`toolkit eval --workers N` / `--scheduler ADDRESS`) gives the report of one process.

The partitions are scored in two local processes and on a real local Dask cluster of two worker
processes on loopback; the reports (JSON with per-document counts and errors, and the text report)
are compared byte for byte with a single-process run, on a synthetic corpus with damaged
predictions (so issues, refused items, missing predictions and unknown documents are all in play).
Without Dask the cluster test is skipped with the reason; CI installs it with the test extra.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synth import write_dataset  # noqa: E402
from toolkit.cli import app  # noqa: E402
from toolkit.evaluation.partitions import Partition, partitionable  # noqa: E402

runner = CliRunner()


@st.composite
def _ids(draw):
    ids = draw(st.lists(st.text("abcxyz", min_size=1, max_size=3), max_size=30))
    return ids, draw(st.integers(1, 5))


@settings(max_examples=200, deadline=None)
@given(_ids())
def test_partitions_cover_every_row_once_and_keep_equal_ids_together(case):
    ids, count = case
    rows = [Partition(i, count).gold_rows(ids) for i in range(count)]
    every = np.sort(np.concatenate(rows)) if rows else np.zeros(0)
    assert every.tolist() == list(range(len(ids)))
    for i, r in enumerate(rows):
        for j in range(i + 1, count):
            assert not ({ids[k] for k in r.tolist()} & {ids[k] for k in rows[j].tolist()})
    # contiguous in doc-id order: every id of partition i sorts before every id of partition i + 1
    for i in range(count - 1):
        a, b = [ids[k] for k in rows[i].tolist()], [ids[k] for k in rows[i + 1].tolist()]
        if a and b:
            assert max(a) < min(b)


def _reference_rows(part, pred_ids, gold_ids):
    """The partition rules in plain Python (the first implementation): distinct ids (None as ""),
    sorted, cut into runs; a prediction goes with its gold document, and to partition 0 when no
    gold document has its doc id."""
    keys = sorted({"" if d is None else str(d) for d in gold_ids})
    mine = set(np.array_split(np.asarray(keys, dtype=object), part.count)[part.index].tolist()) if keys else set()
    gold = [r for r, d in enumerate(gold_ids) if ("" if d is None else str(d)) in mine]
    known = set(gold_ids)
    pred = [r for r, d in enumerate(pred_ids) if d in mine or (part.index == 0 and d not in known)]
    return gold, pred


_ID = st.none() | st.sampled_from(["", "a", "b", "ab", "é", "z", "A", "a b", "日本"]) | st.text("abz", max_size=2)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ID, max_size=25), st.lists(_ID, max_size=25), st.integers(1, 5))
def test_vectorised_partition_rows_equal_the_plain_rules(gold_ids, pred_ids, count):
    """Arrow's unique, sort and is_in give the rows the plain rules give, None and "" included."""
    import pyarrow as pa

    for i in range(count):
        part = Partition(i, count)
        gold, pred = _reference_rows(part, pred_ids, gold_ids)
        assert part.gold_rows(gold_ids).tolist() == gold
        assert part.gold_rows(pa.array(gold_ids, pa.string())).tolist() == gold
        assert part.prediction_rows(pred_ids, gold_ids).tolist() == pred
        assert part.prediction_rows(pa.chunked_array([pa.array(pred_ids, pa.string())]), pa.array(gold_ids, pa.string())).tolist() == pred


def test_predictions_go_with_their_gold_document_and_strays_to_the_first_partition():
    gold = ["d1", "d2", "d3", "d4"]
    preds = ["d4", "zz", None, "d1", "d2", "d1"]
    parts = [Partition(i, 2).prediction_rows(preds, gold).tolist() for i in range(2)]
    assert parts == [[1, 2, 3, 4, 5], [0]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("partitions")
    write_dataset(out, 120, seed=5)
    lines = (out / "pred.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [json.loads(x) for x in lines]
    docs[7]["entities"][0]["type"] = "PERSON"                        # a label outside the inventory
    docs[50]["entities"][0]["mentions"][0]["text"] = "not in the text"  # a quote that does not ground
    docs[90]["doc_id"] = "no-such-document"                         # a document the gold does not have
    del docs[100]                                                   # a missing prediction
    damaged = [json.dumps(d, ensure_ascii=False) for d in docs]
    (out / "damaged.jsonl").write_text("\n".join(damaged) + "\n", encoding="utf-8")
    damaged[30] = damaged[30][:-5]                                  # a line that is not JSON
    (out / "broken.jsonl").write_text("\n".join(damaged) + "\n", encoding="utf-8")
    return out


def _run(args, cwd):
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, args)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("pred", ["pred.jsonl", "damaged.jsonl"])
def test_two_local_workers_give_the_report_of_one_process(corpus, pred):
    base = ["eval", "--gold", "annotations", "--pred", pred, "--format", "json", "--per-document", "--errors"]
    one = _run(base + ["--workers", "1"], corpus)
    two = _run(base + ["--workers", "2"], corpus)
    assert one.exit_code == two.exit_code == (0 if pred == "pred.jsonl" else 3), (one.stderr, two.stderr)
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr  # the same issue summary
    verbose = ["eval", "--gold", "annotations", "--pred", pred, "--verbose", "--tasks", "entities"]
    assert _run(verbose + ["--workers", "1"], corpus).stderr == _run(verbose + ["--workers", "2"], corpus).stderr  # every issue, in file order


def test_a_file_arrow_cannot_read_whole_is_scored_in_one_process(corpus):
    base = ["eval", "--gold", "annotations", "--pred", "broken.jsonl", "--format", "json"]
    one, two = _run(base + ["--workers", "1"], corpus), _run(base + ["--workers", "2"], corpus)
    assert one.exit_code == two.exit_code == 3
    assert one.stdout == two.stdout
    assert two.stderr == "note: scoring in one process: a file could not be read whole as JSONL\n" + one.stderr


def test_a_running_cluster_by_its_address(corpus):
    pytest.importorskip("distributed", reason="Dask is not installed (pip install 'toolkit[dask]'); CI installs it")
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0") as cluster:
        for extra in (["--format", "text"], ["--format", "json", "--per-document", "--errors"]):
            base = ["eval", "--gold", str(corpus / "annotations"), "--pred", str(corpus / "damaged.jsonl"), *extra]
            one = runner.invoke(app, base + ["--workers", "1"])
            remote = runner.invoke(app, base + ["--scheduler", cluster.scheduler_address])
            assert one.exit_code == remote.exit_code == 3
            assert one.stdout == remote.stdout and one.stderr == remote.stderr


_WITHOUT_DASK = ("import sys; sys.modules['dask'] = sys.modules['distributed'] = None; sys.argv[0] = 'toolkit'; "
                 "from toolkit.cli import main; main()")


def test_local_workers_need_no_dask_and_the_scheduler_says_it_does(corpus):
    """--workers uses local processes of the standard library; only --scheduler needs the dask extra."""
    import subprocess

    base = [sys.executable, "-c", _WITHOUT_DASK, "eval", "--gold", "annotations", "--pred", "damaged.jsonl", "--format", "json"]
    one, two = (subprocess.run(base + extra, cwd=corpus, capture_output=True, text=True) for extra in (["--workers", "1"], ["--workers", "2"]))
    assert one.returncode == two.returncode == 3 and one.stdout == two.stdout and one.stderr == two.stderr
    refused = subprocess.run(base + ["--scheduler", "tcp://127.0.0.1:9"], cwd=corpus, capture_output=True, text=True)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == '--scheduler needs Dask: pip install "toolkit[dask]"\n'


def test_a_gold_folder_that_cannot_be_partitioned_is_scored_in_one_process(corpus, tmp_path):
    gold = Path(__file__).resolve().parent.parent / "annotations"  # the real gold: one JSON file per document
    assert not partitionable(gold, corpus / "pred.jsonl")
    result = runner.invoke(app, ["eval", "--gold", str(gold), "--system", "baseline", "--workers", "2", "--format", "json"])
    assert result.exit_code == 0
    result = runner.invoke(app, ["eval", "--gold", str(gold), "--pred", str(corpus / "pred.jsonl"), "--workers", "2", "--quiet"])
    assert "scoring in one process" in result.stderr


def test_invalid_gold_exits_1_with_every_issue(corpus, tmp_path):
    import shutil

    root = tmp_path / "broken"
    (root / "annotations").mkdir(parents=True)
    shutil.copytree(corpus / "seeds", root / "seeds")
    lines = (corpus / "annotations" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    bad = [json.loads(x) for x in lines]
    bad[3]["entities"][0]["type"] = "PERSON"
    bad[110]["entities"][0]["mentions"][0]["text"] = "wrong"
    (root / "annotations" / "gold.jsonl").write_text("".join(json.dumps(d) + "\n" for d in bad), encoding="utf-8")
    shutil.copy(corpus / "pred.jsonl", root / "pred.jsonl")
    base = ["eval", "--gold", "annotations", "--pred", "pred.jsonl"]
    one, two = _run(base + ["--workers", "1"], root), _run(base + ["--workers", "2"], root)
    assert one.exit_code == two.exit_code == 1
    assert one.stderr == two.stderr


def test_a_partition_parses_only_its_lines_and_checks_what_the_search_found(corpus, tmp_path):
    """A worker parses only its own lines (toolkit.io.arrow.read_jsonl_rows): the same table as the
    whole file parsed and those rows taken; a doc id the byte search cannot read as written (an
    escape) makes the partition refuse, so that one process scores the corpus."""
    import pyarrow as pa

    from toolkit.io.arrow import PREDICTION, NotColumnar, read_jsonl, read_jsonl_rows

    path = corpus / "damaged.jsonl"
    whole, _ = read_jsonl(path, PREDICTION)
    wanted = [3, 4, 90, 117]
    seen = {}

    def select(p, found):
        seen["ids"] = found.column("doc_id").to_pylist()
        return wanted

    table, lines, rows = read_jsonl_rows(path, PREDICTION, select, ("doc_id",))
    assert rows.tolist() == wanted and table.equals(whole.take(pa.array(wanted)))
    assert seen["ids"] == whole.column("doc_id").to_pylist()  # the search found every line's doc id
    assert lines.count(b"\n") == len(wanted)
    docs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    escaped = json.dumps(docs[4]).replace('"doc_id": "' + docs[4]["doc_id"], '"doc_id": "\\u0073' + docs[4]["doc_id"][1:], 1)
    assert escaped != json.dumps(docs[4]) and json.loads(escaped)["doc_id"] == docs[4]["doc_id"]
    odd = tmp_path / "odd.jsonl"
    odd.write_text("\n".join([json.dumps(d) for d in docs[:4]] + [escaped]) + "\n", encoding="utf-8")
    with pytest.raises(NotColumnar):
        read_jsonl_rows(odd, PREDICTION, lambda p, found: [4], ("doc_id",))
    assert read_jsonl_rows(odd, PREDICTION, lambda p, found: [0, 1], ("doc_id",))[2].tolist() == [0, 1]  # not its line: not its check


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 119), max_size=40), st.booleans())
def test_the_chosen_lines_are_the_lines_of_the_chosen_rows(corpus, tmp_path_factory, rows, unterminated):
    """read_jsonl_rows copies runs of consecutive lines in one slice each: the same bytes as the
    chosen lines one by one, in the order chosen, whatever the order (and with a last line that has
    no line break)."""
    import pyarrow as pa

    from toolkit.io.arrow import PREDICTION, read_jsonl, read_jsonl_rows

    path = corpus / "pred.jsonl"
    if unterminated:
        path = tmp_path_factory.mktemp("rows") / "pred.jsonl"
        path.write_bytes((corpus / "pred.jsonl").read_bytes().rstrip(b"\n"))
    whole, _ = read_jsonl(path, PREDICTION)
    by_line = path.read_bytes().splitlines(keepends=True)
    table, lines, got = read_jsonl_rows(path, PREDICTION, lambda p, found: rows, ("doc_id",))
    expected = b"".join(by_line[r] for r in rows)
    assert got.tolist() == rows
    assert lines == (expected if not expected or expected.endswith(b"\n") else expected + b"\n")
    assert table.equals(whole.take(pa.array(rows, pa.int64())) if rows else table.schema.empty_table())


_PIECES = ['"doc_id": "a"', '"doc_id":"b c"', '"doc_id" :\t"é"', '"doc_id": "x\\"y"', '"doc_id": null', '"doc_id": 3',
           '"name": "doc_id"', '"doc_id": ""', '"notes": "\\"doc_id\\": \\"q\\""', '"doc_id": "\\u0061"']


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=3), min_size=1, max_size=6))
def test_the_search_of_the_lines_finds_what_the_docstring_says(tmp_path_factory, lines):
    """Each line's found value is the string of its first ``"key": "..."`` without a quote or a
    backslash in it (the pattern, searched line by line with Python's re, is the reference)."""
    import re

    from toolkit.io.arrow import PREDICTION, read_jsonl_rows

    text = "".join("{" + ", ".join(pieces) + "}\n" for pieces in lines)
    path = tmp_path_factory.mktemp("search") / "p.jsonl"
    path.write_text(text, encoding="utf-8")
    seen = {}

    def select(p, found):
        seen["ids"] = found.column("doc_id").to_pylist()
        return []

    read_jsonl_rows(path, PREDICTION, select, ("doc_id",))
    pattern = re.compile(r'"doc_id"[ \t]*:[ \t]*"([^"\\]*)"')
    assert seen["ids"] == [m.group(1) if (m := pattern.search(line)) else None for line in text.splitlines()]


def _die(*args):
    import os

    os._exit(9)  # as the kernel's out-of-memory killer ends a worker: no exception, no result


def test_a_worker_that_dies_is_a_clear_error(corpus, monkeypatch):
    from toolkit.evaluation import partitions

    if partitions._start_method() != "fork":
        pytest.skip("the replacement reaches the workers by fork only")
    monkeypatch.setattr(partitions, "score_partition", _die)
    result = _run(["eval", "--gold", "annotations", "--pred", "pred.jsonl", "--workers", "2"], corpus)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("--workers: a worker process ended before its partition was scored (out of memory?); "
                             "nothing was scored: try fewer workers, or none\n")


def test_counts_come_back_through_tmpfs_files_or_else_the_pipe(corpus, monkeypatch, tmp_path):
    """Forked workers write their counts frames to a private folder (on /dev/shm; here a folder of
    the test's, so that the test runs on any machine) that the parent maps and removes; without a
    usable folder they come through the pool's pipe. The report is the same."""
    import os

    from toolkit.evaluation import partitions

    base = ["eval", "--gold", "annotations", "--pred", "damaged.jsonl", "--format", "json", "--per-document", "--errors"]
    one = _run(base + ["--workers", "1"], corpus)
    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(partitions, "_TMPFS", str(shm))
    mapped = []
    real = partitions._unspill
    monkeypatch.setattr(partitions, "_unspill", lambda spilled: mapped.append(spilled) or real(spilled))
    two = _run(base + ["--workers", "2"], corpus)
    assert (two.exit_code, two.stdout, two.stderr) == (one.exit_code, one.stdout, one.stderr)
    assert len(mapped) == 2 and all(set(m["columns"]) == {"doc", "task", "measure", "label", "outcome", "count"} for m in mapped)
    assert all(os.path.dirname(os.path.dirname(path)) == str(shm) for m in mapped for path, _, _ in m["columns"].values())
    assert os.listdir(shm) == []  # the folder and its files are removed
    mapped.clear()
    monkeypatch.setattr(partitions, "_TMPFS", str(tmp_path / "no-such-folder"))
    piped = _run(base + ["--workers", "2"], corpus)
    assert (piped.exit_code, piped.stdout, piped.stderr) == (one.exit_code, one.stdout, one.stderr)
    assert mapped == []


def test_a_spill_that_fails_leaves_nothing_and_sends_the_frame(tmp_path):
    import pandas as pd

    from toolkit.evaluation.partitions import _spill, _unspill

    frame = pd.DataFrame({"doc": np.array([0, 0, 1]), "task": pd.Categorical(["entities", "events", "entities"]),
                          "count": np.array([1.0, 0.5, 2.0])})
    (tmp_path / "p.2").mkdir()  # the third column's file cannot be written
    assert _spill(frame, str(tmp_path), "p") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.2"]
    assert _spill(frame, str(tmp_path / "missing"), "p") is None
    spilled = _spill(frame, str(tmp_path), "q")
    back = _unspill(spilled)
    pd.testing.assert_frame_equal(back, frame)
    assert _spill(frame.astype({"task": object}), str(tmp_path), "r") is None  # strings are not raw arrays


def test_the_spill_folders_of_dead_commands_are_removed(tmp_path, monkeypatch):
    """A command killed between a worker's write and its own removal leaves a folder named for its
    process id; the next command removes it, and leaves those of running processes alone."""
    import os
    import subprocess

    from toolkit.evaluation import partitions

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)  # a process that has ended
    stale = tmp_path / f"toolkit-partitions-{dead}-abc"
    stale.mkdir()
    (stale / "partition-0.0").write_bytes(b"x" * 64)
    alive = tmp_path / f"toolkit-partitions-{os.getppid()}-def"  # the test runner's parent is running
    alive.mkdir()
    other = tmp_path / "toolkit-partitions-notapid"
    other.mkdir()
    monkeypatch.setattr(partitions, "_TMPFS", str(tmp_path))
    folder = partitions._spill_folder()
    try:
        assert not stale.exists() and alive.exists() and other.exists()
        assert os.path.basename(folder).startswith(f"toolkit-partitions-{os.getpid()}-")
    finally:
        os.rmdir(folder)


@pytest.fixture(scope="module")
def published(corpus):
    """The corpus's gold as a published dataset folder (``corpus/published``)."""
    from toolkit.checks.validate import load_corpus
    from toolkit.dataset.publish import publish

    from toolkit.dataset import publish as module

    out = corpus / "published"
    if not out.exists():
        size, module.ROW_GROUP = module.ROW_GROUP, 7  # many row groups, which partitions cut across
        try:
            publish(list(load_corpus(corpus / "annotations").values()), out, "A synthetic test corpus.\n")
        finally:
            module.ROW_GROUP = size
    return out


@settings(max_examples=60, deadline=None)
@given(rows=st.sets(st.integers(0, 119), max_size=40))
def test_a_published_partition_reads_its_row_groups_and_gives_its_rows(published, rows):
    """Only the row groups that hold the selected rows are read: the documents are those of the
    whole file at those rows, in file order (and none for no row)."""
    import pyarrow.parquet as pq

    from toolkit.dataset.publish import documents_files, load_published

    (file,) = documents_files(published)
    assert pq.ParquetFile(file).metadata.num_row_groups == 18  # 120 documents, 7 a group
    whole = load_published(published)
    ids = list(whole)
    chosen = sorted(rows)
    part = load_published(published, select=lambda path, table: chosen)
    assert list(part) == [ids[r] for r in chosen]
    assert {k: part[k] for k in part} == {ids[r]: whole[ids[r]] for r in chosen}


def _counting_runs(monkeypatch) -> list:
    """Record the number of local workers of every partitioned run (the parent's side, so forked
    workers need not report back)."""
    from toolkit.evaluation import partitions

    counts: list = []
    real = partitions._in_processes
    monkeypatch.setattr(partitions, "_in_processes", lambda workers, jobs: counts.append(workers) or real(workers, jobs))
    return counts


@pytest.mark.parametrize("pred", ["pred.jsonl", "damaged.jsonl"])
def test_a_published_gold_in_partitions_gives_the_report_of_one_process(corpus, published, pred, monkeypatch):
    counts = _counting_runs(monkeypatch)
    base = ["eval", "--gold", "published", "--pred", pred, "--format", "json", "--per-document", "--errors"]
    one, two = _run(base + ["--workers", "1"], corpus), _run(base + ["--workers", "2"], corpus)
    assert counts == [2]  # partitioned indeed, not scored in one process after a note
    assert one.exit_code == two.exit_code == (0 if pred == "pred.jsonl" else 3), (one.stderr, two.stderr)
    assert (one.stdout, one.stderr) == (two.stdout, two.stderr)
    jsonl = _run(["eval", "--gold", "annotations", "--pred", pred, "--format", "json", "--per-document", "--errors", "--workers", "1"], corpus)
    assert jsonl.stdout == one.stdout  # and the report of the JSONL gold it was published from


def test_auto_workers_counts_the_input_and_the_cores(tmp_path, monkeypatch):
    from toolkit.evaluation import partitions

    a, b = tmp_path / "a", tmp_path / "b"
    with open(a, "wb") as f:
        f.truncate(partitions.AUTO_FROM - 11)  # sparse: the size counts, not the bytes written
    b.write_bytes(b"x" * 10)
    monkeypatch.setattr(partitions, "usable_cores", lambda: 3)
    assert partitions.auto_workers([a, b]) == 1  # one byte short
    b.write_bytes(b"x" * 11)
    assert partitions.auto_workers([a, b]) == 3
    monkeypatch.setattr(partitions, "usable_cores", lambda: 64)
    assert partitions.auto_workers([a, b]) == partitions.AUTO_MOST == 4
    monkeypatch.setattr(partitions, "usable_cores", lambda: 1)
    assert partitions.auto_workers([a, b]) == 1
    assert partitions.auto_workers([a, tmp_path / "missing"]) == 1
    monkeypatch.undo()
    import os

    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert partitions.usable_cores() == expected


def test_without_workers_a_large_input_is_partitioned_on_its_own(corpus, published, monkeypatch):
    """`eval` without --workers: one process below AUTO_FROM bytes, else one worker per core (at
    most AUTO_MOST), with the same report and messages; gold or predictions that cannot be
    partitioned, --fuzzy and --system are scored in one process without a note (the user asked for
    nothing)."""
    from toolkit.evaluation import partitions

    counts = _counting_runs(monkeypatch)
    base = ["eval", "--gold", "annotations", "--pred", "damaged.jsonl", "--format", "json", "--per-document", "--errors"]
    one = _run(base + ["--workers", "1"], corpus)
    small = _run(base, corpus)
    assert counts == [] and (small.exit_code, small.stdout, small.stderr) == (one.exit_code, one.stdout, one.stderr)
    monkeypatch.setattr(partitions, "AUTO_FROM", 0)
    monkeypatch.setattr(partitions, "usable_cores", lambda: 2)
    auto = _run(base, corpus)
    assert counts == [2] and (auto.exit_code, auto.stdout, auto.stderr) == (one.exit_code, one.stdout, one.stderr)
    monkeypatch.setattr(partitions, "usable_cores", lambda: 64)
    many = _run(base, corpus)
    assert counts == [2, partitions.AUTO_MOST] and many.stdout == one.stdout
    monkeypatch.setattr(partitions, "usable_cores", lambda: 2)
    pub = _run(["eval", "--gold", "published", "--pred", "damaged.jsonl", "--format", "json", "--per-document", "--errors"], corpus)
    assert counts[-1] == 2 and len(counts) == 3 and pub.stdout == one.stdout
    del counts[:]
    real_gold = Path(__file__).resolve().parent.parent / "annotations"  # one JSON file per document
    for args in (["--gold", str(real_gold), "--pred", str(corpus / "pred.jsonl"), "--quiet"],
                 ["--gold", str(corpus / "annotations"), "--pred", str(corpus / "pred.jsonl"), "--fuzzy", "0.9", "--quiet"],
                 ["--gold", str(real_gold), "--system", "baseline"]):
        result = runner.invoke(app, ["eval", *args])
        assert result.exit_code in (0, 3) and "one process" not in result.stderr, result.stderr
    assert counts == []
    one_fuzzy = runner.invoke(app, ["eval", "--gold", str(corpus / "annotations"), "--pred", str(corpus / "damaged.jsonl"),
                                    "--fuzzy", "0.9", "--workers", "1"])
    auto_fuzzy = runner.invoke(app, ["eval", "--gold", str(corpus / "annotations"), "--pred", str(corpus / "damaged.jsonl"), "--fuzzy", "0.9"])
    assert (one_fuzzy.stdout, one_fuzzy.stderr) == (auto_fuzzy.stdout, auto_fuzzy.stderr) and counts == []


def test_a_worker_that_dies_when_none_were_asked_for_is_scored_in_one_process(corpus, monkeypatch):
    from toolkit.evaluation import partitions

    if partitions._start_method() != "fork":
        pytest.skip("the replacement reaches the workers by fork only")
    base = ["eval", "--gold", "annotations", "--pred", "damaged.jsonl", "--format", "json"]
    one = _run(base + ["--workers", "1"], corpus)
    monkeypatch.setattr(partitions, "AUTO_FROM", 0)
    monkeypatch.setattr(partitions, "usable_cores", lambda: 2)
    monkeypatch.setattr(partitions, "score_partition", _die)
    result = _run(base, corpus)
    assert (result.exit_code, result.stdout) == (one.exit_code, one.stdout) == (3, one.stdout)
    assert result.stderr == ("note: a worker process ended before its partition was scored (out of memory?); scoring in one "
                             "process (--workers 1 does so from the start)\n" + one.stderr)


def _validating_runs(monkeypatch) -> list:
    """Record the workers of every partitioned `validate` (the command's call of partitions.validate)."""
    from toolkit.evaluation import partitions

    counts: list = []
    real = partitions.validate
    monkeypatch.setattr(partitions, "validate", lambda paths, workers: counts.append(workers) or real(paths, workers))
    return counts


@pytest.fixture(scope="module")
def damaged_gold(corpus, tmp_path_factory):
    """The corpus's gold with a few damaged documents (a label outside the inventory, a span's
    text, a repeated doc id far apart, a missing seed) in a folder of its own beside a copy of the seeds."""
    import shutil

    root = tmp_path_factory.mktemp("damaged-gold")
    (root / "annotations").mkdir()
    shutil.copytree(corpus / "seeds", root / "seeds")
    docs = [json.loads(x) for x in (corpus / "annotations" / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    docs[3]["entities"][0]["type"] = "PERSON"
    docs[60]["entities"][0]["mentions"][0]["text"] = "wrong"
    docs[115]["doc_id"] = docs[2]["doc_id"]
    docs[80]["seed_file"] = "no-such-seed.txt"
    (root / "annotations" / "gold.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_validate_in_partitions_gives_the_report_of_one_process(damaged_gold, corpus, fmt, monkeypatch):
    from toolkit.evaluation import partitions

    counts = _validating_runs(monkeypatch)
    for root, code in ((damaged_gold, 1), (corpus, 0)):
        base = ["validate", "annotations", "--format", fmt, "--verbose"]
        one, two = _run(base + ["--workers", "1"], root), _run(base + ["--workers", "2"], root)
        auto = _run(base, root)  # a small file: one process
        assert one.exit_code == two.exit_code == auto.exit_code == code, (one.stdout, two.stdout)
        assert (one.stdout, one.stderr) == (two.stdout, two.stderr) == (auto.stdout, auto.stderr)
        file = _run(["validate", "annotations/gold.jsonl", "--format", fmt, "--workers", "3"], root)
        assert file.stdout == _run(["validate", "annotations/gold.jsonl", "--format", fmt, "--workers", "1"], root).stdout
    assert counts == [2, 3, 2, 3]
    monkeypatch.setattr(partitions, "AUTO_FROM", 0)
    monkeypatch.setattr(partitions, "usable_cores", lambda: 2)
    auto = _run(["validate", "annotations", "--format", fmt], damaged_gold)
    assert counts[-1] == 2 and auto.stdout == _run(["validate", "annotations", "--format", fmt, "--workers", "1"], damaged_gold).stdout


def test_validate_partitions_only_one_jsonl_file(damaged_gold, corpus, tmp_path, monkeypatch):
    """Several files, a .json file, or a folder with more files below: one process (a note when
    --workers asked for more, none when the command chose); a file Arrow cannot read whole: one process."""
    import shutil

    from toolkit.evaluation import partitions

    counts = _validating_runs(monkeypatch)
    both = _run(["validate", "annotations", str(corpus / "annotations"), "--workers", "2"], damaged_gold)
    assert both.stderr.startswith("note: checking in one process: partitions are cut from one .jsonl file")
    assert both.exit_code == 1 and counts == []
    nested = tmp_path / "nested"
    shutil.copytree(damaged_gold / "annotations", nested / "annotations")
    shutil.copytree(damaged_gold / "seeds", nested / "seeds")
    (nested / "annotations" / "more").mkdir()
    shutil.copy(damaged_gold / "annotations" / "gold.jsonl", nested / "annotations" / "more" / "again.jsonl")
    assert partitions.one_jsonl_file([nested / "annotations"]) is None
    assert partitions.one_jsonl_file([damaged_gold / "annotations"]) == damaged_gold / "annotations" / "gold.jsonl"
    monkeypatch.setattr(partitions, "AUTO_FROM", 0)
    quiet = _run(["validate", "annotations"], nested)
    assert counts == [] and quiet.exit_code == 1 and "note:" not in quiet.stdout + quiet.stderr
    lines = (damaged_gold / "annotations" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    lines[30] = lines[30][:-5]  # a line that is not JSON: Arrow cannot read the file whole
    broken = tmp_path / "broken"
    (broken / "annotations").mkdir(parents=True)
    shutil.copytree(damaged_gold / "seeds", broken / "seeds")
    (broken / "annotations" / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = _run(["validate", "annotations", "--workers", "1"], broken)
    asked = _run(["validate", "annotations", "--workers", "2"], broken)
    chosen = _run(["validate", "annotations"], broken)
    assert one.exit_code == asked.exit_code == chosen.exit_code == 1 and "invalid-json" in one.stdout + one.stderr
    assert (chosen.stdout, chosen.stderr) == (one.stdout, one.stderr)
    assert asked.stdout == one.stdout
    assert asked.stderr == "note: checking in one process: the file could not be read whole as JSONL\n" + one.stderr


def _die_checking(paths, part):
    import os

    os._exit(9)


def test_a_validate_worker_that_dies_means_one_process(damaged_gold, monkeypatch):
    from toolkit.evaluation import partitions

    if partitions._start_method() != "fork":
        pytest.skip("the replacement reaches the workers by fork only")
    one = _run(["validate", "annotations", "--workers", "1"], damaged_gold)
    monkeypatch.setattr(partitions, "check_partition", _die_checking)
    asked = _run(["validate", "annotations", "--workers", "2"], damaged_gold)
    assert (asked.exit_code, asked.stdout) == (one.exit_code, one.stdout)
    assert asked.stderr == ("note: a worker process ended before its partition was checked (out of memory?); "
                            "checking in one process\n" + one.stderr)


@pytest.mark.parametrize("rows", [range(10, 31), range(0, 120), range(119, 120), [3, 4, 6], []])
def test_a_run_of_published_rows_is_sliced_and_others_taken(published, rows):
    from toolkit.dataset.publish import load_published

    whole = load_published(published)
    ids = list(whole)
    part = load_published(published, select=lambda path, table: list(rows))
    assert list(part) == [ids[r] for r in rows] and {k: part[k] for k in part} == {ids[r]: whole[ids[r]] for r in rows}
