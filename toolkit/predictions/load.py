"""System predictions: files -> raw dicts -> schema issues -> anchored spans -> prediction documents.

A prediction set is a folder of per-document ``*.json`` files (and/or ``*.jsonl`` files, one
document per line), or one ``.json`` / ``.jsonl`` file; a ``.json`` file may also hold a JSON array
of documents, and any file may hold its JSON inside a Markdown code fence (```` ```json ... ``` ````,
as LLMs answer; stripped, with a ``fenced-json`` warning). Each document is checked against
``schema/prediction.schema.json``; spans given by their text alone are grounded in the gold
document's text with a status per span (:mod:`toolkit.predictions.grounding`); then ids and
references are checked; then the document becomes a frozen :class:`~toolkit.model.document.Document`,
the same type as a gold document, so a gold annotation file loads as a prediction unchanged.

**Score what can be scored.** What cannot be taken as given is reported (an error) and counted,
never silently dropped and never a reason to score nothing (``toolkit eval --strict`` refuses
everything on any error instead):

- a span that cannot be grounded is a :class:`~toolkit.predictions.grounding.Refused` item (a false
  positive under its label); an argument naming a mention that does not exist, or one that was not
  grounded, too; a stance whose holder or target cannot be resolved stays in the document and
  matches nothing;
- a label outside the inventory (entity type, event type, stance label, topic) is scored under
  :data:`~toolkit.predictions.grounding.UNKNOWN_LABEL`; an unknown mention kind or realis is dropped
  (neither is scored); the labels are listed with their counts (:class:`PredictionRecord`);
- a document that cannot be parsed, or fails the schema for any other reason, is scored as an
  empty prediction; it is attributed to its gold document by its ``doc_id`` when one can be read
  (the file name ``<doc_id>.json``, or a ``"doc_id": "..."`` in the broken text).

Every gold document with a prediction gets a :class:`PredictionRecord` (received, parsed, fenced,
schema-valid, scored; a status per span; refused items; unknown labels), which
:mod:`toolkit.metrics.grounding` turns into additive counts.

Prediction-only shapes: ids are optional (missing ones are derived, ``~e1``, ``~m1.2``, ...);
a mention without ``kind`` gets kind ``""`` and realis may be ``""``; an argument given by its
span is a :class:`SpanArgument`; a stance holder given by its span is a :class:`PredStance` with
``holder_span`` set and ``holder`` empty.

Issues (every one reported, nothing dropped silently):

- schema violations (codes of :mod:`toolkit.checks.validate`), errors; such a document is scored
  as empty (``unknown-label`` alone does not refuse the document: see above);
- ``unanchored-quote`` (error), ``ambiguous-quote`` / ``span-text-mismatch`` / ``normalized-quote`` /
  ``fuzzy-quote`` (warnings) from grounding;
- ``invalid-json`` (error; the document is scored as empty), ``fenced-json`` (warning);
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

import copy
import difflib
import json
import re
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Collection, Iterable, Mapping

import numpy as np

from toolkit.predictions.grounding import UNKNOWN_LABEL, Refused, ground_document
from toolkit.io.read import RawDoc, _decode, _parse, list_files
from toolkit.model.document import Argument, Document, Entity, Event, Mention, PredStance, Span, SpanArgument, Stance, Target
from toolkit.model.labels import inventory
from toolkit.model.issues import Issue, has_errors, pointer
from toolkit.io.perf import gc_paused
from toolkit.checks.validate import file_units, schema_issues


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
class PredictionRecord:
    """What loading found for the prediction of one gold document (the grounding and validity report).

    ``received``: a prediction was attributed to the document; ``parsed``: it was read as JSON;
    ``fenced``: from inside a Markdown code fence; ``valid``: it passed the prediction schema as
    written; ``scored``: its items were scored (valid, or valid once its unknown labels were set
    aside); ``statuses``: (span kind, alignment status) per predicted span; ``refused``: items
    counted as false positives because they could not be scored as given; ``unknown_labels``:
    (field, label) per label outside the inventory; ``mentions``: (quote, entity type, kind) of
    every predicted mention, grounded or not (for the text-level entity score).
    """

    received: bool = True
    parsed: bool = False
    fenced: bool = False
    valid: bool = False
    scored: bool = False
    statuses: list[tuple[str, str]] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    unknown_labels: list[tuple[str, str]] = field(default_factory=list)
    mentions: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class PredictionSet:
    """What :func:`load_predictions` found: documents to score and every issue met on the way.

    ``documents`` holds the usable predictions by doc id; ``records`` what was found for each
    gold document that received a prediction (usable or not, :class:`PredictionRecord`);
    ``missing`` lists the gold documents with no prediction at all (scored as predicting
    nothing); ``unknown`` lists predicted doc ids the gold set does not have (not scored).
    """

    documents: dict[str, Document] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    records: dict[str, PredictionRecord] = field(default_factory=dict)
    statuses: object = None
    """For documents loaded by the columnar path (which have no record): a DataFrame of ``doc_id``,
    ``kind``, ``count`` of their spans, every one a ``match_exact``; None when there is none."""

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
            if arg["role"] not in allowed and ev.get("type") != UNKNOWN_LABEL:
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


def to_document(anchored: dict, text: str, refused: list[Refused] | None = None) -> Document:
    """A prediction :class:`Document` from an anchored prediction dict (see module doc).

    An argument whose mention is not defined (or was not grounded) is left out and appended to
    ``refused`` (when given) to be counted as a false positive; a stance whose holder or target
    cannot be resolved is kept (it matches nothing); :func:`reference_issues` and grounding
    report them.
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
            elif refused is not None:
                refused.append(Refused("arguments", ev["type"], str(arg.get("mention", "")),
                                       "argument naming a mention that is not defined or not grounded", arg["role"],
                                       trigger=ev["trigger"]["text"]))
        events.append(Event(ev.get("id") or f"~v{i + 1}", ev["type"], ev.get("realis", ""), _span(ev["trigger"]), tuple(args)))
    event_ids = {e.id for e in events}
    stances: list[Stance] = []
    for i, st in enumerate(anchored.get("stances") or []):
        sid = st.get("id") or f"~s{i + 1}"
        target = Target(st["target"]["kind"], st["target"]["id"])  # a target that is not predicted matches nothing
        evidence = tuple(_span(x) for x in st.get("evidence") or [])
        holder = st["holder"]
        if isinstance(holder, dict):
            stances.append(PredStance(sid, "", target, st["label"], evidence, holder_span=_span(holder)))
        elif holder is None:  # a holder span that was not grounded: matches nothing
            stances.append(PredStance(sid, "", target, st["label"], evidence, holder_span=None))
        else:  # an entity id; one that is not predicted matches nothing
            stances.append(Stance(sid, holder, target, st["label"], evidence))
    return Document(doc_id=anchored["doc_id"], text=text, entities=tuple(entities), events=tuple(events), stances=tuple(stances))


