"""The columnar loaders agree with the row-wise ones: same documents, same tables, same issues, same scores.

The columnar path (toolkit.checks.columnar for gold JSONL, toolkit.predictions.columnar for
prediction JSONL) is only a fast way to the result of the row-wise path: a document it passes must
be one the row-wise path takes without an issue, with the same items; every other document goes
row-wise. These tests load the same files both ways (the row-wise way by switching the columnar
hook off) and compare everything: on the benchmark's synthetic corpus, on damaged copies of it (one
kind of damage per case, then random combinations with hypothesis), and on predictions written in
every way the prediction schema allows (ids left out, spans without text, arguments by span or by
mention id, a stray null, labels outside the inventory).
"""

import copy
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synth import write_dataset  # noqa: E402
from toolkit.checks import validate  # noqa: E402
from toolkit.checks.validate import load_corpus, validate_paths  # noqa: E402
from toolkit.evaluation import partitions  # noqa: E402
from toolkit.evaluation.evaluate import EvalOptions, evaluate  # noqa: E402
from engine_helpers import assert_same_tables  # noqa: E402
from toolkit.model.tables import from_documents  # noqa: E402
from toolkit.predictions import load as pload  # noqa: E402
from toolkit.predictions.load import load_predictions  # noqa: E402

N_DOCS = 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("columnar")
    write_dataset(out, N_DOCS, seed=11)
    gold = [json.loads(line) for line in (out / "annotations" / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    pred = [json.loads(line) for line in (out / "pred.jsonl").read_text(encoding="utf-8").splitlines()]
    return out, gold, pred


class _RowWise:
    """Switch both columnar hooks off (the row-wise loaders alone)."""

    def __init__(self, monkeypatch):
        self.mp = monkeypatch

    def __enter__(self):
        self.mp.setattr(validate, "_columnar", lambda *a, **k: None)
        self.mp.setattr(pload, "_columnar", lambda *a, **k: None)

    def __exit__(self, *exc):
        self.mp.undo()


def _write_jsonl(path: Path, docs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def _gold_folder(tmp: Path, root: Path, docs) -> Path:
    ann = tmp / "annotations"
    _write_jsonl(ann / "gold.jsonl", docs)
    seeds = tmp / "seeds"
    if not seeds.exists():  # a copy: a seeds/ linked to another corpus's is refused (tests/test_security.py)
        shutil.copytree(root / "seeds", seeds)
    return ann


def _issues(report):
    return [(i.code, i.file, i.pointer, i.message, i.hint, i.severity) for i in report.issues]


def test_the_columnar_path_is_taken(corpus):
    out, _, _ = corpus
    report = validate_paths([out / "annotations"], recursive=False)
    assert report.ok and len(report.parts) == 1 and len(report.parts[0].tables.doc_ids) == N_DOCS


def test_gold_documents_and_tables_equal_the_row_wise_ones(corpus, monkeypatch):
    out, _, _ = corpus
    fast = load_corpus(out / "annotations")
    with _RowWise(monkeypatch):
        slow = load_corpus(out / "annotations")
    assert list(fast) == list(slow)
    assert_same_tables(fast.tables, from_documents(slow.values()))
    for doc_id in slow:
        assert fast[doc_id] == slow[doc_id]
        assert fast.text(doc_id) == slow[doc_id].text and fast.sha256(doc_id) == slow[doc_id].sha256


def _damage_text(d):
    d["entities"][0]["mentions"][0]["text"] += "x"


def _damage_type(d):
    d["entities"][0]["type"] = "PERSON"


def _damage_duplicate_id(d):
    d["entities"][1]["id"] = d["entities"][0]["id"]


def _damage_end(d):
    d["entities"][0]["mentions"][0]["end"] = 10 ** 6


def _damage_status_null(d):
    d["status"] = None


def _damage_role(d):
    for ev in d["events"]:
        if ev["arguments"]:
            ev["arguments"][0]["role"] = "Nobody"
            return
    d["events"][0]["type"] = "Nope"


def _damage_holder(d):
    d["stances"][0]["holder"] = "E999"


def _damage_overlap(d):
    m = d["entities"][0]["mentions"][0]
    d["entities"][1]["mentions"].append({"id": "M999", "start": m["start"], "end": m["end"], "text": m["text"], "kind": m["kind"]})


def _damage_doc_id(d):
    d["doc_id"] = d["doc_id"] + "-other"


def _damage_sha(d):
    d["sha256"] = "0" * 64


def _damage_no_mentions(d):
    d["entities"][0]["mentions"] = []


def _damage_space(d):
    m = d["entities"][0]["mentions"][0]
    m["end"] += 1
    m["text"] = m["text"] + " "


def _damage_topic(d):
    d["stances"][0]["target"] = {"kind": "topic", "id": "no-such-topic"}


def _damage_duplicate_argument(d):
    for ev in d["events"]:
        if ev["arguments"]:
            ev["arguments"].append(dict(ev["arguments"][0]))
            return
    d["entities"][0]["id"] = "bad id"


def _damage_title_only_as_a_value(d):
    """The required source.title left out while the string "title" is a value elsewhere on the line
    (an entity's name): the key is missing, which a search for the bare string would not see."""
    d["source"].pop("title", None)
    d["entities"][0]["name"] = "title"


DAMAGES = [_damage_title_only_as_a_value, _damage_text, _damage_type, _damage_duplicate_id, _damage_end, _damage_status_null, _damage_role, _damage_holder,
           _damage_overlap, _damage_doc_id, _damage_sha, _damage_no_mentions, _damage_space, _damage_topic, _damage_duplicate_argument]


def _compare_gold(tmp: Path, root: Path, docs, monkeypatch):
    ann = _gold_folder(tmp, root, docs)
    fast = validate_paths([ann], recursive=False)
    with _RowWise(monkeypatch):
        slow = validate_paths([ann], recursive=False)
    assert _issues(fast) == _issues(slow)
    assert fast.ok == slow.ok
    lean = validate_paths([ann], recursive=False, documents=False)  # what `toolkit validate` asks for: the verdict only
    assert _issues(lean) == _issues(slow) and [r.passed for r in lean.results] == [r.passed for r in fast.results]
    assert [p.doc_ids for p in lean.parts] == [p.tables.doc_ids for p in fast.parts] and all(p.tables is None for p in lean.parts)
    with monkeypatch.context() as m:  # the seeds read by a process of their own (toolkit.io.many), as for a large corpus
        from toolkit.io import many

        m.setattr(many, "ASIDE_AT", 1)
        aside = validate_paths([ann], recursive=False)
    assert _issues(aside) == _issues(slow) and [r.passed for r in aside.results] == [r.passed for r in fast.results]
    one = validate_paths([ann], documents=False)  # `toolkit validate`, in one process and in partitions
    for workers in (2, 3):
        split = partitions.validate([ann], workers)
        assert _issues(split) == _issues(one) and [r.file for r in split.results] == [r.file for r in one.results]
    if slow.ok:
        f, s = load_corpus(ann), None
        with _RowWise(monkeypatch):
            s = load_corpus(ann)
        assert {k: f[k] for k in f} == dict(s)
    return fast, slow


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__[8:])
def test_a_damaged_document_gets_the_row_wise_issues(corpus, damage, tmp_path, monkeypatch):
    out, gold, _ = corpus
    docs = copy.deepcopy(gold)
    damage(docs[3])
    fast, slow = _compare_gold(tmp_path, out, docs, monkeypatch)
    assert slow.issues, "the damage must be one the checker finds"
    assert len(fast.parts[0].tables.doc_ids) == N_DOCS - 1  # only the damaged document went row by row


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, N_DOCS - 1), st.sampled_from(DAMAGES)), max_size=6))
def test_random_damage_everywhere_gets_the_row_wise_issues(corpus, tmp_path_factory, monkeypatch, damages):
    out, gold, _ = corpus
    docs = copy.deepcopy(gold)
    for k, damage in damages:
        try:
            damage(docs[k])
        except (IndexError, KeyError):
            pass
    _compare_gold(tmp_path_factory.mktemp("dmg"), out, docs, monkeypatch)


