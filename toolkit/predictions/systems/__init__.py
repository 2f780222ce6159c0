"""Extraction systems that ``toolkit eval --system`` can run: built-in ones by name, or a user's
``package.module:function`` taking the document text (and doc id) and returning a prediction dict."""

from __future__ import annotations

import importlib
import inspect
from typing import Callable

BUILTIN = {
    "baseline": "toolkit.predictions.systems.baseline:extract",
    "empty": "toolkit.predictions.systems.empty:extract",
}

System = Callable[..., dict]


class SystemFailure(Exception):
    """A system could not be loaded or failed on a document (message names it)."""


def load_system(spec: str) -> System:
    """Resolve ``baseline`` / ``empty`` or ``package.module:function`` to a callable."""
    target = BUILTIN.get(spec, spec)
    if ":" not in target:
        raise SystemFailure(f"unknown system '{spec}': use one of {', '.join(BUILTIN)} or package.module:function")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or the module's own error at import time
        raise SystemFailure(f"cannot import '{module_name}' for system '{spec}': {type(exc).__name__}: {exc}") from exc
    func = getattr(module, attr, None)
    if not callable(func):
        raise SystemFailure(f"'{module_name}' has no function '{attr}' (system '{spec}')")
    return func


def run_system(func: System, doc_id: str, text: str) -> dict:
    """Call a system on one document. It gets ``text`` and, if it accepts it, ``doc_id``; the
    result must be a dict (its ``doc_id`` is filled in when missing)."""
    try:
        params = inspect.signature(func).parameters
        wants_id = "doc_id" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
        out = func(text, doc_id=doc_id) if wants_id else func(text)
    except Exception as exc:
        raise SystemFailure(f"system failed on document '{doc_id}': {type(exc).__name__}: {exc}") from exc
    if not isinstance(out, dict):
        raise SystemFailure(f"system returned {type(out).__name__} for document '{doc_id}', expected a prediction dict")
    out.setdefault("doc_id", doc_id)
    return out


def save_outputs(outputs: dict[str, dict], folder) -> list:
    """Write each system output as ``folder/<doc_id>.json`` (``outputs``: gold doc id -> prediction
    dict; each file written atomically), so the folder can be scored again with ``--pred``.
    Returns the paths written, in doc-id order; raises :class:`SystemFailure` naming the document
    whose output is not JSON-serialisable."""
    from pathlib import Path

    from toolkit.io.write import write_json_atomic

    folder = Path(folder)
    paths = []
    for doc_id, data in sorted(outputs.items()):
        path = folder / f"{doc_id}.json"
        try:
            write_json_atomic(path, data)
        except (TypeError, ValueError) as exc:  # not JSON-serialisable (a set, a numpy number, NaN ...)
            raise SystemFailure(f"the output for document '{doc_id}' cannot be saved as JSON: {exc}") from exc
        paths.append(path)
    return paths
