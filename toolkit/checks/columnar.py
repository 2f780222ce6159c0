"""Checking a JSONL corpus as columns: the happy path of validation and loading.

:func:`check_gold` takes a gold file read into Arrow (:func:`toolkit.io.arrow.read_jsonl`) and
checks, as vectorised operations over all its documents at once, what ``annotation.schema.json``
and the semantic checks of :mod:`toolkit.checks.validate` check: required fields, label sets, id
patterns, ranges, ``text == seed[start:end]``, whitespace at span edges, the seed's checksum,
unique ids, references, roles and the role's entity types, duplicate arguments. A document that
passes becomes rows of the corpus's item tables; a document that does not, or that this module
cannot judge alone (overlapping mentions, an optional field written as ``null``), is handed back
to the row-wise checker, which reports its located issues exactly as before. So the columnar
check may be stricter than the row-wise one, never looser: a document it passes is one the
row-wise checker finds nothing in (tests/test_columnar.py checks this on random documents).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.io.arrow import children, ints
from toolkit.model.labels import inventory
from toolkit.model.tables import Tables, frame

ID = r"^[A-Za-z][A-Za-z0-9_-]*$"
DOC_ID = r"^[A-Za-z0-9_.-]+$"
SEED_FILE = r"^seeds/[A-Za-z0-9_.-]+\.txt$"
SHA256 = r"^[0-9a-f]{64}$"
DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


def _valid(array, pattern: str | None = None, values=None, max_length: int | None = None, min_length: int = 0) -> np.ndarray:
    """Per row: not null, and matching ``pattern`` / in ``values`` / within the lengths."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    ok = pc.is_valid(array)
    if pattern is not None:
        ok = pc.and_(ok, pc.fill_null(pc.match_substring_regex(array, pattern), False))
    if values is not None:
        ok = pc.and_(ok, pc.is_in(array, value_set=pa.array(list(values), pa.string())))
    if max_length is not None or min_length:
        n = pc.fill_null(pc.utf8_length(array), 0)
        if max_length is not None:
            ok = pc.and_(ok, pc.less_equal(n, max_length))
        if min_length:
            ok = pc.and_(ok, pc.greater_equal(n, min_length))
    return np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool)


def _fail(bad: np.ndarray, rows: np.ndarray, owner: np.ndarray) -> None:
    """Mark the documents ``owner[rows]`` of the items flagged in ``rows`` as failing."""
    if rows.any():
        bad[np.unique(owner[rows])] = True


@dataclass
class GoldPart:
    """The documents of one file that passed the columnar checks, as tables, with what a
    :class:`~toolkit.model.document.Document` of each needs beyond its items."""

    tables: Tables
    texts: list[str]
    meta: list[dict]
    rows: np.ndarray
    """The row (JSONL line index) of each passing document."""
    failed: np.ndarray
    """The rows handed to the row-wise checker."""


def _key_present(lines: list[bytes], rows: np.ndarray, key: bytes) -> np.ndarray:
    """Per row: whether the line holds ``"key"`` at all (a null value that is written, not missing)."""
    return np.array([key in lines[r] for r in rows], dtype=bool)


