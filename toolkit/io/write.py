"""Writing files without ever losing data: the one place every command writes through.

The rules (README, "What each command writes"):

- **Never overwrite without force.** A file that exists is replaced only with ``force=True``
  (the command's ``--force``); otherwise :class:`OutputRefused` names the file and how to proceed.
  Without ``force`` the new file is put in place with :func:`os.link`, which fails when the name
  exists, so even two commands racing for one name cannot clobber each other.
- **Protected folders.** The ``annotations/`` and ``seeds/`` of a corpus (a folder holding
  ``seeds/``), and any ``.git``, are written only by a command whose job it is (a :class:`Guard`
  built with ``allow=("annotations",)`` for ``adjudicate`` and ``anchor``, both for ``new``). The
  corpora are found from the paths a command reads (its gold), from the working directory, and
  from the output path itself, so the protection holds from any working directory.
- **A folder where a file belongs, a file where a folder belongs** are refused with a clear
  message (:class:`OutputRefused`), not an ``IsADirectoryError``.
- **Atomic.** Every file is written to a temporary file in its own folder, flushed, then renamed
  into place: a crash leaves the old file or the new one, never a truncated one. A folder of
  files (:func:`write_files`) is checked as a whole before the first file is written.
- **Ordinary modes.** New files get ``0o666`` masked by the umask (``0o644`` under umask 022),
  as ``open()`` gives; a file replaced with ``force`` keeps its mode. ``mkstemp``'s ``0o600`` is
  never left behind.
- **Safe names.** An id becomes a file name only through :func:`safe_name` (no separator, no
  ``..``, not absolute, at most 255 bytes), and :func:`write_files` refuses a relative name that
  would leave its folder: :class:`UnsafeName`, which is invalid data (the id came from a file).
- **Published folders** (:func:`replace_folder`): built beside the target, then swapped in with one
  atomic ``renameat2(RENAME_EXCHANGE)``, so the target always holds the complete old or the
  complete new folder; only a folder that is absent, empty or an earlier output (recognised by its
  marker file) is replaced, and a temporary folder left by a killed run is removed by the next.

Typical use in a command::

    guard = Guard.around(gold)                           # protect the gold's corpus and the current one
    check_file(out, force=force, guard=guard)            # early: refuse before doing the work
    ...
    write_text(out, text, force=force, guard=guard)      # atomic, ordinary mode
    write_files(folder, {"a.json": "...", "b.ann": b"..."}, force=force, guard=guard)

Library code raises; only ``toolkit/cli`` turns :class:`OutputRefused` into exit 2 and
:class:`UnsafeName` into exit 1.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, TypeVar

T = TypeVar("T")

MAX_NAME_BYTES = 255
"""The longest file name (in bytes of its UTF-8 encoding) that common file systems accept."""


class OutputRefused(Exception):
    """An output path the command must not write, or cannot write (a usage error: exit 2).

    ``message`` says which path and why; ``hint`` how to proceed.
    """

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message} ({hint})")


class UnsafeName(ValueError):
    """An id (from the data) that cannot become a file name: invalid data, exit 1."""


# ---------------------------------------------------------------- names


_BAD_NAME = re.compile(r"[/\\\x00]")


def safe_name(name: object, what: str = "id") -> str:
    """``name`` if it can be one file name inside a folder, else :class:`UnsafeName`.

    Refused: a non-string, ``""``, ``.``, ``..``, anything with ``/``, ``\\`` or NUL (so no absolute
    path and no way out of the folder), a lone surrogate (not encodable), more than 255 bytes.
    """
    if not isinstance(name, str) or not name:
        raise UnsafeName(f"{what} {name!r} cannot be a file name")
    shown = _shorten(name)
    if name in (".", "..") or _BAD_NAME.search(name):
        raise UnsafeName(f"{what} {shown!r} cannot be a file name (no '/', '\\', NUL, '.' or '..')")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise UnsafeName(f"{what} {shown!r} cannot be a file name (it holds a lone surrogate)") from None
    if size > MAX_NAME_BYTES:
        raise UnsafeName(f"{what} {shown!r} cannot be a file name ({size} bytes; at most {MAX_NAME_BYTES})")
    return name


def safe_relative(name: str) -> Path:
    """A relative path of safe parts (``a/b.json``), else :class:`UnsafeName`: nothing can leave its folder."""
    if not isinstance(name, str) or not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise UnsafeName(f"{_shorten(str(name))!r} cannot be a file name inside the output folder (an absolute path)")
    parts = name.split("/")
    for part in parts:
        safe_name(part, "file name part")
    return Path(*parts)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- protected folders


PROTECTED_KINDS = ("annotations", "seeds")


def _resolve(path: Path | str) -> Path:
    try:
        return Path(os.path.abspath(path)).resolve()
    except (OSError, RuntimeError):  # a symlink loop, a name too long: keep the absolute path
        return Path(os.path.abspath(path))


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def corpus_roots(anchor: Path | str) -> list[Path]:
    """The corpora around ``anchor``: each folder on its way up (itself included) that holds ``seeds/``."""
    start = _resolve(anchor)
    return [folder for folder in (start, *start.parents) if _is_dir(folder / "seeds")]


@dataclass(frozen=True)
class Guard:
    """Which folders a command must not write into.

    ``protected``: (resolved folder, kind) pairs, kind ``annotations``, ``seeds`` or ``input`` (a folder
    the command reads, such as its gold);
    ``allow``: the kinds this command may write into (``new``: both; ``adjudicate`` and ``anchor``:
    ``annotations``; every other command: none). ``.git`` is never allowed.

    Besides the listed folders, a target is protected when one of its own parents is the
    ``annotations/`` or ``seeds/`` of a corpus (its parent holds ``seeds/``): that finds every
    corpus the output lands in, whatever the working directory.
    """

    protected: tuple[tuple[Path, str], ...] = ()
    allow: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def around(cls, *anchors: Path | str | None, allow: Iterable[str] = (), corpora: Iterable[Path | str | None] = (),
               cwd: bool = True) -> "Guard":
        """Protect each of ``anchors`` that is a folder (the paths a command reads: its gold, its inputs) and
        the corpora around them, around ``corpora`` (e.g. a ``--root``) and (``cwd``) around the working directory."""
        found: dict[Path, str] = {}
        inputs = [a for a in anchors if a is not None]
        for anchor in inputs:
            if _is_dir(Path(anchor)):
                found.setdefault(_resolve(anchor), "input")
        for anchor in [*inputs, *(c for c in corpora if c is not None), *([Path.cwd()] if cwd else [])]:
            for root in corpus_roots(anchor):
                for kind in PROTECTED_KINDS:
                    found.setdefault(_resolve(root / kind), kind)
        return cls(tuple(found.items()), frozenset(allow))

    def kinds_of(self, path: Path | str) -> list[tuple[Path, str]]:
        """The protected folders that ``path`` is, or lies inside (resolved; the path need not exist)."""
        target = _resolve(path)
        chain = (target, *target.parents)
        hits = [(p, kind) for p, kind in self.protected if p in chain]
        for folder in chain:
            if folder.name == ".git":
                hits.append((folder, ".git"))
            elif folder.name in PROTECTED_KINDS and _is_dir(folder.parent / "seeds") and (folder, folder.name) not in hits:
                hits.append((folder, folder.name))
        return hits

    def check(self, path: Path | str, what: str = "") -> None:
        """:class:`OutputRefused` when ``path`` lies in a protected folder this command may not write."""
        for folder, kind in self.kinds_of(path):
            if kind == "input" and "annotations" in self.allow:
                continue
            if kind not in self.allow:
                name = _KIND_NAMES[kind]
                job = {"seeds": "only `toolkit new` adds a seed", "annotations": "only `toolkit new`, `anchor` and `adjudicate` write annotation files",
                       "input": "a command never writes into its own input", ".git": "nothing writes there"}[kind]
                raise OutputRefused(f"{what or path}: refusing to write inside {folder}, {name} ({job})",
                                    "choose an output path outside annotations/ and seeds/")


_KIND_NAMES = {"input": "a folder this command reads", ".git": "a git repository",
               "annotations": "the corpus's annotations/ folder", "seeds": "the corpus's seeds/ folder"}

NO_GUARD = Guard()


# ---------------------------------------------------------------- targets


def _exists(path: Path) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def check_file(path: Path | str, *, force: bool = False, guard: Guard | None = None, what: str = "") -> Path:
    """Check that ``path`` may be written as a file; returns it. Raises :class:`OutputRefused`.

    Refused: a protected folder (see :class:`Guard`), an existing folder, a parent that is a file,
    an existing file without ``force``, a name over 255 bytes.
    """
    path = Path(path)
    label = what or str(path)
    (guard or NO_GUARD).check(path, label)
    try:
        safe_name(path.name, "file name")
    except UnsafeName as exc:
        raise OutputRefused(f"{label}: {exc}", "choose a shorter or plainer file name") from None
    for parent in (path.parent, *path.parent.parents):
        if _exists(parent):
            if not _is_dir(parent):
                raise OutputRefused(f"{label}: {parent} is a file, not a folder", "choose an output path in a folder")
            break
    if _is_dir(path):
        raise OutputRefused(f"{label}: is a folder; a file belongs here", "give the path of a file (e.g. OUT/report.txt)")
    if _exists(path) and not force:
        raise OutputRefused(f"{label}: already exists; not overwritten", "pass --force to replace it, or choose another path")
    return path


def check_folder(folder: Path | str, *, guard: Guard | None = None, what: str = "") -> Path:
    """Check that ``folder`` may hold output files (it may not exist yet); returns it. Raises :class:`OutputRefused`."""
    folder = Path(folder)
    label = what or str(folder)
    (guard or NO_GUARD).check(folder, label)
    for part in (folder, *folder.parents):
        if _exists(part):
            if not _is_dir(part):
                where = "" if part == folder else f" ({part} is a file)"
                raise OutputRefused(f"{label}: is a file; a folder belongs here{where}", "give the path of a folder (it is created when missing)")
            break
    return folder


def plan_files(folder: Path | str, names: Iterable[str], *, force: bool = False, guard: Guard | None = None,
               subfolders: bool = False) -> list[Path]:
    """The targets of ``names`` in ``folder``, every one checked before any is written.

    A name is one file name (:func:`safe_name`; an id with a ``/`` is refused), or with
    ``subfolders`` a relative ``/``-separated path of such names. Raises :class:`UnsafeName` for a
    name that is not one, or would leave ``folder``, and :class:`OutputRefused` (listing the first
    few) when files exist and ``force`` is not given.
    """
    folder = check_folder(folder, guard=guard)
    targets = [folder / (safe_relative(name) if subfolders else safe_name(name, "file name")) for name in names]
    root = _resolve(folder)
    existing = []
    for target in targets:
        if root not in _resolve(target.parent).parents and _resolve(target.parent) != root:
            raise UnsafeName(f"{target} would leave {folder} (through a symlink)")
        check_file(target, force=True, guard=guard)
        if _exists(target):
            existing.append(target)
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        raise OutputRefused(f"{folder}: {len(existing)} file(s) already exist ({shown}); nothing written",
                            "pass --force to replace them, or choose another folder")
    return targets


# ---------------------------------------------------------------- atomic writers


def _umask() -> int:
    try:  # Linux >= 4.7 shows it without changing it
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # the portable way: read by setting (not thread-safe, hence last)
    os.umask(mask)
    return mask


def ordinary_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file: ``0o666`` masked by the umask."""
    return 0o666 & ~_umask()