def _variants(pred):
    """Prediction documents written in every way the schema allows, one variant per document."""
    docs = copy.deepcopy(pred)
    for k, d in enumerate(docs):
        v = k % 8
        if v == 1:  # no ids anywhere (stances then cannot name an entity holder: the holder goes by span)
            for e in d["entities"]:
                e.pop("id", None)
                for m in e["mentions"]:
                    m.pop("id", None)
            for ev in d["events"]:
                ev.pop("id", None)
            d["stances"] = []
        elif v == 2:  # spans without their text
            for e in d["entities"]:
                for m in e["mentions"]:
                    m.pop("text", None)
            for ev in d["events"]:
                ev["trigger"].pop("text", None)
        elif v == 3:  # arguments by mention id where a mention has that span
            spans = {(m["start"], m["end"]): m["id"] for e in d["entities"] for m in e["mentions"] if "id" in m}
            for ev in d["events"]:
                for a in ev["arguments"]:
                    if (a.get("start"), a.get("end")) in spans:
                        mid = spans[(a["start"], a["end"])]
                        a.clear()
                        a.update({"role": a.get("role", "Place"), "mention": mid})
        elif v == 4 and d["entities"]:  # a label outside the inventory
            d["entities"][0]["type"] = "PERSON"
        elif v == 5 and d["entities"]:  # a written null
            d["entities"][0]["name"] = None
        elif v == 6:  # a quote without offsets (grounded row-wise)
            for e in d["entities"]:
                for m in e["mentions"][:1]:
                    m.pop("start"), m.pop("end")
        elif v == 7 and d["events"]:  # an argument naming a mention that does not exist
            d["events"][0]["arguments"].append({"role": "Place", "mention": "nope"})
    return docs