def _label_slots(data: dict) -> Iterable[tuple[str, str, dict, str]]:
    """(field, JSON pointer, the dict holding the label, its key) of every label-bearing string of a prediction."""
    for i, ent in enumerate(data.get("entities") or []):
        if isinstance(ent, dict):
            yield "entity type", f"/entities/{i}/type", ent, "type"
            for j, m in enumerate(ent.get("mentions") or [] if isinstance(ent.get("mentions"), list) else []):
                if isinstance(m, dict):
                    yield "mention kind", f"/entities/{i}/mentions/{j}/kind", m, "kind"
    for i, ev in enumerate(data.get("events") or [] if isinstance(data.get("events"), list) else []):
        if isinstance(ev, dict):
            yield "event type", f"/events/{i}/type", ev, "type"
            yield "realis", f"/events/{i}/realis", ev, "realis"
    for i, st in enumerate(data.get("stances") or [] if isinstance(data.get("stances"), list) else []):
        if isinstance(st, dict):
            yield "stance label", f"/stances/{i}/label", st, "label"
            target = st.get("target")
            if isinstance(target, dict) and target.get("kind") == "topic":
                yield "topic", f"/stances/{i}/target/id", target, "id"


def _inventory_of(field_name: str) -> Mapping[str, str]:
    inv = inventory()
    return {"entity type": inv.entity_types, "mention kind": inv.mention_kinds, "event type": inv.event_types,
            "realis": inv.realis, "stance label": inv.stance_labels, "topic": inv.topics}[field_name]


