"""Reading corpora straight into Arrow: the happy path of loading, without a Python object per item.

:func:`read_jsonl` parses a whole JSONL file with ``pyarrow.json`` against an explicit schema
(:data:`ANNOTATION` or :data:`PREDICTION`), and :func:`read_json_files` a folder's ``<doc_id>.json``
files as one table: a file that does not fit it — malformed JSON, a value of another type, a field
the schema does not have, blank lines — is refused, and the caller reads it row by row instead,
where every problem gets its located issue. So this module never decides that data is valid: it
only makes valid data fast (:mod:`toolkit.checks.columnar` checks what the schema types cannot).

:func:`children` turns the nested lists into flat items with their parent rows (``list_flatten``
and ``list_parent_indices``); :func:`codepoints` and :func:`joint_codes` give strings as numbers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pyarrow as pa

_s, _i = pa.string(), pa.int64()
_SPAN = pa.struct([("start", _i), ("end", _i), ("text", _s)])

ANNOTATION = pa.schema([
    ("schema_version", _s), ("doc_id", _s), ("seed_file", _s), ("sha256", _s), ("status", _s),
    ("source", pa.struct([("publisher", _s), ("date", _s), ("title", _s), ("url", _s), ("language", _s)])),
    ("notes", _s),
    ("entities", pa.list_(pa.struct([("id", _s), ("type", _s), ("name", _s),
                                     ("mentions", pa.list_(pa.struct([("id", _s), ("start", _i), ("end", _i), ("text", _s),
                                                                      ("kind", _s)])))]))),
    ("events", pa.list_(pa.struct([("id", _s), ("type", _s), ("realis", _s), ("trigger", _SPAN),
                                   ("arguments", pa.list_(pa.struct([("role", _s), ("mention", _s)])))]))),
    ("stances", pa.list_(pa.struct([("id", _s), ("holder", _s), ("target", pa.struct([("kind", _s), ("id", _s)])),
                                    ("label", _s), ("evidence", pa.list_(_SPAN))]))),
])
"""An annotation document as Arrow types (``annotation.schema.json``)."""

_QSPAN = pa.struct([("start", _i), ("end", _i), ("text", _s), ("occurrence", _i), ("context", _s)])

PREDICTION = pa.schema([
    ("schema_version", _s), ("doc_id", _s), ("seed_file", _s), ("sha256", _s), ("notes", _s), ("system", _s),
    ("entities", pa.list_(pa.struct([("id", _s), ("type", _s), ("name", _s),
                                     ("mentions", pa.list_(pa.struct([("id", _s), ("start", _i), ("end", _i), ("text", _s),
                                                                      ("occurrence", _i), ("context", _s), ("kind", _s),
                                                                      ("score", pa.float64())])))]))),
    ("events", pa.list_(pa.struct([("id", _s), ("type", _s), ("realis", _s), ("trigger", _QSPAN),
                                   ("arguments", pa.list_(pa.struct([("role", _s), ("mention", _s), ("start", _i), ("end", _i),
                                                                     ("text", _s), ("occurrence", _i), ("context", _s)])))]))),
    ("stances", pa.list_(pa.struct([("id", _s), ("holder", _s), ("target", pa.struct([("kind", _s), ("id", _s)])),
                                    ("label", _s), ("evidence", pa.list_(_QSPAN))]))),
])
"""A prediction document whose holders are entity ids (a holder given as a span does not fit: such a
file is read line by line)."""


def read_jsonl(path: Path | str, schema: pa.Schema) -> tuple[pa.Table, bytes] | None:
    """The table of a JSONL file that fits ``schema`` exactly, with the file's bytes; None otherwise."""
    read = _jsonl_lines(path)
    if read is None:
        return None
    data, starts, _ = read
    table = _table_of_lines(data, np.frombuffer(data, dtype=np.uint8)[starts], schema)
    return None if table is None else (table, data)


