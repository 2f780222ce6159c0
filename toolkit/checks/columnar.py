"""Checking a JSONL corpus as columns: the happy path of validation and loading.

:func:`check_gold` takes a gold JSONL file read into Arrow (:func:`toolkit.io.arrow.read_jsonl`), or a
folder's JSON files read into one table (:func:`toolkit.io.arrow.read_json_files`), and
checks, as vectorised operations over all its documents at once, what ``annotation.schema.json``
and the semantic checks of :mod:`toolkit.checks.validate` check: required fields, label sets, id
patterns, ranges, ``text == seed[start:end]``, whitespace at span edges, the seed's checksum,
unique ids, references, roles and the role's entity types, duplicate arguments. A document that
passes becomes rows of the corpus's item tables; a document that does not, or that this module
cannot judge alone (an optional field written as ``null``), is handed back
to the row-wise checker, which reports its located issues exactly as before. So the columnar
check may be stricter than the row-wise one, never looser: a document it passes is one the
row-wise checker finds nothing in (tests/test_columnar.py checks this on random documents).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.io.arrow import children, codepoints, ints, joint_codes, one_array
from toolkit.model.labels import inventory

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.model.tables import Tables

ID = r"^[A-Za-z][A-Za-z0-9_-]*$"
DOC_ID = r"^[A-Za-z0-9_.-]+$"
SEED_FILE = r"^seeds/[A-Za-z0-9_.-]+\.txt$"
SHA256 = r"^[0-9a-f]{64}$"
DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


def _valid(array, pattern: str | None = None, values=None, max_length: int | None = None, min_length: int = 0) -> np.ndarray:
    """Per row: not null, and matching ``pattern`` / in ``values`` / within the lengths."""
    array = one_array(array)
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

    tables: "Tables | None"
    """None when only the verdict was asked for (``check_gold(..., tables=False)``)."""
    texts: list[str]
    meta: list[dict] | None
    rows: np.ndarray
    """The row (JSONL line index) of each passing document."""
    failed: np.ndarray
    """The rows handed to the row-wise checker."""
    doc_ids: list[str]
    """The doc id of each passing document."""


class _Lines:
    """A JSONL file's lines, split only when a line must be looked at."""

    def __init__(self, data: bytes, count: int):
        self.data, self.count = data, count
        self._lines: list[bytes] | None = None

    def __getitem__(self, r: int) -> bytes:
        if self._lines is None:
            self._lines = self.data.split(b"\n")
        return self._lines[r]


def _key_present(lines: _Lines, rows: np.ndarray, key: bytes) -> np.ndarray:
    """Per row: whether the line holds ``"key"`` at all (a null value that is written, not missing).
    A key the file never holds, or holds on every line, is found in one search of the file;
    otherwise one substring test per row (measured: 0.03 s for 50,000 lines, against 0.43 s for finding every occurrence in
    the whole file and mapping them to lines)."""
    if not len(rows) or key not in lines.data:
        return np.zeros(len(rows), dtype=bool)
    if lines.data.count(key + b":") == lines.count:
        # written on every line: pyarrow refuses an object with a key twice, and the annotation
        # schema has each of these names in one kind of object, so n exact matches are n lines
        return np.ones(len(rows), dtype=bool)
    as_key = re.compile(re.escape(key) + rb"[ \t\r\n]*:").search  # the string as a key, not as a value (e.g. a name "title")
    return np.array([key in line and as_key(line) is not None for line in (lines[r] for r in rows.tolist())], dtype=bool)


_WHITESPACE = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)
"""Every code point ``str.strip`` removes (none lies above U+3000)."""


