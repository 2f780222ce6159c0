"""Loading a JSONL prediction file, or a folder of JSON ones, as columns: the happy path of ``toolkit eval --pred``.

A system that writes complete predictions — offsets on every span, ids on every item, labels of
the inventory, references that resolve — needs none of the per-span work of
:mod:`toolkit.predictions.grounding`: every span is a ``match_exact`` as given. :func:`fast_part`
checks, over all documents of the file at once, that a document is such a prediction and makes the
passing documents rows of item tables; every other document (a quote without offsets, an unknown
label, a ``null`` anywhere, a warning of any kind) goes through the row-wise loader, which reports
what it finds and grounds what can be grounded, exactly as before. A document passed here is one
the row-wise loader would take as given, with no issue (tests/test_columnar.py checks the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.checks.columnar import SeedTexts, _combos_ok, _fail, _keys, _lookup, _repeated_rows, _repeats, _valid, repeated
from toolkit.io.arrow import children, ints, joint_codes
from toolkit.model.labels import inventory
from toolkit.model.tables import Tables


@dataclass
class PredictionPart:
    """The documents of one prediction file that passed, as tables; the rows left to the row-wise loader."""

    tables: Tables
    texts: list[str]
    meta: list[dict]
    rows: np.ndarray
    failed: np.ndarray
    statuses: pd.DataFrame
    """``doc_id``, ``kind``, ``count`` of the spans of the passing documents (all ``match_exact``)."""


def _null(array) -> np.ndarray:
    return np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def fast_part(table: pa.Table, data: bytes, gold, ignore=(), claimed=()) -> PredictionPart:
    """Check a prediction table against the gold corpus (module docstring). A document whose doc id
    is in ``ignore`` or ``claimed`` (earlier files predict it), or is given twice in the table, is
    the row-wise loader's."""
    inv = inventory()
    n = table.num_rows
    bad = _written_nulls(data, n)  # a written null: the row-wise loader judges it
    col = {name: table.column(name).combine_chunks() for name in table.column_names}
    doc_ids = col["doc_id"].to_pylist()
    if hasattr(gold, "texts_and_checksums"):
        gold_texts, gold_shas = gold.texts_and_checksums(doc_ids)
    else:
        gold_texts = [gold[d].text if d is not None and d in gold else None for d in doc_ids]
        gold_shas = [gold[d].sha256 if t is not None else None for d, t in zip(doc_ids, gold_texts)]
    bad |= repeated(col["doc_id"], set(claimed) | set(ignore))
    bad |= np.fromiter((t is None for t in gold_texts), dtype=bool, count=n)  # no gold document of that id
    bad |= ~_null(col["schema_version"]) & ~_valid(col["schema_version"], values=["1.0"])
    sha = col["sha256"].to_pylist()
    for r in np.flatnonzero(~bad & ~_null(col["sha256"])).tolist():
        if gold_shas[r] and sha[r] != gold_shas[r]:
            bad[r] = True
    texts = [t if not b else "" for t, b in zip(gold_texts, bad.tolist())]

    ents, e_doc, _ = children(col["entities"])
    _fail(bad, _bad_id(pc.struct_field(ents, "id")), e_doc)
    _fail(bad, ~_valid(pc.struct_field(ents, "type"), values=inv.entity_types), e_doc)
    m_list = pc.struct_field(ents, "mentions")
    _fail(bad, _null(m_list), e_doc)
    ments, m_ent, _ = children(m_list)
    m_doc = e_doc[m_ent]
    _fail(bad, _bad_id(pc.struct_field(ments, "id")), m_doc)
    kind = pc.struct_field(ments, "kind")
    _fail(bad, ~_null(kind) & ~_valid(kind, values=inv.mention_kinds), m_doc)
    _fail(bad, ~_null(pc.struct_field(ments, "occurrence")) | ~_null(pc.struct_field(ments, "context")), m_doc)
    m_start, m_end = ints(pc.struct_field(ments, "start")), ints(pc.struct_field(ments, "end"))
    m_text = pc.struct_field(ments, "text")

    evs, v_doc, _ = children(col["events"])
    _fail(bad, _bad_id(pc.struct_field(evs, "id")), v_doc)
    _fail(bad, ~_valid(pc.struct_field(evs, "type"), values=inv.event_types), v_doc)
    realis = pc.struct_field(evs, "realis")
    _fail(bad, ~_null(realis) & ~_valid(realis, values=inv.realis), v_doc)
    trig = pc.struct_field(evs, "trigger")
    _fail(bad, _null(trig) | ~_null(pc.struct_field(trig, "occurrence")) | ~_null(pc.struct_field(trig, "context")), v_doc)
    t_start, t_end = ints(pc.struct_field(trig, "start")), ints(pc.struct_field(trig, "end"))
    t_text = pc.struct_field(trig, "text")
    args, a_ev, _ = children(pc.struct_field(evs, "arguments"))
    a_doc = v_doc[a_ev]
    a_mention_col = pc.struct_field(args, "mention")
    a_by_span = ~_null(pc.struct_field(args, "start"))  # an argument by its span (with or without a mention id), else by a mention id
    _fail(bad, ~_valid(pc.struct_field(args, "role"), min_length=1) | (~_null(a_mention_col) & ~_valid(a_mention_col, max_length=64, min_length=1))
          | (a_by_span == ~_null(a_mention_col)) | (~a_by_span & ~_null(pc.struct_field(args, "text"))), a_doc)
    for name in ("occurrence", "context"):
        _fail(bad, ~_null(pc.struct_field(args, name)), a_doc)
    a_start, a_end = ints(pc.struct_field(args, "start")), ints(pc.struct_field(args, "end"))
    a_text = pc.struct_field(args, "text")

    sts, s_doc, _ = children(col["stances"])
    _fail(bad, _bad_id(pc.struct_field(sts, "id")) | ~_valid(pc.struct_field(sts, "holder"), max_length=64, min_length=1), s_doc)
    _fail(bad, ~_valid(pc.struct_field(sts, "label"), values=inv.stance_labels), s_doc)
    target = pc.struct_field(sts, "target")
    t_kind, t_id = pc.struct_field(target, "kind"), pc.struct_field(target, "id")
    _fail(bad, _null(target) | ~_valid(t_kind, values=["topic", "event", "entity"]) | ~_valid(t_id, min_length=1), s_doc)
    _fail(bad, _valid(t_kind, values=["topic"]) & ~_valid(t_id, values=list(inv.topics)), s_doc)
    evid, x_st, _ = children(pc.struct_field(sts, "evidence"))
    x_doc = s_doc[x_st]
    _fail(bad, ~_null(pc.struct_field(evid, "occurrence")) | ~_null(pc.struct_field(evid, "context")), x_doc)
    x_start, x_end = ints(pc.struct_field(evid, "start")), ints(pc.struct_field(evid, "end"))
    x_text = pc.struct_field(evid, "text")

    seeds = SeedTexts([t if not bad[r] else None for r, t in enumerate(texts)])
    for starts, ends, quoted, owner, which in ((m_start, m_end, m_text, m_doc, None), (t_start, t_end, t_text, v_doc, None),
                                               (x_start, x_end, x_text, x_doc, None), (a_start, a_end, a_text, a_doc, a_by_span)):
        ok = seeds.spans_ok(starts, ends, quoted, owner, strip=False)
        _fail(bad, ~ok if which is None else ~ok & which, owner)

    # ids (optional: a null one gets its default below) are unique in a document; references resolve
    e_id, m_id, v_id, s_id = (pc.struct_field(x, "id") for x in (ents, ments, evs, sts))
    holders, a_mention = pc.struct_field(sts, "holder"), pc.struct_field(args, "mention")
    (e_c, m_c, v_c, s_c, h_c, t_c, am_c), k = joint_codes(e_id, m_id, v_id, s_id, holders, t_id, a_mention)
    given = np.concatenate([e_c, m_c, v_c, s_c]) >= 0
    doc_of = np.concatenate([e_doc, m_doc, v_doc, s_doc])
    all_keys = _keys(doc_of, np.concatenate([e_c, m_c, v_c, s_c]), k)
    _fail(bad, _repeats(all_keys[given]), doc_of[given])
    _fail(bad, _repeated_rows(m_doc, m_start, m_end), m_doc)  # a repeated span: a warning, row-wise

    def known(keys, codes, wanted):  # per wanted key: an item with a given id has it
        return _lookup(keys[codes >= 0], wanted) >= 0

    e_keys, v_keys = _keys(e_doc, e_c, k), _keys(v_doc, v_c, k)
    role_ok = _combos_ok([pc.struct_field(evs, "type").take(pa.array(a_ev)), pc.struct_field(args, "role")],
                         {(vt, role) for vt, roles in inv.roles.items() for role in roles})
    _fail(bad, ~role_ok | (~a_by_span & ~known(_keys(m_doc, m_c, k), m_c, _keys(a_doc, am_c, k))), a_doc)
    t_keys = _keys(s_doc, t_c, k)
    _fail(bad, ~known(e_keys, e_c, _keys(s_doc, h_c, k)) | (_valid(t_kind, values=["event"]) & ~known(v_keys, v_c, t_keys))
          | (_valid(t_kind, values=["entity"]) & ~known(e_keys, e_c, t_keys)), s_doc)

    good = np.flatnonzero(~bad)
    from toolkit.checks.columnar import _tables

    # the gold-shaped tables builder wants every span's text: fill the slices where a prediction gave none
    part = _tables(good, np.flatnonzero(bad), {**col, "source": pa.array([None] * n, pa.struct([(k, pa.string()) for k in
                                                                                                ("publisher", "date", "title", "url", "language")])),
                                               "seed_file": pa.array([""] * n), "sha256": pa.array([""] * n),
                                               "status": pa.array([None] * n, pa.string()), "notes": pa.array([None] * n, pa.string())},
                   texts, _with(ents, id=_default_ids(e_id, e_doc, "~e{}")), e_doc,
                   _with(_with_text(ments, m_doc, m_start, m_end, texts), id=_default_mention_ids(m_id, m_ent, e_doc)), m_ent, m_doc,
                   _with(_with_text_trigger(evs, v_doc, t_start, t_end, texts), id=_default_ids(v_id, v_doc, "~v{}")), v_doc,
                   _with_text(args, a_doc, a_start, a_end, texts), a_ev, _with(sts, id=_default_ids(s_id, s_doc, "~s{}")), s_doc, evid, x_st)
    t = part.tables
    t.mentions["kind"] = t.mentions["kind"].fillna("")
    t.events["realis"] = t.events["realis"].fillna("")
    t.entities["name"] = t.entities["name"].fillna("")
    rows, names, counts = [], [], []
    for name, owner, which in (("mention", m_doc, None), ("trigger", v_doc, None), ("evidence", x_doc, None), ("argument", a_doc, a_by_span)):
        keep = ~bad[owner] if which is None else ~bad[owner] & which
        c = np.bincount(owner[keep], minlength=n)
        at = np.flatnonzero(c)
        rows.append(at)
        names.append(np.full(len(at), name, dtype=object))
        counts.append(c[at])
    rows = np.concatenate(rows)
    statuses = pd.DataFrame({"doc_id": col["doc_id"].take(pa.array(rows)).to_pandas() if len(rows) else pd.Series([], dtype=object),
                             "kind": np.concatenate(names), "count": np.concatenate(counts).astype(np.int64)})
    return PredictionPart(t, part.texts, part.meta, good, part.failed, statuses)


