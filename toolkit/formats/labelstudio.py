"""Label Studio JSON: tasks with pre-annotations out, exported tasks in.

Label Studio counts text offsets in UTF-16 code units (JavaScript string indices); this schema
counts Unicode code points. The two differ after any character outside the Basic Multilingual
Plane (emoji, some CJK extensions): :func:`to_utf16` and :func:`from_utf16` convert.

Mapping (lossless): each mention is a ``labels`` region (``id`` = mention id, label = entity
type, ``meta.text`` = ``["kind=..", "entity=..", "name=.."]``); coreference is a ``coref``
relation from each further mention to the entity's first; each event trigger is a region labelled
with the event type (``meta`` holds its id and realis) and each argument a relation from the
trigger to the mention labelled with the role; each stance's evidence is a ``Stance`` region whose
``meta`` holds id, holder, target and label. The labelling config to use is :func:`label_config`.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

from toolkit.model.document import Document
from toolkit.model.labels import inventory
from toolkit.model.issues import Issue


def to_utf16(text: str, index: int) -> int:
    """UTF-16 code-unit offset of code-point ``index``."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def from_utf16(text: str, unit: int) -> int:
    """Code-point index of UTF-16 code-unit offset ``unit`` (raises ValueError inside a surrogate pair)."""
    units = 0
    for i, ch in enumerate(text):
        if units == unit:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > unit:
            raise ValueError(f"UTF-16 offset {unit} falls inside the character at {i}")
    if units == unit:
        return len(text)
    raise ValueError(f"UTF-16 offset {unit} is beyond the text")


def label_config() -> str:
    """A Label Studio labelling config with every entity type, event type and the stance region."""
    inv = inventory()
    labels = "".join(f"<Label value={quoteattr(v)}/>" for v in [*inv.entity_types, *inv.event_types, "Stance"])
    rels = "".join(f"<Relation value={quoteattr(v)}/>" for v in ["coref", *inv.all_roles()])
    return (f'<View><Relations>{rels}</Relations><Labels name="label" toName="text">{labels}</Labels>'
            f'<Text name="text" value="$text"/></View>')


def _region(rid: str, text: str, start: int, end: int, label: str, meta: list[str]) -> dict:
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": to_utf16(text, start), "end": to_utf16(text, end), "text": text[start:end], "labels": [label]},
            "meta": {"text": meta}}


def _relation(a: str, b: str, label: str) -> dict:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": [label]}


def export_labelstudio(docs: list[Document], model_version: str = "gold") -> list[dict]:
    """Label Studio tasks (``data.text``, ``data.doc_id``) with the annotations as ``predictions``."""
    tasks = []
    for d in docs:
        text, result = d.text, []
        for ent in d.entities:
            for m in ent.mentions:
                result.append(_region(m.id, text, m.span.start, m.span.end, ent.type,
                                      [f"kind={m.kind}", f"entity={ent.id}", f"name={ent.name}"]))
            first = ent.mentions[0].id
            result += [_relation(m.id, first, "coref") for m in ent.mentions[1:]]
        for ev in d.events:
            rid = f"trigger-{ev.id}"
            result.append(_region(rid, text, ev.trigger.start, ev.trigger.end, ev.type, [f"event={ev.id}", f"realis={ev.realis}"]))
            result += [_relation(rid, a.mention_id, a.role) for a in ev.arguments]
        for st in d.stances:
            for k, span in enumerate(st.evidence):
                meta = [f"stance={st.id}", f"part={k}"]
                if k == 0:
                    meta += [f"holder={st.holder}", f"target={st.target.kind}:{st.target.id}", f"label={st.label}"]
                result.append(_region(f"stance-{st.id}-{k}", text, span.start, span.end, "Stance", meta))
        tasks.append({"data": {"text": text, "doc_id": d.doc_id},
                      "predictions": [{"model_version": model_version, "result": result}]})
    return tasks


def _meta(region: dict) -> dict[str, str]:
    out = {}
    for item in (region.get("meta") or {}).get("text", []):
        k, _, v = item.partition("=")
        out[k] = v
    return out


def import_labelstudio(tasks: object, file: str = "labelstudio.json") -> tuple[list[dict], list[Issue]]:
    """Annotation dicts from Label Studio tasks: the first completed annotation of each task, else
    its first prediction. Offsets are converted from UTF-16 code units to code points."""
    issues: list[Issue] = []
    docs: list[dict] = []
    if not isinstance(tasks, list):
        return [], [Issue("wrong-type", file, "", "a Label Studio export is a JSON list of tasks")]
    for i, task in enumerate(tasks):
        where = f"/{i}"
        try:
            text = task["data"]["text"]
            doc_id = task["data"].get("doc_id") or str(task.get("id", i))
        except (KeyError, TypeError):
            issues.append(Issue("missing-field", file, where + "/data/text", "task without data.text"))
            continue
        done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        source = done[0] if done else (task.get("predictions") or [{}])[0]
        result = source.get("result") or []
        regions = {r["id"]: r for r in result if r.get("type") == "labels"}
        entities: dict[str, dict] = {}
        events: dict[str, dict] = {}
        stances: dict[str, dict] = {}
        offsets: dict[str, tuple[int, int]] = {}
        mentions: list[tuple[str, str, dict, dict]] = []
        for rid, r in regions.items():
            v = r.get("value", {})
            try:
                start, end = from_utf16(text, v["start"]), from_utf16(text, v["end"])
            except (KeyError, ValueError) as exc:
                issues.append(Issue("invalid-value", file, f"{where}/result/{rid}", f"region {rid}: {exc}"))
                continue
            offsets[rid] = (start, end)
            label = (v.get("labels") or ["?"])[0]
            meta = _meta(r)
            span = {"start": start, "end": end, "text": text[start:end]}
            if label == "Stance":
                st = stances.setdefault(meta.get("stance", rid), {"id": meta.get("stance", rid), "evidence": []})
                if "holder" in meta:
                    kind, _, tid = meta["target"].partition(":")
                    st.update(holder=meta["holder"], target={"kind": kind, "id": tid}, label=meta["label"])
                st["evidence"].append(span)
            elif label in inventory().event_types:
                events[rid] = {"id": meta.get("event", rid), "type": label, "realis": meta.get("realis", "actual"),
                               "trigger": span, "arguments": []}
            else:
                mentions.append((rid, label, span, meta))
        parent = {rid: rid for rid, *_ in mentions}

        def root(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for r in result:
            if r.get("type") != "relation":
                continue
            label = (r.get("labels") or [""])[0]
            a, b = r.get("from_id"), r.get("to_id")
            if label == "coref" and a in parent and b in parent:
                parent[root(a)] = root(b)  # a tool's coref links merge clusters
            elif a in events:
                events[a]["arguments"].append({"role": label, "mention": b})
        for rid, label, span, meta in mentions:
            eid = meta.get("entity") or f"E-{root(rid)}"
            ent = entities.setdefault(eid, {"id": eid, "type": label, "name": meta.get("name", span["text"]), "mentions": []})
            ent["mentions"].append({"id": rid, **span, "kind": meta.get("kind", "name")})
        docs.append({"doc_id": doc_id, "entities": list(entities.values()), "events": list(events.values()),
                     "stances": [{"id": s["id"], "holder": s.get("holder"), "target": s.get("target"),
                                  "label": s.get("label"), "evidence": s["evidence"]} for s in stances.values()]})
    return docs, issues


def dumps(tasks: list[dict]) -> str:
    return json.dumps(tasks, ensure_ascii=False, indent=2) + "\n"
