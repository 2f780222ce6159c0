"""Folders of JSON files take the columnar path too, and agree with the row-wise loaders exactly.

A folder of ``<doc_id>.json`` files (gold annotations as annotators keep them, predictions as an LLM
run writes them) is read into one Arrow table (toolkit.io.arrow.read_json_files) and checked as
columns like a JSONL file. As in tests/test_columnar.py, each case loads the same folder both ways
(the row-wise way by switching the columnar hooks off) and compares documents, tables, issues and
scores: pretty-printed and compact files, damaged documents, files the columnar reader must not
take (a byte-order mark, an array, a code fence, invalid JSON, a raw line break inside a string),
and the same document given in two files, which the columnar path once scored twice without a word.
Mention nesting, which the real gold has everywhere, is checked as columns (against the row-wise
checker by hypothesis).
"""

import copy
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmarks.synth import write_dataset  # noqa: E402
from engine_helpers import assert_same_tables  # noqa: E402
from test_columnar import DAMAGES, _RowWise, _issues, _pred_report, _variants  # noqa: E402
from toolkit.checks.columnar import _nesting_broken  # noqa: E402
from toolkit.checks.validate import _overlap_issues, load_corpus, validate_paths  # noqa: E402
from toolkit.io.arrow import PREDICTION, read_json_files  # noqa: E402
from toolkit.model.tables import from_documents  # noqa: E402
from toolkit.predictions.load import load_predictions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
N_DOCS = 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("folders")
    write_dataset(out, N_DOCS, seed=12)
    gold = [json.loads(line) for line in (out / "annotations" / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    pred = [json.loads(line) for line in (out / "pred.jsonl").read_text(encoding="utf-8").splitlines()]
    return out, gold, pred


def _write_folder(folder: Path, docs, style=lambda k: k % 3) -> Path:
    """One ``<doc_id>.json`` per document, written pretty (indent 2), compact, or with CRLF endings."""
    folder.mkdir(parents=True, exist_ok=True)
    for k, d in enumerate(docs):
        name = d.get("doc_id") if isinstance(d, dict) and isinstance(d.get("doc_id"), str) else f"doc{k}"
        s = style(k)
        text = json.dumps(d, ensure_ascii=False, indent=2) + "\n" if s == 0 else \
            json.dumps(d, ensure_ascii=False) if s == 1 else json.dumps(d, ensure_ascii=False, indent=1).replace("\n", "\r\n") + "\r\n"
        (folder / f"{name}.json").write_text(text, encoding="utf-8", newline="")
    return folder


def _gold_folder(tmp: Path, root: Path, docs) -> Path:
    ann = _write_folder(tmp / "annotations", docs)
    if not (tmp / "seeds").exists():
        shutil.copytree(root / "seeds", tmp / "seeds")
    return ann


def _compare_gold(tmp: Path, root: Path, docs, monkeypatch):
    ann = _gold_folder(tmp, root, docs)
    fast = validate_paths([ann], recursive=False)
    with _RowWise(monkeypatch):
        slow = validate_paths([ann], recursive=False)
    assert _issues(fast) == _issues(slow)
    assert fast.ok == slow.ok
    assert [d.doc_id for d in fast.documents] == [d.doc_id for d in slow.documents]
    assert fast.documents == slow.documents
    if slow.ok:
        f = load_corpus(ann)
        with _RowWise(monkeypatch):
            s = load_corpus(ann)
        assert {k: f[k] for k in f} == dict(s)
        assert_same_tables(f.tables, from_documents(s.values()))
    return fast, slow


def test_a_gold_folder_of_json_files_is_read_as_columns(corpus, tmp_path, monkeypatch):
    out, gold, _ = corpus
    fast, _ = _compare_gold(tmp_path, out, gold, monkeypatch)
    assert fast.ok and sum(len(p.tables.doc_ids) for p in fast.parts) == N_DOCS
    assert all(r.document is None and r.passed is not None for r in fast.results)  # none went row by row


def test_the_real_gold_is_read_as_columns_and_equals_the_row_wise_gold(monkeypatch):
    """The five gold documents nest mentions everywhere; nesting no longer sends them row-wise."""
    fast = validate_paths([ROOT / "annotations"], recursive=False)
    assert fast.ok and sum(len(p.tables.doc_ids) for p in fast.parts) == 5
    f = load_corpus(ROOT / "annotations")
    with _RowWise(monkeypatch):
        s = load_corpus(ROOT / "annotations")
        slow = validate_paths([ROOT / "annotations"], recursive=True)
    assert {k: f[k] for k in f} == dict(s)
    assert_same_tables(f.tables, from_documents(s.values()))
    both = validate_paths([ROOT / "annotations"], recursive=True)  # the passes too (the same doc ids, no duplicate issue)
    assert _issues(both) == _issues(slow) and both.documents == slow.documents


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__[8:])
def test_a_damaged_json_file_gets_the_row_wise_issues(corpus, damage, tmp_path, monkeypatch):
    out, gold, _ = corpus
    docs = copy.deepcopy(gold)
    damage(docs[3])
    fast, slow = _compare_gold(tmp_path, out, docs, monkeypatch)
    assert slow.issues, "the damage must be one the checker finds"
    assert sum(len(p.tables.doc_ids) for p in fast.parts) == N_DOCS - 1  # only the damaged file went row by row


def _raw_files(folder: Path, docs):
    """Files the columnar reader must leave to the row-wise one (each replaces the file of a document)."""
    names = sorted(folder.glob("*.json"))
    d0, d1, d2, d3, d4, d5 = (json.dumps(d, ensure_ascii=False, indent=2) for d in docs[:6])
    names[0].write_bytes(b"\xef\xbb\xbf" + d0.encode())  # a byte-order mark
    names[1].write_text("[" + d1 + "]", encoding="utf-8")  # an array of one document
    names[2].write_text("```json\n" + d2 + "\n```\n", encoding="utf-8")  # a code fence
    names[3].write_text(d3[:-40], encoding="utf-8")  # cut short: invalid JSON
    at = d4.index('"text": "') + len('"text": "')
    names[4].write_text(d4[:at] + "\n" + d4[at:], encoding="utf-8")  # a raw line break inside a string: invalid JSON
    names[5].write_text(d5 + "\n" + d5, encoding="utf-8")  # two documents in one file
    (folder / "zz_null.json").write_text("null", encoding="utf-8")


def test_files_the_columnar_reader_must_not_take_get_the_row_wise_issues(corpus, tmp_path, monkeypatch):
    out, gold, _ = corpus
    ann = _gold_folder(tmp_path, out, gold)
    _raw_files(ann, gold)
    fast = validate_paths([ann], recursive=False)
    with _RowWise(monkeypatch):
        slow = validate_paths([ann], recursive=False)
    assert _issues(fast) == _issues(slow) and fast.documents == slow.documents
    codes = {i.code for i in slow.issues}
    assert "invalid-json" in codes and "not-an-object" in codes, codes
    # one bad file costs the fast path of its group only: most of the valid files still pass as columns
    assert sum(len(p.tables.doc_ids) for p in fast.parts) >= N_DOCS - 6 - 16


def test_predictions_in_json_files_load_and_score_as_row_wise(corpus, tmp_path, monkeypatch):
    out, _, pred = corpus
    folder = _write_folder(tmp_path / "pred", _variants(pred))
    names = sorted(folder.glob("*.json"))
    names[0].write_text("```json\n" + names[0].read_text(encoding="utf-8") + "```\n", encoding="utf-8")  # as LLMs answer
    gold = load_corpus(out / "annotations")
    fast = load_predictions(folder, gold)
    with _RowWise(monkeypatch):
        slow_gold = load_corpus(out / "annotations")
        slow = load_predictions(folder, slow_gold)
    assert [(i.code, i.file, i.pointer, i.message, i.severity) for i in fast.issues] == \
        [(i.code, i.file, i.pointer, i.message, i.severity) for i in slow.issues]
    assert sorted(fast.documents) == sorted(slow.documents)
    for doc_id in slow.documents:
        assert fast.documents[doc_id] == slow.documents[doc_id], doc_id
    assert _pred_report(gold, fast) == _pred_report(slow_gold, slow)
    assert fast.statuses is not None and len(fast.statuses)  # the fast path took some


def test_predictions_as_generated_in_json_files_are_all_columns(corpus, tmp_path):
    out, _, pred = corpus
    folder = _write_folder(tmp_path / "pred", pred)
    gold = load_corpus(out / "annotations")
    fast = load_predictions(folder, gold)
    assert fast.ok and not fast.records and set(fast.statuses["doc_id"]) == set(gold)  # no document went row by row


@pytest.mark.parametrize("layout", ["two-jsonl", "json-then-jsonl", "fenced-json-first", "jsonl-then-json", "named-for-it"])
def test_a_document_predicted_in_two_files_is_scored_once(corpus, tmp_path, monkeypatch, layout):
    """The same document in two files is a ``duplicate-document``, whichever files hold it; the first
    one (in file order) is kept. The columnar path checked for this within a file only: a document in
    two JSONL files was scored twice, without an issue."""
    out, _, pred = corpus
    folder = tmp_path / "pred"
    folder.mkdir()
    doc = pred[7]
    line = json.dumps(doc, ensure_ascii=False) + "\n"
    if layout == "two-jsonl":
        (folder / "a.jsonl").write_text("".join(json.dumps(d) + "\n" for d in pred[:10]), encoding="utf-8")
        (folder / "b.jsonl").write_text(line, encoding="utf-8")
    elif layout == "json-then-jsonl":
        (folder / "a.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
        (folder / "b.jsonl").write_text(line, encoding="utf-8")
    elif layout == "fenced-json-first":
        (folder / "a.json").write_text("```json\n" + json.dumps(doc) + "\n```", encoding="utf-8")
        _write_folder(folder, pred[:10])  # their names sort after a.json; one of them is the same document
    elif layout == "jsonl-then-json":
        (folder / "a.jsonl").write_text(line, encoding="utf-8")
        _write_folder(folder, pred[5:10])
    else:  # a file without a doc_id counts for the document it is named for, which a later file predicts too
        _write_folder(folder, pred[5:10])
        nameless = {k: v for k, v in doc.items() if k != "doc_id"}
        (folder / f"{doc['doc_id']}.json").write_text(json.dumps(nameless), encoding="utf-8")
        (folder / "zz.json").write_text(json.dumps(doc), encoding="utf-8")
    gold = load_corpus(out / "annotations")
    fast = load_predictions(folder, gold)
    with _RowWise(monkeypatch):
        slow = load_predictions(folder, gold)
    dup = [(i.file, i.pointer, i.message) for i in fast.issues if i.code == "duplicate-document"]
    assert len(dup) == 1 and dup == [(i.file, i.pointer, i.message) for i in slow.issues if i.code == "duplicate-document"]
    assert [(i.code, i.file, i.pointer, i.message) for i in fast.issues] == [(i.code, i.file, i.pointer, i.message) for i in slow.issues]
    assert _pred_report(gold, fast) == _pred_report(gold, slow)
    # scored once: the tables hold as many mentions as the documents kept
    assert len(fast.documents.tables.mentions) == sum(len(e.mentions) for d in slow.documents.values() for e in d.entities)


def test_a_gold_document_in_two_files_is_reported_where_the_row_wise_checker_reports_it(corpus, tmp_path, monkeypatch):
    out, gold, _ = corpus
    ann = _gold_folder(tmp_path, out, gold[:10])
    (ann / "zz_extra.jsonl").write_text(json.dumps(gold[4]) + "\n" + json.dumps(gold[20]) + "\n" + json.dumps(gold[20]) + "\n", encoding="utf-8")
    fast = validate_paths([ann], recursive=False)
    with _RowWise(monkeypatch):
        slow = validate_paths([ann], recursive=False)
    assert _issues(fast) == _issues(slow)
    assert sorted((i.file.rsplit("/", 1)[1], i.pointer) for i in slow.issues if i.code == "duplicate-document") == \
        [("zz_extra.jsonl", "/0/doc_id"), ("zz_extra.jsonl", "/2/doc_id")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 12), st.integers(1, 6)), max_size=14))