def _written_nulls(data: bytes, n: int) -> np.ndarray:
    """Per line: whether it holds a JSON ``null`` token (or a string that looks like one: the row-wise loader is exact)."""
    out = np.zeros(n, dtype=bool)
    hits, at = [], data.find(b"null")
    while at >= 0:
        before = data[max(0, at - 64):at].rstrip(b" \t\r\n")[-1:]
        after = data[at + 4:at + 68].lstrip(b" \t\r\n")[:1]
        if before in (b":", b"[", b",", b"") and after in (b",", b"]", b"}", b""):  # "": only whitespace seen, so judge it row-wise
            hits.append(at)
        at = data.find(b"null", at + 4)
    if hits:
        line_starts = np.r_[0, np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1]
        out[np.searchsorted(line_starts, np.asarray(hits), side="right") - 1] = True
    return out


def _bad_id(array) -> np.ndarray:
    """An id that is given but not a valid one (ids are optional in predictions)."""
    return ~_null(array) & ~_valid(array, max_length=64, min_length=1)


def _index_within(owner: np.ndarray) -> np.ndarray:
    """The 0-based position of each item among the items of its owner (``owner`` sorted, as parent indices are)."""
    if not len(owner):
        return np.zeros(0, dtype=np.int64)
    first = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    return np.arange(len(owner)) - np.repeat(first, np.diff(np.r_[first, len(owner)]))


