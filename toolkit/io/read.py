"""Files to raw dicts: reading annotation and prediction files without ever raising on bad input.

Every reader returns the parsed data together with the :class:`~toolkit.model.issues.Issue` objects
that explain why a file could not be read; nothing here raises on a bad file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from toolkit.io.many import read_many_aside
from toolkit.model.issues import Issue, pointer


@dataclass(frozen=True)
class RawDoc:
    """One parsed JSON object and where it came from (a file, or a line of a JSONL file)."""

    data: object
    file: str
    prefix: str = ""  # JSON-pointer-like prefix locating the document inside its file ("/3" = line 4 of a JSONL)
    path: Path | None = None


def _decode(path: Path, label: str) -> tuple[str | None, list[Issue]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Issue("file-not-found", label, "", f"no such file: {label}", "check the path")]
    except (IsADirectoryError, PermissionError, OSError) as exc:
        return None, [Issue("file-not-found", label, "", f"cannot read {label}: {exc.strerror or exc}")]
    if not raw.strip():
        return None, [Issue("empty-file", label, "", "the file is empty", "an annotation file is a JSON object; see CONTRIBUTING.md")]
    try:
        return raw.decode("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [
            Issue(
                "invalid-encoding",
                label,
                "",
                f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start}",
                "save the file as UTF-8",
            )
        ]


MAX_DEPTH = 100
"""Deepest nesting of arrays and objects a file may have (ours need 6 levels). Deeper data would
exhaust Python's recursion limit in whatever walks it next (the schema check, an error message's
repr), so it is reported here, where it is read."""


def _too_deep(data: object, limit: int = MAX_DEPTH) -> tuple | None:
    """None, or the path of the JSON value where nesting deeper than ``limit`` starts (iterative, no recursion)."""
    stack: list[tuple[object, int, tuple]] = [(data, 0, ())]
    while stack:
        node, depth, path = stack.pop()
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 >= limit:
                    return _chain_start(data, path + (key,))
                stack.append((child, depth + 1, path + (key,)))
    return None


def _too_deep_text(text: str, data: object, limit: int = MAX_DEPTH) -> tuple | None:
    """:func:`_too_deep` of ``data`` parsed from ``text``, without the walk when it cannot find anything.

    Every array or object of ``data`` opens with a ``[`` or ``{`` in ``text`` (more may stand inside
    strings), so a text with fewer than ``limit`` of them cannot nest ``limit`` levels deep: two
    ``str.count`` calls (about 2 µs for a 1.6 KB document, where the walk takes about 40 µs)
    settle most documents. Equal to ``_too_deep(data, limit)`` (tests/test_corpus_shortcuts.py).
    """
    if text.count("[") + text.count("{") < limit:
        return None
    return _too_deep(data, limit)


def _chain_start(data: object, path: tuple) -> tuple:
    """The outermost value on ``path`` from which the nesting is a single chain (one child per level): the junk itself."""
    nodes = [data]
    for key in path:
        nodes.append(nodes[-1][key])
    start = len(path)
    while start > 0 and len(nodes[start - 1]) == 1:
        start -= 1
    return path[:start]


_BIG_NUMBER = re.compile(r"-?\d{4301,}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _lone_surrogate(data: object) -> tuple | None:
    """The path of the first string (or key) holding a lone surrogate (a ``\\ud800`` escape no pair completes), or None."""
    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return path
        elif isinstance(node, dict):
            for key, child in node.items():
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:
                    return path + (key.encode("utf-8", "backslashreplace").decode("ascii", "replace"),)
                stack.append((child, path + (key,)))
        elif isinstance(node, list):
            stack.extend((child, path + (i,)) for i, child in enumerate(node))
    return None


def _parse(text: str, label: str, where: str = "") -> tuple[object, list[Issue]]:
    try:
        data = json.loads(text)
        deep = _too_deep_text(text, data)
        if deep is not None:
            return None, [Issue("invalid-json", label, where + pointer(*deep),
                                f"JSON nested more than {MAX_DEPTH} levels deep here", "no annotation, prediction or counts file nests this deep")]
        if _SURROGATE_ESCAPE.search(text) is not None and (bad := _lone_surrogate(data)) is not None:
            return None, [Issue("invalid-encoding", label, where + pointer(*bad),
                                "a lone surrogate (a \\ud800-\\udfff escape without its pair) is not a character",
                                "write the character itself, or both halves of its surrogate pair")]
        return data, []
    except json.JSONDecodeError as exc:
        return None, [
            Issue(
                "invalid-json",
                label,
                where,
                f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                "fix the JSON syntax (a trailing comma or a missing quote is the usual cause)",
            )
        ]
    except RecursionError:
        return None, [Issue("invalid-json", label, where, "JSON nested too deeply to read")]
    except ValueError:  # Python refuses to convert an integer of more than 4300 digits (sys.set_int_max_str_digits)
        big = _BIG_NUMBER.search(text)
        place = "at line {}, column {}".format(*_line_col(text, big.start())) if big else ""
        return None, [Issue("invalid-json", label, where, f"a number of more than 4300 digits {place}".rstrip(),
                            "no offset or count needs that many digits")]


def read_json(path: Path | str, label: str | None = None) -> tuple[object, list[Issue]]:
    """Read one JSON file. Returns ``(data, issues)``; ``data`` is None when it could not be read."""
    path = Path(path)
    label = label or str(path)
    text, issues = _decode(path, label)
    if text is None:
        return None, issues
    return _parse(text, label)


def read_documents(path: Path | str, label: str | None = None) -> tuple[list[RawDoc], list[Issue]]:
    """Read a ``.json`` file (one document) or a ``.jsonl`` file (one document per line)."""
    path = Path(path)
    label = label or str(path)
    if path.suffix != ".jsonl":
        data, issues = read_json(path, label)
        # A file holding JSON null parses (data None, no issue): it is a document, and checking it
        # reports not-an-object; only a file that could not be read at all yields no document.
        return ([] if issues else [RawDoc(data, label, "", path)]), issues
    text, issues = _decode(path, label)
    if text is None:
        return [], issues
    docs: list[RawDoc] = []
    # Lines end at "\n" only (a "\r" before it is stripped): str.splitlines() would also split at
    # U+2028, U+0085, form feeds ..., which JSON strings may hold unescaped.
    for lineno, line in enumerate(text.split("\n")):
        line = line[:-1] if line.endswith("\r") else line
        if not line.strip():
            continue
        data, line_issues = _parse(line, label, pointer(lineno))
        issues.extend(
            Issue(i.code, i.file, i.pointer, f"line {lineno + 1}: {i.message}", i.hint) for i in line_issues
        )
        if not line_issues:
            docs.append(RawDoc(data, label, pointer(lineno), path))
    if not docs and not issues:
        issues.append(Issue("empty-file", label, "", "the JSONL file holds no document"))
    return docs, issues


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long, a loop of symlinks: not a folder we can read
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def corpus_root(folder: Path | str) -> Path:
    """The corpus a folder belongs to: the nearest folder at or above it that holds ``seeds/``, else the folder itself (resolved)."""
    start = Path(os.path.abspath(folder)).resolve()
    return next((f for f in (start, *start.parents) if _is_dir(f / "seeds")), start)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def list_files(paths: list[Path | str], recursive: bool = True, suffixes=(".json",),
               confine: bool = False) -> tuple[list[Path], list[Issue]]:
    """Expand folders into the files they hold (sorted); report paths that do not exist.

    ``confine`` (gold annotations): a file found in a folder that is a symlink leading out of
    the folder's corpus (:func:`corpus_root`) is not listed but reported (``outside-corpus``), so
    a link in ``annotations/`` cannot make a file elsewhere pass for gold. Files named on the
    command line are read as named.
    """
    files: list[Path] = []
    issues: list[Issue] = []
    for p in map(Path, paths):
        if _is_dir(p):
            pattern = "**/*" if recursive else "*"
            found = sorted(f for f in p.glob(pattern) if f.suffix in suffixes and _is_file(f))
            if confine:
                root = corpus_root(p)
                for f in found:
                    real = Path(os.path.realpath(f))
                    if _inside(real, root):
                        files.append(f)
                    else:
                        issues.append(Issue("outside-corpus", str(f), "",
                                            f"{f} leads (through a symbolic link) to {real}, outside the corpus {root}; not read",
                                            "copy the file into the corpus, or link only to files inside it"))
            else:
                files.extend(found)
        elif _exists(p):
            files.append(p)
        else:
            issues.append(Issue("file-not-found", str(p), "", f"no such file or folder: {p}", "check the path"))
    return files, issues


def _seed_parts(seed_file: object) -> tuple[str, str] | None:
    """``(folder, name)`` of a seed path ``<folder>/<name>`` whose parts are plain names; None for anything else
    (absolute paths, ``..``, deeper paths, names over 255 bytes): such a path is never opened."""
    if not isinstance(seed_file, str):
        return None
    parts = seed_file.split("/")
    if len(parts) != 2:
        return None
    for part in parts:
        if part in ("", ".", "..") or "\\" in part or "\x00" in part:
            return None
        try:
            if len(part.encode("utf-8")) > 255:
                return None
        except UnicodeEncodeError:
            return None
    return parts[0], parts[1]


def _confined(candidate: Path, folder: Path) -> bool:
    """True when ``candidate`` (a name in ``folder``, the corpus's ``seeds/``) is, after every symbolic link,
    still inside ``folder`` — and ``folder`` itself is where its corpus holds it: a ``seeds/`` that is a
    symbolic link to another folder leaves the corpus as surely as a link of one seed does."""
    try:
        home = Path(os.path.realpath(folder.parent)) / folder.name
        return _inside(Path(os.path.realpath(candidate)), home) and Path(os.path.realpath(folder)) == home
    except (OSError, ValueError):
        return False


def locate_seed(start: Path, seed_file: str) -> tuple[Path | None, Path | None]:
    """``(seed, refused)``: the seed text ``seed_file`` (``seeds/x.txt``) in ``start``, a folder above it, or the
    working directory; or, in ``refused``, the first candidate that is a symbolic link leading out of its ``seeds/``
    folder (it is never read). A ``seed_file`` that is not a plain ``<folder>/<name>`` finds nothing."""
    parts = _seed_parts(seed_file)
    if parts is None:
        return None, None
    try:
        start = start.resolve()
    except (OSError, RuntimeError):
        return None, None
    for folder in (start, *start.parents, Path.cwd()):
        candidate = folder / seed_file
        if _is_file(candidate):
            if _confined(candidate, folder / parts[0]):
                return candidate, None
            return None, candidate
    return None, None


def find_seed(start: Path, seed_file: str) -> Path | None:
    """Find ``seed_file`` (e.g. ``seeds/x.txt``) relative to ``start`` or any folder above it, or the working directory.

    Only a plain ``<folder>/<name>`` is looked up, and a symbolic link leading out of that folder is not
    followed (:func:`locate_seed` says which): seeds are read from the corpus's ``seeds/`` only.
    """
    return locate_seed(start, seed_file)[0]


_SIMPLE_SEED = re.compile(r"[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+")
_NO_FOLDER = None  # a folder that does not exist (or is not a folder): nothing under it is a file
_UNLISTED = False  # a folder that exists but could not be listed: ask the file system file by file


class SeedFinder:
    """:func:`locate_seed` for many documents of one run, with the folder lookups cached.

    ``locate_seed`` resolves its start folder and asks the file system for every candidate of every
    document (about 90 µs a document). Here each start folder is resolved once, and each
    candidate folder (``<folder>/seeds``) is listed once with :func:`os.scandir`; a name found in
    the listing as a regular file is the file ``locate_seed`` finds, a folder that does not exist
    holds no file, and anything else (a symbolic link, a name not in the listing, a folder that
    cannot be listed, a ``seed_file`` other than ``<folder>/<name>``) is asked exactly as
    ``locate_seed`` asks it. So the answer equals ``locate_seed``'s (tests/test_corpus_shortcuts.py)
    as long as the folders do not change during the run: make one finder per run, never a global one.
    """

    def __init__(self) -> None:
        self._chains: dict[tuple[Path, str], tuple[tuple[Path, frozenset[str] | bool], ...]] = {}
        self._listings: dict[Path, frozenset[str] | None | bool] = {}

    def _listing(self, folder: Path) -> frozenset[str] | None | bool:
        listing = self._listings.get(folder, self)
        if listing is self:
            if os.path.islink(folder):  # a linked seeds/ folder: every file is asked (and refused) by _confined
                listing = _UNLISTED
            else:
                try:
                    with os.scandir(folder) as entries:
                        listing = frozenset(e.name for e in entries if not e.is_symlink() and e.is_file())
                except (FileNotFoundError, NotADirectoryError):
                    listing = _NO_FOLDER
                except OSError:
                    listing = _UNLISTED
            self._listings[folder] = listing
        return listing

    def _chain(self, start: Path, sub: str):
        """The candidate folders ``<folder>/<sub>`` that exist, from ``start`` upwards, with their listings (None: unresolvable)."""
        chain = self._chains.get((start, sub))
        if chain is None:
            try:
                resolved = start.resolve()
            except (OSError, RuntimeError):
                return None
            chain = self._chains[(start, sub)] = tuple(
                (folder, listing) for folder in (resolved, *resolved.parents)
                if (listing := self._listing(folder / sub)) is not _NO_FOLDER)
        return chain

    def find(self, start: Path, seed_file: str) -> Path | None:
        return self.locate(start, seed_file)[0]

    def start_reading(self, start: Path, seed_files: list[str]):
        """Start reading the seeds :meth:`find` finds from ``start``: the function returned gives the
        bytes of each (None: none found, or unreadable), read meanwhile by :func:`read_many_aside`.

        The common case, a plain name listed in the first candidate folder, is one ``open`` of a
        string path; every other name goes through :meth:`find`.
        """
        out: list[str | None] = []
        heads: dict[str, tuple[str, frozenset[str]] | None] = {}
        for seed_file in seed_files:
            sub, _, name = seed_file.partition("/") if isinstance(seed_file, str) else ("", "", "")
            head = heads.get(sub, self)
            if head is self:  # the first candidate folder for this sub-folder name, when it is a plain name that was listed
                chain = self._chain(start, sub) if _SIMPLE_SEED.fullmatch(sub + "/x") and sub not in (".", "..") else None
                head = heads[sub] = (os.fspath(chain[0][0]) + os.sep, chain[0][1]) if chain and isinstance(chain[0][1], frozenset) else None
            if head is not None and name in head[1]:  # a listed regular file: a plain name
                path = head[0] + seed_file
            else:
                found = self.find(start, seed_file)
                path = os.fspath(found) if found is not None else None
            out.append(path)
        return read_many_aside(out)

    def locate(self, start: Path, seed_file: str) -> tuple[Path | None, Path | None]:
        if not isinstance(seed_file, str) or not _SIMPLE_SEED.fullmatch(seed_file) or _seed_parts(seed_file) is None:
            return locate_seed(start, seed_file)
        sub, name = seed_file.split("/")
        chain = self._chain(start, sub)
        if chain is None:
            return None, None
        for folder, listing in chain:
            if listing is not _UNLISTED and name in listing:
                return folder / seed_file, None
            candidate = folder / seed_file
            if _is_file(candidate):
                return (candidate, None) if _confined(candidate, folder / sub) else (None, candidate)
        cwd = Path.cwd()
        listing = self._listing(cwd / sub)
        if listing is not _NO_FOLDER:
            if listing is not _UNLISTED and name in listing:
                return cwd / seed_file, None
            candidate = cwd / seed_file
            if _is_file(candidate):
                return (candidate, None) if _confined(candidate, cwd / sub) else (None, candidate)
        return None, None


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_seed(path: Path) -> str:
    """The seed text exactly as offsets count it: UTF-8, no newline translation."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def iter_json_pointer(data: object, ptr: str) -> Iterator[object]:
    """Resolve a JSON pointer in ``data`` (yields nothing when it does not resolve)."""
    node = data
    for part in [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return
    yield node