def test_nesting_is_judged_as_the_row_wise_checker_judges_it(spans):
    """Per document: a ``duplicate-mention`` or ``crossing-mentions`` from the row-wise checker
    exactly when the columnar check flags a mention of it."""
    doc = np.array([d for d, _, _ in spans], dtype=np.int64)
    start = np.array([s for _, s, _ in spans], dtype=np.int64)
    end = start + np.array([n for _, _, n in spans], dtype=np.int64)
    flags = _nesting_broken(doc, start, end)
    for d in range(3):
        mine = sorted(((int(s), int(e), "") for s, e in zip(start[doc == d], end[doc == d])), key=lambda t: (t[0], -t[1]))
        assert bool(flags[doc == d].any()) == any(True for _ in _overlap_issues(mine, "f")), mine


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["pretty", "compact", "crlf", "cut", "raw-newline", "raw-tab", "array", "bom", "blank", "two",
                                 "escaped-newline"]), min_size=1, max_size=40))
def test_the_json_files_reader_reads_what_json_reads(tmp_path_factory, kinds):
    """Every file the reader puts in a group holds one object, and its row is what ``json.loads``
    reads from the file; every file that ``json.loads`` reads as one object fitting the schema, in
    a folder where no file is broken, is in a group."""
    folder = tmp_path_factory.mktemp("files")
    base = {"doc_id": "d", "entities": [{"type": "ORG", "mentions": [{"start": 0, "end": 3, "text": "a\tb"}]}]}
    paths = []
    for k, kind in enumerate(kinds):
        d = dict(base, doc_id=f"d{k}")
        text = {"pretty": json.dumps(d, indent=2), "compact": json.dumps(d), "crlf": json.dumps(d, indent=1).replace("\n", "\r\n"),
                "cut": json.dumps(d)[:-3], "raw-newline": json.dumps(d).replace("\\t", "\n"), "raw-tab": json.dumps(d).replace("\\t", "\t"),
                "array": f"[{json.dumps(d)}]", "bom": "\ufeff" + json.dumps(d), "blank": " \n ", "two": json.dumps(d) + json.dumps(d),
                "escaped-newline": json.dumps(d).replace("\\t", "\\n")}[kind]
        path = folder / f"{k:03d}.json"
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(path)
    grouped = {}
    for index, table, data in read_json_files(paths, PREDICTION):
        assert table.num_rows == len(index) == data.count(b"\n")
        for k, row in zip(index.tolist(), table.to_pylist()):
            grouped[k] = row
    for k, row in grouped.items():
        value = json.loads(paths[k].read_text(encoding="utf-8"))  # a grouped file is valid JSON: this must not raise
        assert row["doc_id"] == value["doc_id"] and row["entities"][0]["mentions"][0]["text"] == value["entities"][0]["mentions"][0]["text"]
    good = {k for k, kind in enumerate(kinds) if kind in ("pretty", "compact", "crlf", "escaped-newline")}
    assert set(grouped) <= good
    if all(kind in ("pretty", "compact", "crlf", "escaped-newline") for kind in kinds):
        assert set(grouped) == good


