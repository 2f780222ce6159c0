"""Annotator workflow: turning drafts into annotation files, adding new documents."""

from __future__ import annotations

from pathlib import Path

from toolkit.predictions.anchor import draft_to_annotation
from toolkit.io.read import find_seed, read_json, read_seed, sha256_of
from toolkit.model.issues import Issue, has_errors
from toolkit.checks.validate import check_raw
from toolkit.io.read import RawDoc
from toolkit.io.write import write_json_atomic


def anchor_drafts(drafts: list[Path], out: Path) -> tuple[list[Path], list[Issue]]:
    """Anchor each draft strictly and write ``out/<doc_id>.json`` when it anchors and validates."""
    written: list[Path] = []
    issues: list[Issue] = []
    for draft_path in drafts:
        data, read_issues = read_json(draft_path)
        issues.extend(read_issues)
        if not isinstance(data, dict) or not isinstance(data.get("doc_id"), str):
            if not read_issues and not isinstance(data, dict):  # JSON null, a list, a number ...
                issues.append(Issue("not-an-object", str(draft_path), "", f"expected a JSON object, got {type(data).__name__}",
                                    "a draft holds one JSON object with its doc_id"))
            elif not read_issues:
                issues.append(Issue("missing-field", str(draft_path), "/doc_id", "a draft needs its doc_id"))
            continue
        seed_file = f"seeds/{data['doc_id']}.txt"
        seed = find_seed(draft_path.parent, seed_file)
        if seed is None:
            issues.append(Issue("missing-seed", str(draft_path), "/doc_id", f"seed text '{seed_file}' not found"))
            continue
        annotation, found = draft_to_annotation(data, read_seed(seed), seed_file, sha256_of(seed), str(draft_path))
        target = out / f"{data['doc_id']}.json"
        check = check_raw(RawDoc(annotation, str(target), "", target), seed_root=seed.parent.parent)
        found.extend(check.issues)
        issues.extend(found)
        if not has_errors(found):
            write_json_atomic(target, annotation)
            written.append(target)
    return written, issues


class NewDocumentError(Exception):
    """Why a document could not be added (an Issue)."""

    def __init__(self, issue: Issue):
        self.issue = issue
        super().__init__(issue.message)


def new_document(source: Path, root: Path = Path("."), doc_id: str | None = None) -> tuple[Path, Path]:
    """Copy a text into ``root/seeds/`` byte for byte and write an empty, valid annotation file.

    The annotation file has ``"status": "draft"``: the document is not gold until it has been
    annotated twice and adjudicated (``toolkit adjudicate`` writes it without that status), so
    ``toolkit eval`` does not score systems against it and ``toolkit publish`` leaves it out.
    Returns ``(seed_path, annotation_path)``. Refuses (raises :class:`NewDocumentError`) when the
    text is not UTF-8, or when a seed or annotation of that id already exists: seeds are never
    overwritten.
    """
    import re
    import shutil

    doc_id = doc_id or source.stem
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", doc_id):
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
    seed.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, seed)
    empty = {
        "schema_version": "1.0",
        "doc_id": doc_id,
        "seed_file": f"seeds/{doc_id}.txt",
        "sha256": sha256_of(seed),
        "status": "draft",
        "source": {"publisher": None, "date": None, "title": None},
        "entities": [],
        "events": [],
        "stances": [],
    }
    write_json_atomic(annotation, empty)
    return seed, annotation
