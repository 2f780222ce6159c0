"""Conversions between annotation documents and other tools' formats.

Each format module offers ``export_*(docs) -> {relative path: content}`` and
``import_*(...) -> (list[dict], list[Issue])`` returning annotation-file dicts. Nothing is
dropped silently: what a format cannot express is carried in a documented way or reported.

- :mod:`.brat`: brat standoff (``.txt`` + ``.ann`` + the collection's ``.conf`` files), both ways, lossless.
- :mod:`.labelstudio`: Label Studio tasks with pre-annotations and the labelling config out,
  exported tasks in (every annotation a pass); offsets in code points on both sides; lossless.
- :mod:`.iob2`: CoNLL-style IOB2 token files for entity mentions (outermost, token-aligned
  mentions only; the rest is reported), and plain 2-column CoNLL (``token tag``) in.
- :mod:`.spacy`: a spaCy ``DocBin`` (``doc.ents`` and a span group of every mention) out.
"""

from __future__ import annotations

FORMATS = ("json", "brat", "labelstudio", "iob2", "conll", "spacy")

import json
import re
from pathlib import Path

from toolkit.io.read import RawDoc, find_seed, read_json, sha256_of
from toolkit.model.document import Document
from toolkit.model.issues import Issue


class ConversionError(Exception):
    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__(f"{len(issues)} issue(s)")




def read_text(path: Path, label: str | None = None, allow_empty: bool = True) -> tuple[str | None, list[Issue]]:
    """The UTF-8 text of ``path`` exactly as stored (no newline translation; a leading BOM is
    dropped), or None and an issue naming the file and the byte that is wrong."""
    label = label or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Issue("file-not-found", label, "", f"no such file: {label}", "check the path")]
    except OSError as exc:
        return None, [Issue("file-not-found", label, "", f"cannot read {label}: {exc.strerror or exc}")]
    if not allow_empty and not raw.strip():
        return None, [Issue("empty-file", label, "", "the file is empty")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, [Issue("invalid-encoding", label, f"/line/{line}",
                            f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start} (line {line})",
                            "save the file as UTF-8")]


def complete(data: dict, root: Path) -> dict:
    """Give an imported annotation dict the metadata an annotation file needs (seed file, sha256,
    source), reading the seed ``seeds/<doc_id>.txt`` under ``root``. Source metadata and notes,
    which the foreign formats cannot carry, come from the import when it has them (brat's
    ``<doc_id>.meta.json``, a Label Studio task's ``data.source``), else from
    ``annotations/<doc_id>.json`` when it exists."""
    doc_id = data["doc_id"]
    seed_file = f"seeds/{doc_id}.txt"
    seed = find_seed(root, seed_file)
    source = {"publisher": None, "date": None, "title": None}
    notes = None
    existing = root / "annotations" / f"{doc_id}.json"
    # only a plain id names a file (an imported doc_id such as ../../x must not make this read a file elsewhere)
    if isinstance(doc_id, str) and re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", doc_id) and existing.is_file():
        old, _ = read_json(existing)
        if isinstance(old, dict) and isinstance(old.get("source"), dict):
            source = old["source"]
        if isinstance(old, dict) and isinstance(old.get("notes"), str):
            notes = old["notes"]
    if isinstance(data.get("source"), dict):
        source = data["source"]
    if isinstance(data.get("notes"), str):
        notes = data["notes"]
    out = {"schema_version": "1.0", "doc_id": doc_id, "seed_file": seed_file,
           "sha256": sha256_of(seed) if seed else "0" * 64, "source": source}
    if notes:
        out["notes"] = notes
    out.update(entities=data.get("entities", []), events=data.get("events", []), stances=data.get("stances", []))
    return out


def _doc_id_issue(doc_id: str, file: str, where: str) -> list[Issue]:
    from toolkit.formats.ids import doc_id_problem

    problem = doc_id_problem(doc_id)
    return [Issue("invalid-value", file, where, problem, "document ids become file names; rename it")] if problem else []


def seed_texts(root: Path) -> dict[str, str]:
    """``{doc_id: text}`` of the seeds under ``root`` (``seeds/*.txt``), for CoNLL files, which have no offsets."""
    out = {}
    for path in sorted((root / "seeds").glob("*.txt")):
        text, _ = read_text(path)
        if text is not None:
            out[path.stem] = text
    return out


