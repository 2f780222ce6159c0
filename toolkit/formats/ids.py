"""Fresh ids for what a tool added without one of ours."""

from __future__ import annotations

import re
from typing import Iterator

DOC_ID = re.compile(r"[A-Za-z0-9_.-]{1,200}")
"""A document id, as the schema's pattern allows it; ids become file names, so at most 200 characters."""


def doc_id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot be a document id (None when it can)."""
    if DOC_ID.fullmatch(doc_id) and doc_id not in (".", ".."):
        return None
    shown = doc_id[:40] + ("..." if len(doc_id) > 40 else "")
    return f"document id {shown!r} is not 1-200 letters, digits, '_', '.' and '-'"


def fresh_ids(prefix: str, used: set[str]) -> Iterator[str]:
    """Ids ``<prefix><k>`` that no id in ``used`` has, numbered after the largest in use (each
    one given is added to ``used``, so generators sharing ``used`` never collide)."""
    k = max((int(x[len(prefix):]) for x in used if x.startswith(prefix) and x[len(prefix):].isdigit()), default=0)
    while True:
        k += 1
        if f"{prefix}{k}" not in used:
            used.add(f"{prefix}{k}")
            yield f"{prefix}{k}"


def lone_surrogates(data: object, file: str) -> list:
    """An issue for each string of parsed JSON holding a lone surrogate (``"\\ud800"`` is valid JSON
    but no text: it cannot be written as UTF-8), with its JSON pointer."""
    import re as _re

    from toolkit.model.issues import Issue, pointer

    bad = _re.compile("[\ud800-\udfff]")
    out = []
    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if bad.search(node):
                out.append(Issue("invalid-value", file, pointer(*path), "a string holds a lone surrogate (\\ud800-\\udfff), which is not text",
                                 "write the character itself, or its surrogate pair"))
        elif isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str) and bad.search(k):
                    out.append(Issue("invalid-value", file, pointer(*path), "a key holds a lone surrogate"))
                stack.append((v, path + (k,)))
        elif isinstance(node, list):
            stack.extend((v, path + (i,)) for i, v in enumerate(node))
        if len(out) >= 20:
            break
    return out