def _pred_report(gold, preds):
    r = evaluate(gold, preds.documents, options=EvalOptions(), records=preds.records, statuses=preds.statuses)
    return r.to_dict(errors=True, per_document=True)


@pytest.mark.parametrize("variant", ["as-generated", "every-way"])
def test_predictions_load_and_score_as_row_wise(corpus, variant, tmp_path, monkeypatch):
    out, _, pred = corpus
    docs = pred if variant == "as-generated" else _variants(pred)
    path = _write_jsonl(tmp_path / "pred.jsonl", docs)
    gold = load_corpus(out / "annotations")
    fast = load_predictions(path, gold)
    with _RowWise(monkeypatch):
        slow_gold = load_corpus(out / "annotations")
        slow = load_predictions(path, slow_gold)
    assert [(i.code, i.pointer, i.message, i.severity) for i in fast.issues] == \
        [(i.code, i.pointer, i.message, i.severity) for i in slow.issues]
    assert sorted(fast.documents) == sorted(slow.documents)
    for doc_id in slow.documents:
        assert fast.documents[doc_id] == slow.documents[doc_id], doc_id
    assert _pred_report(gold, fast) == _pred_report(slow_gold, slow)
    if variant == "as-generated":
        assert fast.statuses is not None and len(fast.statuses)  # the fast path took them


@settings(max_examples=300, deadline=None)
@given(st.lists(st.none() | st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text(), max_size=12), st.integers(0, 3),
       st.booleans())
def test_codepoints_decodes_utf8_as_python_does(values, cut, large):
    """The numpy UTF-8 decoder gives the code points Python's own encoding does, for every kind of
    character (ASCII, 2-, 3- and 4-byte sequences), nulls, sliced arrays and large strings."""
    import numpy as np
    import pyarrow as pa

    from toolkit.io.arrow import codepoints

    array = pa.array(values, pa.large_string() if large else pa.string()).slice(min(cut, len(values)))
    kept = [v or "" for v in values[min(cut, len(values)):]]
    cp, bounds = codepoints(array)
    ascii_only = all(ord(c) < 0x80 for c in "".join(kept))
    assert cp.dtype == (np.uint8 if ascii_only else np.uint32) and bounds.dtype == np.int64
    assert cp.tolist() == [ord(c) for c in "".join(kept)]
    assert np.diff(bounds).tolist() == [len(v) for v in kept] and bounds[0] == 0


@pytest.mark.parametrize("where", ["first", "middle"])
@pytest.mark.parametrize("kind", ["pred", "gold"])
def test_a_line_that_is_not_an_object_goes_to_the_line_reader(corpus, tmp_path, where, kind):
    """A JSONL line `null` crashed the whole process inside pyarrow's JSON reader (26.0) when it was
    the first line (found by tests/test_fuzz_eval.py); elsewhere it was read as a row of nulls. Such
    a file now goes to the line reader, which reports the line: run in a subprocess, so that a crash
    is a failure of this test and not the end of the test run."""
    import subprocess

    out, gold, pred = corpus
    docs = [json.dumps(d, ensure_ascii=False) for d in (pred if kind == "pred" else gold)]
    docs.insert(0 if where == "first" else 5, "null")
    if kind == "pred":
        target = tmp_path / "pred.jsonl"
        args = ["eval", "--gold", str(out / "annotations"), "--pred", str(target), "--tasks", "entities"]
    else:
        shutil.copytree(out / "seeds", tmp_path / "seeds")
        target = tmp_path / "annotations" / "gold.jsonl"
        target.parent.mkdir()
        args = ["validate", str(target.parent)]
    target.write_text("\n".join(docs) + "\n", encoding="utf-8")
    line = 0 if where == "first" else 5
    run = subprocess.run([sys.executable, "-c", "from toolkit.cli import main; main()", *args], capture_output=True, text=True,
                         cwd=tmp_path)
    assert run.returncode in (1, 3), (run.returncode, run.stderr[-2000:])
    assert f"{target}:/{line}" in run.stderr and "Traceback" not in run.stderr, run.stderr[-2000:]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab \u00e9\u4e2d\U0001f600", max_size=8) | st.none(), min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(0, 3), st.integers(-1, 9), st.integers(-1, 9), st.sampled_from(["none", "slice", "changed", "other"]),
                          st.text(alphabet="ab \u00e9\u4e2d\U0001f600", max_size=4)), max_size=10),
       st.sampled_from([1, 2, 3, 1 << 22]), st.booleans())
