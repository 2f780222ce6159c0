"""Conversions between annotation documents and other tools' formats.

Each format module offers ``export_*(docs) -> {relative path: content}`` and
``import_*(...) -> (list[dict], list[Issue])`` returning annotation-file dicts. Nothing is
dropped silently: what a format cannot express is carried in a documented way or reported.

- :mod:`.brat`: brat standoff (``.txt`` + ``.ann``), both ways, lossless.
- :mod:`.labelstudio`: Label Studio tasks with pre-annotations out, exported tasks in; offsets in
  UTF-16 code units on the Label Studio side, code points on ours; lossless.
- :mod:`.iob2`: CoNLL-style IOB2 token files for entity mentions (outermost, token-aligned
  mentions only; the rest is reported).
"""

from __future__ import annotations

FORMATS = ("json", "brat", "labelstudio", "iob2")

import json
from pathlib import Path

from toolkit.io.read import RawDoc, find_seed, read_json, sha256_of
from toolkit.model.document import Document
from toolkit.model.issues import Issue


class ConversionError(Exception):
    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__(f"{len(issues)} issue(s)")


def complete(data: dict, root: Path) -> dict:
    """Give an imported annotation dict the metadata an annotation file needs (seed file, sha256,
    source), reading the seed ``seeds/<doc_id>.txt`` under ``root``; source metadata, which the
    foreign formats cannot carry, is taken from ``annotations/<doc_id>.json`` when it exists."""
    doc_id = data["doc_id"]
    seed_file = f"seeds/{doc_id}.txt"
    seed = find_seed(root, seed_file)
    source = {"publisher": None, "date": None, "title": None}
    existing = root / "annotations" / f"{doc_id}.json"
    if existing.is_file():
        old, _ = read_json(existing)
        if isinstance(old, dict) and isinstance(old.get("source"), dict):
            source = old["source"]
    return {"schema_version": "1.0", "doc_id": doc_id, "seed_file": seed_file,
            "sha256": sha256_of(seed) if seed else "0" * 64, "source": source,
            "entities": data.get("entities", []), "events": data.get("events", []), "stances": data.get("stances", [])}


def import_source(src: Path, fmt: str) -> tuple[list[dict], list[Issue]]:
    """Read ``src`` in a foreign format: annotation dicts (brat, labelstudio) or prediction dicts (iob2)."""
    from toolkit.formats.brat import import_brat
    from toolkit.formats.iob2 import import_iob2
    from toolkit.formats.labelstudio import import_labelstudio

    if fmt == "brat":
        if not src.is_dir():
            return [], [Issue("file-not-found", str(src), "", "brat input is a folder of .txt and .ann files")]
        out, issues = [], []
        for ann in sorted(src.glob("*.ann")):
            txt = ann.with_suffix(".txt")
            if not txt.is_file():
                issues.append(Issue("file-not-found", str(ann), "", f"{txt.name} is missing beside {ann.name}"))
                continue
            data, found = import_brat(ann.stem, txt.read_text(encoding="utf-8"), ann.read_text(encoding="utf-8"), str(ann))
            out.append(data)
            issues += found
        return out, issues
    if fmt == "labelstudio":
        data, issues = read_json(src)
        if issues:
            return [], issues
        return import_labelstudio(data, str(src))
    if fmt == "iob2":
        try:
            return import_iob2(src.read_text(encoding="utf-8"), str(src))
        except (OSError, UnicodeDecodeError) as exc:
            return [], [Issue("file-not-found", str(src), "", f"cannot read {src}: {exc}")]
    return [], [Issue("invalid-value", str(src), "", f"cannot import from '{fmt}'")]


def export_docs(docs: list[Document], fmt: str) -> tuple[dict[str, str], list[Issue]]:
    """Files (relative path -> text) of ``docs`` in ``fmt``, and notes on what the format could not hold."""
    from toolkit.formats.brat import export_brat
    from toolkit.formats.iob2 import export_iob2
    from toolkit.formats.labelstudio import dumps, export_labelstudio, label_config

    if fmt == "brat":
        return export_brat(docs), []
    if fmt == "labelstudio":
        return {"tasks.json": dumps(export_labelstudio(docs)), "label_config.xml": label_config() + "\n"}, []
    if fmt == "iob2":
        content, notes = export_iob2(docs)
        return {"mentions.iob2": content}, notes
    if fmt == "json":
        return {f"{d.doc_id}.json": json.dumps(d.to_dict(), ensure_ascii=False, indent=2) + "\n" for d in docs}, []
    return {}, [Issue("invalid-value", fmt, "", f"cannot export to '{fmt}'")]


def convert(src: Path, src_fmt: str, dst_fmt: str, root: Path = Path(".")) -> tuple[dict[str, str], list[Issue]]:
    """Convert ``src`` between formats; returns the files to write and every issue or note.

    From ``json`` the source is a folder of annotation files (validated first). Imports from brat
    and Label Studio are completed with seed metadata and validated before any export; IOB2 imports
    are predictions and can only be written as prediction JSON.
    """
    from toolkit.checks.validate import check_raw, load_corpus, InvalidData

    if src_fmt == "json":
        try:
            docs = list(load_corpus(src).values())
        except InvalidData as exc:
            return {}, exc.issues
        return export_docs(docs, dst_fmt)
    dicts, issues = import_source(src, src_fmt)
    if any(i.severity == "error" for i in issues):
        return {}, issues
    if src_fmt == "iob2":
        if dst_fmt != "json":
            return {}, issues + [Issue("invalid-value", str(src), "", "IOB2 holds predictions: convert it to json only")]
        return {f"{d['doc_id']}.json": json.dumps(d, ensure_ascii=False, indent=2) + "\n" for d in dicts}, issues
    docs: list[Document] = []
    for data in dicts:
        full = complete(data, root)
        result = check_raw(RawDoc(full, f"{src}:{data['doc_id']}", "", None), seed_root=root)
        issues += result.issues
        if result.document is not None:
            docs.append(result.document)
    if any(i.severity == "error" for i in issues):
        return {}, issues
    files, notes = export_docs(docs, dst_fmt)
    return files, issues + notes
