"""Annotator workflow: turning drafts into annotation files, adding new documents."""

from __future__ import annotations

from pathlib import Path

import hashlib

from toolkit.predictions.anchor import draft_to_annotation
from toolkit.io.read import RawDoc, locate_seed, read_json
from toolkit.model.issues import Issue, has_errors
from toolkit.checks.validate import check_raw
from toolkit.io.write import Guard, write_bytes, write_json


def anchor_drafts(drafts: list[Path]) -> tuple[dict[str, tuple[Path, dict]], list[Issue]]:
    """Anchor each draft strictly; returns ``{doc_id: (draft path, annotation dict)}`` for the drafts that anchor
    and validate, and every issue, located in the draft that has it (nothing is written here).

    A draft's doc id must be a plain id (it names the seed ``seeds/<doc_id>.txt`` and the output file);
    its seed is looked up from the draft's folder upward (:func:`toolkit.io.read.locate_seed`).
    """
    import re

    done: dict[str, tuple[Path, dict]] = {}
    issues: list[Issue] = []
    for draft_path in drafts:
        label = str(draft_path)
        data, read_issues = read_json(draft_path)
        issues.extend(read_issues)
        if read_issues:
            continue
        if not isinstance(data, dict):
            issues.append(Issue("not-an-object", label, "", f"expected a JSON object, got {type(data).__name__}",
                                "a draft holds one JSON object with its doc_id"))
            continue
        doc_id = data.get("doc_id")
        if "doc_id" not in data:
            issues.append(Issue("missing-field", label, "/doc_id", "a draft needs its doc_id", "the seed file name without .txt"))
            continue
        if not isinstance(doc_id, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", doc_id) or doc_id in (".", ".."):
            issues.append(Issue("invalid-value", label, "/doc_id", f"doc_id {_short(doc_id)} is not a document id",
                                "letters, digits, '_', '.', '-': the seed file name without .txt"))
            continue
        if doc_id in done:
            issues.append(Issue("duplicate-document", label, "/doc_id", f"doc_id '{doc_id}' is also the doc_id of {done[doc_id][0]}",
                                "anchor one draft per document"))
            continue
        seed_file = f"seeds/{doc_id}.txt"
        seed, refused = locate_seed(draft_path.parent, seed_file)
        if refused is not None:
            issues.append(Issue("outside-corpus", label, "/doc_id",
                                f"{refused} leads (through a symbolic link) out of its seeds/ folder; not read"))
            continue
        if seed is None:
            issues.append(Issue("missing-seed", label, "/doc_id", f"seed text '{seed_file}' not found",
                                "add the text with `toolkit new PATH.txt` (seeds/ is looked for from the draft's folder upward)"))
            continue
        try:
            raw = seed.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(Issue("invalid-encoding" if isinstance(exc, UnicodeDecodeError) else "missing-seed", label, "/doc_id",
                                f"cannot read the seed text {seed}: {getattr(exc, 'strerror', None) or exc}"))
            continue
        annotation, found = draft_to_annotation(data, text, seed_file, hashlib.sha256(raw).hexdigest(), label)
        if annotation is not None:
            # checked as what it will be, but reported against the draft (same pointers: anchoring keeps every item)
            check = check_raw(RawDoc(annotation, label, "", draft_path), seed_root=seed.parent.parent)
            found.extend(check.issues)
        issues.extend(found)
        if annotation is not None and not has_errors(found):
            done[doc_id] = (draft_path, annotation)
    return done, issues


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class NewDocumentError(Exception):
    """Why a document could not be added (an Issue)."""

    def __init__(self, issue: Issue):
        self.issue = issue
        super().__init__(issue.message)


def new_document(source: Path, root: Path = Path("."), doc_id: str | None = None, guard: Guard | None = None) -> tuple[Path, Path]:
    """Copy a text into ``root/seeds/`` byte for byte and write an empty, valid annotation file.

    The annotation file has ``"status": "draft"``: the document is not gold until it has been
    annotated twice and adjudicated (``toolkit adjudicate`` writes it without that status), so
    ``toolkit eval`` does not score systems against it and ``toolkit publish`` leaves it out.
    Returns ``(seed_path, annotation_path)``. Refuses (raises :class:`NewDocumentError`) when the
    text is not UTF-8, or when a seed or annotation of that id already exists: seeds are never
    overwritten.
    """
    import re

    doc_id = doc_id or source.stem
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", doc_id):
        raise NewDocumentError(Issue("invalid-value", str(source), "", f"'{doc_id}' is not a valid document id",
                                     "use letters, digits, '_', '.', '-' (pass --id)"))
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise NewDocumentError(Issue("file-not-found", str(source), "", f"cannot read {source}: {exc.strerror or exc}"))
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NewDocumentError(Issue("invalid-encoding", str(source), "", f"not valid UTF-8 at byte {exc.start}",
                                     "convert the text to UTF-8 first"))
    seed = root / "seeds" / f"{doc_id}.txt"
    annotation = root / "annotations" / f"{doc_id}.json"
    for existing in (seed, annotation):
        if existing.exists():
            raise NewDocumentError(Issue("duplicate-document", str(existing), "", f"{existing} already exists",
                                         "choose another id with --id; seeds are never overwritten"))
    guard = guard or Guard.around(corpora=(root,), allow=("annotations", "seeds"))
    write_bytes(seed, raw, guard=guard)  # never over an existing seed, even one added meanwhile
    empty = {
        "schema_version": "1.0",
        "doc_id": doc_id,
        "seed_file": f"seeds/{doc_id}.txt",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "status": "draft",
        "source": {"publisher": None, "date": None, "title": None},
        "entities": [],
        "events": [],
        "stances": [],
    }
    try:
        write_json(annotation, empty, guard=guard)
    except BaseException:
        seed.unlink(missing_ok=True)  # the seed just written: no half-added document
        raise
    return seed, annotation
