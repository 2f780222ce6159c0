"""Performance helpers that change no result."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (or, as ``@gc_paused()``, the call).

    Loading and scoring a corpus allocates millions of small objects that form no reference
    cycles (dicts, tuples, frozen dataclasses); each allocation burst makes the collector walk the
    whole heap again, which made loading grow faster than linearly (about 40% of the time at 10k
    documents). Reference counting still frees everything; the collector runs again afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


ALLOCATOR = "system"
"""The Arrow memory pool the ``toolkit`` command uses: the C library's ``malloc``, where pyarrow's
wheels default to mimalloc. Measured at 50,000 documents, the same commands, alternating runs:
``eval`` entities 4.81 -> 4.27 s and 650 -> 561 MB at its peak, ``validate`` 2.96 -> 2.73 s
(566 -> 515 MB), all tasks 6.88 -> 6.36 s (649 -> 577 MB). mimalloc keeps freed memory in its
segments, so later allocations come on top of it; on this machine a process pays 2-3 ms of system
time per MiB its peak grows by (benchmarks/README.md), so the smaller peak is most of the time saved."""


def choose_allocator() -> None:
    """Make :data:`ALLOCATOR` Arrow's default pool for this process and those it starts, unless
    ``ARROW_DEFAULT_MEMORY_POOL`` already names one (the user's choice wins). Arrow reads the
    variable when the pool is first used, so this must run before pyarrow allocates anything:
    the command calls it first (the Python API leaves the process's pool alone)."""
    import os

    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", ALLOCATOR)


def release_free_memory() -> None:
    """Give the memory the process has freed back to the operating system: Arrow's pool
    (``release_unused``) and, where the C library is glibc, its heap (``malloc_trim``). Both keep
    freed memory for reuse; but the counts table is allocated by numpy after the matching has freed
    hundreds of megabytes to both, so without this the table comes on top of them. Measured at
    200,000 documents, all tasks: peak 2,023 MB -> 1,931 MB; the two calls take about 20 ms."""
    import ctypes

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the process's own symbols: glibc's, if it is glibc
    except OSError:  # pragma: no cover
        trim = None
    if trim is not None:
        trim(0)
