"""Fresh ids for what a tool added without one of ours."""

from __future__ import annotations

from typing import Iterator


def fresh_ids(prefix: str, used: set[str]) -> Iterator[str]:
    """Ids ``<prefix><k>`` that no id in ``used`` has, numbered after the largest in use (each
    one given is added to ``used``, so generators sharing ``used`` never collide)."""
    k = max((int(x[len(prefix):]) for x in used if x.startswith(prefix) and x[len(prefix):].isdigit()), default=0)
    while True:
        k += 1
        if f"{prefix}{k}" not in used:
            used.add(f"{prefix}{k}")
            yield f"{prefix}{k}"