def check_gold(table: pa.Table, data: bytes, find_seed) -> GoldPart:
    """Check a gold table (module docstring). ``find_seed(seed_file)`` returns the seed's path or None."""
    inv = inventory()
    n = table.num_rows
    bad = np.zeros(n, dtype=bool)
    lines = data.splitlines()
    col = {name: table.column(name).combine_chunks() for name in table.column_names}
    bad |= ~_valid(col["schema_version"], values=["1.0"])
    bad |= ~_valid(col["doc_id"], DOC_ID)
    bad |= ~_valid(col["seed_file"], SEED_FILE)
    bad |= ~_valid(col["sha256"], SHA256)
    status = col["status"]
    null_status = np.asarray(status.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    bad |= ~null_status & ~_valid(status, values=["draft", "adjudicated"])
    for name in ("status", "notes"):  # optional: missing is fine, a written null is not
        nulls = np.flatnonzero(np.asarray(col[name].is_null().to_numpy(zero_copy_only=False), dtype=bool) & ~bad)
        bad[nulls[_key_present(lines, nulls, f'"{name}"'.encode())]] = True
    src = col["source"]
    bad |= np.asarray(src.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    for name in ("publisher", "date", "title"):  # required, and may be null: a null must be written
        f = pc.struct_field(src, name)
        nulls = np.flatnonzero(np.asarray(f.is_null().to_numpy(zero_copy_only=False), dtype=bool) & ~bad)
        bad[nulls[~_key_present(lines, nulls, f'"{name}"'.encode())]] = True
    date = pc.struct_field(src, "date")
    bad |= np.asarray(date.is_valid().to_numpy(zero_copy_only=False), dtype=bool) & ~_valid(date, DATE)
    lang = pc.struct_field(src, "language")
    nulls = np.flatnonzero(np.asarray(lang.is_null().to_numpy(zero_copy_only=False), dtype=bool) & ~bad)
    bad[nulls[_key_present(lines, nulls, b'"language"')]] = True
    for name in ("entities", "events", "stances"):
        bad |= np.asarray(col[name].is_null().to_numpy(zero_copy_only=False), dtype=bool)

    doc_ids = col["doc_id"].to_pylist()
    seed_files = col["seed_file"].to_pylist()
    shas = col["sha256"].to_pylist()
    texts: list[str | None] = [None] * n
    for r in np.flatnonzero(~bad).tolist():
        if Path(seed_files[r]).stem != doc_ids[r]:
            bad[r] = True
            continue
        path = find_seed(seed_files[r])
        if path is None:
            bad[r] = True
            continue
        try:
            raw = Path(path).read_bytes()
            texts[r] = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            bad[r] = True
            continue
        if hashlib.sha256(raw).hexdigest() != shas[r]:
            bad[r] = True

    # entities and mentions
    ents, e_doc, _ = children(col["entities"])
    _fail(bad, ~_valid(pc.struct_field(ents, "id"), ID, max_length=64), e_doc)
    _fail(bad, ~_valid(pc.struct_field(ents, "type"), values=inv.entity_types), e_doc)
    _fail(bad, ~_valid(pc.struct_field(ents, "name"), min_length=1), e_doc)
    m_list = pc.struct_field(ents, "mentions")
    m_nulls = np.asarray(m_list.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    m_len = ints(pc.list_value_length(m_list), 0)
    _fail(bad, m_nulls | (m_len < 1), e_doc)
    ments, m_ent, _ = children(m_list)
    m_doc = e_doc[m_ent]
    _fail(bad, ~_valid(pc.struct_field(ments, "id"), ID, max_length=64), m_doc)
    _fail(bad, ~_valid(pc.struct_field(ments, "kind"), values=inv.mention_kinds), m_doc)
    m_start, m_end = ints(pc.struct_field(ments, "start")), ints(pc.struct_field(ments, "end"))
    m_text = pc.struct_field(ments, "text")
    _fail(bad, (m_start < 0) | (m_end < 1) | ~_valid(m_text, min_length=1), m_doc)

    # events, triggers, arguments
    evs, v_doc, _ = children(col["events"])
    _fail(bad, ~_valid(pc.struct_field(evs, "id"), ID, max_length=64), v_doc)
    _fail(bad, ~_valid(pc.struct_field(evs, "type"), values=inv.event_types), v_doc)
    _fail(bad, ~_valid(pc.struct_field(evs, "realis"), values=inv.realis), v_doc)
    trig = pc.struct_field(evs, "trigger")
    t_start, t_end = ints(pc.struct_field(trig, "start")), ints(pc.struct_field(trig, "end"))
    t_text = pc.struct_field(trig, "text")
    _fail(bad, np.asarray(trig.is_null().to_numpy(zero_copy_only=False), dtype=bool) | (t_start < 0) | (t_end < 1)
          | ~_valid(t_text, min_length=1), v_doc)
    a_list = pc.struct_field(evs, "arguments")
    _fail(bad, np.asarray(a_list.is_null().to_numpy(zero_copy_only=False), dtype=bool), v_doc)
    args, a_ev, _ = children(a_list)
    a_doc = v_doc[a_ev]
    _fail(bad, ~_valid(pc.struct_field(args, "role")) | ~_valid(pc.struct_field(args, "mention"), ID, max_length=64), a_doc)

    # stances and evidence
    sts, s_doc, _ = children(col["stances"])
    _fail(bad, ~_valid(pc.struct_field(sts, "id"), ID, max_length=64), s_doc)
    _fail(bad, ~_valid(pc.struct_field(sts, "holder"), ID, max_length=64), s_doc)
    _fail(bad, ~_valid(pc.struct_field(sts, "label"), values=inv.stance_labels), s_doc)
    target = pc.struct_field(sts, "target")
    t_kind, t_id = pc.struct_field(target, "kind"), pc.struct_field(target, "id")
    _fail(bad, np.asarray(target.is_null().to_numpy(zero_copy_only=False), dtype=bool)
          | ~_valid(t_kind, values=["topic", "event", "entity"]) | ~_valid(t_id, min_length=1), s_doc)
    kinds = t_kind.to_pylist()
    tids = t_id.to_pylist()
    is_topic = np.array([k == "topic" for k in kinds], dtype=bool)
    _fail(bad, is_topic & ~np.array([t in inv.topics for t in tids], dtype=bool), s_doc)
    ev_list = pc.struct_field(sts, "evidence")
    _fail(bad, np.asarray(ev_list.is_null().to_numpy(zero_copy_only=False), dtype=bool) | (ints(pc.list_value_length(ev_list), 0) < 1), s_doc)
    evid, x_st, _ = children(ev_list)
    x_doc = s_doc[x_st]
    x_start, x_end = ints(pc.struct_field(evid, "start")), ints(pc.struct_field(evid, "end"))
    x_text = pc.struct_field(evid, "text")
    _fail(bad, (x_start < 0) | (x_end < 1) | ~_valid(x_text, min_length=1), x_doc)

    # spans against the seed texts (documents still passing)
    for starts, ends, quoted, owner in ((m_start, m_end, m_text, m_doc), (t_start, t_end, t_text, v_doc),
                                        (x_start, x_end, x_text, x_doc)):
        q = quoted.to_pylist()
        for k in np.flatnonzero(~bad[owner]).tolist():
            d = owner[k]
            s, e, t = starts[k], ends[k], q[k]
            text = texts[d]
            if not (s < e <= len(text)) or text[s:e] != t or t != t.strip():
                bad[d] = True

    # ids, references, roles (per document, only for documents still passing)
    e_id, m_id = pc.struct_field(ents, "id").to_pylist(), pc.struct_field(ments, "id").to_pylist()
    v_id, s_id = pc.struct_field(evs, "id").to_pylist(), pc.struct_field(sts, "id").to_pylist()
    ids = pd.DataFrame({"doc": np.concatenate([e_doc, m_doc, v_doc, s_doc]),
                        "id": e_id + m_id + v_id + s_id})
    dup = ids[ids.duplicated(["doc", "id"], keep=False)]["doc"].to_numpy()
    bad[np.unique(dup)] = True
    e_type = pc.struct_field(ents, "type").to_pylist()
    v_type = pc.struct_field(evs, "type").to_pylist()
    mention_type = {(d, mid): e_type[ent] for d, mid, ent in zip(m_doc.tolist(), m_id, m_ent.tolist())}
    roles, role_of = inv.roles, pc.struct_field(args, "role").to_pylist()
    a_mention = pc.struct_field(args, "mention").to_pylist()
    seen: set = set()
    for k in np.flatnonzero(~bad[a_doc]).tolist():
        d, vt, role, mid = a_doc[k], v_type[a_ev[k]], role_of[k], a_mention[k]
        allowed = roles.get(vt, {})
        mt = mention_type.get((d, mid))
        key = (a_ev[k], role, mid)
        if role not in allowed or mt is None or mt not in allowed[role] or key in seen:
            bad[d] = True
        seen.add(key)
    entity_ids = set(zip(e_doc.tolist(), e_id))
    event_ids = set(zip(v_doc.tolist(), v_id))
    holders = pc.struct_field(sts, "holder").to_pylist()
    for k in np.flatnonzero(~bad[s_doc]).tolist():
        d = s_doc[k]
        if (d, holders[k]) not in entity_ids:
            bad[d] = True
        elif kinds[k] == "event" and (d, tids[k]) not in event_ids:
            bad[d] = True
        elif kinds[k] == "entity" and (d, tids[k]) not in entity_ids:
            bad[d] = True

    # overlapping mentions: exact checks (duplicates, crossings) are the row-wise checker's
    order = np.lexsort((-m_end, m_start, m_doc))
    sd, ss, se = m_doc[order], m_start[order], m_end[order]
    same = np.zeros(len(sd), dtype=bool)
    same[1:] = sd[1:] == sd[:-1]
    prev_max = np.zeros(len(sd), dtype=np.int64)
    if len(sd):  # the largest end of the earlier mentions of the same document
        bounds = np.append(np.flatnonzero(~same), len(sd))
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            if b - a > 1:
                prev_max[a + 1:b] = np.maximum.accumulate(se[a:b])[:-1]
    overlap = same & (prev_max > ss)
    _fail(bad, overlap, sd)

    good = np.flatnonzero(~bad)
    return _tables(good, np.flatnonzero(bad), col, texts, ents, e_doc, ments, m_ent, m_doc, evs, v_doc, args, a_ev, sts, s_doc, evid, x_st)


def _tables(good, failed, col, texts, ents, e_doc, ments, m_ent, m_doc, evs, v_doc, args, a_ev, sts, s_doc, evid, x_st) -> GoldPart:
    """The item tables of the passing documents (rows renumbered), in the layout of :mod:`toolkit.model.tables`."""
    pos = np.full(len(texts), -1, dtype=np.int64)
    pos[good] = np.arange(len(good))
    doc_ids = col["doc_id"].to_pylist()
    keep_e = pos[e_doc] >= 0
    e_row = np.full(len(e_doc), -1, dtype=np.int64)
    e_row[keep_e] = np.arange(int(keep_e.sum()))
    e_type = np.asarray(pc.struct_field(ents, "type").to_pylist(), dtype=object)
    e_id = np.asarray(pc.struct_field(ents, "id").to_pylist(), dtype=object)
    entities = frame("entities", {"doc": pos[e_doc[keep_e]], "entity_id": e_id[keep_e],
                                  "type": e_type[keep_e], "name": np.asarray(pc.struct_field(ents, "name").to_pylist(), dtype=object)[keep_e]})
    keep_m = pos[m_doc] >= 0
    m_id = np.asarray(pc.struct_field(ments, "id").to_pylist(), dtype=object)
    m_text = np.asarray(pc.struct_field(ments, "text").to_pylist(), dtype=object)
    mentions = frame("mentions", {"doc": pos[m_doc[keep_m]], "entity": e_row[m_ent[keep_m]], "mention_id": m_id[keep_m],
                                  "start": ints(pc.struct_field(ments, "start"))[keep_m], "end": ints(pc.struct_field(ments, "end"))[keep_m],
                                  "text": m_text[keep_m], "type": e_type[m_ent[keep_m]],
                                  "kind": np.asarray(pc.struct_field(ments, "kind").to_pylist(), dtype=object)[keep_m]})
    keep_v = pos[v_doc] >= 0
    v_row = np.full(len(v_doc), -1, dtype=np.int64)
    v_row[keep_v] = np.arange(int(keep_v.sum()))
    trig = pc.struct_field(evs, "trigger")
    v_id = np.asarray(pc.struct_field(evs, "id").to_pylist(), dtype=object)
    events = frame("events", {"doc": pos[v_doc[keep_v]], "event_id": v_id[keep_v],
                              "type": np.asarray(pc.struct_field(evs, "type").to_pylist(), dtype=object)[keep_v],
                              "realis": np.asarray(pc.struct_field(evs, "realis").to_pylist(), dtype=object)[keep_v],
                              "start": ints(pc.struct_field(trig, "start"))[keep_v], "end": ints(pc.struct_field(trig, "end"))[keep_v],
                              "text": np.asarray(pc.struct_field(trig, "text").to_pylist(), dtype=object)[keep_v]})
    # arguments name a mention of their document: its span, text and entity
    mention_row = {(d, mid): k for k, (d, mid) in enumerate(zip(mentions["doc"].tolist(), mentions["mention_id"].tolist()))}
    a_doc = v_doc[a_ev]
    keep_a = pos[a_doc] >= 0
    # (a prediction's argument may give its own span instead: its entity is then -1)
    a_mid = pc.struct_field(args, "mention").to_pylist()
    by_span = (np.asarray(pc.is_valid(pc.struct_field(args, "start")).to_numpy(zero_copy_only=False), dtype=bool)
               if "start" in [f.name for f in args.type] else np.zeros(len(a_mid), dtype=bool))
    kept = np.flatnonzero(keep_a)
    rows_m = np.asarray([-1 if by_span[k] else mention_row[(pos[a_doc[k]], a_mid[k])] for k in kept.tolist()], dtype=np.int64)
    a_cols = {"start": np.full(len(kept), -1, dtype=np.int64), "end": np.full(len(kept), -1, dtype=np.int64),
              "text": np.full(len(kept), "", dtype=object), "entity": np.full(len(kept), -1, dtype=np.int64)}
    via = rows_m >= 0
    for c in a_cols:
        a_cols[c][via] = mentions[c].to_numpy()[rows_m[via]]
    if by_span.any():
        own = ~via
        a_cols["start"][own] = ints(pc.struct_field(args, "start"))[kept[own]]
        a_cols["end"][own] = ints(pc.struct_field(args, "end"))[kept[own]]
        a_cols["text"][own] = np.asarray(pc.struct_field(args, "text").to_pylist(), dtype=object)[kept[own]]
    arguments = frame("arguments", {"doc": pos[a_doc[keep_a]], "event": v_row[a_ev[keep_a]],
                                    "role": np.asarray(pc.struct_field(args, "role").to_pylist(), dtype=object)[keep_a], **a_cols})
    keep_s = pos[s_doc] >= 0
    entity_row = {(d, eid): k for k, (d, eid) in enumerate(zip(entities["doc"].tolist(), entities["entity_id"].tolist()))}
    event_row = {(d, vid): k for k, (d, vid) in enumerate(zip(events["doc"].tolist(), events["event_id"].tolist()))}
    target = pc.struct_field(sts, "target")
    kinds = pc.struct_field(target, "kind").to_pylist()
    tids = pc.struct_field(target, "id").to_pylist()
    holders = pc.struct_field(sts, "holder").to_pylist()
    first_ev = np.full(len(s_doc), -1, dtype=np.int64)
    if len(x_st):
        uniq, first = np.unique(x_st, return_index=True)
        first_ev[uniq] = first
    x_start, x_end = ints(pc.struct_field(evid, "start")), ints(pc.struct_field(evid, "end"))
    st_rows = {c: [] for c in ("doc", "stance_id", "holder", "holder_start", "holder_end", "holder_text", "target_kind", "topic",
                               "target", "label", "evidence_start", "evidence_end")}
    s_id = pc.struct_field(sts, "id").to_pylist()
    labels = pc.struct_field(sts, "label").to_pylist()
    for k in np.flatnonzero(keep_s).tolist():
        d = int(pos[s_doc[k]])
        kind, tid = kinds[k], tids[k]
        x = first_ev[k]
        for c, v in (("doc", d), ("stance_id", s_id[k]), ("holder", entity_row[(d, holders[k])]), ("holder_start", -1),
                     ("holder_end", -1), ("holder_text", ""), ("target_kind", kind), ("topic", tid if kind == "topic" else ""),
                     ("target", event_row[(d, tid)] if kind == "event" else entity_row[(d, tid)] if kind == "entity" else -1),
                     ("label", labels[k]), ("evidence_start", int(x_start[x]) if x >= 0 else -1),
                     ("evidence_end", int(x_end[x]) if x >= 0 else -1)):
            st_rows[c].append(v)
    stances = frame("stances", st_rows)
    tables = Tables(frame("docs", {"doc_id": [doc_ids[r] for r in good]}), entities, mentions, events, arguments, stances)
    meta = []
    src = col["source"]
    cols = {name: pc.struct_field(src, name).to_pylist() for name in ("publisher", "date", "title", "url", "language")}
    seed_files, shas = col["seed_file"].to_pylist(), col["sha256"].to_pylist()
    notes, status = col["notes"].to_pylist(), col["status"].to_pylist()
    for r in good.tolist():
        meta.append({"seed_file": seed_files[r], "sha256": shas[r], "notes": notes[r] or "", "status": status[r],
                     "stances": (col["stances"], r), **{k: cols[k][r] for k in cols}})
    return GoldPart(tables, [texts[r] for r in good.tolist()], meta, good, failed)
