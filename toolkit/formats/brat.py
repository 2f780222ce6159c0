"""brat standoff format (https://brat.nlplab.org/standoff.html), both ways.

Mapping (lossless for everything our schema holds):

- each mention -> a text-bound line ``T<n>\\t<ENTITY_TYPE> <start> <end>\\t<text>``, its kind an
  attribute ``A<n>\\tKind T<n> <kind>``, and a note ``#<n>\\tAnnotatorNotes T<n>\\tmention=<id> entity=<id> name=<name>``;
- coreference -> an equivalence line ``*\\tCoref T<a> T<b> ...`` per entity with two or more mentions;
- each event -> its trigger ``T<n>\\t<EVENT_TYPE> <start> <end>\\t<text>``, an event line
  ``E<n>\\t<EVENT_TYPE>:T<n> <Role>:T<m> <Role>2:T<k>`` (brat numbers repeated roles), an attribute
  ``A<n>\\tRealis E<n> <realis>`` and a note with the event id;
- each stance (brat has no stance) -> one text-bound ``Stance-evidence`` line per evidence span, the
  first carrying a note ``stance=<id> holder=<entity id> target=<kind>:<id> label=<label>``.

Offsets in brat are character offsets into the ``.txt``, as ours are. Discontinuous brat spans
(``0 5;8 12``) have no equivalent and are reported.
"""

from __future__ import annotations

import re

from toolkit.model.document import Document
from toolkit.model.issues import Issue

NOTE = "AnnotatorNotes"