def import_source(src: Path, fmt: str, root: Path = Path(".")) -> tuple[list[dict], list[Issue]]:
    """Read ``src`` in a foreign format: annotation dicts (brat, labelstudio) or prediction dicts (iob2, conll)."""
    from toolkit.formats.brat import import_brat
    from toolkit.formats.iob2 import import_conll, import_iob2
    from toolkit.formats.labelstudio import import_labelstudio

    if fmt == "brat":
        if not src.is_dir():
            return [], [Issue("file-not-found", str(src), "", "brat input is a folder of .txt and .ann files")]
        out, issues = [], []
        anns = sorted(src.glob("*.ann"))
        if not anns:
            issues.append(Issue("file-not-found", str(src), "", f"{src} holds no .ann file", "give the folder of a brat collection"))
        for ann in anns:
            txt = ann.with_suffix(".txt")
            found = _doc_id_issue(ann.stem, str(ann), "")
            if not txt.is_file():
                found.append(Issue("file-not-found", str(ann), "", f"{txt.name} is missing beside {ann.name}"))
            if found:
                issues += found
                continue
            text, t_issues = read_text(txt)
            body, a_issues = read_text(ann)
            meta, m_issues = None, []
            meta_path = ann.with_name(f"{ann.stem}.meta.json")
            if meta_path.is_file():
                meta, m_issues = read_json(meta_path)
                if not m_issues and not isinstance(meta, dict):
                    m_issues = [Issue("not-an-object", str(meta_path), "", "the .meta.json of a brat document is a JSON object")]
                if not m_issues:
                    from toolkit.formats.ids import lone_surrogates

                    m_issues = lone_surrogates(meta, str(meta_path))
            issues += t_issues + a_issues + m_issues
            if text is None or body is None or m_issues:
                continue
            data, found = import_brat(ann.stem, text, body, str(ann), meta)
            out.append(data)
            issues += found
        return out, issues
    if fmt == "labelstudio":
        data, issues = read_json(src)
        if issues:
            return [], issues
        return import_labelstudio(data, str(src))
    if fmt in ("iob2", "conll"):
        content, issues = read_text(src)
        if content is None:
            return [], issues
        if fmt == "iob2":
            return import_iob2(content, str(src))
        return import_conll(content, str(src), seed_texts(root))
    return [], [Issue("invalid-value", str(src), "", f"cannot import from '{fmt}'")]


def export_docs(docs: list[Document], fmt: str) -> tuple[dict[str, str | bytes], list[Issue]]:
    """Files (relative path -> text, or bytes for spaCy) of ``docs`` in ``fmt``, and notes on what the
    format could not hold."""
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
    if fmt == "spacy":
        from toolkit.formats.spacy import SpacyUnavailable, export_spacy

        try:
            return {"mentions.spacy": export_spacy(docs)}, []
        except SpacyUnavailable as exc:
            return {}, [Issue("invalid-value", "--to spacy", "", str(exc), "pip install 'toolkit[spacy]'")]
    if fmt == "json":
        return {f"{d.doc_id}.json": json.dumps(d.to_dict(), ensure_ascii=False, indent=2) + "\n" for d in docs}, []
    return {}, [Issue("invalid-value", fmt, "", f"cannot export to '{fmt}'")]


PREDICTION_FORMATS = ("iob2", "conll")
"""Formats that hold predictions (entity mentions without ids, kinds or coreference), not annotations."""


EXPORT_FORMATS = ("json", "brat", "labelstudio", "iob2", "spacy")
"""Formats :func:`export_docs` writes (CoNLL is read only: IOB2 is its written form)."""


def unsupported(src_fmt: str, dst_fmt: str) -> tuple[str, str] | None:
    """(what is wrong, how to proceed) when ``src_fmt`` cannot be converted to ``dst_fmt`` at all, else None:
    a choice of options, which the CLI reports as a usage error before reading anything."""
    if dst_fmt not in EXPORT_FORMATS:
        return (f"--to {dst_fmt}: {dst_fmt} files are read (--from {dst_fmt}), not written",
                "write --to iob2: one token and its IOB2 tag per line, the CoNLL-2003 layout token-classification tools read")
    if src_fmt in PREDICTION_FORMATS and dst_fmt != "json":
        return (f"--from {src_fmt} --to {dst_fmt}: {src_fmt} files hold predictions (entity mentions without ids, kinds or "
                "coreference), which only --to json writes", f"convert with --to json, then score with `toolkit eval --pred`")
    return None


def convert(src: Path, src_fmt: str, dst_fmt: str, root: Path = Path(".")) -> tuple[dict[str, str | bytes], list[Issue]]:
    """Convert ``src`` between formats; returns the files to write and every issue or note.

    From ``json`` the source is a folder of annotation files (validated first). Imports from brat
    and Label Studio are completed with seed metadata and validated before any export; IOB2 and
    CoNLL imports are predictions and can only be written as prediction JSON. A Label Studio
    export with several annotations per task gives one folder per annotator (``<pass>/<doc_id>.json``,
    ready for ``toolkit agree``).
    """
    from toolkit.checks.validate import check_raw, load_corpus, InvalidData

    refused = unsupported(src_fmt, dst_fmt)
    if refused is not None:
        return {}, [Issue("invalid-value", str(src), "", *refused)]
    if src_fmt == "json":
        try:
            docs = list(load_corpus(src).values())
        except InvalidData as exc:
            return {}, exc.issues
        return export_docs(docs, dst_fmt)
    dicts, issues = import_source(src, src_fmt, root)
    if any(i.severity == "error" for i in issues):
        return {}, issues
    if src_fmt in PREDICTION_FORMATS:
        return {f"{d['doc_id']}.json": json.dumps(d, ensure_ascii=False, indent=2) + "\n" for d in dicts}, issues
    groups: dict[str | None, list[Document]] = {}
    for data in dicts:
        full = complete(data, root)
        name = data.get("pass")
        label = f"{src}:{data['doc_id']}" + (f" ({name})" if name else "")
        result = check_raw(RawDoc(full, label, "", None), seed_root=root)
        issues += result.issues
        if result.document is not None:
            groups.setdefault(name, []).append(result.document)
    if any(i.severity == "error" for i in issues):
        return {}, issues
    files: dict[str, str | bytes] = {}
    for name, docs in groups.items():
        out, notes = export_docs(docs, dst_fmt)
        issues += notes
        files.update({(f"{name}/{k}" if name else k): v for k, v in out.items()})
    return files, issues
