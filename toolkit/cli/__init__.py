"""The ``toolkit`` command: thin commands over the library.

Each command parses its arguments, calls one library function, renders the result with
:mod:`toolkit.reporting.report` and picks the exit code: 0 success, 1 invalid data, 2 usage error
(see :mod:`toolkit.cli.common`). Results go to stdout, problems to stderr (summarised unless
``--verbose``); every file is written through :mod:`toolkit.io.write`. Nothing imports this module.
"""

from __future__ import annotations

from toolkit.cli.common import EXIT_INVALID, EXIT_USAGE, app  # noqa: F401  (the app and its exit codes, for tests)
from toolkit.cli import annotate, data, llm, score  # noqa: F401  (each module registers its commands on app)


def main() -> None:  # pragma: no cover - console-script entry point
    """Run the app; an unexpected internal error is reported in one line (TOOLKIT_DEBUG=1 shows the traceback)."""
    import gc
    import os
    import sys

    from toolkit.io.perf import choose_allocator

    choose_allocator()  # before anything imports pyarrow (toolkit/io/perf.py says why)

    # One command per process, so the cyclic collector is off for all of it: the toolkit's data
    # is acyclic and reference counting frees it (toolkit/io/perf.py), while with the collector on,
    # its generation-2 passes over the growing heap (during the imports, between the stages and
    # at the end of every gc_paused block) took 1.6 s of the 6.3 s of `toolkit eval` at 10k
    # documents. The process exits when the command ends; nothing else runs in it.
    gc.disable()
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate (an undecodable file name) is printed escaped, never a crash
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass
    try:
        app()
    except Exception as exc:  # bad input never gets here: every command reports issues itself
        if os.environ.get("TOOLKIT_DEBUG"):
            raise
        print(f"toolkit: internal error: {type(exc).__name__}: {exc} (rerun with TOOLKIT_DEBUG=1 for the traceback, "
              "and please report it)", file=sys.stderr)
        sys.exit(EXIT_INVALID)