def _jsonl_lines(path: Path | str, mapped: bool = False) -> tuple[bytes, np.ndarray, np.ndarray] | None:
    """A JSONL file's bytes with the start and end (after its line break, if any) of every line;
    None for a file the line reader must read (unreadable, blank lines, a byte-order mark).

    ``mapped``: the bytes as a read-only :class:`mmap.mmap` of the file (slices and ``find`` as
    bytes give them; not ``in``), for a reader that looks at all of the file but keeps a part: its
    pages are the page cache's, shared by the workers of a partitioned run, where each worker's
    copy of the 200k corpus's two files was 560 MB of new memory. A file cut short while it is
    mapped would end the process (SIGBUS); the toolkit's own writers replace files whole, never
    in place (:mod:`toolkit.io.write`)."""
    try:
        if mapped:
            import mmap

            with open(path, "rb") as f:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(f.fileno()).st_size else b""
        else:
            data = Path(path).read_bytes()
    except (OSError, ValueError):
        return None
    # a byte-order mark, a file of whitespace: the line reader says what they are
    if not len(data) or re.fullmatch(rb"\s+", data) or re.match(rb"\s*\xef\xbb\xbf", data):
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 24  # the line breaks found 16 MB at a time: no byte-sized mask of the whole file
    breaks = np.concatenate([np.flatnonzero(arr[at:at + step] == 10) + at for at in range(0, len(arr), step)])
    # blank lines, also with CRLF endings ("\n\n" or "\n\r\n" in data), from the breaks: a quarter of
    # the time of two searches of the bytes
    gaps = np.diff(breaks)
    if (gaps == 1).any() or ((gaps == 2) & (arr[breaks[:-1] + 1] == 13)).any():
        return None
    ends = breaks[breaks + 1 < len(arr)] + 1
    starts = np.concatenate([[0], ends]).astype(np.int64)
    return data, starts, np.concatenate([ends, [len(arr)]]).astype(np.int64)


def read_jsonl_rows(path: Path | str, schema: pa.Schema, select, keys: tuple[str, ...]) -> tuple[pa.Table, bytes, np.ndarray] | None:
    """The lines ``select(path, found)`` chooses of a JSONL file, parsed alone (a partition of a corpus
    is parsed by its worker only): (their table, their lines, their line indices), or None where
    :func:`read_jsonl` gives None for them.

    ``found`` is a table with, per line, each of ``keys`` as the line writes it: the string value of
    the first ``"key": "..."`` without escapes in it (null where there is none), found by a search of
    the bytes, without parsing. Parsing then checks it: a chosen line whose parsed value differs (an
    escape, a key written twice) raises :class:`NotColumnar`, and the corpus is scored in one
    process. Every line is chosen by exactly one partition, so each line is checked by one worker."""
    if not isinstance(path, Path):
        path = Path(path)
    read = _jsonl_lines(path, mapped=True)
    if read is None or not valid_utf8(read[0]):
        return None
    import pyarrow.compute as pc

    data, starts, ends = read
    found = {}
    # every line as a string of one Arrow array over the file's bytes (no copy; the bytes are valid
    # UTF-8), searched by RE2 line by line, each search stopping at the line's first hit: 0.13 s for
    # the doc ids of 200,000 gold lines, where Python's re, line by line, took 0.45 s, and one search
    # of the whole file stopping at every quote 0.84 s
    as_text = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(np.concatenate([starts, ends[-1:]]).astype(np.int64)),
                                               pa.py_buffer(data))
    for key in keys:
        if data.find(b'"' + key.encode() + b'"') < 0:  # a key no line writes (the gold's status, often): one search of the file
            found[key] = pa.nulls(len(starts), pa.string())
        else:
            hit = pc.extract_regex(as_text, '"' + re.escape(key) + r'"[ \t]*:[ \t]*"(?P<value>[^"\\]*)"')
            found[key] = pc.struct_field(hit, "value").cast(pa.string())
    rows = np.asarray(select(path, pa.table(found)), dtype=np.int64)
    if not len(rows):
        return schema.empty_table(), b"", rows
    # the chosen lines, copied a run of consecutive lines at a time (each line ends where the next
    # begins): a partition of a file in doc-id order is one run, one slice, where a slice per line
    # and their join took 1.2 s of a worker's time for the 200k gold
    cut = np.flatnonzero(rows[1:] != rows[:-1] + 1) + 1
    runs = zip(starts[rows[np.r_[0, cut]]].tolist(), ends[rows[np.r_[cut, len(rows)] - 1]].tolist())
    lines = b"".join(data[a:b] for a, b in runs)
    if not lines.endswith(b"\n"):
        lines += b"\n"
    table = _table_of_lines(lines, np.frombuffer(data, dtype=np.uint8)[starts[rows]], schema)
    if table is None:
        return None
    for key in keys:
        if table.column(key).to_pylist() != found[key].take(pa.array(rows)).to_pylist():
            raise NotColumnar(f"{path}: a {key} the search of its lines did not find as written")
    return table, lines, rows


def valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8: Arrow's check of a string cast, on the bytes in place
    (``data.decode`` gives the same answer, with a copy of the whole file as a str)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _table_of_lines(data: bytes, first_bytes: np.ndarray, schema: pa.Schema) -> pa.Table | None:
    """The table of JSONL ``data`` whose lines begin with ``first_bytes``: one row per line, or None."""
    import pyarrow.json as pj

    if not valid_utf8(data):  # pyarrow's JSON reader passes some invalid UTF-8 through; the line-by-line reader locates it
        return None
    # every line must start an object: pyarrow's reader (26.0) crashes the process on a first line
    # `null`, and reads a `null` line elsewhere as a row of nulls; a line that is no object is the
    # line reader's to report
    if (first_bytes != ord("{")).any():
        return None
    try:
        table = pj.read_json(pa.BufferReader(data), parse_options=pj.ParseOptions(explicit_schema=schema,
                                                                                  unexpected_field_behavior="error"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError, ValueError):
        return None
    return table if table.num_rows == len(first_bytes) else None


_SMALLEST_SPLIT = 16
"""A group of JSON files that fails to parse is split in two and each half tried again, down to
this many files: those go to the row-wise reader together."""


def read_json_files(paths: list, schema: pa.Schema) -> list[tuple[np.ndarray, pa.Table, bytes]]:
    """The files among ``paths`` that each hold one JSON object fitting ``schema``, as tables: a list
    of (the indices in ``paths`` of the files, their table with a row per file, the same objects as
    JSONL lines). Every file not in a group is the row-wise reader's (it may still be valid: the
    group it was tried in had a file that is not).

    A file becomes one line: its JSON whitespace stripped at both ends, and every line break in it
    made a tab. Both are whitespace between JSON tokens, so a valid object stays the same object;
    inside a string a raw line break is invalid JSON, and so is a raw tab, so an invalid file stays
    invalid (pyarrow refuses both). A file must begin with ``{`` and end with ``}`` (an array, a code
    fence, a byte-order mark, ``null`` go row-wise). The files are parsed together; a group that fails
    is split in halves (:data:`_SMALLEST_SPLIT`), so one bad file costs about two more parses of the
    files, not the fast path of all of them.
    """
    from toolkit.io.many import read_many

    blobs = read_many([str(p) for p in paths])
    index, lines = [], []
    for k, blob in enumerate(blobs):
        blobs[k] = None  # one copy of the files at a time
        line = blob.strip(b" \t\r\n") if blob else b""
        if line[:1] == b"{" and line[-1:] == b"}":
            index.append(k)
            lines.append(line.replace(b"\n", b"\t").replace(b"\r", b"\t") if b"\n" in line or b"\r" in line else line)
    if not lines:
        return []
    ends = np.cumsum([len(line) + 1 for line in lines])
    data = b"\n".join(lines) + b"\n"
    del lines
    starts = np.concatenate([[0], ends[:-1]])
    out: list[tuple[np.ndarray, pa.Table, bytes]] = []
    brace = np.full(len(index), ord("{"), dtype=np.uint8)  # every line begins with "{" (checked above)

    def parse(lo: int, hi: int) -> None:
        part = data if (lo, hi) == (0, len(index)) else data[starts[lo]:ends[hi - 1]]
        table = _table_of_lines(part, brace[lo:hi], schema)
        if table is not None:
            out.append((np.asarray(index[lo:hi], dtype=np.int64), table, part))
        elif hi - lo > _SMALLEST_SPLIT:
            mid = (lo + hi) // 2
            parse(lo, mid)
            parse(mid, hi)

    parse(0, len(index))
    return out


class NotColumnar(Exception):
    """A file that a partition of a corpus cannot be cut from (see :func:`read_jsonl_rows`): it is
    not JSONL that is read as columns; the caller scores in one process instead."""


def one_array(values, type: pa.DataType | None = None) -> pa.Array:
    """``values`` as one Arrow array: an array as it is, a chunked array (what a concatenated
    Arrow-backed pandas column gives) with its chunks combined, anything else (a pandas Series, a
    list) through ``pa.array``, which may itself give a chunked array."""
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array(values, type)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values


def strings(array) -> list:
    """A string column as a Python list (None for nulls)."""
    return array.to_pylist()


def ints(array, fill: int = -1) -> np.ndarray:
    """An integer column as int64 numpy, nulls as ``fill``."""
    return np.asarray(array.fill_null(fill).to_numpy(zero_copy_only=False), dtype=np.int64)


def codepoints(array) -> tuple[np.ndarray, np.ndarray]:
    """The code points of a string array's values joined (a null counts as ""), and each value's
    start in them plus the end (int64): what ``"".join(values).encode("utf-32-le")`` holds, decoded
    from the array's UTF-8 buffer with numpy, without a Python string per value. The array must hold
    valid UTF-8 (Arrow's strings do; :func:`read_jsonl` refuses a file that does not).

    The code points are uint32, or, when every value is ASCII, the UTF-8 bytes themselves as uint8
    (read-only, the array's own buffer: the same numbers without a copy four times their size; the
    seed texts of 200,000 documents are 40 million of them)."""
    import pyarrow.compute as pc

    array = one_array(array)
    if array.null_count:
        array = pc.fill_null(array, "")  # a null's slot may hold bytes: the filled array has none
    n = len(array)
    wide = pa.types.is_large_string(array.type)
    _, off_buf, data_buf = array.buffers()
    if off_buf is None or n == 0:
        return np.zeros(0, dtype=np.uint8), np.zeros(n + 1, dtype=np.int64)
    offsets = np.frombuffer(off_buf, dtype=np.int64 if wide else np.int32, count=n + 1, offset=array.offset * (8 if wide else 4))
    offsets = offsets.astype(np.int64)
    raw = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0]:offsets[-1]] if data_buf is not None else np.zeros(0, np.uint8)
    offsets -= offsets[0]
    if not len(raw) or int(raw.max()) < 0x80:  # ASCII: one byte, one code point
        return raw, offsets
    lead = (raw & 0xC0) != 0x80  # every byte but a continuation byte starts a code point
    starts = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(lead, out=starts[1:])
    at = np.flatnonzero(lead)
    pad = np.concatenate([raw, np.zeros(3, dtype=np.uint8)]).astype(np.uint32)
    b0, b1, b2, b3 = pad[at], pad[at + 1] & 0x3F, pad[at + 2] & 0x3F, pad[at + 3] & 0x3F
    cp = np.where(b0 < 0x80, b0,
                  np.where(b0 < 0xE0, ((b0 & 0x1F) << 6) | b1,
                           np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | (b1 << 6) | b2,
                                    ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3)))
    return cp.astype(np.uint32), starts[offsets]