class SeedTexts:
    """The seed texts of a file's documents as one array of code points, for checking every span at once."""

    SPAN_BLOCK = 1 << 16
    """Code points of quotes compared per block in :meth:`spans_ok`. Its index arrays are 8 bytes
    each per code point: 512 KB a block, which the C library's heap hands out again block after
    block, where blocks of 4 million code points (32 MB arrays, each mapped afresh and returned)
    cost 0.04-0.14 s of system time for the 50k corpus's spans against about 5 ms now."""

    def __init__(self, texts: list):
        array = pa.array(texts, pa.string())
        self.cp, self.bounds = codepoints(array)
        self.length = np.diff(self.bounds)
        self.length[np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = -1  # no text: no span fits

    def spans_ok(self, starts: np.ndarray, ends: np.ndarray, quoted, owner: np.ndarray, strip: bool = True) -> np.ndarray:
        """Per span: ``0 <= start < end <= len(text)`` and, where a quote is given (``quoted``, an
        Arrow string array), ``text[start:end] == quote`` (and, with ``strip``, the quote has no
        whitespace at either end)."""
        ok = (starts >= 0) & (starts < ends) & (ends <= self.length[owner])
        given = np.asarray(pc.is_valid(quoted).to_numpy(zero_copy_only=False), dtype=bool)
        q_cp, q_bounds = codepoints(quoted)
        q_len = np.diff(q_bounds)
        ok &= ~given | (q_len == ends - starts)
        idx = np.flatnonzero(ok & given)
        if not len(idx):
            return ok
        length = q_len[idx]
        src = self.bounds[owner[idx]] + starts[idx]  # where each quote's span starts in the seeds' code points
        mine = q_bounds[idx]  # and where the quote starts in its own
        wrong = np.zeros(len(idx), dtype=bool)
        # the quotes compared a block at a time, each of about SPAN_BLOCK code points, so the
        # per-code-point index arrays stay small at any corpus size
        total = np.cumsum(length)
        lo = 0
        while lo < len(idx):
            hi = max(int(np.searchsorted(total, (total[lo - 1] if lo else 0) + self.SPAN_BLOCK, side="right")), lo + 1)
            n = length[lo:hi]
            item = np.repeat(np.arange(hi - lo), n)
            within = np.arange(len(item)) - np.repeat(np.cumsum(n) - n, n)
            differs = self.cp[src[lo:hi][item] + within] != q_cp[mine[lo:hi][item] + within]
            wrong[lo + item[differs]] = True
            lo = hi
        if strip:
            nonempty = length > 0
            first, last = np.zeros(len(idx), dtype=bool), np.zeros(len(idx), dtype=bool)
            first[nonempty] = np.isin(q_cp[mine[nonempty]], _WHITESPACE)
            last[nonempty] = np.isin(q_cp[mine[nonempty] + length[nonempty] - 1], _WHITESPACE)
            wrong |= first | last
        ok[idx[wrong]] = False
        return ok


def repeated(ids: pa.Array, claimed: Collection[str] = ()) -> np.ndarray:
    """Per value of a string column: it is given twice in it, or it is one of ``claimed``."""
    codes = np.asarray(pc.fill_null(pc.dictionary_encode(ids).indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    given = codes >= 0
    out = np.zeros(len(codes), dtype=bool)
    out[given] = np.bincount(codes[given])[codes[given]] > 1
    if claimed:
        out |= np.asarray(pc.fill_null(pc.is_in(ids, value_set=pa.array(list(claimed), pa.string())), False)
                          .to_numpy(zero_copy_only=False), dtype=bool)
    return out


def _keys(doc: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    return doc.astype(np.int64) * k + codes


def _lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The position in ``keys`` of each ``wanted`` key (the first, where a key repeats), -1 where absent."""
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    at = np.minimum(np.searchsorted(sk, wanted), len(sk) - 1)
    return np.where(sk[at] == wanted, order[at], -1)


def _allowed_arguments(inv) -> set[tuple[str, str, str]]:
    return {(vt, role, et) for vt, roles in inv.roles.items() for role, types in roles.items() for et in types}


def _combos_ok(columns: list, allowed: set) -> np.ndarray:
    """Per row: the tuple of the rows' values in ``columns`` (Arrow string arrays of one length) is in
    ``allowed``; each distinct tuple is looked up once."""
    n = len(columns[0])
    if not n:
        return np.zeros(0, dtype=bool)
    key = np.zeros(n, dtype=np.int64)
    books, coded = [], []
    for col in columns:
        encoded = pc.dictionary_encode(one_array(col))
        codes = ints(encoded.indices)  # null: -1, which reads the book's last entry, None
        key = key * (len(encoded.dictionary) + 1) + codes + 1
        books.append(encoded.dictionary.to_pylist() + [None])
        coded.append(codes)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    ok = np.array([tuple(book[codes[i]] for book, codes in zip(books, coded)) in allowed for i in first.tolist()], dtype=bool)
    return ok[inverse]


def _nesting_broken(m_doc: np.ndarray, m_start: np.ndarray, m_end: np.ndarray) -> np.ndarray:
    """Per mention: it has the same span as another mention of its document, or is the end of a
    crossing; a document has such a mention exactly when the row-wise checker reports a
    ``duplicate-mention`` or ``crossing-mentions`` in it (nesting is allowed).

    Mentions nest without crossing exactly when their starts and ends, read left to right, are
    well-nested brackets: each end closes the innermost span still open. The brackets are sorted
    by document, offset, ends before starts at one offset (spans are end-exclusive, so one that
    ends where another starts does not overlap it), longer spans opening first and inner spans
    closing first. The depth after each bracket is a running sum; the span an end closes is then
    the last start before it that opened the same depth (a later start at that depth would have
    been closed before). An end whose span is not that one marks a crossing. Identical spans are
    found as neighbours in sorted order (brackets cannot tell them apart)."""
    n = len(m_doc)
    out = np.zeros(n, dtype=bool)
    if not n:
        return out
    # only a document where some mention starts before an earlier one (by start) ends can break the
    # rule: one sort and a running maximum find them, and only their mentions are bracketed
    order = np.lexsort((-m_end, m_start, m_doc))
    sd, ss, se = m_doc[order], m_start[order], m_end[order]
    reach = np.maximum.accumulate(sd * (int(se.max()) + 1) + se)  # documents ascend: a maximum never crosses into the next one
    overlapping = np.zeros(n, dtype=bool)
    overlapping[1:] = (sd[1:] == sd[:-1]) & (reach[:-1] - sd[1:] * (int(se.max()) + 1) > ss[1:])
    if not overlapping.any():
        return out | (m_end <= m_start)
    keep = np.isin(m_doc, np.unique(sd[overlapping]))
    if not keep.all():
        out[keep] = _nesting_broken(m_doc[keep], m_start[keep], m_end[keep])
        return out | (m_end <= m_start)
    order = np.lexsort((m_end, m_start, m_doc))
    same = (np.diff(m_doc[order]) == 0) & (np.diff(m_start[order]) == 0) & (np.diff(m_end[order]) == 0)
    out[order[1:][same]] = True
    out[order[:-1][same]] = True
    out |= m_end <= m_start  # not a span: its own check fails the document, and brackets need start < end
    span = np.concatenate([np.arange(n), np.arange(n)])
    opens = np.concatenate([np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)])
    pos = np.concatenate([m_start, m_end])
    inner = np.concatenate([-m_end, -m_start])  # starts: longer first; ends: the later start (the inner span) first
    seq = np.lexsort((inner, opens, pos, np.concatenate([m_doc, m_doc])))
    is_open = opens[seq] == 1
    depth = np.cumsum(np.where(is_open, 1, -1))
    level = np.where(is_open, depth, depth + 1)
    width = 2 * n + 1
    keys = level * width + np.arange(2 * n)
    open_keys = keys[is_open]  # ascending within a level, levels ascending: sort once
    open_order = np.argsort(open_keys, kind="stable")
    sorted_keys, sorted_span = open_keys[open_order], span[seq][is_open][open_order]
    close_keys = keys[~is_open]
    at = np.searchsorted(sorted_keys, close_keys) - 1
    found = (at >= 0) & (sorted_keys[np.maximum(at, 0)] // width == close_keys // width)
    closes = span[seq][~is_open]
    out[closes[~found | (sorted_span[np.maximum(at, 0)] != closes)]] = True
    return out


def _repeats(keys: np.ndarray) -> np.ndarray:
    """Per key: another position holds the same key (pandas' ``duplicated(keep=False)``), from one sort."""
    if len(keys) < 2:
        return np.zeros(len(keys), dtype=bool)
    ordered = np.sort(keys)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    return np.isin(keys, twice) if len(twice) else np.zeros(len(keys), dtype=bool)


def _repeated_rows(*columns: np.ndarray) -> np.ndarray:
    """Per row of the integer ``columns``: another row has the same values in all of them (pandas'
    ``duplicated(keep=False)`` of their frame). The columns make one int64 key where it cannot
    overflow (one sort); else a lexsort."""
    n = len(columns[0])
    if n < 2:
        return np.zeros(n, dtype=bool)
    lows = [int(c.min()) for c in columns]
    widths = [int(c.max()) - low + 1 for c, low in zip(columns, lows)]
    if float(np.prod([float(w) for w in widths])) < 2.0 ** 62:
        key = np.zeros(n, dtype=np.int64)
        for c, low, w in zip(columns, lows, widths):
            key = key * w + (c - low)
        return _repeats(key)
    out = np.zeros(n, dtype=bool)
    order = np.lexsort(columns[::-1])
    same = np.ones(n - 1, dtype=bool)
    for c in columns:
        c = c[order]
        same &= c[1:] == c[:-1]
    out[order[1:][same]] = True
    out[order[:-1][same]] = True
    return out


def check_gold(table: pa.Table, data: bytes, read_seeds, claimed: Collection[str] | None = None, tables: bool = True) -> GoldPart:
    """Check a gold table (module docstring). ``read_seeds(seed_files)`` starts reading the seeds and
    returns a function that gives each seed's bytes (None: not found), asked for once the checks
    that need no seed are done (:func:`~toolkit.io.many.read_many_aside` reads them meanwhile).

    ``claimed``: when a doc id may be given once only, the doc ids earlier files hold; a document
    with one of them, or whose doc id the table holds twice, is left to the row-wise checker, which
    reports the ``duplicate-document`` where it is. ``tables=False``: only the verdict (the passing
    rows and their doc ids), for ``toolkit validate``, which keeps no document: the item tables
    and pandas are not needed."""
    inv = inventory()
    n = table.num_rows
    bad = np.zeros(n, dtype=bool)
    lines = _Lines(data, n)
    col = {name: table.column(name).combine_chunks() for name in table.column_names}
    if claimed is not None:
        bad |= repeated(col["doc_id"], claimed)
    bad |= ~_valid(col["doc_id"], DOC_ID)
    bad |= ~_valid(col["seed_file"], SEED_FILE)
    # the seed is named for the document: seed_file == "seeds/<doc_id>.txt" (what os.path.splitext
    # of the file name gives, for an id that does not start with a dot: leave those to the row-wise check)
    named = pc.equal(pc.binary_join_element_wise("seeds/", col["doc_id"], ".txt", ""), col["seed_file"])
    named = pc.and_(named, pc.invert(pc.starts_with(col["doc_id"], ".")))
    bad |= ~np.asarray(pc.fill_null(named, False).to_numpy(zero_copy_only=False), dtype=bool)
    # the seeds of the documents that may still pass are read while the checks that need none run
    asked = np.flatnonzero(~bad)
    seeds_read = read_seeds(col["seed_file"].take(pa.array(asked)).to_pylist())
    bad |= ~_valid(col["schema_version"], values=["1.0"])
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

    wanted = np.flatnonzero(~bad)  # the documents whose seeds are checked (a subset of those asked for)

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
    is_topic = _valid(t_kind, values=["topic"])
    _fail(bad, is_topic & ~_valid(t_id, values=list(inv.topics)), s_doc)
    ev_list = pc.struct_field(sts, "evidence")
    _fail(bad, np.asarray(ev_list.is_null().to_numpy(zero_copy_only=False), dtype=bool) | (ints(pc.list_value_length(ev_list), 0) < 1), s_doc)
    evid, x_st, _ = children(ev_list)
    x_doc = s_doc[x_st]
    x_start, x_end = ints(pc.struct_field(evid, "start")), ints(pc.struct_field(evid, "end"))
    x_text = pc.struct_field(evid, "text")
    _fail(bad, (x_start < 0) | (x_end < 1) | ~_valid(x_text, min_length=1), x_doc)

    # the seeds, read meanwhile, and the spans against their texts
    sha256 = hashlib.sha256
    raws = seeds_read()
    shas = col["sha256"].to_pylist()
    texts: list[str | None] = [None] * n
    for r, k in zip(wanted.tolist(), np.searchsorted(asked, wanted).tolist()):
        raw = raws[k]
        if raw is None or sha256(raw).hexdigest() != shas[r]:
            bad[r] = True
            continue
        try:
            texts[r] = raw.decode("utf-8")
        except UnicodeDecodeError:
            bad[r] = True
    seeds = SeedTexts(texts)
    for starts, ends, quoted, owner in ((m_start, m_end, m_text, m_doc), (t_start, t_end, t_text, v_doc),
                                        (x_start, x_end, x_text, x_doc)):
        _fail(bad, ~seeds.spans_ok(starts, ends, quoted, owner), owner)

    # ids, references, roles
    e_id, m_id, v_id, s_id = (pc.struct_field(x, "id") for x in (ents, ments, evs, sts))
    roles = pc.struct_field(args, "role")
    (e_c, m_c, v_c, s_c, h_c, t_c, am_c), k = joint_codes(e_id, m_id, v_id, s_id, pc.struct_field(sts, "holder"), t_id,
                                                        pc.struct_field(args, "mention"))
    all_keys = _keys(np.concatenate([e_doc, m_doc, v_doc, s_doc]), np.concatenate([e_c, m_c, v_c, s_c]), k)
    doc_of = np.concatenate([e_doc, m_doc, v_doc, s_doc])
    _fail(bad, _repeats(all_keys), doc_of)
    e_keys, m_keys, v_keys = _keys(e_doc, e_c, k), _keys(m_doc, m_c, k), _keys(v_doc, v_c, k)
    # an argument names a mention of its document, with a role of its event type that allows the mention's entity type, once
    at = _lookup(m_keys, _keys(a_doc, am_c, k))
    found = at >= 0
    _fail(bad, ~found, a_doc)
    m_type = pc.struct_field(ents, "type").take(pa.array(m_ent[np.maximum(at, 0)] if len(m_ent) else np.zeros(len(at), np.int64),
                                                          mask=~found))
    _fail(bad, ~_combos_ok([pc.struct_field(evs, "type").take(pa.array(a_ev)), roles, m_type], _allowed_arguments(inv)), a_doc)
    (role_c,), _ = joint_codes(roles)
    _fail(bad, _repeated_rows(a_ev, role_c, am_c), a_doc)
    # a stance's holder is an entity of its document; an event or entity target too
    _fail(bad, _lookup(e_keys, _keys(s_doc, h_c, k)) < 0, s_doc)
    t_keys = _keys(s_doc, t_c, k)
    _fail(bad, _valid(t_kind, values=["event"]) & (_lookup(v_keys, t_keys) < 0), s_doc)
    _fail(bad, _valid(t_kind, values=["entity"]) & (_lookup(e_keys, t_keys) < 0), s_doc)

    # mentions may nest, never cross nor repeat a span
    _fail(bad, _nesting_broken(m_doc, m_start, m_end), m_doc)

    good = np.flatnonzero(~bad)
    if not tables:
        return GoldPart(None, [], None, good, np.flatnonzero(bad), col["doc_id"].take(pa.array(good)).to_pylist())
    return _tables(good, np.flatnonzero(bad), col, texts, ents, e_doc, ments, m_ent, m_doc, evs, v_doc, args, a_ev, sts, s_doc, evid, x_st)


def part_of(table: pa.Table, texts: list[str]) -> GoldPart:
    """The item tables of an Arrow table in the layout of :data:`toolkit.io.arrow.ANNOTATION` whose
    documents are already known to be valid, with their texts: a published dataset, which
    ``toolkit publish`` wrote only from gold that validated (:mod:`toolkit.dataset.publish`)."""
    col = {name: table.column(name).combine_chunks() for name in table.column_names}
    ents, e_doc, _ = children(col["entities"])
    ments, m_ent, _ = children(pc.struct_field(ents, "mentions"))
    evs, v_doc, _ = children(col["events"])
    args, a_ev, _ = children(pc.struct_field(evs, "arguments"))
    sts, s_doc, _ = children(col["stances"])
    evid, x_st, _ = children(pc.struct_field(sts, "evidence"))
    every = np.arange(table.num_rows, dtype=np.int64)
    return _tables(every, np.zeros(0, dtype=np.int64), col, list(texts), ents, e_doc, ments, m_ent, e_doc[m_ent], evs, v_doc,
                   args, a_ev, sts, s_doc, evid, x_st)


def _strings(array, keep: np.ndarray | None = None, fill: str | None = None) -> "pd.Series":
    """A string column (kept rows only) as the tables' pandas string column, without a Python object per value."""
    array = one_array(array)
    if fill is not None:
        array = pc.fill_null(array, fill)
    if keep is not None:
        array = array.filter(pa.array(keep))
    return array.to_pandas()


def _tables(good, failed, col, texts, ents, e_doc, ments, m_ent, m_doc, evs, v_doc, args, a_ev, sts, s_doc, evid, x_st) -> GoldPart:
    """The item tables of the passing documents (rows renumbered), in the layout of :mod:`toolkit.model.tables`."""
    from toolkit.model.corpus import Meta
    from toolkit.model.tables import Tables, frame

    pos = np.full(len(texts), -1, dtype=np.int64)
    pos[good] = np.arange(len(good))
    keep_e = pos[e_doc] >= 0
    e_row = np.full(len(e_doc), -1, dtype=np.int64)
    e_row[keep_e] = np.arange(int(keep_e.sum()))
    e_type = pc.struct_field(ents, "type")
    entities = frame("entities", {"doc": pos[e_doc[keep_e]], "entity_id": _strings(pc.struct_field(ents, "id"), keep_e),
                                  "type": _strings(e_type, keep_e), "name": _strings(pc.struct_field(ents, "name"), keep_e)})
    keep_m = pos[m_doc] >= 0
    m_start, m_end = ints(pc.struct_field(ments, "start")), ints(pc.struct_field(ments, "end"))
    mentions = frame("mentions", {"doc": pos[m_doc[keep_m]], "entity": e_row[m_ent[keep_m]],
                                  "mention_id": _strings(pc.struct_field(ments, "id"), keep_m),
                                  "start": m_start[keep_m], "end": m_end[keep_m], "text": _strings(pc.struct_field(ments, "text"), keep_m),
                                  "type": _strings(e_type.take(pa.array(m_ent[keep_m]))),
                                  "kind": _strings(pc.struct_field(ments, "kind"), keep_m)})
    keep_v = pos[v_doc] >= 0
    v_row = np.full(len(v_doc), -1, dtype=np.int64)
    v_row[keep_v] = np.arange(int(keep_v.sum()))
    trig = pc.struct_field(evs, "trigger")
    events = frame("events", {"doc": pos[v_doc[keep_v]], "event_id": _strings(pc.struct_field(evs, "id"), keep_v),
                              "type": _strings(pc.struct_field(evs, "type"), keep_v), "realis": _strings(pc.struct_field(evs, "realis"), keep_v),
                              "start": ints(pc.struct_field(trig, "start"))[keep_v], "end": ints(pc.struct_field(trig, "end"))[keep_v],
                              "text": _strings(pc.struct_field(trig, "text"), keep_v)})

    # ids as integer codes: (document, id) is one int64 key
    target = pc.struct_field(sts, "target")
    a_mid = pc.struct_field(args, "mention")
    (m_c, e_c, v_c, am_c, h_c, t_c), k = joint_codes(pc.struct_field(ments, "id"), pc.struct_field(ents, "id"), pc.struct_field(evs, "id"),
                                                   a_mid, pc.struct_field(sts, "holder"), pc.struct_field(target, "id"))

    # arguments name a mention of their document: its span, text and entity
    # (a prediction's argument may give its own span instead: its entity is then -1)
    a_doc = v_doc[a_ev]
    keep_a = pos[a_doc] >= 0
    kept = np.flatnonzero(keep_a)
    by_span = (np.asarray(pc.is_valid(pc.struct_field(args, "start")).to_numpy(zero_copy_only=False), dtype=bool)
               if "start" in [f.name for f in args.type] else np.zeros(len(args), dtype=bool))
    m_keys = _keys(m_doc, m_c, k)
    at = _lookup(m_keys, _keys(a_doc, am_c, k))[kept]
    at[by_span[kept]] = -1
    via = at >= 0
    a_start, a_end = np.full(len(kept), -1, dtype=np.int64), np.full(len(kept), -1, dtype=np.int64)
    a_entity = np.full(len(kept), -1, dtype=np.int64)
    a_start[via], a_end[via], a_entity[via] = m_start[at[via]], m_end[at[via]], e_row[m_ent[at[via]]]
    m_text = pc.struct_field(ments, "text")
    texts_at = m_text.take(pa.array(np.maximum(at, 0))) if len(m_text) else pa.nulls(len(at), pa.string())
    if by_span.any():
        own = ~via
        a_start[own] = ints(pc.struct_field(args, "start"))[kept[own]]
        a_end[own] = ints(pc.struct_field(args, "end"))[kept[own]]
        own_text = pc.struct_field(args, "text").take(pa.array(kept))
        texts_at = pc.if_else(pa.array(via), texts_at, own_text)
    arguments = frame("arguments", {"doc": pos[a_doc[keep_a]], "event": v_row[a_ev[keep_a]],
                                    "role": _strings(pc.struct_field(args, "role"), keep_a), "start": a_start, "end": a_end,
                                    "text": _strings(texts_at, fill=""), "entity": a_entity})

    # stances: holder and target as rows of the entities / events tables, the first evidence span
    keep_s = pos[s_doc] >= 0
    e_keys, v_keys = _keys(e_doc, e_c, k), _keys(v_doc, v_c, k)
    t_kind = pc.struct_field(target, "kind")
    is_event, is_entity = _valid(t_kind, values=["event"]), _valid(t_kind, values=["entity"])
    t_keys = _keys(s_doc, t_c, k)
    at_e, at_v = _lookup(e_keys, t_keys), _lookup(v_keys, t_keys)
    holder_at = _lookup(e_keys, _keys(s_doc, h_c, k))
    target_row = np.where(is_event, np.where(at_v >= 0, v_row[np.maximum(at_v, 0)] if len(v_row) else -1, -1),
                          np.where(is_entity, np.where(at_e >= 0, e_row[np.maximum(at_e, 0)] if len(e_row) else -1, -1), -1))
    first_ev = np.full(len(s_doc), -1, dtype=np.int64)
    if len(x_st):
        uniq, first = np.unique(x_st, return_index=True)
        first_ev[uniq] = first
    x_start, x_end = ints(pc.struct_field(evid, "start")), ints(pc.struct_field(evid, "end"))
    has_ev = first_ev >= 0
    ev_start = np.where(has_ev, x_start[np.maximum(first_ev, 0)] if len(x_start) else -1, -1)
    ev_end = np.where(has_ev, x_end[np.maximum(first_ev, 0)] if len(x_end) else -1, -1)
    n_s = int(keep_s.sum())
    topic = pc.if_else(_valid(t_kind, values=["topic"]), pc.struct_field(target, "id"), "")
    stances = frame("stances", {"doc": pos[s_doc[keep_s]], "stance_id": _strings(pc.struct_field(sts, "id"), keep_s),
                                "holder": np.where(holder_at >= 0, e_row[np.maximum(holder_at, 0)] if len(e_row) else -1, -1)[keep_s],
                                "holder_start": np.full(n_s, -1, dtype=np.int64), "holder_end": np.full(n_s, -1, dtype=np.int64),
                                "holder_text": _strings(pa.array(np.full(n_s, "", dtype=object), pa.string())),
                                "target_kind": _strings(t_kind, keep_s), "topic": _strings(topic, keep_s),
                                "target": target_row[keep_s], "label": _strings(pc.struct_field(sts, "label"), keep_s),
                                "evidence_start": ev_start[keep_s], "evidence_end": ev_end[keep_s]})
    docs = frame("docs", {"doc_id": _strings(col["doc_id"], pos >= 0)})
    tables = Tables(docs, entities, mentions, events, arguments, stances)
    src = col["source"]
    columns = {name: pc.struct_field(src, name).to_pylist() for name in ("publisher", "date", "title", "url", "language")}
    columns.update({name: col[name].to_pylist() for name in ("seed_file", "sha256", "notes", "status")})
    columns["stances"] = col["stances"]
    return GoldPart(tables, [texts[r] for r in good.tolist()], Meta(columns, good.tolist()), good, failed, tables.doc_ids)