def _clean(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")


def export_brat(docs: list[Document]) -> dict[str, str]:
    """``{<doc_id>.txt: text, <doc_id>.ann: standoff}`` for every document."""
    files: dict[str, str] = {}
    for d in docs:
        lines: list[str] = []
        t = a = e = n = 0
        tid: dict[str, str] = {}

        def note(target: str, body: str) -> None:
            nonlocal n
            n += 1
            lines.append(f"#{n}\t{NOTE} {target}\t{body}")

        for ent in d.entities:
            for m in ent.mentions:
                t += 1
                tid[m.id] = f"T{t}"
                lines.append(f"T{t}\t{ent.type} {m.span.start} {m.span.end}\t{_clean(m.span.text)}")
                a += 1
                lines.append(f"A{a}\tKind T{t} {m.kind}")
                note(f"T{t}", f"mention={m.id} entity={ent.id} name={_clean(ent.name)}")
            if len(ent.mentions) > 1:
                lines.append("*\tCoref " + " ".join(tid[m.id] for m in ent.mentions))
        for ev in d.events:
            t += 1
            trig = f"T{t}"
            lines.append(f"{trig}\t{ev.type} {ev.trigger.start} {ev.trigger.end}\t{_clean(ev.trigger.text)}")
            e += 1
            seen: dict[str, int] = {}
            args = []
            for arg in ev.arguments:
                seen[arg.role] = seen.get(arg.role, 0) + 1
                suffix = "" if seen[arg.role] == 1 else str(seen[arg.role])
                args.append(f"{arg.role}{suffix}:{tid[arg.mention_id]}")
            lines.append(f"E{e}\t{ev.type}:{trig}" + "".join(" " + x for x in args))
            a += 1
            lines.append(f"A{a}\tRealis E{e} {ev.realis}")
            note(f"E{e}", f"event={ev.id}")
        for st in d.stances:
            for k, span in enumerate(st.evidence):
                t += 1
                lines.append(f"T{t}\tStance-evidence {span.start} {span.end}\t{_clean(span.text)}")
                body = f"stance={st.id} part={k}"
                if k == 0:
                    body += f" holder={st.holder} target={st.target.kind}:{st.target.id} label={st.label}"
                note(f"T{t}", body)
        files[f"{d.doc_id}.txt"] = d.text
        files[f"{d.doc_id}.ann"] = "\n".join(lines) + "\n"
    return files


def _fields(body: str) -> dict[str, str]:
    out = {}
    for m in re.finditer(r"(\w+)=(.*?)(?=\s\w+=|$)", body):
        out[m.group(1)] = m.group(2)
    return out


def import_brat(doc_id: str, text: str, ann: str, file: str = "") -> tuple[dict, list[Issue]]:
    """One annotation-file dict (offsets, labels, ids) from a ``.txt`` and its ``.ann``.

    Notes written by :func:`export_brat` restore ids, names and stances exactly; a file from brat
    itself gets derived ids (each text-bound entity its own entity unless a ``Coref`` line joins them).
    """
    file = file or f"{doc_id}.ann"
    issues: list[Issue] = []
    spans: dict[str, tuple[str, int, int, str]] = {}
    kinds: dict[str, str] = {}
    realis: dict[str, str] = {}
    notes: dict[str, dict[str, str]] = {}
    corefs: list[list[str]] = []
    events: list[tuple[str, str, list[tuple[str, str]]]] = []
    for lineno, line in enumerate(ann.splitlines(), 1):
        if not line.strip():
            continue
        where = f"/line/{lineno}"
        parts = line.split("\t")
        key = parts[0]
        try:
            if key.startswith("T"):
                label, _, offsets = parts[1].partition(" ")
                if ";" in offsets:
                    issues.append(Issue("invalid-value", file, where, f"{key}: discontinuous span '{offsets}' cannot be represented",
                                        "split it into separate annotations"))
                    continue
                start, end = (int(x) for x in offsets.split())
                spans[key] = (label, start, end, text[start:end])
            elif key.startswith("A"):
                name, target, value = parts[1].split()
                (kinds if name == "Kind" else realis)[target] = value
            elif key.startswith("#"):
                target = parts[1].split()[1]
                notes[target] = _fields(parts[2] if len(parts) > 2 else "")
            elif key == "*":
                corefs.append(parts[1].split()[1:])
            elif key.startswith("E"):
                items = parts[1].split()
                etype, trig = items[0].split(":")
                args = [(re.sub(r"\d+$", "", r), t) for r, t in (x.split(":") for x in items[1:])]
                events.append((key, trig, args))
                spans.setdefault(trig, (etype, 0, 0, ""))
            else:
                issues.append(Issue("invalid-value", file, where, f"unsupported brat line '{key}' (relations and normalizations are not part of the schema)"))
        except (ValueError, IndexError):
            issues.append(Issue("invalid-value", file, where, f"malformed brat line: {line[:60]!r}"))
    triggers = {trig for _, trig, _ in events}
    evidence = {k for k, v in spans.items() if v[0] == "Stance-evidence"}
    mention_keys = [k for k in spans if k not in triggers and k not in evidence]
    cluster_of: dict[str, str] = {}
    for chain in corefs:
        for k in chain:
            cluster_of[k] = chain[0]
    entities: dict[str, dict] = {}
    mid_of: dict[str, str] = {}
    for k in mention_keys:
        label, start, end, span_text = spans[k]
        note = notes.get(k, {})
        root = cluster_of.get(k, k)
        eid = note.get("entity") or f"E{root[1:]}"
        mid = note.get("mention") or f"M{k[1:]}"
        mid_of[k] = mid
        ent = entities.setdefault(eid, {"id": eid, "type": label, "name": note.get("name") or span_text, "mentions": []})
        ent["mentions"].append({"id": mid, "start": start, "end": end, "text": span_text, "kind": kinds.get(k, "name")})
    out_events = []
    for key, trig, args in events:
        label, start, end, span_text = spans[trig]
        out_events.append({
            "id": notes.get(key, {}).get("event") or f"V{key[1:]}",
            "type": label, "realis": realis.get(key, "actual"),
            "trigger": {"start": start, "end": end, "text": span_text},
            "arguments": [{"role": r, "mention": mid_of.get(t, t)} for r, t in args],
        })
    stances: dict[str, dict] = {}
    for k in sorted(evidence, key=lambda k: int(k[1:])):
        note = notes.get(k, {})
        _, start, end, span_text = spans[k]
        sid = note.get("stance")
        if sid is None:
            issues.append(Issue("missing-field", file, f"/{k}", f"{k}: Stance-evidence without a stance note", "stances need holder, target and label"))
            continue
        st = stances.setdefault(sid, {"id": sid, "evidence": []})
        if "holder" in note:
            kind, _, tid = note["target"].partition(":")
            st.update(holder=note["holder"], target={"kind": kind, "id": tid}, label=note["label"])
        st["evidence"].append({"start": start, "end": end, "text": span_text})
    ordered = [{"id": s["id"], "holder": s.get("holder"), "target": s.get("target"), "label": s.get("label"),
                "evidence": s["evidence"]} for s in stances.values()]
    return {"doc_id": doc_id, "entities": list(entities.values()), "events": out_events, "stances": ordered}, issues
