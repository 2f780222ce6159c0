"""Many files read together: :func:`read_many` in this process, :func:`read_many_aside` in a
process of its own while this one goes on.

Only the standard library is imported here: the module is also the reader process's program
(``python -I -S -X utf8 many.py``), which starts in about 20 ms without the toolkit's imports.
"""

from __future__ import annotations

import os
import sys

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


_CHUNK = 1 << 16


def _read_bytes(path: str, dir_fd: int | None = None) -> bytes | None:
    """A file's bytes (None: it cannot be read), with plain system calls: measured 2.2x faster than
    ``open(path, "rb").read()`` for 50,000 small seed files, which spends most of its time building
    the buffered file object. A read shorter than asked for is taken as the end of the file (what
    it is for a regular file), which spares a second read of every small file (0.1 s for 50,000
    seeds here). The callers check what they read: a seed's sha256, a JSON file's parse; a file
    that fails either goes to the row-wise reader, which reads it whole again. ``dir_fd``: ``path``
    is a name in that open folder."""
    try:
        fd = os.open(path, _READ_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        parts = []
        while True:
            chunk = os.read(fd, _CHUNK)
            parts.append(chunk)
            if len(chunk) < _CHUNK:
                break
    except OSError:
        return None
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 1 else b"".join(parts)


_PROBE = 256  # files read one by one before deciding whether the disk, not the interpreter, is the bottleneck
_COLD = 30e-6  # seconds per file above which the files are coming from the disk, not the page cache
_READERS = 3


def read_many(paths: list[str | None]) -> list[bytes | None]:
    """The bytes of each file (None for a path that is None or a file that cannot be read), in order.

    Files in the page cache are read one by one: that takes about 10 µs a file here, and threads
    only add lock contention (measured: 4 threads 3x slower). When the first files take longer
    than 30 µs each, they are being read from the disk; the rest are then read by 3 threads,
    which keeps several requests in flight (measured on 50,000 seed files after dropping the page
    cache: 3.9 s one by one, 2.5 s with 3 threads). The result is the same either way.

    Each folder is opened once and its files by name in it (``openat``): the system then walks one
    path component a file, not every one of an absolute path (50,000 seeds here: 0.29-0.38 s ->
    0.24-0.29 s). The folders must not change during the call, as :class:`toolkit.io.read.SeedFinder` assumes."""
    out: list[bytes | None] = [None] * len(paths)
    folders: dict[str, int | None] = {}
    relative = os.open in os.supports_dir_fd

    def read_one(path: str) -> bytes | None:
        folder, sep, name = path.rpartition(os.sep) if relative else ("", "", "")
        if not sep or not folder or not name:
            return _read_bytes(path)
        fd = folders.get(folder, -1)
        if fd == -1:
            try:
                fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                fd = None
            kept = folders.setdefault(folder, fd)  # a reader thread may have opened it meanwhile: keep one
            if kept != fd:
                if fd is not None:
                    os.close(fd)
                fd = kept
        return _read_bytes(path) if fd is None else _read_bytes(name, fd)

    def read_range(lo: int, hi: int) -> None:
        for k in range(lo, min(hi, len(paths))):
            if paths[k] is not None:
                out[k] = read_one(paths[k])

    try:
        _read_in_turn(paths, read_range)
    finally:
        for fd in folders.values():
            if fd is not None:
                os.close(fd)
    return out


def _read_in_turn(paths: list, read_range) -> None:
    """Run ``read_range`` over ``paths``: one by one, or, when the first files come slowly (from the
    disk), the rest on :data:`_READERS` threads (:func:`read_many`)."""
    import time

    head = min(len(paths), _PROBE)
    began = time.perf_counter()
    read_range(0, head)
    rest = len(paths) - head
    if rest and (time.perf_counter() - began) / max(head, 1) > _COLD:
        from concurrent.futures import ThreadPoolExecutor

        step = -(-rest // _READERS)
        with ThreadPoolExecutor(_READERS) as pool:
            list(pool.map(lambda lo: read_range(lo, lo + step), range(head, len(paths), step)))
    else:
        read_range(head, len(paths))


ASIDE_AT = 2048
"""Fewer files than this are read in this process by :func:`read_many_aside` (starting the reader
process takes about 20 ms; 2,000 seeds are read in about as long)."""


def read_many_aside(paths: list[str | None]):
    """Start reading ``paths`` and go on: the function returned gives what :func:`read_many` gives.

    The files are read by a process of its own (this module run as a program), which hands them over
    in one unnamed temporary file. Reading a file is mostly system time, and this process can use
    the time for work that does not need the files: at 50,000 seeds, 0.4-0.5 s of the gold check
    runs on the other core. A thread cannot do it: between its system calls it needs the
    interpreter lock the working thread holds (measured slower than reading in turn).

    The result is :func:`read_many`'s: the reader process runs the same function, and every file it
    could not read (it gives no reason) is read again here. Whatever else goes wrong (no interpreter
    to start, a process that fails or hands over something other than the files) means all of them
    are read here, by :func:`read_many`. Used for :data:`ASIDE_AT` files or more, on POSIX systems
    whose file names are UTF-8 (what the reader process is started with)."""
    joined = "\0".join("" if p is None else p for p in paths) if _aside_possible(len(paths)) else None
    if joined is None or joined.count("\0") != len(paths) - 1:  # a NUL in a path: no file has that name
        return lambda: read_many(paths)
    encoded = joined.encode("utf-8", "surrogateescape")  # os.fsencode of each path, here
    del joined
    import subprocess
    import tempfile

    try:
        with tempfile.TemporaryFile() as names:
            names.write(encoded)
            names.seek(0)
            got = tempfile.TemporaryFile()
            try:
                proc = subprocess.Popen([sys.executable, "-I", "-S", "-X", "utf8", os.path.abspath(__file__)],
                                        stdin=names, stdout=got, stderr=subprocess.DEVNULL)
            except BaseException:
                got.close()
                raise
    except (OSError, ValueError, subprocess.SubprocessError):
        return lambda: read_many(paths)
    del encoded

    def result() -> list[bytes | None]:
        with got:
            out = _handed_over(got, proc.wait(), len(paths))
        if out is None:
            return read_many(paths)
        again = [k for k, b in enumerate(out) if b is None]
        for k, b in zip(again, read_many([paths[k] for k in again])):
            out[k] = b
        return out

    return result


def _aside_possible(n: int) -> bool:
    return (n >= ASIDE_AT and os.name == "posix" and bool(sys.executable)
            and sys.getfilesystemencoding().lower().replace("-", "") == "utf8" and sys.getfilesystemencodeerrors() == "surrogateescape")


def _handed_over(got, code: int, n: int) -> list[bytes | None] | None:
    """What the reader process wrote (None: it failed, or wrote something else): the files' bytes,
    then an 8-byte length of each (-1: not read), then their number (8 bytes, this machine's order)."""
    from array import array

    size = os.fstat(got.fileno()).st_size
    if code != 0 or size < 8 * (n + 1):
        return None
    got.seek(size - 8 * (n + 1))
    tail = got.read(8 * (n + 1))
    lengths = array("q")
    lengths.frombytes(tail[:-8])
    if int.from_bytes(tail[-8:], sys.byteorder) != n or sum(x for x in lengths if x > 0) != size - 8 * (n + 1):
        return None
    got.seek(0)
    with open(got.fileno(), "rb", buffering=1 << 22, closefd=False) as f:
        return [None if x < 0 else f.read(x) for x in lengths]


def _serve() -> None:
    """The reader process of :func:`read_many_aside`: NUL-separated paths on stdin (an empty one is
    no path), what :func:`_handed_over` reads on stdout."""
    from array import array

    data = sys.stdin.buffer.read()
    paths = [os.fsdecode(p) if p else None for p in data.split(b"\0")] if data else []
    del data
    files = read_many(paths)
    out = sys.stdout.buffer
    for b in files:
        if b:
            out.write(b)
    out.write(array("q", [-1 if b is None else len(b) for b in files]).tobytes())
    out.write(len(files).to_bytes(8, sys.byteorder))
    out.flush()


if __name__ == "__main__":
    _serve()
