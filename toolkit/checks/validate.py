"""Schema issues and semantic issues of annotation documents.

``schema_issues`` maps every JSON Schema error to a located :class:`Issue` with a stable code;
``semantic_issues`` checks what a schema cannot express (offsets against the seed text, ids,
references, roles). Both are generators: collect them all, then report.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from toolkit.io.read import RawDoc, SeedFinder, list_files, locate_seed, read_documents
from toolkit.model.document import Document
from toolkit.checks.fastschema import is_valid
from toolkit.model.labels import SCHEMA_FILES, inventory, load_schema
from toolkit.model.issues import Issue, has_errors, pointer
from toolkit.model.suggest import nearest
from toolkit.io.perf import gc_paused

if TYPE_CHECKING:
    import jsonschema

_LABEL_DEFS = {
    "EntityType": "entity type",
    "MentionKind": "mention kind",
    "Realis": "realis value",
    "StanceLabel": "stance label",
    "Topic": "topic",
    "EventType": "event type",
}


@cache
def validator(kind: str = "annotation") -> jsonschema.Draft202012Validator:
    """The compiled validator of ``annotation`` or ``prediction`` documents (jsonschema is imported
    here, when a document fails the compiled check or a caller asks: 0.1 s no valid input pays)."""
    import jsonschema
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (name, Resource.from_contents(load_schema(name))) for name in SCHEMA_FILES
    )
    return jsonschema.Draft202012Validator(load_schema(f"{kind}.schema.json"), registry=registry)


def _label_kind(schema: object) -> tuple[str, list[str]] | None:
    """If ``schema`` is one of the label inventories, its human name and allowed values."""
    if not isinstance(schema, dict) or "oneOf" not in schema:
        return None
    alts = schema["oneOf"]
    if not all(isinstance(a, dict) and "const" in a for a in alts):
        return None
    values = [a["const"] for a in alts]
    defs = load_schema("labels.schema.json")["$defs"]
    for name, human in _LABEL_DEFS.items():
        if [a["const"] for a in defs[name]["oneOf"]] == values:
            return human, values
    return "label", values


def _allowed_properties(schema: dict, kind: str) -> list[str]:
    """The properties a schema declares, with those of the local definitions it ``$ref``s (unevaluatedProperties sees both)."""
    names = set(schema.get("properties") or {})
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = (load_schema(f"{kind}.schema.json").get("$defs") or {}).get(ref[len("#/$defs/"):])
        if isinstance(target, dict):
            names |= set(_allowed_properties(target, kind))
    return sorted(names)


def _issues_from_error(err: jsonschema.ValidationError, file: str, prefix: str, kind: str = "annotation") -> Iterator[Issue]:
    path = list(err.absolute_path)
    where = prefix + pointer(*path)
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else "?"
        yield Issue("missing-field", file, where + pointer(missing), f"required field '{missing}' is missing",
                    f"add '{missing}' (see schema/ and CONTRIBUTING.md)")
    elif err.validator in ("additionalProperties", "unevaluatedProperties"):
        allowed = _allowed_properties(err.schema, kind)
        extra = sorted(set(err.instance) - set(allowed)) if isinstance(err.instance, dict) else []
        for name in extra or ["?"]:
            close = nearest(name, allowed)
            yield Issue("unknown-field", file, where + pointer(name), f"unknown field {_short(name)}",
                        f"did you mean '{close}'?" if close else f"allowed fields: {', '.join(allowed)}")
    elif err.validator == "type":
        expected = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        yield Issue("wrong-type", file, where, f"expected {expected}, got {type(err.instance).__name__} {_short(err.instance)}")
    elif (label := _label_kind(err.schema)) is not None:
        human, values = label
        if not isinstance(err.instance, str):
            yield Issue("wrong-type", file, where, f"expected a {human} (string), got {_short(err.instance)}")
            return
        close = nearest(err.instance, values)
        hint = f"did you mean '{close}'?" if close else f"one of: {', '.join(values)}"
        yield Issue("unknown-label", file, where, f"unknown {human} {_short(err.instance)}", hint)
    elif err.validator in ("oneOf", "anyOf") and err.context:
        # Pick the most specific sub-error (jsonschema's relevance heuristic).
        from jsonschema.exceptions import best_match

        best = best_match(err.context)
        if best is not None and best.validator not in ("oneOf", "anyOf"):
            yield from _issues_from_error(best, file, prefix, kind)
        else:
            yield Issue("invalid-value", file, where, _span_message(err))
    else:
        yield Issue("invalid-value", file, where, f"{_short(err.instance)}: {err.message}")


def _span_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "anyOf" and isinstance(err.instance, dict):
        return "a span needs 'start' and 'end', or its 'text' (with an optional 'occurrence' or 'context')"
    return err.message


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def schema_issues(data: object, file: str, kind: str = "annotation", prefix: str = "") -> Iterator[Issue]:
    """Every JSON Schema violation of ``data``, as issues sorted by location."""
    if not isinstance(data, dict):
        yield Issue("not-an-object", file, prefix, f"expected a JSON object, got {type(data).__name__}",
                    "an annotation file holds one JSON object; see CONTRIBUTING.md")
        return
    if is_valid(data, kind):  # the compiled check (toolkit/checks/fastschema.py); jsonschema reports the errors
        return
    errors = sorted(validator(kind).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    for err in errors:
        yield from _issues_from_error(err, file, prefix, kind)


def _is_span(x: object) -> bool:
    return (
        isinstance(x, dict)
        and type(x.get("start")) in (int, float)
        and type(x.get("end")) in (int, float)
        and isinstance(x.get("text"), str)
    )


def _span_ok(span: dict, text: str) -> bool:
    """True exactly when :func:`span_issues` finds nothing (checked without building a generator)."""
    start, end, quoted = span["start"], span["end"], span["text"]
    return (type(start) is not float and type(end) is not float and start < end <= len(text)
            and text[start:end] == quoted and quoted == quoted.strip())


def span_issues(span: dict, text: str, file: str, where: str) -> Iterator[Issue]:
    """Offsets of one span against the seed text."""
    start, end, quoted = span["start"], span["end"], span["text"]
    for key in ("start", "end"):
        # JSON Schema counts 13.0 as an integer; an offset must still be written as one
        if type(span[key]) is float:
            yield Issue("wrong-type", file, f"{where}/{key}", f"{key} {span[key]!r} is not a whole number written without a decimal point",
                        f"write {int(span[key])}" if span[key].is_integer() and abs(span[key]) < 2**63 else None)
            return
    if end <= start:
        yield Issue("span-reversed", file, where + "/end", f"end {end} is not after start {start}",
                    _occurs_hint(quoted, text, start))
        return
    if end > len(text):
        yield Issue("span-out-of-bounds", file, where + "/end",
                    f"end {end} is beyond the text, which has {len(text)} characters", _occurs_hint(quoted, text, start))
        return
    actual = text[start:end]
    if actual != quoted:
        yield Issue("span-text-mismatch", file, where + "/text",
                    f"text {quoted!r} differs from the seed slice {start}-{end}, {actual!r}", _occurs_hint(quoted, text, start))
    elif actual != actual.strip():
        yield Issue("span-whitespace", file, where, f"span {start}-{end} {actual!r} starts or ends with whitespace",
                    f"trim it to {actual.strip()!r}")


def _occurs_hint(quoted: str, text: str, near: int) -> str | None:
    hits = []
    i = text.find(quoted)
    while i != -1 and quoted:
        hits.append(i)
        i = text.find(quoted, i + 1)
    if not hits:
        return f"{quoted!r} does not occur in the seed text"
    hits.sort(key=lambda h: abs(h - near))
    shown = ", ".join(f"{h}-{h + len(quoted)}" for h in sorted(hits[:3]))
    more = f" (and {len(hits) - 3} more)" if len(hits) > 3 else ""
    return f"{quoted!r} occurs at {shown}{more}"


def semantic_issues(data: dict, text: str, file: str, prefix: str = "") -> Iterator[Issue]:
    """What the schema cannot check: offsets, unique ids, references, roles and mention overlap.

    Written defensively, so it can run on a document that also has schema errors: an item of
    the wrong shape is skipped here (the schema issues already report it).
    """
    inv = inventory()
    ids: dict[str, str] = {}

    def claim(id_: object, where: str) -> Issue | None:
        if not isinstance(id_, str):
            return None
        if id_ in ids:
            return Issue("duplicate-id", file, where, f"id '{id_}' is already used at {ids[id_]}",
                         "give every entity, mention, event and stance its own id")
        ids[id_] = where
        return None

    def items(key: str) -> list[tuple[int, dict]]:
        value = data.get(key)
        return [(i, x) for i, x in enumerate(value) if isinstance(x, dict)] if isinstance(value, list) else []

    mention_type: dict[str, str] = {}
    entity_ids: set[str] = set()
    spans: list[tuple[int, int, str]] = []
    for i, ent in items("entities"):
        # Pointers are strings of the form prefix + "/entities/<i>/...": the path parts here are
        # ints and fixed keys, which pointer() leaves unescaped, so they are formatted directly.
        ewhere = f"{prefix}/entities/{i}"
        if (issue := claim(ent.get("id"), ewhere + "/id")) is not None:
            yield issue
        if isinstance(ent.get("id"), str):
            entity_ids.add(ent["id"])
        mentions = ent.get("mentions") if isinstance(ent.get("mentions"), list) else []
        for j, m in enumerate(mentions):
            if not isinstance(m, dict):
                continue
            where = f"{ewhere}/mentions/{j}"
            if (issue := claim(m.get("id"), where + "/id")) is not None:
                yield issue
            if isinstance(m.get("id"), str):
                mention_type[m["id"]] = ent.get("type") if isinstance(ent.get("type"), str) else None
            if _is_span(m):
                if _span_ok(m, text):  # the usual case, without a generator per span
                    spans.append((m["start"], m["end"], where))
                    continue
                found = list(span_issues(m, text, file, where))
                yield from found
                if not found:
                    spans.append((m["start"], m["end"], where))
    spans.sort(key=lambda s: (s[0], -s[1]))  # containers before what they contain
    yield from _overlap_issues(spans, file)

    for i, ev in items("events"):
        where = f"{prefix}/events/{i}"
        if (issue := claim(ev.get("id"), where + "/id")) is not None:
            yield issue
        if _is_span(ev.get("trigger")) and not _span_ok(ev["trigger"], text):
            yield from span_issues(ev["trigger"], text, file, where + "/trigger")
        roles = inv.roles.get(ev["type"]) if isinstance(ev.get("type"), str) else None
        seen: set[tuple] = set()
        args = ev.get("arguments") if isinstance(ev.get("arguments"), list) else []
        for k, arg in enumerate(args):
            if not isinstance(arg, dict) or not isinstance(arg.get("role"), str):
                continue
            aw = f"{where}/arguments/{k}"
            role, mid = arg["role"], arg.get("mention")
            key = (role, mid if isinstance(mid, str) else repr(mid))
            if key in seen:
                yield Issue("duplicate-argument", file, aw, f"argument {role} -> {mid} is given twice", "remove one")
            seen.add(key)
            if roles is not None and role not in roles:
                close = difflib.get_close_matches(role, list(roles), n=1)
                yield Issue("role-not-allowed", file, aw + "/role", f"role '{role}' is not a role of {ev['type']}",
                            (f"did you mean '{close[0]}'? " if close else "") + f"roles of {ev['type']}: {', '.join(roles)}")
            if not isinstance(mid, str):
                continue
            if mid not in mention_type:
                yield Issue("dangling-reference", file, aw + "/mention", f"argument mention '{mid}' does not exist",
                            "use the id of a mention under /entities")
            elif roles is not None and role in roles and mention_type[mid] in inv.entity_types and mention_type[mid] not in roles[role]:
                yield Issue("role-type-mismatch", file, aw + "/mention",
                            f"role {role} of {ev['type']} admits {', '.join(roles[role])}, but mention '{mid}' is {mention_type[mid]}",
                            "pick another role, or check the entity's type")

    event_ids = {ev["id"] for _, ev in items("events") if isinstance(ev.get("id"), str)}
    for i, st in items("stances"):
        where = f"{prefix}/stances/{i}"
        if (issue := claim(st.get("id"), where + "/id")) is not None:
            yield issue
        holder = st.get("holder")
        if isinstance(holder, str) and holder not in entity_ids:
            hint = "the holder is an entity id" + (" (not a mention id)" if holder in mention_type else "")
            yield Issue("dangling-reference", file, where + "/holder", f"holder '{holder}' is not an entity", hint)
        target = st.get("target")
        if isinstance(target, dict) and isinstance(target.get("id"), str):
            kind, tid = target.get("kind"), target["id"]
            if kind == "event" and tid not in event_ids:
                yield Issue("dangling-reference", file, where + "/target/id", f"target event '{tid}' does not exist")
            elif kind == "entity" and tid not in entity_ids:
                yield Issue("dangling-reference", file, where + "/target/id", f"target entity '{tid}' does not exist")
        evidence = st.get("evidence") if isinstance(st.get("evidence"), list) else []
        for k, span in enumerate(evidence):
            if _is_span(span) and not _span_ok(span, text):
                yield from span_issues(span, text, file, f"{where}/evidence/{k}")


def _overlap_issues(spans: list[tuple[int, int, str]], file: str) -> Iterator[Issue]:
    """Duplicate and crossing mention spans; ``spans`` sorted by (start, -end). Nesting is allowed."""
    open_spans: list[tuple[int, int, str]] = []
    for start, end, where in spans:
        open_spans = [s for s in open_spans if s[1] > start]
        for o_start, o_end, o_where in open_spans:
            if (o_start, o_end) == (start, end):
                yield Issue("duplicate-mention", file, where, f"mention {start}-{end} has the same span as {o_where}",
                            "a span is one mention of one entity: remove one, or merge the entities")
            elif o_end < end:  # starts inside the open span and ends after it
                yield Issue("crossing-mentions", file, where,
                            f"mention {start}-{end} crosses mention {o_start}-{o_end} at {o_where}",
                            "mentions may nest but not cross: fix one of the boundaries")
        open_spans.append((start, end, where))


@dataclass
class FileResult:
    file: str
    document: Document | None
    issues: list[Issue] = field(default_factory=list)
    passed: tuple[int, str] | None = None
    """For a document the columnar path passed (``document`` is then None): (its part's index in
    :attr:`ValidationReport.parts`, its doc id)."""


@dataclass
class ValidationReport:
    """What ``toolkit validate`` found: one result per file, every issue of every file."""

    results: list[FileResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    parts: list = field(default_factory=list)
    """The documents that passed the columnar checks (:class:`toolkit.checks.columnar.GoldPart`),
    which have no :class:`FileResult` document of their own."""

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)

    @property
    def documents(self) -> list[Document]:
        """Every valid document, in the order of the files (a document the columnar path passed is
        built from its part's tables)."""
        from toolkit.model.corpus import Corpus

        corpora: dict[int, Corpus] = {}
        out = []
        for r in self.results:
            if r.document is not None:
                out.append(r.document)
            elif r.passed is not None:
                k, doc_id = r.passed
                if k not in corpora:
                    part = self.parts[k]
                    if part.tables is None:
                        raise ValueError("validated with documents=False: the documents were not kept")
                    corpora[k] = Corpus({}, part.tables, part.texts, part.meta)
                out.append(corpora[k][doc_id])
        return out


_SEED_FILE = re.compile(r"seeds/[A-Za-z0-9_.-]+\.txt")  # = the seed_file pattern of schema/annotation.schema.json


def check_raw(raw: RawDoc, seed_root: Path | None = None, seeds: SeedFinder | None = None) -> FileResult:
    """Validate one parsed annotation document: schema, seed, checksum, then semantics.

    ``seeds``: a :class:`~toolkit.io.read.SeedFinder` shared by the documents of one run (finds the
    same files as :func:`~toolkit.io.read.find_seed`, faster).
    """
    data, file, prefix = raw.data, raw.file, raw.prefix
    issues = list(schema_issues(data, file, "annotation", prefix))
    if not isinstance(data, dict):
        return FileResult(file, None, issues)
    doc_id, seed_file = data.get("doc_id"), data.get("seed_file")
    if not isinstance(seed_file, str):
        return FileResult(file, None, issues)
    if isinstance(doc_id, str) and Path(seed_file).stem != doc_id:
        issues.append(Issue("doc-id-mismatch", file, prefix + "/seed_file",
                            f"seed_file '{seed_file}' does not belong to doc_id '{doc_id}'", f"expected seeds/{doc_id}.txt"))
    if not _SEED_FILE.fullmatch(seed_file) or len(seed_file) > 255 + len("seeds/"):
        # Never opened: only a plain seeds/<name>.txt is read (the schema reports the pattern; an
        # absolute path or a '..' would read, and quote in span messages, a file outside the corpus).
        if not any(i.pointer == prefix + "/seed_file" and i.code == "invalid-value" for i in issues):
            issues.append(Issue("invalid-value", file, prefix + "/seed_file", f"seed_file {_short(seed_file)} is not seeds/<name>.txt "
                                "with a name of at most 255 bytes", "seed texts are read from the corpus's seeds/ folder only"))
        return FileResult(file, None, issues)
    base = seed_root if seed_root is not None else (raw.path.parent if raw.path else Path.cwd())
    seed, refused = seeds.locate(base, seed_file) if seeds is not None else locate_seed(base, seed_file)
    if refused is not None:
        issues.append(Issue("outside-corpus", file, prefix + "/seed_file",
                            f"{refused} leads (through a symbolic link) to {os.path.realpath(refused)}, outside {refused.parent}; not read",
                            "seed texts are read from the corpus's seeds/ folder only: put the file itself there"))
        return FileResult(file, None, issues)
    if seed is None:
        issues.append(Issue("missing-seed", file, prefix + "/seed_file", f"seed text '{seed_file}' not found",
                            "add the text with `toolkit new PATH.txt`, or fix seed_file"))
        return FileResult(file, None, issues)
    # One read for the text and the checksum: decoding the bytes as UTF-8 gives exactly the text
    # read_seed() reads (no newline translation, a BOM kept), and fails exactly when it fails.
    try:
        raw_bytes = seed.read_bytes()
    except OSError as exc:
        issues.append(Issue("missing-seed", file, prefix + "/seed_file", f"cannot read the seed text {seed}: {exc.strerror or exc}"))
        return FileResult(file, None, issues)
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        issues.append(Issue("invalid-encoding", str(seed), "", "the seed text is not valid UTF-8"))
        return FileResult(file, None, issues)
    digest = hashlib.sha256(raw_bytes).hexdigest()
    if isinstance(data.get("sha256"), str) and data["sha256"] != digest:
        issues.append(Issue("sha256-mismatch", file, prefix + "/sha256",
                            f"sha256 does not match {seed_file}", f"the seed's sha256 is {digest}"))
    issues.extend(semantic_issues(data, text, file, prefix))
    document = None if has_errors(issues) else Document.from_dict(data, text)
    return FileResult(file, document, issues)


@gc_paused()
def validate_paths(paths: Iterable[Path | str], recursive: bool = True, select=None, documents: bool = True) -> ValidationReport:
    """Validate every annotation file under ``paths`` (folders are searched for ``*.json``).

    ``select(path, table)``: only the rows (line indices) it returns of each JSONL file are checked
    (a partition of the corpus, :mod:`toolkit.evaluation.partitions`); a file that is not JSONL read
    whole by Arrow then raises :class:`toolkit.io.arrow.NotColumnar`. ``documents=False``: the
    issues only (what ``toolkit validate`` reports); the documents the columnar path passes are
    not kept, so :attr:`ValidationReport.documents` is refused (at 50,000 documents their item
    tables and pandas' import were 0.3-0.5 s of the command).
    """
    files, issues = list_files(list(paths), recursive=recursive, suffixes=(".json", ".jsonl"), confine=True)
    report = ValidationReport(issues=list(issues))
    seen: dict[str, str] = {}
    seeds = SeedFinder()
    for unit in file_units(files):
        fast = _columnar(unit, seeds, select, None if recursive else seen, documents)
        if fast is None and select is not None:
            from toolkit.io.arrow import NotColumnar

            raise NotColumnar(str(unit[0]))
        parts, per_file = fast if fast is not None else ([], [None] * len(unit))
        first = len(report.parts)
        report.parts.extend(parts)  # the columnar happy path: only the documents it does not pass are read row by row
        for path, got in zip(unit, per_file):
            if got is None:
                raws, read_issues = read_documents(path)
            else:
                passed, raws = got
                name = str(path)
                # never one of `seen`: the columnar check leaves those to the row-wise one
                report.results.extend(FileResult(name, None, [], (first + k, doc_id)) for k, doc_id in passed)
                if recursive is False:
                    seen.update((doc_id, name) for _, doc_id in passed)
                read_issues = []
            report.issues.extend(read_issues)
            if read_issues and not raws:
                report.results.append(FileResult(str(path), None, read_issues))
            for raw in raws:
                result = check_raw(raw, seeds=seeds)
                doc_id = raw.data.get("doc_id") if isinstance(raw.data, dict) else None
                if isinstance(doc_id, str) and recursive is False:
                    if doc_id in seen:
                        result.issues.append(Issue("duplicate-document", raw.file, raw.prefix + "/doc_id",
                                                   f"doc_id '{doc_id}' is also in {seen[doc_id]}"))
                        result.document = None
                    seen[doc_id] = raw.file
                report.results.append(result)
                report.issues.extend(result.issues)
    return report


def file_units(files: list[Path]) -> list[list[Path]]:
    """The files in order, as the units the columnar path reads: a ``.jsonl`` file alone, a run of
    ``.json`` files in one folder together (one table of all of them)."""
    units: list[list[Path]] = []
    for f in files:
        if f.suffix == ".json" and units and units[-1][-1].suffix == ".json" and units[-1][-1].parent == f.parent:
            units[-1].append(f)
        else:
            units.append([f])
    return units


def _unit_ids(unit: list[Path], groups, read) -> set[str]:
    """The doc ids of the files of a unit that no group of :func:`~toolkit.io.arrow.read_json_files`
    holds, read by ``read(file)`` (their raw documents). A document of a group with one of them goes
    row-wise: whichever comes first then keeps it, as when every file is read row-wise."""
    grouped = {int(k) for index, _, _ in groups for k in index}
    ids = set()
    for k, f in enumerate(unit):
        if k not in grouped:
            ids |= {raw.data["doc_id"] for raw in read(f) if isinstance(raw.data, dict) and isinstance(raw.data.get("doc_id"), str)}
    return ids


def _columnar(unit: list[Path], seeds: SeedFinder, select=None, claimed=None, tables: bool = True):
    """What the columnar path makes of a unit of files (:func:`file_units`): None when it reads none
    of them; else (its parts, per file: None for a file to read row-wise whole, or (the (index of
    its part, doc id) of each document passed, the raw documents of the others)). ``claimed``: the doc ids
    earlier files hold, when a doc id may be given once only (see :func:`~toolkit.checks.columnar.check_gold`)."""
    from toolkit.checks.columnar import check_gold
    from toolkit.io.arrow import ANNOTATION, read_json_files, read_jsonl
    from toolkit.io.read import _parse

    path = unit[0]
    if path.suffix != ".jsonl":
        if select is not None:
            return None
        groups = read_json_files(unit, ANNOTATION)
        if not groups:
            return None
        parts, per_file = [], [None] * len(unit)
        if claimed is not None:  # the doc ids of the files read row-wise count as claimed, wherever they are in the unit
            claimed = set(claimed) | _unit_ids(unit, groups, lambda f: read_documents(f)[0])
        while groups:
            index, table, data = groups.pop(0)  # its bytes are let go once it is checked
            part = check_gold(table, data, lambda seed_files: seeds.start_reading(path.parent, seed_files), claimed, tables)
            for r, doc_id in zip(part.rows.tolist(), part.doc_ids):
                per_file[int(index[r])] = ([(len(parts), doc_id)], [])
            parts.append(part)
            if claimed is not None:
                claimed |= {d for d in table.column("doc_id").to_pylist() if d is not None}
        return parts, per_file
    if select is not None:  # a partition: only its lines are parsed
        from toolkit.io.arrow import read_jsonl_rows

        read = read_jsonl_rows(path, ANNOTATION, select, ("doc_id", "status"))
        if read is None:
            return None
        table, data, line_of = read
    else:
        read = read_jsonl(path, ANNOTATION)
        if read is None:
            return None
        table, data = read
        line_of = None
    part = check_gold(table, data, lambda seed_files: seeds.start_reading(path.parent, seed_files), claimed, tables)
    lines = data.decode("utf-8").split("\n") if len(part.failed) else []
    del read, table, data  # the file's bytes and its parsed table: the part holds what is needed
    line = (lambda r: int(line_of[r])) if line_of is not None else int
    raws = []
    for r in part.failed.tolist():
        value, _ = _parse(lines[r], str(path), pointer(line(r)))
        raws.append(RawDoc(value, str(path), pointer(line(r)), path))
    return [part], [([(0, doc_id) for doc_id in part.doc_ids], raws)]


class InvalidData(Exception):
    """Raised by loaders when the data does not validate; carries every issue."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__(f"{sum(i.severity == 'error' for i in issues)} error(s)")


def load_corpus(path: Path | str = "annotations", select=None) -> dict[str, Document]:
    """Load the gold documents of a folder (its top-level ``*.json``), keyed by doc id.

    Raises :class:`InvalidData` with every issue when any file does not validate.
    """
    from toolkit.model.corpus import Corpus, Meta, concat_tables

    report = validate_paths([path], recursive=False, select=select)
    if not report.ok:
        raise InvalidData(report.issues)
    documents = {r.document.doc_id: r.document for r in report.results if r.document is not None}  # the rest stay tables
    if not report.parts:
        return Corpus(documents)
    part = concat_tables([p.tables for p in report.parts])
    return Corpus(documents, part, [x for p in report.parts for x in p.texts], Meta.concat([p.meta for p in report.parts]))