def test_spans_ok_is_the_plain_slice_comparison(texts, raw_spans, block, strip):
    """``SeedTexts.spans_ok`` answers, for every span, what Python's own slicing says: in range, the
    quote (if given) equal to the slice, and with ``strip`` no whitespace at either end of it; for
    any size of the blocks it compares the quotes in (so a block boundary can fall anywhere)."""
    import numpy as np
    import pyarrow as pa

    from toolkit.checks.columnar import SeedTexts

    spans = []
    for o, s, e, how, other in raw_spans:  # a quote: none, the slice itself, the slice with one character changed, any text
        o = o % len(texts)
        piece = (texts[o] or "")[max(s, 0):max(e, 0)]
        if how == "changed" and piece:
            piece = piece[:-1] + ("a" if piece[-1] != "a" else "b")
        spans.append((o, s, e, None if how == "none" else other if how == "other" else piece))
    seeds = SeedTexts(texts)
    seeds.SPAN_BLOCK = block
    owner = np.array([o for o, *_ in spans], dtype=np.int64)
    starts = np.array([s for _, s, _, _ in spans], dtype=np.int64)
    ends = np.array([e for _, _, e, _ in spans], dtype=np.int64)
    got = seeds.spans_ok(starts, ends, pa.array([q for *_, q in spans], pa.string()), owner, strip)

    def expected(o, s, e, q):
        text = texts[o]
        if text is None or not (0 <= s < e <= len(text)):
            return False
        if q is None:
            return True
        return text[s:e] == q and not (strip and q and (q[0].isspace() or q[-1].isspace()))

    assert got.tolist() == [expected(*span) for span in spans]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"\n", b"\r", b"\r\n", b"{}", b"{\"a\": 1}", b" ", b"x"]), max_size=14))
def test_jsonl_lines_leaves_exactly_the_files_with_blank_lines_to_the_line_reader(tmp_path_factory, pieces):
    """The blank-line test works on the line breaks already found (a quarter of the time of two
    searches of the bytes); it refuses exactly the files where b"\\n\\n" or b"\\n\\r\\n" occurs."""
    from toolkit.io.arrow import _jsonl_lines

    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("lines") / "f.jsonl"
    path.write_bytes(data)
    plain = not data or data.isspace() or b"\n\n" in data or b"\n\r\n" in data
    read = _jsonl_lines(path)
    assert (read is None) == plain
    if read is not None:
        got, starts, ends = read
        expected = re.findall(rb"[^\n]*\n|[^\n]+$", data)  # lines end at "\n" only, each with its break
        assert got == data and [got[a:b] for a, b in zip(starts.tolist(), ends.tolist())] == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-9, 3), st.integers(-1, 2), st.integers(-2**40, 2**40)), max_size=30), st.booleans())
def test_repeated_rows_are_pandas_duplicated(rows, huge):
    """The sort-based duplicate finders equal pandas' duplicated(keep=False), through the one-key
    path and (values too wide for one int64 key) the lexsort path."""
    import numpy as np
    import pandas as pd

    from toolkit.checks.columnar import _repeated_rows, _repeats

    cols = [np.array([r[i] for r in rows], dtype=np.int64) for i in range(3)]
    if huge and rows:
        cols[0] = cols[0] * 2**40  # with the third column's width, no int64 key
    expected = pd.DataFrame({"a": cols[0], "b": cols[1], "c": cols[2]}).duplicated(keep=False).to_numpy() if rows else np.zeros(0, bool)
    assert (_repeated_rows(*cols) == expected).all()
    assert (_repeats(cols[2]) == pd.Series(cols[2]).duplicated(keep=False).to_numpy()).all()