def joint_codes(*columns) -> tuple[list[np.ndarray], int]:
    """Integer codes (int64) of string columns — Arrow arrays or pandas Series — over all of them at
    once, so equal strings get equal codes across columns (first appearance first; null: -1), and
    the number of distinct strings + 1 (so a key ``row * k + code`` of a null never equals one of a
    value). Arrow's hashing, without a Python object per value."""
    import pyarrow.compute as pc

    arrays = []
    for c in columns:
        arrays.append(one_array(c, pa.string()).cast(pa.string()))
    joined = pa.concat_arrays(arrays) if arrays else pa.array([], pa.string())
    encoded = pc.dictionary_encode(joined)
    codes = ints(encoded.indices)
    cuts = np.cumsum([0] + [len(a) for a in arrays])
    return [codes[cuts[i]:cuts[i + 1]] for i in range(len(arrays))], len(encoded.dictionary) + 1


def children(list_array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(the flattened items, each item's parent row, which parents are null lists)."""
    import pyarrow.compute as pc

    list_array = one_array(list_array)
    nulls = np.asarray(list_array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    parents = np.asarray(pc.list_parent_indices(list_array).to_numpy(zero_copy_only=False), dtype=np.int64)
    return pc.list_flatten(list_array), parents, nulls


def field(struct_array, name: str):
    """A field of a struct array, with the struct's own nulls carried into it."""
    import pyarrow.compute as pc

    return pc.struct_field(struct_array, name)
