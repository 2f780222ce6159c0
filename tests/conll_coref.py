"""Read the coreference column of a CoNLL-2012 file into clusters, as the reference scorer does.

Mentions are identified by (first token, last token), tokens numbered across the whole document
(every non-empty line between ``#begin document`` and ``#end document``); clusters are listed in
the order their number first appears (the scorer's ``GetIndex``), mentions in the order they close.
Only for the peer fixtures in ``tests/fixtures/peers/conll-coref`` (the scorer's own test files).
"""

from __future__ import annotations

import re
from pathlib import Path


def read_conll_clusters(path: Path | str) -> dict[str, list[list[tuple[int, int]]]]:
    docs: dict[str, list[list[tuple[int, int]]]] = {}
    name = None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        begin = re.match(r"#\s*begin document (.*)$", line)
        if begin:
            name, index, clusters, open_at, token = begin.group(1), {}, [], {}, 0
            continue
        if name is None:
            continue
        if re.match(r"#\s*end document", line):
            docs[name] = clusters
            name = None
            continue
        if not line.strip():
            continue
        cell = line.split("\t")[-1].strip()

        def cluster(number: str) -> list:
            if number not in index:
                index[number] = len(clusters)
                clusters.append([])
            return clusters[index[number]]

        if cell not in ("-", "_"):
            for n in re.findall(r"\((\d+)\)", cell):
                cluster(n).append((token, token))
            cell = re.sub(r"\((\d+)\)", "", cell)
            for n in re.findall(r"\((\d+)", cell):
                cluster(n)
                open_at.setdefault(n, []).append(token)
            for n in re.findall(r"(\d+)\)", cell):
                cluster(n).append((open_at[n].pop(), token))
        token += 1
    return docs