def _temp_name(path: Path) -> Path:
    stem = path.name.encode("utf-8", "surrogateescape")[:200].decode("utf-8", "ignore")
    return path.with_name(f".{stem}.{secrets.token_hex(4)}.tmp")


def write_bytes(path: Path | str, data: bytes, *, force: bool = False, guard: Guard | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (see the module doc); returns ``path``.

    Without ``force`` an existing file is never replaced, even one created while writing.
    Raises :class:`OutputRefused` (also for an ``OSError``: no permission, disk full, ...).
    """
    path = check_file(path, force=force, guard=guard)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        keep_mode = None
        if force and _exists(path):
            try:
                keep_mode = stat.S_IMODE(os.stat(path).st_mode)
            except OSError:
                keep_mode = None
        tmp = _temp_name(path)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise _refused(path, exc) from exc
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if keep_mode is not None:
                os.chmod(tmp, keep_mode)
            if force:
                os.replace(tmp, path)
            else:
                _link_new(tmp, path)
        except OSError as exc:
            raise _refused(path, exc) from exc
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        except OSError:
            pass
    return path


def _link_new(tmp: Path, path: Path) -> None:
    """Put ``tmp`` in place as ``path`` only if ``path`` does not exist (a hard link fails then)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputRefused(f"{path}: already exists; not overwritten", "pass --force to replace it, or choose another path") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        if _exists(path):  # no hard links on this file system: check, then rename
            raise OutputRefused(f"{path}: already exists; not overwritten", "pass --force to replace it, or choose another path") from None
        os.replace(tmp, path)


def _refused(path: Path, exc: OSError) -> OutputRefused:
    reason = exc.strerror or str(exc)
    return OutputRefused(f"{path}: cannot write: {reason}", "check the path and its permissions")


def write_text(path: Path | str, text: str, *, force: bool = False, guard: Guard | None = None) -> Path:
    """Write UTF-8 text atomically (no newline translation). A lone surrogate is written as ``\\udxxx``."""
    return write_bytes(path, text.encode("utf-8", "backslashreplace"), force=force, guard=guard)


def dumps_json(data: object) -> str:
    """JSON as every writer writes it: UTF-8, 2-space indent, trailing newline. Raises ``ValueError``
    for NaN or infinity (not JSON) and ``TypeError`` for what JSON cannot hold."""
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_json(path: Path | str, data: object, *, force: bool = False, guard: Guard | None = None) -> Path:
    """Write JSON (:func:`dumps_json`) atomically. Raises ``TypeError``/``ValueError`` for data JSON cannot hold, before touching the disk."""
    return write_text(path, dumps_json(data), force=force, guard=guard)


def write_files(folder: Path | str, files: Mapping[str, str | bytes], *, force: bool = False,
                guard: Guard | None = None, subfolders: bool = False) -> list[Path]:
    """Write several files (name -> text or bytes; text as UTF-8) into ``folder``; returns their paths.

    Every target is checked first (:func:`plan_files`: names, protected folders, existing files),
    so a refusal writes nothing; each file is then written atomically. ``subfolders``: names may
    be relative paths (``conf/annotation.conf``); by default each is one file name.
    """
    targets = plan_files(folder, list(files), force=force, guard=guard, subfolders=subfolders)
    written = []
    for target, content in zip(targets, files.values()):
        data = content if isinstance(content, bytes) else content.encode("utf-8", "backslashreplace")
        written.append(write_bytes(target, data, force=force, guard=guard))
    return written


def write_text_atomic(path: Path, content: str) -> None:
    """Deprecated: :func:`write_text` with ``force=True`` (replaces an existing file). Use :func:`write_text`."""
    write_text(path, content, force=True)


def write_bytes_atomic(path: Path, content: bytes) -> None:
    """Deprecated: :func:`write_bytes` with ``force=True``. Use :func:`write_bytes`."""
    write_bytes(path, content, force=True)


def write_json_atomic(path: Path, data: object) -> None:
    """Deprecated: :func:`write_json` with ``force=True``. Use :func:`write_json`."""
    write_json(path, data, force=True)


# ---------------------------------------------------------------- replaced folders (toolkit publish)


MARKER = ".toolkit-publish.json"
"""The marker file :func:`replace_folder` writes into every folder it makes: which files it wrote."""
MARKER_TOOL = "toolkit publish"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _listing(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` except the marker (symlinks listed by name, not followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        for name in filenames + [d for d in dirnames if (base / d).is_symlink()]:
            rel = (base / name).relative_to(folder).as_posix()
            if rel == MARKER:
                continue
            out[rel] = "symlink" if (base / name).is_symlink() else _digest(base / name)
    return out


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder :func:`replace_folder` made, or None."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and data.get("tool") == MARKER_TOOL and isinstance(data.get("files"), dict):
        return data
    return None


def write_marker(folder: Path, tool: str = MARKER_TOOL) -> None:
    """Record every file of ``folder`` (with its sha256) in its marker file."""
    marker = {"tool": tool, "note": "written by `toolkit publish`; publish replaces this folder only while it holds exactly these files",
              "files": _listing(folder)}
    write_json(Path(folder) / MARKER, marker, force=True)


def _contains_named(folder: Path, names: tuple[str, ...]) -> Path | None:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            if name in names:
                return Path(dirpath) / name
    return None


def check_replaceable(out: Path | str, *, guard: Guard | None = None, keep: Iterable[Path | str] = ()) -> Path:
    """Check that ``out`` is absent, an empty folder, or an unchanged earlier output; returns it.

    Raises :class:`OutputRefused` (one line: which folder and why) for a file, a protected folder
    or a folder holding one, a folder holding or containing ``annotations/``, ``seeds/`` or
    ``.git``, a folder holding ``keep`` (the gold, the working directory), and a non-empty folder
    that is not an earlier output or that holds files the output did not have (listed).
    """
    out = Path(out)
    guard = guard or NO_GUARD
    guard.check(out)
    resolved = _resolve(out)
    roots = [name for name in (".git", "seeds", "annotations") if _exists(resolved / name)]
    if ".git" in roots or "seeds" in roots:
        raise OutputRefused(f"{out}: refusing to replace a repository or corpus root (it holds {', '.join(n + '/' for n in roots)})",
                            "publish into a new folder, e.g. --out dataset")
    for folder, kind in guard.protected:
        if resolved in folder.parents:
            raise OutputRefused(f"{out}: refusing to replace a folder that holds {folder} ({_KIND_NAMES.get(kind, kind)})",
                                "publish into a new folder")
    for path in keep:
        if resolved == _resolve(path) or resolved in _resolve(path).parents:
            raise OutputRefused(f"{out}: refusing to replace a folder that holds {path}", "publish into a new folder")
    if not _exists(out):
        check_folder(out.parent, guard=guard)
        return out
    if out.is_symlink() or not out.is_dir():
        raise OutputRefused(f"{out}: is a file; publish writes a folder here", "give the path of a new folder")
    try:
        entries = os.listdir(out)
    except OSError as exc:
        raise _refused(out, exc) from exc
    if not entries:
        return out
    marker = read_marker(out)
    if marker is None:
        raise OutputRefused(f"{out}: not empty and not made by `toolkit publish` (no {MARKER}); nothing replaced",
                            "publish into a new or empty folder")
    inner = _contains_named(out, (".git", *PROTECTED_KINDS))
    if inner is not None:
        raise OutputRefused(f"{out}: refusing to replace a folder that contains {inner}", "publish into a new folder")
    actual = _listing(out)
    foreign = sorted(set(actual) - set(marker["files"]))
    changed = sorted(k for k in actual if k in marker["files"] and marker["files"][k] != actual[k])
    if foreign or changed:
        what = (f"files publish did not write ({', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''})" if foreign else
                f"files changed since it was published ({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''})")
        raise OutputRefused(f"{out}: an earlier output of publish, but it holds {what}; nothing replaced",
                            "move them elsewhere, or publish into a new folder")
    return out


_LEFTOVER = ".{name}.publish-"
RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, ImportError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class _ParentLock:
    """An exclusive ``flock`` on the output's parent folder: one publish per folder at a time, released even by SIGKILL."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.fd: int | None = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # no flock (Windows): no lock
            return self
        self.fd = os.open(self.folder, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
        return False


def leftovers(out: Path) -> list[Path]:
    """Temporary folders of earlier runs of :func:`replace_folder` for ``out`` (``.<name>.publish-*.tmp`` / ``.old``)."""
    out = Path(out)
    prefix = _LEFTOVER.format(name=out.name)
    try:
        names = os.listdir(out.parent)
    except OSError:
        return []
    return sorted(out.parent / n for n in names
                  if n.startswith(prefix) and (n.endswith(".tmp") or n.endswith(".old"))
                  and re.fullmatch(r"[0-9a-f]{16}", n[len(prefix):-4] or "") is not None
                  and not (out.parent / n).is_symlink() and (out.parent / n).is_dir())


def replace_folder(out: Path | str, build: Callable[[Path], T], *, guard: Guard | None = None,
                   keep: Iterable[Path | str] = ()) -> T:
    """Build a folder with ``build(tmp)`` beside ``out``, then put it in place atomically; returns what ``build`` returned.

    ``out`` is checked first (:func:`check_replaceable`). Under a lock on the parent folder, the
    temporary folders a killed run left behind are removed, the new folder is built in
    ``.<name>.publish-<random>.tmp``, its marker written, and it is swapped with ``out`` in one
    ``RENAME_EXCHANGE`` (or renamed into place when ``out`` does not exist); the old folder is
    removed only after the swap. Where the exchange is unsupported, ``out`` is first renamed to
    ``.<name>.publish-<random>.old`` (a killed run is rolled back by the next). On any failure the
    temporary folder is removed and ``out`` is as it was.
    """
    out = Path(os.path.abspath(out))
    keep = list(keep)
    check_replaceable(out, guard=guard, keep=keep)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _refused(out.parent, exc) from exc
    with _ParentLock(out.parent):
        _clean_leftovers(out)
        check_replaceable(out, guard=guard, keep=keep)  # again, under the lock
        tmp = out.parent / f"{_LEFTOVER.format(name=out.name)}{secrets.token_hex(8)}.tmp"
        try:
            tmp.mkdir(mode=0o777)  # masked by the umask, like any folder
        except OSError as exc:
            raise _refused(tmp, exc) from exc
        try:
            result = build(tmp)
            write_marker(tmp)
            if _exists(out):
                if not _exchange(tmp, out):
                    old = tmp.with_suffix(".old")
                    os.replace(out, old)
                    os.replace(tmp, out)
                    tmp = old
            else:
                os.rename(tmp, out)
                tmp = None
        except BaseException:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            raise
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)  # the old output, now that the new one is in place
    return result


def _clean_leftovers(out: Path) -> None:
    """Remove what killed runs left (call under the parent lock, so no other run is using them)."""
    for path in leftovers(out):
        if path.suffix == ".old" and not _exists(out):
            os.replace(path, out)  # killed between the two renames of the fallback: roll back
            continue
        shutil.rmtree(path, ignore_errors=True)
