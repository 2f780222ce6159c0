"""System predictions: files -> raw dicts -> schema issues -> anchored spans -> prediction documents.

A prediction set is a folder of per-document ``*.json`` files (and/or ``*.jsonl`` files, one
document per line), or one ``.json`` / ``.jsonl`` file. Each document is checked against
``schema/prediction.schema.json``; spans given by their text alone are anchored to offsets in the
gold document's text (:func:`toolkit.predictions.anchor.anchor_document`, lenient mode); then ids and
references are checked; then the document becomes a frozen :class:`~toolkit.model.document.Document`,
the same type as a gold document, so a gold annotation file loads as a prediction unchanged.

Prediction-only shapes: ids are optional (missing ones are derived, ``~e1``, ``~m1.2``, ...);
a mention without ``kind`` gets kind ``""`` and realis may be ``""``; an argument given by its
span is a :class:`SpanArgument`; a stance holder given by its span is a :class:`PredStance` with
``holder_span`` set and ``holder`` empty.

Issues (every one reported, nothing dropped silently):

- schema violations (codes of :mod:`toolkit.checks.validate`), errors; such a document is not scored;
- ``unanchored-quote`` (error) and ``ambiguous-quote`` / ``span-text-mismatch`` (warnings) from
  anchoring; a span that cannot be anchored is left out (with its event, if it is the trigger);
- ``duplicate-id`` and ``dangling-reference`` (errors): ids given twice, references to an id the
  document does not define; ``role-not-allowed`` (warning): the role is scored as given and
  simply cannot match a gold argument;
- ``unknown-document`` (error): a doc_id the gold set does not have;
- ``duplicate-document`` (error): the same doc_id twice (the first one is kept);
- ``missing-prediction`` (warning): a gold document with no prediction, scored as predicting
  nothing; ``sha256-mismatch`` (warning): the prediction names another version of the text.

Nothing here raises on bad input, prints or exits.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from toolkit.predictions.anchor import anchor_document
from toolkit.io.read import RawDoc, list_files, read_documents
from toolkit.model.document import Argument, Document, Entity, Event, Mention, Span, Stance, Target
from toolkit.model.labels import inventory
from toolkit.model.issues import Issue, has_errors, pointer
from toolkit.io.perf import gc_paused
from toolkit.checks.validate import schema_issues


@dataclass(frozen=True)
class SpanArgument(Argument):
    """An argument a system gave by its span (``mention_id`` is the mention id if also given, else "")."""

    span: Span | None = None


@dataclass(frozen=True)
class PredStance(Stance):
    """A stance whose holder a system gave by its span (``holder`` is "")."""

    holder_span: Span | None = None


def argument_span(arg: Argument, mentions: Mapping[str, Mention]) -> Span | None:
    """The span of an argument: its own span, else the span of the mention it names."""
    span = getattr(arg, "span", None)
    if span is not None:
        return span
    mention = mentions.get(arg.mention_id)
    return mention.span if mention is not None else None


def holder_spans(stance: Stance, entities: Mapping[str, Entity]) -> frozenset[tuple[int, int]]:
    """Offsets of every mention of the stance's holder (or the holder's own span)."""
    span = getattr(stance, "holder_span", None)
    if span is not None:
        return frozenset({span.offsets})
    entity = entities.get(stance.holder)
    return frozenset(m.span.offsets for m in entity.mentions) if entity is not None else frozenset()


@dataclass
class PredictionSet:
    """What :func:`load_predictions` found: documents to score and every issue met on the way.

    ``documents`` holds the usable predictions by doc id; ``missing`` lists the gold documents
    with no prediction (scored as predicting nothing); ``unknown`` lists predicted doc ids the
    gold set does not have (not scored).
    """

    documents: dict[str, Document] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)


_SPAN_KEYS = ("start", "end", "text")


def reference_issues(data: dict, file: str, prefix: str = "") -> list[Issue]:
    """Ids given twice, references to undefined ids (errors) and roles the event type lacks (warnings).

    Runs on the raw (schema-valid) dict, so pointers locate the item in the file.
    """
    issues: list[Issue] = []
    seen: dict[str, str] = {}

    def claim(id_: object, where: str) -> None:
        if not isinstance(id_, str):
            return
        if id_ in seen:
            issues.append(Issue("duplicate-id", file, where, f"id '{id_}' is already used at {seen[id_]}",
                                "ids are optional in predictions; when given, each must be unique in the document"))
        else:
            seen[id_] = where

    entities = data.get("entities") or []
    mention_ids: set[str] = set()
    entity_ids: set[str] = set()
    for i, ent in enumerate(entities):
        claim(ent.get("id"), f"{prefix}/entities/{i}/id")  # = prefix + pointer("entities", i, "id"), without the escaping work
        if "id" in ent:
            entity_ids.add(ent["id"])
        for j, m in enumerate(ent.get("mentions") or []):
            claim(m.get("id"), f"{prefix}/entities/{i}/mentions/{j}/id")
            if "id" in m:
                mention_ids.add(m["id"])
    roles = inventory().roles
    event_ids: set[str] = set()
    for i, ev in enumerate(data.get("events") or []):
        where = f"{prefix}/events/{i}"
        claim(ev.get("id"), where + "/id")
        if "id" in ev:
            event_ids.add(ev["id"])
        allowed = roles.get(ev.get("type"), {})
        for k, arg in enumerate(ev.get("arguments") or []):
            aw = f"{where}/arguments/{k}"
            if arg["role"] not in allowed:
                close = difflib.get_close_matches(arg["role"], list(allowed), n=1)
                issues.append(Issue("role-not-allowed", file, aw + "/role", f"role '{arg['role']}' is not a role of {ev['type']}",
                                    (f"did you mean '{close[0]}'? " if close else "") + f"roles of {ev['type']}: {', '.join(allowed)}; "
                                    "scored as given, it cannot match a gold argument", "warning"))
            if "mention" in arg and not any(key in arg for key in _SPAN_KEYS) and arg["mention"] not in mention_ids:
                issues.append(Issue("dangling-reference", file, aw + "/mention", f"argument mention '{arg['mention']}' does not exist",
                                    "use the id of a predicted mention, or give the argument's span (start/end or text)"))
    for i, st in enumerate(data.get("stances") or []):
        where = f"{prefix}/stances/{i}"
        claim(st.get("id"), where + "/id")
        holder = st.get("holder")
        if isinstance(holder, str) and holder not in entity_ids:
            hint = "the holder is an entity id" + (" (not a mention id)" if holder in mention_ids else "") + ", or give the holder's span"
            issues.append(Issue("dangling-reference", file, where + "/holder", f"holder '{holder}' is not a predicted entity", hint))
        target = st["target"]
        if target["kind"] == "event" and target["id"] not in event_ids:
            issues.append(Issue("dangling-reference", file, where + "/target/id", f"target event '{target['id']}' is not a predicted event"))
        elif target["kind"] == "entity" and target["id"] not in entity_ids:
            issues.append(Issue("dangling-reference", file, where + "/target/id", f"target entity '{target['id']}' is not a predicted entity"))
    return issues


def repeated_mention_issues(anchored: dict, file: str, prefix: str = "") -> list[Issue]:
    """A ``duplicate-mention`` warning for every mention span that an earlier predicted entity (or an
    earlier mention of the same entity) already has: coreference keeps the first occurrence, as
    the CoNLL reference scorer does; the entity scores count every predicted mention."""
    issues: list[Issue] = []
    first: dict[tuple[int, int], int] = {}
    for i, ent in enumerate(anchored.get("entities") or []):
        for m in ent.get("mentions") or []:
            start, end = m.get("start"), m.get("end")
            if not isinstance(start, int) or not isinstance(end, int):
                continue
            if (start, end) not in first:
                first[(start, end)] = i
                continue
            where = first[(start, end)]
            owner = "this entity" if where == i else f"the entity at {prefix}/entities/{where}"
            issues.append(Issue("duplicate-mention", file, f"{prefix}/entities/{i}",
                                f"mention {start}-{end} {m.get('text', '')!r} is already a mention of {owner}",
                                "a span is one mention of one entity; coreference keeps its first occurrence "
                                "(as the CoNLL reference scorer), the entity scores count every copy", "warning"))
    return issues


def _span(d: dict) -> Span:
    return Span(d["start"], d["end"], d["text"])


def to_document(anchored: dict, text: str) -> Document:
    """A prediction :class:`Document` from an anchored prediction dict (see module doc).

    Items whose reference cannot be resolved (an id that is not defined, or whose item was
    left out by anchoring) are left out; :func:`reference_issues` and anchoring report them.
    """
    entities: list[Entity] = []
    for i, ent in enumerate(anchored.get("entities") or []):
        eid = ent.get("id") or f"~e{i + 1}"
        mentions = tuple(
            Mention(m.get("id") or f"~m{i + 1}.{j + 1}", _span(m), m.get("kind", ""), eid, ent["type"])
            for j, m in enumerate(ent.get("mentions") or [])
        )
        entities.append(Entity(eid, ent["type"], ent.get("name", ""), mentions))
    mention_ids = {m.id for e in entities for m in e.mentions}
    entity_ids = {e.id for e in entities}
    events: list[Event] = []
    for i, ev in enumerate(anchored.get("events") or []):
        args: list[Argument] = []
        for arg in ev.get("arguments") or []:
            if "start" in arg:
                args.append(SpanArgument(arg["role"], arg.get("mention", ""), _span(arg)))
            elif arg.get("mention") in mention_ids:
                args.append(Argument(arg["role"], arg["mention"]))
        events.append(Event(ev.get("id") or f"~v{i + 1}", ev["type"], ev.get("realis", ""), _span(ev["trigger"]), tuple(args)))
    event_ids = {e.id for e in events}
    stances: list[Stance] = []
    for i, st in enumerate(anchored.get("stances") or []):
        sid = st.get("id") or f"~s{i + 1}"
        target = Target(st["target"]["kind"], st["target"]["id"])
        if (target.kind == "event" and target.id not in event_ids) or (target.kind == "entity" and target.id not in entity_ids):
            continue
        evidence = tuple(_span(x) for x in st.get("evidence") or [])
        holder = st["holder"]
        if isinstance(holder, dict):
            stances.append(PredStance(sid, "", target, st["label"], evidence, holder_span=_span(holder)))
        elif holder in entity_ids:
            stances.append(Stance(sid, holder, target, st["label"], evidence))
    return Document(doc_id=anchored["doc_id"], text=text, entities=tuple(entities), events=tuple(events), stances=tuple(stances))


def prediction_from_dict(data: object, gold: Document, file: str = "<prediction>", prefix: str = "") -> tuple[Document | None, list[Issue]]:
    """Check, anchor and convert one prediction dict for the gold document ``gold``.

    Returns the prediction document (None when the dict has schema errors) and the issues.
    """
    issues = list(schema_issues(data, file, "prediction", prefix))
    if has_errors(issues):
        return None, issues
    assert isinstance(data, dict)
    if isinstance(data.get("sha256"), str) and gold.sha256 and data["sha256"] != gold.sha256:
        issues.append(Issue("sha256-mismatch", file, prefix + "/sha256",
                            f"the prediction names text {data['sha256'][:12]}..., the gold text is {gold.sha256[:12]}...",
                            "offsets may not fit: was the prediction made on another version of the document?", "warning"))
    anchored, anchor_issues = anchor_document(data, gold.text, file, strict=False, prefix=prefix)
    issues.extend(anchor_issues)
    issues.extend(reference_issues(data, file, prefix))
    issues.extend(repeated_mention_issues(anchored, file, prefix))
    return to_document(anchored, gold.text), issues


@gc_paused()
def predictions_from_raw(raws: Iterable[RawDoc], gold: Mapping[str, Document], label: str = "predictions") -> PredictionSet:
    """Score-ready predictions from parsed documents (files, JSONL lines or a system's output)."""
    out = PredictionSet()
    where: dict[str, str] = {}
    for raw in raws:
        data = raw.data
        doc_id = data.get("doc_id") if isinstance(data, dict) else None
        if not isinstance(doc_id, str) or not doc_id:
            out.issues.extend(schema_issues(data, raw.file, "prediction", raw.prefix))
            continue
        if doc_id not in gold:
            close = difflib.get_close_matches(doc_id, list(gold), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"the gold set has {len(gold)} document(s)" + (
                f": {', '.join(sorted(gold)[:5])}{' ...' if len(gold) > 5 else ''}" if gold else "")
            out.issues.append(Issue("unknown-document", raw.file, raw.prefix + "/doc_id", f"doc_id '{doc_id}' is not a gold document", hint))
            out.unknown.append(doc_id)
            continue
        if doc_id in where:
            out.issues.append(Issue("duplicate-document", raw.file, raw.prefix + "/doc_id",
                                    f"doc_id '{doc_id}' is also predicted in {where[doc_id]}", "give each document one prediction"))
            continue
        where[doc_id] = raw.file + (f" (line {int(raw.prefix[1:]) + 1})" if raw.prefix[1:].isdigit() else "")
        doc, issues = prediction_from_dict(data, gold[doc_id], raw.file, raw.prefix)
        out.issues.extend(issues)
        if doc is not None:
            out.documents[doc_id] = doc
    for doc_id in sorted(gold):
        if doc_id not in where:
            out.issues.append(Issue("missing-prediction", label, "", f"no prediction for gold document '{doc_id}'",
                                    "scored as predicting nothing", "warning"))
            out.missing.append(doc_id)
    out.documents = dict(sorted(out.documents.items()))
    return out


def predictions_from_dicts(items: Iterable[dict], gold: Mapping[str, Document], label: str = "<predictions>") -> PredictionSet:
    """Like :func:`load_predictions`, for prediction dicts already in memory (e.g. a system's output)."""
    raws = [RawDoc(d, label, pointer(i)) for i, d in enumerate(items)]
    result = predictions_from_raw(raws, gold, label)
    result.files = [label]
    return result


@gc_paused()
def load_predictions(path: Path | str, gold: Mapping[str, Document]) -> PredictionSet:
    """Read, check, anchor and convert the predictions under ``path`` for the gold documents ``gold``.

    ``path`` is a folder (its top-level ``*.json`` and ``*.jsonl`` files), a ``.json`` file
    holding one document or a ``.jsonl`` file holding one per line.
    """
    path = Path(path)
    if path.suffix in IOB2_SUFFIXES and path.is_file():
        return _load_iob2(path, gold)
    files, issues = list_files([path], recursive=False, suffixes=(".json", ".jsonl"))
    if path.is_dir() and not files:
        issues.append(Issue("file-not-found", str(path), "", f"the folder {path} holds no .json or .jsonl prediction file",
                            "predictions are <doc_id>.json files, or one .jsonl file with one document per line"))
    raws: list[RawDoc] = []
    for file in files:
        found, read_issues = read_documents(file)
        raws.extend(found)
        issues.extend(read_issues)
    if has_errors(issues) and not raws:
        return PredictionSet(issues=issues, files=[str(f) for f in files])
    result = predictions_from_raw(raws, gold, str(path))
    result.issues[:0] = issues
    result.files = [str(f) for f in files]
    return result


IOB2_SUFFIXES = (".iob2", ".iob", ".bio", ".conll")


def _load_iob2(path: Path, gold: Mapping[str, Document]) -> PredictionSet:
    """Entity predictions from an IOB2 token file (format: :mod:`toolkit.formats.iob2`)."""
    from toolkit.formats.iob2 import import_iob2

    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return PredictionSet(issues=[Issue("invalid-encoding", str(path), "", f"not valid UTF-8 at byte {exc.start}")],
                             files=[str(path)])
    dicts, issues = import_iob2(content, str(path))
    if has_errors(issues):
        return PredictionSet(issues=issues, files=[str(path)])
    result = predictions_from_raw([RawDoc(d, str(path), f"/{d['doc_id']}") for d in dicts], gold, str(path))
    result.issues[:0] = issues
    result.files = [str(path)]
    return result