def set_aside_labels(data: object, file: str, prefix: str = "") -> tuple[object, list[tuple[str, str]], list[Issue]]:
    """A copy of a prediction dict whose labels outside the inventory are set aside for scoring.

    An entity type, event type, stance label or topic outside the inventory becomes
    :data:`UNKNOWN_LABEL`; an unknown mention kind or realis (neither is scored) is removed.
    Returns the copy (``data`` itself when there is nothing to set aside), the (field, label)
    pairs set aside, and an ``unknown-label`` error for each. Only string labels are set aside.
    """
    if not isinstance(data, dict):
        return data, [], []
    found = [(f, ptr, holder, key) for f, ptr, holder, key in _label_slots(data)
             if isinstance(holder.get(key), str) and holder[key] not in _inventory_of(f)]
    if not found:
        return data, [], []
    out = copy.deepcopy(data)
    unknown: list[tuple[str, str]] = []
    issues: list[Issue] = []
    index = {ptr: (holder, key) for _, ptr, holder, key in _label_slots(out)}
    for f, ptr, holder, key in found:
        label = holder[key]
        values = list(_inventory_of(f))
        close = difflib.get_close_matches(label, values, n=1, cutoff=0.5)
        if not close:
            close = [v for v in values if v.lower() == label.lower()]
        scored = "not scored" if f in ("mention kind", "realis") else f"scored under '{UNKNOWN_LABEL}'"
        issues.append(Issue("unknown-label", file, prefix + ptr, f"unknown {f} '{label}' ({scored})",
                            f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(values)}"))
        unknown.append((f, label))
        target, tkey = index[ptr]
        if f in ("mention kind", "realis"):
            del target[tkey]
        else:
            target[tkey] = UNKNOWN_LABEL
    return out, unknown, issues


def _valid_apart_from_labels(data: dict) -> bool:
    """True when ``data`` (labels set aside) passes the schema once its sentinel labels are read as valid ones."""
    probe = copy.deepcopy(data)
    for f, _, holder, key in _label_slots(probe):
        if holder.get(key) == UNKNOWN_LABEL:
            holder[key] = next(iter(_inventory_of(f)))
    return not has_errors(schema_issues(probe, "<probe>", "prediction"))


def prediction_from_dict(data: object, gold: Document, file: str = "<prediction>", prefix: str = "",
                         fuzzy: float | None = None) -> tuple[Document | None, list[Issue], PredictionRecord]:
    """Check, ground and convert one prediction dict for the gold document ``gold``.

    Returns the prediction document (None when the dict fails the schema for a reason other than
    labels outside the inventory: it is then scored as empty), the issues, and the record.
    """
    record = PredictionRecord(parsed=True)
    issues = list(schema_issues(data, file, "prediction", prefix))
    if has_errors(issues):
        cleaned, unknown, label_issues = set_aside_labels(data, file, prefix)
        if not unknown or not _valid_apart_from_labels(cleaned):  # type: ignore[arg-type]
            return None, issues, record
        issues = [i for i in issues if i.code != "unknown-label"] + label_issues
        record.unknown_labels = unknown
        data = cleaned
    else:
        record.valid = True
    record.scored = True
    assert isinstance(data, dict)
    if isinstance(data.get("sha256"), str) and gold.sha256 and data["sha256"] != gold.sha256:
        issues.append(Issue("sha256-mismatch", file, prefix + "/sha256",
                            f"the prediction names text {data['sha256'][:12]}..., the gold text is {gold.sha256[:12]}...",
                            "offsets may not fit: was the prediction made on another version of the document?", "warning"))
    anchored, grounding = ground_document(data, gold, file, prefix, fuzzy)
    issues.extend(grounding.issues)
    refs = reference_issues(data, file, prefix)
    issues.extend(refs)
    issues.extend(repeated_mention_issues(anchored, file, prefix))
    record.unknown_labels += [("role", i.message.split("'")[1]) for i in refs if i.code == "role-not-allowed"]
    record.statuses = grounding.statuses
    record.mentions = grounding.mentions
    record.refused = list(grounding.refused)
    doc = to_document(anchored, gold.text, record.refused)
    return doc, issues, record


@dataclass(frozen=True)
class Unreadable:
    """A document that could not be parsed: where it was, and the doc id it names, if any can be read."""

    file: str
    prefix: str
    doc_id: str | None


_DOC_ID = re.compile(r'"doc_id"\s*:\s*"((?:[^"\\]|\\.)*)"')


def guess_doc_id(text: str, path: Path | None, gold: Mapping[str, Document] | None = None) -> str | None:
    """The doc id an unparseable document names: its file name when that is a gold doc id, else a ``"doc_id": "..."`` in its text."""
    if path is not None and gold is not None and path.stem in gold:
        return path.stem
    m = _DOC_ID.search(text)
    if m is None:
        return None
    try:
        return json.loads(f'"{m.group(1)}"')
    except json.JSONDecodeError:
        return None


_FENCE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_-]*)[ \t]*\r?\n(.*?)^[ \t]*```[ \t]*$", re.S | re.M)


def strip_fence(text: str) -> tuple[str, bool]:
    """The content of the first Markdown code fence of ``text`` (``` or ```json ...), and whether there was one."""
    m = _FENCE.search(text)
    if m is None:
        return text, False
    return m.group(2), True


def read_predictions(path: Path, gold: Mapping[str, Document] | None = None) -> tuple[list[RawDoc], list[Unreadable], list[Issue], set[tuple[str, str]]]:
    """Read one prediction file: the documents it holds, the ones it holds but that could not be
    parsed, the issues, and the (file, prefix) of the documents that came from inside a code fence.

    A ``.json`` file holds one document or a JSON array of documents; a ``.jsonl`` file one per
    line; either may be wrapped in a Markdown code fence (stripped, ``fenced-json`` warning).
    """
    label = str(path)
    text, issues = _decode(path, label)
    if text is None:
        if any(i.code == "file-not-found" for i in issues):
            return [], [], issues, set()
        guess = path.stem if gold is not None and path.stem in gold and path.suffix == ".json" else None
        issues = [Issue(i.code, i.file, i.pointer, i.message + "; scored as an empty prediction", i.hint, i.severity) for i in issues]
        return [], [Unreadable(label, "", guess)], issues, set()
    fenced: set[tuple[str, str]] = set()
    stripped, was_fenced = strip_fence(text) if "```" in text else (text, False)
    if was_fenced:
        issues.append(Issue("fenced-json", label, "", "the JSON is wrapped in a Markdown code fence; the fence (and any text around it) was stripped",
                            "write the JSON alone (an LLM's structured-output mode does)", "warning"))
        text = stripped
    raws: list[RawDoc] = []
    broken: list[Unreadable] = []
    if path.suffix == ".jsonl":
        for lineno, line in enumerate(text.split("\n")):  # lines end at "\n" only, as in toolkit.io.read
            line = line[:-1] if line.endswith("\r") else line
            if not line.strip():
                continue
            data, line_issues = _parse(line, label, pointer(lineno))
            issues.extend(Issue(i.code, i.file, i.pointer, f"line {lineno + 1}: {i.message}" + ("; scored as an empty prediction" if i.code == "invalid-json" else ""),
                                i.hint) for i in line_issues)
            if line_issues:
                broken.append(Unreadable(label, pointer(lineno), guess_doc_id(line, None)))
            else:
                raws.append(RawDoc(data, label, pointer(lineno), path))
                if was_fenced:
                    fenced.add((label, pointer(lineno)))
        if not raws and not broken and not has_errors(issues):
            issues.append(Issue("empty-file", label, "", "the JSONL file holds no document"))
        return raws, broken, issues, fenced
    data, parse_issues = _parse(text, label)
    if parse_issues:
        issues.extend(Issue(i.code, i.file, i.pointer, i.message + "; scored as an empty prediction", i.hint) for i in parse_issues)
        broken.append(Unreadable(label, "", guess_doc_id(text, path, gold)))
        return raws, broken, issues, fenced
    if isinstance(data, list):
        for i, item in enumerate(data):
            raws.append(RawDoc(item, label, pointer(i), path))
            if was_fenced:
                fenced.add((label, pointer(i)))
        if not data:
            issues.append(Issue("empty-file", label, "", "the JSON array holds no document", "an empty array predicts nothing", "warning"))
        return raws, broken, issues, fenced
    raws.append(RawDoc(data, label, "", path))
    if was_fenced:
        fenced.add((label, ""))
    return raws, broken, issues, fenced