def _default_ids(ids: pa.Array, owner: np.ndarray, pattern: str) -> pa.Array:
    """The ids with the row-wise loader's defaults (``~e1``, ``~v2``...) where none was given (None: every id is given)."""
    if not ids.null_count:
        return None
    ids, pos = ids.to_pylist(), _index_within(owner).tolist()
    return pa.array([x if x is not None else pattern.format(pos[k] + 1) for k, x in enumerate(ids)], pa.string())


def _default_mention_ids(ids: pa.Array, m_ent: np.ndarray, e_doc: np.ndarray) -> pa.Array:
    """Mention ids with the default ``~m<entity position>.<mention position>`` where none was given (None: all given)."""
    if not ids.null_count:
        return None
    ids, ent_pos, pos = ids.to_pylist(), _index_within(e_doc), _index_within(m_ent).tolist()
    return pa.array([x if x is not None else f"~m{ent_pos[m_ent[k]] + 1}.{pos[k] + 1}" for k, x in enumerate(ids)], pa.string())


def _with(struct, **fields_):
    """A struct array with some fields replaced (a field given as None is kept)."""
    fields_ = {k: v for k, v in fields_.items() if v is not None}
    if not fields_:
        return struct
    fields = {f.name: pc.struct_field(struct, f.name) for f in struct.type}
    fields.update(fields_)
    return pa.StructArray.from_arrays(list(fields.values()), names=list(fields))


def _with_text(ments, owner, starts, ends, texts):
    """The spans with ``text`` set to the slice where it was left out (items without a span keep none)."""
    q = pc.struct_field(ments, "text")
    if not (_null(q) & (starts >= 0)).any():
        return ments
    q = q.to_pylist()
    filled = [x if x is not None or starts[k] < 0 else (texts[owner[k]][starts[k]:ends[k]] if texts[owner[k]] else "") for k, x in enumerate(q)]
    fields = {f.name: pc.struct_field(ments, f.name) for f in ments.type}
    fields["text"] = pa.array(filled, pa.string())
    return pa.StructArray.from_arrays(list(fields.values()), names=list(fields))


def _with_text_trigger(evs, owner, starts, ends, texts):
    trig = pc.struct_field(evs, "trigger")
    filled = _with_text(trig, owner, starts, ends, texts)
    if filled is trig:
        return evs
    trig = filled
    fields = {f.name: pc.struct_field(evs, f.name) for f in evs.type}
    fields["trigger"] = trig
    return pa.StructArray.from_arrays(list(fields.values()), names=list(fields))
