"""Label Studio JSON: tasks with pre-annotations out, exported tasks in.

**Offsets.** Label Studio's text editor counts offsets in Unicode code points, as this schema does,
so offsets pass through unchanged. Measured on Label Studio 1.23.2 (tests/test_labelstudio_server.py,
in its editor in headless Chromium): on ``"🙂🇰🇷 𝔸 Choi Sang-mok met ..."``, whose first three
characters and the flag's two are beyond the BMP, every pre-annotation is drawn on the characters
our code-point offsets name (``Choi Sang-mok`` at 6-19; UTF-16 units would put it at 10-23), and a
region an annotator draws on ``said`` is saved as 68-72 (UTF-16 units: 72-76). A region whose
offsets do not fit the text is reported, never shifted.

**Mapping** (lossless for everything our schema holds; :func:`label_config` is the labelling
config that goes with it):

- each mention -> a ``labels`` region (``id`` = mention id, label = entity type), its kind a
  per-region choice ``kind``; coreference -> a ``coref`` relation from each further mention to the
  entity's first; the entity id and name ride in the region's ``meta`` (``entity=..``, ``name=..``);
- each event -> its trigger as a region labelled with the event type (``id`` = ``trigger-<event id>``,
  ``meta`` ``event=<id>``), its realis a per-region choice ``realis``, each argument a relation
  from the trigger to the argument's mention, labelled with the role;
- each stance -> one ``Stance`` region per evidence span (``meta`` ``stance=<id>``, ``part=<k>``);
  the first carries the label as the per-region choice ``stance``, a ``holder`` relation to the
  holder's first mention, and either a ``target`` relation (to the target entity's first mention or
  the target event's trigger) or the per-region choice ``topic``.

Kind, realis, stance label, topic, holder and target are controls an annotator edits in Label
Studio. What an annotator draws gets fresh ids (never one in use): a new mention joins the entity
of a mention it is ``coref``-linked to, else a new entity; a mention drawn without a kind, a
trigger without a realis, a stance without label, holder or target is reported, never guessed.

**Import.** Every completed (not cancelled) annotation of a task is read, each as a *pass* named
after its annotator (``annotator-<id>``), so two annotators' work lands in two folders ready for
``toolkit agree``; a task without annotations is read from its first prediction. The export's
shape is checked before use: every problem is reported with the file and a JSON pointer.
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import quoteattr

from toolkit.formats.ids import doc_id_problem, fresh_ids, lone_surrogates
from toolkit.model.document import Document
from toolkit.model.issues import Issue, pointer
from toolkit.model.labels import inventory

STANCE = "Stance"
ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
CONTROLS = ("kind", "realis", "stance", "topic")


def label_config() -> str:
    """The Label Studio labelling config: one ``Labels`` control (entity types, event types,
    Stance), the relation labels, and per-region choices shown for the region kinds they belong to."""
    inv = inventory()
    ents, evs = list(inv.entity_types), list(inv.event_types)

    def labels(values, **attrs) -> str:
        return "".join(f"<Label value={quoteattr(v)}{''.join(f' {k}={quoteattr(a)}' for k, a in attrs.items())}/>" for v in values)

    def choices(name: str, values, when: list[str], title: str) -> str:
        opts = "".join(f"<Choice value={quoteattr(v)}/>" for v in values)
        return (f'<View visibleWhen="region-selected" whenTagName="label" whenLabelValue={quoteattr(",".join(when))}>'
                f"<Header value={quoteattr(title)}/>"
                f'<Choices name="{name}" toName="text" perRegion="true" choice="single-radio" required="false">{opts}</Choices></View>')

    rels = "".join(f"<Relation value={quoteattr(v)}/>" for v in ["coref", *inv.all_roles(), "holder", "target"])
    return ("<View>"
            f'<Labels name="label" toName="text">{labels(ents)}{labels(evs, background="#74c0fc")}{labels([STANCE], background="#ffe066")}</Labels>'
            '<Text name="text" value="$text" granularity="symbol"/>'
            f"<Relations>{rels}</Relations>"
            + choices("kind", inv.mention_kinds, ents, "Mention kind")
            + choices("realis", inv.realis, evs, "Realis")
            + choices("stance", inv.stance_labels, [STANCE], "Stance label")
            + choices("topic", inv.topics, [STANCE], "Target topic (or a 'target' relation to an entity or a trigger)")
            + "</View>")


def _region(rid: str, text: str, start: int, end: int, label: str, meta: list[str]) -> dict:
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
            "meta": {"text": meta}}


def _choice(rid: str, text: str, start: int, end: int, name: str, value: str) -> dict:
    return {"id": rid, "from_name": name, "to_name": "text", "type": "choices",
            "value": {"start": start, "end": end, "text": text[start:end], "choices": [value]}}


def _relation(a: str, b: str, label: str) -> dict:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": [label]}


def export_labelstudio(docs: list[Document], model_version: str = "gold") -> list[dict]:
    """Label Studio tasks (``data.text``, ``data.doc_id``, ``data.notes``, ``data.source``) with the
    annotations as ``predictions`` (pre-annotations an annotator corrects and submits)."""
    tasks = []
    for d in docs:
        text, result, rels = d.text, [], []
        first_mention = {ent.id: ent.mentions[0].id for ent in d.entities if ent.mentions}
        for ent in d.entities:
            for m in ent.mentions:
                s, e = m.span.start, m.span.end
                result.append(_region(m.id, text, s, e, ent.type, [f"entity={ent.id}", f"name={ent.name}"]))
                result.append(_choice(m.id, text, s, e, "kind", m.kind))
            rels += [_relation(m.id, first_mention[ent.id], "coref") for m in ent.mentions[1:]]
        for ev in d.events:
            rid = f"trigger-{ev.id}"
            s, e = ev.trigger.start, ev.trigger.end
            result.append(_region(rid, text, s, e, ev.type, [f"event={ev.id}"]))
            result.append(_choice(rid, text, s, e, "realis", ev.realis))
            rels += [_relation(rid, a.mention_id, a.role) for a in ev.arguments]
        for st in d.stances:
            for k, span in enumerate(st.evidence):
                rid = f"stance-{st.id}-{k}"
                result.append(_region(rid, text, span.start, span.end, STANCE, [f"stance={st.id}", f"part={k}"]))
                if k:
                    continue
                result.append(_choice(rid, text, span.start, span.end, "stance", st.label))
                if st.holder in first_mention:
                    rels.append(_relation(rid, first_mention[st.holder], "holder"))
                if st.target.kind == "topic":
                    result.append(_choice(rid, text, span.start, span.end, "topic", st.target.id))
                elif st.target.kind == "event":
                    rels.append(_relation(rid, f"trigger-{st.target.id}", "target"))
                elif st.target.id in first_mention:
                    rels.append(_relation(rid, first_mention[st.target.id], "target"))
        data = {"text": text, "doc_id": d.doc_id, "source": d.to_dict()["source"]}
        if d.notes:
            data["notes"] = d.notes
        tasks.append({"data": data, "predictions": [{"model_version": model_version, "result": result + rels}]})
    return tasks


def _meta(region: dict) -> dict[str, str]:
    out = {}
    meta = region.get("meta")
    items = meta.get("text", []) if isinstance(meta, dict) else []
    if isinstance(items, str):
        items = [items]
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            k, _, v = item.partition("=")
            out[k.strip()] = v
    return out


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _pass_name(annotation: dict) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    label = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(who)[:80]).strip("-.") if who is not None else ""  # a folder name
    return f"annotator-{label or 'unknown'}"


def import_labelstudio(tasks: object, file: str = "labelstudio.json") -> tuple[list[dict], list[Issue]]:
    """Annotation dicts from a Label Studio JSON export (module docstring: every annotation is a
    pass). Each dict has ``doc_id``, ``entities``, ``events``, ``stances``, the task's ``source`` and
    ``notes`` when it has them, and ``pass`` (the annotator) when it came from an annotation."""
    issues: list[Issue] = []
    docs: list[dict] = []
    if not isinstance(tasks, list):
        return [], [Issue("wrong-type", file, "", f"a Label Studio export is a JSON list of tasks, not {type(tasks).__name__}",
                          "export the project as JSON (not JSON-MIN or CSV)")]
    broken = lone_surrogates(tasks, file)
    if broken:
        return [], broken
    seen_ids: dict[str, str] = {}
    for i, task in enumerate(tasks):
        where = pointer(i)
        if not isinstance(task, dict):
            issues.append(Issue("wrong-type", file, where, "a task is a JSON object"))
            continue
        data = task.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            issues.append(Issue("missing-field", file, where + "/data/text", "task without a text (data.text must be a string)"))
            continue
        text = data["text"]
        doc_id = data.get("doc_id", task.get("id", i))
        if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
            issues.append(Issue("wrong-type", file, where + "/data/doc_id", "data.doc_id is a string"))
            continue
        doc_id = str(doc_id)
        problem = doc_id_problem(doc_id)
        if problem:
            issues.append(Issue("invalid-value", file, where + "/data/doc_id", problem, "document ids become file names"))
            continue
        if doc_id in seen_ids:
            issues.append(Issue("duplicate-document", file, where + "/data/doc_id", f"doc_id '{doc_id}' is also the task at {seen_ids[doc_id]}"))
            continue
        seen_ids[doc_id] = where
        sources: list[tuple[str | None, str, object]] = []
        annotations = task.get("annotations", [])
        if not isinstance(annotations, list):
            issues.append(Issue("wrong-type", file, where + "/annotations", "annotations is a list"))
            continue
        names: dict[str, int] = {}
        for j, ann in enumerate(annotations):
            if not isinstance(ann, dict):
                issues.append(Issue("wrong-type", file, f"{where}/annotations/{j}", "an annotation is a JSON object"))
                continue
            if ann.get("was_cancelled") is True:
                continue
            name = _pass_name(ann)
            names[name] = names.get(name, 0) + 1
            if names[name] > 1:
                name = f"{name}-{names[name]}"
            sources.append((name, f"{where}/annotations/{j}", ann.get("result")))
        if not sources:
            preds = task.get("predictions", [])
            if not isinstance(preds, list):
                issues.append(Issue("wrong-type", file, where + "/predictions", "predictions is a list"))
                continue
            if preds and _is_int(preds[0]):
                issues.append(Issue("missing-field", file, f"{where}/predictions/0", f"task '{doc_id}' has no annotation, and its "
                                    "predictions are exported by id only", "submit the annotations in Label Studio, or export "
                                    "a snapshot with predictions in full (serialization_options.predictions.only_id = false)"))
            elif preds:
                sources.append((None, f"{where}/predictions/0", preds[0].get("result") if isinstance(preds[0], dict) else None))
            else:
                issues.append(Issue("missing-field", file, where, f"task '{doc_id}' has no annotation and no prediction",
                                    "annotate it in Label Studio, or leave it out of the export", "warning"))
        extra = {}
        if isinstance(data.get("source"), dict):
            extra["source"] = data["source"]
        if isinstance(data.get("notes"), str) and data["notes"]:
            extra["notes"] = data["notes"]
        for name, at, result in sources:
            doc, found = _read_result(doc_id, text, result, file, at)
            issues += found
            if doc is not None:
                docs.append({**doc, **extra, **({"pass": name} if name is not None else {})})
    return docs, issues


def _read_result(doc_id: str, text: str, result: object, file: str, at: str) -> tuple[dict | None, list[Issue]]:
    """One annotation dict from one ``result`` list (an annotation's or a prediction's)."""
    inv = inventory()
    issues: list[Issue] = []
    where = at + "/result"

    def bad(code: str, ptr: str, message: str, hint: str | None = None) -> None:
        issues.append(Issue(code, file, ptr, message, hint))

    if not isinstance(result, list):
        bad("wrong-type", where, "result is a list of regions and relations")
        return None, issues
    regions: dict[str, dict] = {}
    controls: dict[str, dict[str, str]] = {}
    relations: list[tuple[str, str, str, str]] = []
    for k, item in enumerate(result):
        p = f"{where}/{k}"
        if not isinstance(item, dict):
            bad("wrong-type", p, "a result item is a JSON object")
            continue
        kind = item.get("type")
        if kind == "relation":
            a, b, labels = item.get("from_id"), item.get("to_id"), item.get("labels", [])
            if not isinstance(a, (str, int)) or not isinstance(b, (str, int)) or isinstance(a, bool) or isinstance(b, bool):
                bad("wrong-type", p, "a relation has from_id and to_id (region ids)")
            elif not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
                bad("invalid-value", p + "/labels", f"relation {a} -> {b} needs exactly one label",
                    "label it coref, holder, target or an argument role")
            else:
                relations.append((str(a), str(b), labels[0], p))
            continue
        if kind not in ("labels", "choices"):
            bad("invalid-value", p + "/type", f"result item of type {str(kind)[:40]!r} is not labels, choices or relation",
                "use the labelling config written with the tasks (label_config.xml)")
            continue
        rid = item.get("id")
        value = item.get("value")
        if not isinstance(rid, (str, int)) or isinstance(rid, bool) or not isinstance(value, dict):
            bad("wrong-type", p, "a region has an id and a value object")
            continue
        rid = str(rid)
        if kind == "choices":
            name, picked = item.get("from_name"), value.get("choices")
            if name not in CONTROLS:
                bad("invalid-value", p + "/from_name", f"choices '{str(name)[:40]}' are not one of {', '.join(CONTROLS)}")
            elif not isinstance(picked, list) or len(picked) != 1 or not isinstance(picked[0], str):
                bad("invalid-value", p + "/value/choices", f"region {rid}: pick exactly one {name}")
            else:
                controls.setdefault(rid, {})[name] = picked[0]
            continue
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if not _is_int(start) or not _is_int(end):
            bad("wrong-type", p + "/value", f"region {rid}: start and end are integers (code points)")
            continue
        if not 0 <= start < end <= len(text):
            bad("span-out-of-bounds", p + "/value", f"region {rid}: span {start}-{end} is not inside the text (0-{len(text)})")
            continue
        if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
            bad("invalid-value", p + "/value/labels", f"region {rid}: give exactly one label")
            continue
        if rid in regions:
            bad("duplicate-id", p + "/id", f"region id {rid} is already used at {regions[rid]['at']}")
            continue
        label = labels[0]
        if label not in inv.entity_types and label not in inv.event_types and label != STANCE:
            bad("unknown-label", p + "/value/labels/0", f"region {rid}: '{label[:40]}' is not an entity type, event type or {STANCE}")
            continue
        given = value.get("text")
        if isinstance(given, str) and given != text[start:end]:
            bad("span-text-mismatch", p + "/value/text", f"region {rid}: text {given[:40]!r} differs from the task text at "
                f"{start}-{end} ({text[start:end][:40]!r})", "offsets count code points of data.text")
            continue
        regions[rid] = {"label": label, "start": start, "end": end, "meta": _meta(item), "at": p}
    for rid in controls:
        if rid not in regions:
            bad("dangling-reference", where, f"choices for region {rid}, which is not a region of this result")
    mentions = [r for r, v in regions.items() if v["label"] in inv.entity_types]
    triggers = [r for r, v in regions.items() if v["label"] in inv.event_types]
    stance_regions = [r for r, v in regions.items() if v["label"] == STANCE]
    used = {v["meta"][f] for v in regions.values() for f in ("entity", "event", "stance") if f in v["meta"]}
    noted = set(used)
    used |= set(mentions)
    fresh_entity, fresh_event, fresh_stance = fresh_ids("E", used), fresh_ids("V", used), fresh_ids("S", used)
    fresh_mention = fresh_ids("M", used)
    # a region id is the mention id when it can be one (ours are); Label Studio's own become M<k>
    mid = {r: r if ID.fullmatch(r) and r not in noted else next(fresh_mention) for r in mentions}

    parent = {r: r for r in mentions}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    args: dict[str, list[dict]] = {r: [] for r in triggers}
    holder_of: dict[str, str] = {}
    target_of: dict[str, tuple[str, str]] = {}
    for a, b, label, p in relations:
        if a not in regions or b not in regions:
            bad("dangling-reference", p, f"relation {a} -> {b}: {a if a not in regions else b} is not a region of this result")
        elif label == "coref":
            if a in parent and b in parent:
                parent[root(a)] = root(b)
            else:
                bad("invalid-value", p, f"coref relation {a} -> {b} must join two mentions")
        elif label in ("holder", "target"):
            if a not in stance_regions:
                bad("invalid-value", p, f"a {label} relation starts at a {STANCE} region, not at {a}")
            elif label == "holder" and b in parent:
                holder_of[a] = b
            elif label == "target" and (b in parent or b in args):
                target_of[a] = ("entity" if b in parent else "event", b)
            else:
                bad("invalid-value", p, f"{label} relation {a} -> {b} must end at a mention" + (" or a trigger" if label == "target" else ""))
        elif a in args and b in parent:
            args[a].append({"role": label, "mention": b, "at": p})
        else:
            bad("invalid-value", p, f"relation '{label}' {a} -> {b}: an argument relation goes from a trigger to a mention")

    entity_of: dict[str, str] = {}
    clusters: dict[str, list[str]] = {}
    for r in mentions:
        clusters.setdefault(root(r), []).append(r)
    for members in clusters.values():
        noted = list(dict.fromkeys(regions[r]["meta"]["entity"] for r in members if regions[r]["meta"].get("entity")))
        if len(noted) > 1:
            bad("invalid-value", regions[members[0]]["at"], f"coref relations join the entities {', '.join(noted)}",
                "remove the coref relation between them, or give their mentions one entity")
        eid = noted[0] if noted else next(fresh_entity)
        for r in members:
            entity_of[r] = eid
    entities: dict[str, dict] = {}
    for r in mentions:
        reg = regions[r]
        eid = entity_of[r]
        span = {"start": reg["start"], "end": reg["end"], "text": text[reg["start"]:reg["end"]]}
        ent = entities.setdefault(eid, {"id": eid, "type": reg["label"], "name": reg["meta"].get("name") or span["text"], "mentions": []})
        if ent["type"] != reg["label"]:
            bad("invalid-value", reg["at"] + "/value/labels/0", f"mention {r} is labelled {reg['label']} but its entity {eid} "
                f"is {ent['type']}", "the mentions of one entity (joined by coref) share its type")
        kind = controls.get(r, {}).get("kind")
        if kind is None:
            bad("missing-field", reg["at"], f"mention {r} ({span['text'][:30]!r}) has no kind",
                f"choose its kind ({', '.join(inv.mention_kinds)}) in Label Studio")
        ent["mentions"].append({"id": mid[r], **span, "kind": kind or ""})
    events = []
    for r in triggers:
        reg = regions[r]
        realis = controls.get(r, {}).get("realis")
        if realis is None:
            bad("missing-field", reg["at"], f"trigger {r} has no realis", f"choose its realis ({', '.join(inv.realis)}) in Label Studio")
        events.append({"id": reg["meta"].get("event") or next(fresh_event), "type": reg["label"], "realis": realis or "",
                       "trigger": {"start": reg["start"], "end": reg["end"], "text": text[reg["start"]:reg["end"]]},
                       "arguments": [{"role": x["role"], "mention": mid[x["mention"]]} for x in args[r]]})
    event_id = {r: e["id"] for r, e in zip(triggers, events)}
    stances: dict[str, dict] = {}
    for r in stance_regions:
        reg = regions[r]
        sid = reg["meta"].get("stance") or next(fresh_stance)
        st = stances.setdefault(sid, {"id": sid, "evidence": [], "head": None})
        st["evidence"].append((reg["meta"].get("part", ""), {"start": reg["start"], "end": reg["end"], "text": text[reg["start"]:reg["end"]]}))
        c = controls.get(r, {})
        if "stance" in c or r in holder_of or r in target_of or "topic" in c:
            if st["head"] is not None:
                bad("invalid-value", reg["at"], f"stance {sid} has label, holder or target on two regions")
                continue
            st["head"] = r
    out_stances = []
    for sid, st in stances.items():
        r = st["head"]
        if r is None:
            bad("missing-field", regions[[x for x in stance_regions if (regions[x]["meta"].get("stance") or "") == sid][0]]["at"]
                if any(regions[x]["meta"].get("stance") == sid for x in stance_regions) else where,
                f"stance {sid} has no label, holder or target", "set them on one of its Stance regions")
            continue
        c = controls.get(r, {})
        missing = [n for n, ok in (("label", "stance" in c), ("holder", r in holder_of),
                                   ("target", r in target_of or "topic" in c)) if not ok]
        if missing:
            bad("missing-field", regions[r]["at"], f"stance {sid} has no {' and no '.join(missing)}",
                "choose the stance label, draw a holder relation to a mention of the holder, and a target relation or a topic")
            continue
        if r in target_of:
            kind, b = target_of[r]
            target = {"kind": kind, "id": entity_of[b] if kind == "entity" else event_id[b]}
        else:
            target = {"kind": "topic", "id": c["topic"]}
        evidence = [span for _, span in sorted(st["evidence"], key=lambda x: (int(x[0]) if x[0].isdigit() else 0))]
        out_stances.append({"id": sid, "holder": entity_of[holder_of[r]], "target": target, "label": c["stance"], "evidence": evidence})
    return {"doc_id": doc_id, "entities": list(entities.values()), "events": events, "stances": out_stances}, issues


def dumps(tasks: list[dict]) -> str:
    return json.dumps(tasks, ensure_ascii=False, indent=2) + "\n"