@gc_paused()
def predictions_from_raw(raws: Iterable[RawDoc], gold: Mapping[str, Document], label: str = "predictions",
                         fuzzy: float | None = None, unreadable: Iterable[Unreadable] = (),
                         fenced: set[tuple[str, str]] | None = None, ignore: Collection[str] = (),
                         taken: Mapping[str, str] | None = None, known: Collection[str] | None = None) -> PredictionSet:
    """Score-ready predictions from parsed documents (files, JSONL lines or a system's output).

    ``taken``: doc id -> where (a file, or a (file, line index) pair: :func:`_place`), of documents
    already loaded by the columnar path (not here).
    ``known``: every gold doc id, when ``gold`` is only a partition of them (for the hints of
    ``unknown-document``).

    ``unreadable`` documents (see :func:`read_predictions`) are attributed to the gold document
    they name, when no parsed document claims it, and recorded as received but not parsed. A
    document whose doc_id is in ``ignore`` (a draft of the gold set, which the caller reports as
    not scored) is passed over without an issue.
    """
    out = PredictionSet()
    where: dict[str, str | tuple[str, int]] = dict(taken or {})  # doc id -> where it was read (_place)
    for raw in raws:
        data = raw.data
        doc_id = data.get("doc_id") if isinstance(data, dict) else None
        if not isinstance(doc_id, str) or not doc_id:
            issues = list(schema_issues(data, raw.file, "prediction", raw.prefix))
            guess = raw.path.stem if raw.path is not None and raw.path.stem in gold and not raw.prefix else None
            if guess is not None and guess not in where:
                where[guess] = raw.file
                out.records[guess] = PredictionRecord(parsed=True, fenced=(raw.file, raw.prefix) in (fenced or ()))
                issues = [Issue(i.code, i.file, i.pointer, i.message + ("; scored as an empty prediction" if i.severity == "error" else ""), i.hint, i.severity)
                          for i in issues]
            out.issues.extend(issues)
            continue
        if doc_id in ignore:
            continue
        if doc_id not in gold:
            every = list(known) if known is not None else list(gold)
            close = difflib.get_close_matches(doc_id, every, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"the gold set has {len(every)} document(s)" + (
                f": {', '.join(sorted(every)[:5])}{' ...' if len(every) > 5 else ''}" if every else "")
            out.issues.append(Issue("unknown-document", raw.file, raw.prefix + "/doc_id", f"doc_id '{doc_id}' is not a gold document", hint))
            out.unknown.append(doc_id)
            continue
        if doc_id in where:
            out.issues.append(Issue("duplicate-document", raw.file, raw.prefix + "/doc_id",
                                    f"doc_id '{doc_id}' is also predicted in {_place(where[doc_id])}", "give each document one prediction"))
            continue
        where[doc_id] = (raw.file, int(raw.prefix[1:])) if raw.prefix[1:].isdigit() else raw.file
        doc, issues, record = prediction_from_dict(data, gold[doc_id], raw.file, raw.prefix, fuzzy)
        record.fenced = (raw.file, raw.prefix) in (fenced or ())
        if doc is None:
            issues = [Issue(i.code, i.file, i.pointer, i.message, i.hint, i.severity) for i in issues]
            if issues:
                first = next(k for k, i in enumerate(issues) if i.severity == "error")
                i = issues[first]
                issues[first] = Issue(i.code, i.file, i.pointer, i.message + f" (document '{doc_id}' scored as an empty prediction)", i.hint, i.severity)
        out.issues.extend(issues)
        out.records[doc_id] = record
        if doc is not None:
            out.documents[doc_id] = doc
    for broken in unreadable:
        if broken.doc_id is not None and broken.doc_id in gold and broken.doc_id not in where:
            where[broken.doc_id] = broken.file
            out.records[broken.doc_id] = PredictionRecord(parsed=False)
    for doc_id in sorted(gold):
        if doc_id not in where:
            out.issues.append(Issue("missing-prediction", label, "", f"no prediction for gold document '{doc_id}'",
                                    "scored as predicting nothing", "warning"))
            out.missing.append(doc_id)
    out.documents = dict(sorted(out.documents.items()))
    out.records = dict(sorted(out.records.items()))
    return out


def _place(where) -> str:
    """Where a document was read: a file, or a (file, line index) of a JSONL file, formatted only
    for a message (50,000 strings made up front for the columnar path cost 0.07 s at 50k)."""
    return where if isinstance(where, str) else f"{where[0]} (line {where[1] + 1})"


def predictions_from_dicts(items: Iterable[dict], gold: Mapping[str, Document], label: str = "<predictions>",
                           fuzzy: float | None = None) -> PredictionSet:
    """Like :func:`load_predictions`, for prediction dicts already in memory (e.g. a system's output)."""
    raws = [RawDoc(d, label, pointer(i)) for i, d in enumerate(items)]
    result = predictions_from_raw(raws, gold, label, fuzzy)
    result.files = [label]
    return result


@gc_paused()
def load_predictions(path: Path | str, gold: Mapping[str, Document], fuzzy: float | None = None,
                     ignore: Collection[str] = (), select=None, known: Collection[str] | None = None) -> PredictionSet:
    """Read, check, ground and convert the predictions under ``path`` for the gold documents ``gold``
    (predictions for the doc ids in ``ignore``, drafts of the gold set, are passed over).

    ``path`` is a folder (its top-level ``*.json`` and ``*.jsonl`` files), a ``.json`` file
    holding one document or a JSON array of them, or a ``.jsonl`` file holding one per line (any
    of them possibly inside a Markdown code fence). ``fuzzy``: the similarity threshold of fuzzy
    quote matching (None: off). A ``file-not-found`` issue means nothing could be read at all.
    ``select(file, table)``: only these rows of each JSONL file are read (a partition of the corpus,
    :mod:`toolkit.evaluation.partitions`, whose ``known`` gold doc ids are all of them); any other
    file raises :class:`toolkit.io.arrow.NotColumnar`.
    """
    path = Path(path)
    if path.suffix in IOB2_SUFFIXES and path.is_file():
        return _load_iob2(path, gold, ignore)
    files, issues = list_files([path], recursive=False, suffixes=(".json", ".jsonl"))
    if path.is_dir() and not files:
        issues.append(Issue("file-not-found", str(path), "", f"the folder {path} holds no .json or .jsonl prediction file",
                            "predictions are <doc_id>.json files, or one .jsonl file with one document per line"))
    if any(i.code == "file-not-found" for i in issues):
        return PredictionSet(issues=issues, files=[str(f) for f in files])
    raws: list[RawDoc] = []
    unreadable: list[Unreadable] = []
    fenced: set[tuple[str, str]] = set()
    parts, taken = [], {}
    claimed: set[str] = set()  # the doc ids of the files read so far: a later file's document with one goes row-wise
    for unit in file_units(files):
        fast = _columnar(unit, gold, ignore, select, claimed) if fuzzy is None else None
        if fast is None and select is not None:
            from toolkit.io.arrow import NotColumnar

            raise NotColumnar(str(unit[0]))
        unit_parts, per_file = fast if fast is not None else ([], [None] * len(unit))
        parts.extend(unit_parts)  # the columnar happy path; only the documents it does not pass are read row by row
        for file, got in zip(unit, per_file):
            if got is None:
                found, broken, read_issues, in_fence = read_predictions(file, gold)
                unreadable.extend(broken)
                issues.extend(read_issues)
                fenced |= in_fence
            else:
                passed, found = got
                for doc_id, where in passed:
                    taken.setdefault(doc_id, where)
                    claimed.add(doc_id)
            raws.extend(found)
            claimed |= _claims(found, gold)
    result = predictions_from_raw(raws, gold, str(path), fuzzy, unreadable, fenced, ignore, taken, known)
    result.issues[:0] = issues
    result.files = [str(f) for f in files]
    if parts:
        import pandas as pd

        from toolkit.model.corpus import Corpus, Meta, concat_tables

        result.documents = Corpus(result.documents, concat_tables([p.tables for p in parts]),
                                  [x for p in parts for x in p.texts], Meta.concat([p.meta for p in parts]))
        result.statuses = pd.concat([p.statuses for p in parts], ignore_index=True)
    return result


def _claims(raws: Iterable[RawDoc], gold) -> set[str]:
    """The doc ids these raw documents claim in :func:`predictions_from_raw`: their ``doc_id``, or
    for a file without one, the gold document the file is named for."""
    out = set()
    for raw in raws:
        doc_id = raw.data.get("doc_id") if isinstance(raw.data, dict) else None
        if isinstance(doc_id, str) and doc_id:
            out.add(doc_id)
        elif raw.path is not None and raw.path.stem in gold and not raw.prefix:
            out.add(raw.path.stem)
    return out


def _columnar(unit: list[Path], gold, ignore, select=None, claimed: Collection[str] = ()):
    """What the columnar path makes of a unit of files (:func:`~toolkit.checks.validate.file_units`):
    None when it reads none of them; else (its parts, per file: None for a file to read row-wise
    whole, or (the (doc id, where) of each document passed, the raw documents of the others)).
    ``claimed``: the doc ids of earlier files; a document with one of them goes row-wise, which
    reports the ``duplicate-document`` (whichever comes first keeps it, as when every file is read
    row-wise)."""
    from toolkit.io.arrow import PREDICTION, read_json_files, read_jsonl
    from toolkit.io.read import _parse
    from toolkit.predictions.columnar import fast_part

    file = unit[0]
    if file.suffix != ".jsonl":
        if select is not None:
            return None
        groups = read_json_files(unit, PREDICTION)
        if not groups:
            return None
        from toolkit.checks.validate import _unit_ids

        claimed = set(claimed) | _unit_ids(unit, groups, lambda f: read_predictions(f, gold)[0])
        # a file without a doc_id is attributed to the gold document it is named for: such a name counts as claimed too
        grouped = {int(k) for index, _, _ in groups for k in index}
        claimed |= {f.stem for k, f in enumerate(unit) if k not in grouped}
        claimed |= {unit[int(k)].stem for index, table, _ in groups for k, d in zip(index, table.column("doc_id").to_pylist()) if d is None}
        parts, per_file = [], [None] * len(unit)
        while groups:
            index, table, data = groups.pop(0)  # its bytes are let go once it is checked
            part = fast_part(table, data, gold, ignore, claimed)
            for r, doc_id in zip(part.rows.tolist(), part.tables.doc_ids):
                per_file[int(index[r])] = ([(doc_id, str(unit[int(index[r])]))], [])
            parts.append(part)
            claimed |= {d for d in table.column("doc_id").to_pylist() if d is not None}
        return parts, per_file
    if select is not None:  # a partition: only its lines are parsed
        from toolkit.io.arrow import read_jsonl_rows

        read = read_jsonl_rows(file, PREDICTION, select, ("doc_id",))
        if read is None:
            return None
        table, data, line_of = read
    else:
        read = read_jsonl(file, PREDICTION)
        if read is None:
            return None
        table, data = read
        line_of = np.arange(table.num_rows)
    part = fast_part(table, data, gold, ignore, claimed)
    lines = data.decode("utf-8").split("\n") if len(part.failed) else []
    del read, table, data  # the file's bytes and its parsed table: the part holds what is needed
    rest = []
    for r in part.failed.tolist():
        line = int(line_of[r])
        value, _ = _parse(lines[r], str(file), pointer(line))
        rest.append(RawDoc(value, str(file), pointer(line), file))
    passed = list(zip(part.tables.doc_ids, zip(repeat(str(file)), line_of[part.rows].tolist())))  # (file, line): see _place
    return [part], [(passed, rest)]


IOB2_SUFFIXES = (".iob2", ".iob", ".bio", ".conll")


def is_token_file(path: Path | str) -> bool:
    """True for a path that :func:`load_predictions` reads as an IOB2 or CoNLL token file."""
    path = Path(path)
    return path.suffix in IOB2_SUFFIXES and path.is_file()


def _load_iob2(path: Path, gold: Mapping[str, Document], ignore: Collection[str] = ()) -> PredictionSet:
    """Entity predictions from an IOB2 token file with offsets, or a plain CoNLL file (``token
    tag``) placed on the gold texts (formats: :mod:`toolkit.formats.iob2`)."""
    from toolkit.formats import read_text
    from toolkit.formats.iob2 import import_conll, import_iob2, looks_like_iob2

    content, issues = read_text(path)
    if content is None:
        return PredictionSet(issues=issues, files=[str(path)])
    if looks_like_iob2(content):
        dicts, issues = import_iob2(content, str(path))
    else:
        dicts, issues = import_conll(content, str(path), {d.doc_id: d.text for d in gold.values()})
    if has_errors(issues):
        return PredictionSet(issues=issues, files=[str(path)])
    result = predictions_from_raw([RawDoc(d, str(path), f"/{d['doc_id']}") for d in dicts], gold, str(path), ignore=ignore)
    result.issues[:0] = issues
    result.files = [str(path)]
    return result
