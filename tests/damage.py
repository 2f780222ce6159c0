"""Ways to break an input file, shared by the reader property tests (tests/test_fuzz_readers.py).

``damaged_bytes`` damages the bytes of any text file (truncation, NUL, BOM, CRLF, invalid UTF-8,
a lone surrogate written as UTF-8 bytes); ``damaged_json`` changes a parsed JSON document
(wrong types, huge, negative or float offsets, integers of more than 4300 digits, very long
strings, names over 255 bytes, deep nesting, arrays where objects belong, references to nothing,
misspelt keys, lone-surrogate escapes) and serialises it. Each strategy returns
``(bytes, kind, must_fail)``: ``must_fail`` is False for damage a reader may rightly accept
(a BOM, CRLF line ends, a truncation that leaves a shorter valid CSV).
"""

from __future__ import annotations

import copy
import json

from hypothesis import strategies as st

BYTE_DAMAGE = ("truncate", "nul", "bom", "crlf", "invalid-utf8", "surrogate-bytes")
JSON_DAMAGE = ("wrong-type", "huge-offset", "negative-offset", "float-offset", "big-int", "long-string", "long-name",
               "deep-nesting", "array-for-object", "dangling-reference", "misspelt-key", "surrogate-escape")


def _matches(path: tuple, pattern: tuple) -> bool:
    return len(path) == len(pattern) and all(q == "*" or q == p for p, q in zip(path, pattern))


def walk(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


def put(doc, path, value):
    get(doc, path[:-1])[path[-1]] = value


@st.composite
def damaged_bytes(draw, raw: bytes, csv: bool = False):
    kind = draw(st.sampled_from(BYTE_DAMAGE))
    if kind == "truncate":
        body = raw.rstrip()
        cut = draw(st.integers(0, len(body) - 1))
        # a truncated JSON document always lacks its closing bracket; a truncated CSV may still be a CSV
        return raw[:cut], kind, not csv
    if kind == "nul":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + b"\x00" + raw[at:], kind, True
    if kind == "bom":
        return b"\xef\xbb\xbf" + raw, kind, False
    if kind == "crlf":
        return raw.replace(b"\n", b"\r\n"), kind, False
    if kind == "invalid-utf8":
        at = draw(st.integers(0, len(raw) - 1))
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x80", b"\xf8\x88"])) + raw[at + 1:], kind, True
    at = draw(st.integers(0, len(raw)))
    return raw[:at] + b"\xed\xa0\x80" + raw[at:], kind, True  # U+D800 encoded as UTF-8: not valid UTF-8


LONG = 300_000


@st.composite
def damaged_json(draw, data: dict, *, offsets=True, names=("doc_id",), references=(), keys=True, nullable=()):
    """A changed copy of ``data`` as bytes. ``names``: keys whose value becomes a file name (made over 255 bytes);
    ``references``: paths (tuples, "*" for any index) of values that name another item; ``nullable``: paths
    whose value may be null (a value made null there is still valid)."""
    doc = copy.deepcopy(data)
    kinds = [k for k in JSON_DAMAGE if (offsets or "offset" not in k) and (names or k != "long-name")
             and (references or k != "dangling-reference") and (keys or k != "misspelt-key")]
    kind = draw(st.sampled_from(kinds))
    paths = [p for p, _ in walk(doc) if p]
    marker = None
    must_fail = kind not in ("long-string",)  # a long name or title is still valid (but must not flood the output)
    if kind == "wrong-type":
        where = draw(st.sampled_from(paths))
        value = get(doc, where)
        options = [v for v in ([], {}, "x", 7, 2.5, True, None) if type(v) is not type(value)]
        new = draw(st.sampled_from(options))
        put(doc, where, new)
        # a null (a missing title) may become a string, and a nullable value may become null
        must_fail = value is not None and not (new is None and any(_matches(where, n) for n in nullable))
    elif kind in ("huge-offset", "negative-offset", "float-offset"):
        spots = [p for p, v in walk(doc) if p and p[-1] in ("start", "end") and type(v) is int]
        where = draw(st.sampled_from(spots))
        put(doc, where, {"huge-offset": draw(st.sampled_from([10**9, 2**63, 10**40])),
                         "negative-offset": -draw(st.integers(1, 10**6)),
                         "float-offset": get(doc, where) + draw(st.sampled_from([0.0, 0.5, 1e-9]))}[kind])
    elif kind == "big-int":
        where = draw(st.sampled_from([p for p, v in walk(doc) if p and type(v) in (int, str, type(None), bool)]))
        marker = ("\u2603BIG\u2603", draw(st.sampled_from(["1" * 4301, "-" + "9" * 5000, "1" * 20000])))
        put(doc, where, marker[0])
    elif kind == "long-string":
        where = draw(st.sampled_from([p for p, v in walk(doc) if p and isinstance(v, str)]))
        put(doc, where, draw(st.sampled_from(["x", "Korea ", "\u00e9", "<b>"])) * LONG)
    elif kind == "long-name":
        key = draw(st.sampled_from(names))
        name = "n" * draw(st.integers(256, 600))
        doc[key] = name if key != "seed_file" else f"seeds/{name}.txt"
        if key == "doc_id" and "seed_file" in doc:
            doc["seed_file"] = f"seeds/{name}.txt"
    elif kind == "deep-nesting":
        where = draw(st.sampled_from(paths))
        depth = draw(st.integers(101, 3000))
        marker = ("\u2603DEEP\u2603", "[" * depth + "]" * depth if draw(st.booleans()) else '{"a":' * depth + "0" + "}" * depth)
        put(doc, where, marker[0])
    elif kind == "array-for-object":
        spots = [p for p, v in walk(doc) if isinstance(v, dict)]
        where = draw(st.sampled_from(spots))
        value = get(doc, where)
        if where == ():
            doc = [value]
            kind = "array-for-root"  # a JSON array of documents (a prediction file may be one)
        else:
            put(doc, where, [value] if draw(st.booleans()) else list(value.values()))
    elif kind == "dangling-reference":
        spots = [p for p, _ in walk(doc) if any(_matches(p, r) for r in references)]
        where = draw(st.sampled_from(spots))
        put(doc, where, "Zz" + draw(st.text(alphabet="0123456789", min_size=1, max_size=4)))
    elif kind == "misspelt-key":
        spots = [p for p, v in walk(doc) if p and isinstance(p[-1], str) and len(p[-1]) > 3]
        where = draw(st.sampled_from(spots))
        parent = get(doc, where[:-1])
        key = where[-1]
        i = draw(st.integers(1, len(key) - 2))
        wrong = key[:i] + key[i + 1:]  # one letter dropped: "mentons", "ocurrence"
        parent[wrong] = parent.pop(key)
    elif kind == "surrogate-escape":
        where = draw(st.sampled_from([p for p, v in walk(doc) if p and isinstance(v, str)]))
        marker = ("\u2603SUR\u2603", '"' + draw(st.sampled_from(["\\ud800", "a\\udfffb", "\\udc80\\ud800"])) + '"')
        put(doc, where, marker[0])
    text = json.dumps(doc, ensure_ascii=False)
    if marker is not None:
        text = text.replace(json.dumps(marker[0], ensure_ascii=False), marker[1])
    return text.encode("utf-8", "surrogatepass"), kind, must_fail


def _matches(path, pattern) -> bool:
    return len(path) == len(pattern) and all(q == "*" and isinstance(p, int) or p == q for p, q in zip(path, pattern))