@pytest.mark.parametrize("layout", ["jsonl", "json-files"])
def test_loading_builds_no_document_object(corpus, tmp_path, monkeypatch, layout):
    """Documents that passed as columns stay tables: a Document object is built only when one is asked
    for (building all of them took 4.9 s of a 50,000-document partition, for nothing)."""
    from toolkit.model.corpus import Corpus

    out, gold, _ = corpus
    ann = out / "annotations" if layout == "jsonl" else _gold_folder(tmp_path, out, gold)
    built = []
    real = Corpus._build
    monkeypatch.setattr(Corpus, "_build", lambda self, doc_id: built.append(doc_id) or real(self, doc_id))
    corpus_ = load_corpus(ann)
    assert len(corpus_) == N_DOCS and corpus_.tables is not None and built == []
    assert corpus_[gold[0]["doc_id"]].doc_id == gold[0]["doc_id"] and built == [gold[0]["doc_id"]]


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=40) | st.text().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_the_utf8_check_agrees_with_python(data):
    """The columnar readers check UTF-8 with Arrow, in place; Python's decoder is the reference
    (encoded lone surrogates included, which UTF-8 forbids)."""
    from toolkit.io.arrow import valid_utf8

    try:
        data.decode("utf-8")
        ok = True
    except UnicodeDecodeError:
        ok = False
    assert valid_utf8(data) == ok
