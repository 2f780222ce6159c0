"""Extraction systems that ``toolkit eval --system`` can run: built-in ones by name, or a user's
``package.module:function`` taking the document text (and doc id) and returning a prediction dict.

A user's system is imported and run as Python code, with the user's rights: ``--system`` is
for code you trust, like ``python -m``. The current folder is searched for the module (after
the installed packages), so ``--system mymodule:fn`` finds ``./mymodule.py`` without ``PYTHONPATH``.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from typing import Callable

BUILTIN = {
    "baseline": "toolkit.predictions.systems.baseline:extract",
    "empty": "toolkit.predictions.systems.empty:extract",
}

System = Callable[..., dict]


class SystemFailure(Exception):
    """A system failed on a document, or returned something unusable (message names it): invalid data."""


class SystemNotFound(SystemFailure):
    """A system could not be loaded: an unknown name, a module that cannot be imported, no such function (a usage error)."""


def _importable_cwd() -> None:
    """Let ``module:function`` find a module in the current folder, as ``python -m`` does, but after the
    installed packages (appended, so a file such as ./json.py never shadows the standard library)."""
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.append(cwd)


def load_system(spec: str) -> System:
    """Resolve ``baseline`` / ``empty`` or ``package.module:function`` to a callable (imported, so it runs code).

    Raises :class:`SystemNotFound` when it cannot be loaded.
    """
    target = BUILTIN.get(spec, spec)
    if ":" not in target:
        raise SystemNotFound(f"unknown system '{spec}': use one of {', '.join(BUILTIN)} or package.module:function")
    module_name, _, attr = target.partition(":")
    if spec not in BUILTIN:
        _importable_cwd()
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or the module's own error at import time
        raise SystemNotFound(f"cannot import '{module_name}' for system '{spec}': {type(exc).__name__}: {exc}") from exc
    func = getattr(module, attr, None)
    if not callable(func):
        raise SystemNotFound(f"'{module_name}' has no function '{attr}' (system '{spec}')")
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


def save_outputs(outputs: dict[str, dict], folder, force: bool = False, guard=None) -> list:
    """Write each system output as ``folder/<doc_id>.json`` (``outputs``: gold doc id -> prediction
    dict), so the folder can be scored again with ``--pred``. Every output is serialised and every
    target checked before the first file is written (:func:`toolkit.io.write.write_files`: atomic,
    never over an existing file without ``force``, never inside ``guard``'s folders).
    Returns the paths written, in doc-id order; raises :class:`SystemFailure` naming the document
    whose output is not JSON-serialisable, and :class:`toolkit.io.write.OutputRefused`."""
    from toolkit.io.write import dumps_json, safe_name, write_files

    files = {}
    for doc_id, data in sorted(outputs.items()):
        name = f"{safe_name(doc_id, 'doc_id')}.json"
        try:
            files[name] = dumps_json(data)
        except (TypeError, ValueError) as exc:  # not JSON-serialisable (a set, a numpy number, NaN ...)
            raise SystemFailure(f"the output for document '{doc_id}' cannot be saved as JSON: {exc}") from exc
    return write_files(folder, files, force=force, guard=guard)
