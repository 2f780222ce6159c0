"""brat standoff format (https://brat.nlplab.org/standoff.html), both ways.

Mapping (lossless for everything our schema holds):

- each mention -> a text-bound line ``T<n>\\t<ENTITY_TYPE> <start> <end>\\t<text>``, its kind an
  attribute ``A<n>\\tKind T<n> <kind>``, and a note ``#<n>\\tAnnotatorNotes T<n>\\tmention=<id> entity=<id> name=<name>``;
- coreference -> an equivalence line ``*\\tCoref T<a> T<b> ...`` per entity with two or more mentions;
- each event -> its trigger ``T<n>\\t<EVENT_TYPE> <start> <end>\\t<text>``, an event line
  ``E<n>\\t<EVENT_TYPE>:T<n> <Role>:T<m> <Role>2:T<k>`` (brat numbers repeated roles), an attribute
  ``A<n>\\tRealis E<n> <realis>`` and a note with the event id;
- each stance (brat has no stance) -> one text-bound ``Stance-evidence`` line per evidence span, the
  first carrying a note ``stance=<id> holder=<entity id> target=<kind>:<id> label=<label>``;
- the document's ``notes`` and ``source`` (which no brat annotation can carry) -> ``<doc_id>.meta.json``
  beside the ``.ann`` (brat ignores it; the import reads it back).

With the documents, :func:`export_brat` writes the collection's ``annotation.conf`` (entity and
event types with their roles, the ``Coref`` equivalence, the ``Kind`` and ``Realis`` attributes,
overlap allowed, as our mentions nest), ``visual.conf`` (labels and colours) and ``tools.conf``
(no tokenisation-based snapping, since our spans are character spans), so the folder opens in brat
for editing.

Ids. brat's own ids (``T``, ``E``, ``A``, ``#``) are renumbered freely by brat and never taken as
ours: our ids travel in the notes. Whatever brat adds without a note gets a fresh id that no
existing id of the document uses: a new mention joins the entity of a noted mention in its
``Coref`` chain, else a new entity ``E<k>`` numbered after every entity id in use (never the
number of a brat ``E`` line); a new event gets ``V<k>`` the same way.

Offsets in brat are character offsets into the ``.txt``, as ours are. Discontinuous brat spans
(``0 5;8 12``), relations other than ``Coref`` and references to annotations that do not exist are
reported with the file and line, never guessed.
"""

from __future__ import annotations

import json
import re

from toolkit.formats.ids import fresh_ids as _fresh
from toolkit.model.document import Document
from toolkit.model.issues import Issue
from toolkit.model.labels import inventory

NOTE = "AnnotatorNotes"
EVIDENCE = "Stance-evidence"
NOTE_KEYS = ("mention", "entity", "event", "stance", "part", "holder", "target", "label", "name")


def brat_type(label: str) -> str:
    """The form brat stores a type in: letters, digits, ``_`` and ``-`` only (brat's own
    normalize_to_storage_form turns any other character into ``_``, so ``Trade.Negotiate`` is
    ``Trade_Negotiate`` in the .ann and the .conf; visual.conf shows the dotted name)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", label)


def _our_types() -> dict[str, str]:
    inv = inventory()
    return {brat_type(t): t for t in [*inv.entity_types, *inv.event_types, EVIDENCE]}


def _clean(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ").replace("\r", " ")


def annotation_conf() -> str:
    """brat's ``annotation.conf`` for our scheme (entities, events with roles, Coref, attributes)."""
    inv = inventory()
    ents = list(inv.entity_types)
    lines = ["# Written by `toolkit convert --to brat` (the label inventory of schema/labels.schema.json).",
             "[entities]", *ents, EVIDENCE, "", "[relations]",
             "Coref\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive",
             "<OVERLAP>\tArg1:<ANY>, Arg2:<ANY>, <OVL-TYPE>:<ANY>", "", "[events]"]
    for etype, roles in inv.roles.items():
        args = ", ".join(f"{role}*:{'|'.join(types)}" for role, types in roles.items())
        lines.append(f"{brat_type(etype)}\t{args}" if args else brat_type(etype))
    lines += ["", "[attributes]",
              f"Kind\tArg:{'|'.join(ents)}, Value:{'|'.join(inv.mention_kinds)}",
              f"Realis\tArg:<EVENT>, Value:{'|'.join(inv.realis)}", ""]
    return "\n".join(lines)


def visual_conf() -> str:
    """brat's ``visual.conf``: a label and a colour for every type."""
    palette = ["#ffd8a8", "#a5d8ff", "#b2f2bb", "#ffc9c9", "#d0bfff", "#fcc2d7", "#ffec99", "#c3fae8", "#e9ecef",
               "#99e9f2", "#eebefa", "#d8f5a2"]
    inv = inventory()
    labels = [f"{brat_type(t)} | {t}" for t in [*inv.entity_types, *inv.event_types, EVIDENCE]] + ["Coref | Coref"]
    drawing = [f"{t}\tbgColor:{palette[i % len(palette)]}" for i, t in enumerate(inv.entity_types)]
    drawing += [f"{brat_type(t)}\tbgColor:#74c0fc" for t in inv.event_types]
    drawing += [f"{EVIDENCE}\tbgColor:#fff3bf", "Coref\tcolor:#868e96, dashArray:3-3, arrowHead:none", "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
                "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5", "ATTRIBUTE_DEFAULT\tglyph:*"]
    return "\n".join(["[labels]", *labels, "", "[drawing]", *drawing, ""])


def tools_conf() -> str:
    """brat's ``tools.conf``: character-level spans (no snapping to tokens), newline sentence splitting."""
    return "\n".join(["[options]", "Tokens\ttokenizer:whitespace", "Sentences\tsplitter:newline",
                      "Validation\tvalidate:all", "Annotation-display\tinterface:normal", ""])


def export_brat(docs: list[Document]) -> dict[str, str]:
    """``{<doc_id>.txt, <doc_id>.ann, <doc_id>.meta.json}`` for every document, and the three brat configs."""
    files: dict[str, str] = {"annotation.conf": annotation_conf(), "visual.conf": visual_conf(), "tools.conf": tools_conf()}
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
            lines.append(f"{trig}\t{brat_type(ev.type)} {ev.trigger.start} {ev.trigger.end}\t{_clean(ev.trigger.text)}")
            e += 1
            seen: dict[str, int] = {}
            args = []
            for arg in ev.arguments:
                seen[arg.role] = seen.get(arg.role, 0) + 1
                suffix = "" if seen[arg.role] == 1 else str(seen[arg.role])
                args.append(f"{arg.role}{suffix}:{tid[arg.mention_id]}")
            lines.append(f"E{e}\t{brat_type(ev.type)}:{trig}" + "".join(" " + x for x in args))
            a += 1
            lines.append(f"A{a}\tRealis E{e} {ev.realis}")
            note(f"E{e}", f"event={ev.id}")
        for st in d.stances:
            for k, span in enumerate(st.evidence):
                t += 1
                lines.append(f"T{t}\t{EVIDENCE} {span.start} {span.end}\t{_clean(span.text)}")
                body = f"stance={st.id} part={k}"
                if k == 0:
                    body += f" holder={st.holder} target={st.target.kind}:{st.target.id} label={st.label}"
                note(f"T{t}", body)
        files[f"{d.doc_id}.txt"] = d.text
        files[f"{d.doc_id}.ann"] = "\n".join(lines) + "\n"
        source = d.to_dict()["source"]
        files[f"{d.doc_id}.meta.json"] = json.dumps({"doc_id": d.doc_id, "notes": d.notes, "source": source},
                                                    ensure_ascii=False, indent=2) + "\n"
    return files


_NOTE_FIELD = re.compile(r"(?:^|\s)(" + "|".join(NOTE_KEYS) + r")=")


def _fields(body: str) -> dict[str, str]:
    """``key=value`` pairs of a note; ``name`` (always last) takes the rest of the line."""
    out: dict[str, str] = {}
    found = list(_NOTE_FIELD.finditer(body))
    for i, m in enumerate(found):
        key = m.group(1)
        if key == "name":
            out[key] = body[m.end():]
            break
        end = found[i + 1].start() if i + 1 < len(found) else len(body)
        out[key] = body[m.end():end].strip()
    return out


def import_brat(doc_id: str, text: str, ann: str, file: str = "", meta: dict | None = None) -> tuple[dict, list[Issue]]:
    """One annotation-file dict (offsets, labels, ids) from a ``.txt`` and its ``.ann``.

    Notes written by :func:`export_brat` restore ids, names and stances exactly; what brat added
    without a note gets fresh ids (module docstring). ``meta`` is the parsed ``<doc_id>.meta.json``
    (notes and source). Every line that cannot be read is reported as ``file:/line/<n>``.
    """
    file = file or f"{doc_id}.ann"
    inv = inventory()
    ours = _our_types()
    issues: list[Issue] = []
    spans: dict[str, tuple[str, int, int, str]] = {}
    kinds: dict[str, str] = {}
    realis: dict[str, str] = {}
    notes: dict[str, dict[str, str]] = {}
    corefs: list[tuple[str, list[str]]] = []
    events: list[tuple[str, str, str, list[tuple[str, str]]]] = []
    line_of: dict[str, str] = {}
    ref_line: dict[str, str] = {}  # attribute or note target -> the line that names it

    def bad(where: str, message: str, hint: str | None = None, code: str = "invalid-value") -> None:
        issues.append(Issue(code, file, where, message, hint))

    for lineno, line in enumerate(ann.splitlines(), 1):
        if not line.strip():
            continue
        where = f"/line/{lineno}"
        parts = line.split("\t")
        key = parts[0]
        if key in line_of and key != "*":
            bad(where, f"id {key} is already used on {line_of[key][1:]}", "give every brat annotation its own id", "duplicate-id")
            continue
        try:
            if key.startswith("T") and key[1:].isdigit():
                label, _, offsets = parts[1].partition(" ")
                if ";" in offsets:
                    bad(where, f"{key}: discontinuous span '{offsets}' cannot be represented", "split it into separate annotations")
                    continue
                start, end = (int(x) for x in offsets.split())
                label = ours.get(label, label)
                if not 0 <= start < end <= len(text):
                    bad(where, f"{key}: span {start}-{end} is not inside the text (0-{len(text)})", "offsets count characters of the .txt",
                        "span-out-of-bounds")
                    continue
                if len(parts) > 2 and parts[2] != _clean(text[start:end]):
                    bad(where, f"{key}: text {parts[2][:40]!r} differs from the .txt at {start}-{end} ({text[start:end][:40]!r})",
                        "the .ann was made for another version of the .txt", "span-text-mismatch")
                    continue
                if label not in inv.entity_types and label not in inv.event_types and label != EVIDENCE:
                    bad(where, f"{key}: '{label}' is not an entity type, event type or {EVIDENCE}", None, "unknown-label")
                    continue
                spans[key] = (label, start, end, text[start:end])
            elif key.startswith("A") and key[1:].isdigit():
                name, target, value = parts[1].split()
                ref_line[target] = where
                if name == "Kind" and value in inv.mention_kinds:
                    kinds[target] = value
                elif name == "Realis" and value in inv.realis:
                    realis[target] = value
                else:
                    bad(where, f"{key}: attribute {name}={value} is not Kind ({', '.join(inv.mention_kinds)}) "
                               f"or Realis ({', '.join(inv.realis)})", None, "unknown-label")
                    continue
            elif key.startswith("#"):
                target = parts[1].split()[1]
                ref_line[target] = where
                notes[target] = _fields(parts[2] if len(parts) > 2 else "")
            elif key == "*":
                chain = parts[1].split()
                if chain[0] != "Coref":
                    raise ValueError
                corefs.append((where, chain[1:]))
            elif key.startswith("E") and key[1:].isdigit():
                items = parts[1].split()
                etype, trig = items[0].split(":")
                args = [(re.sub(r"\d+$", "", r), t) for r, t in (x.split(":") for x in items[1:])]
                events.append((where, key, trig, args))
            else:
                bad(where, f"unsupported brat line '{key[:20]}' (relations and normalizations are not part of the schema)",
                    "express coreference with Coref equivalences (*) and arguments as event roles")
                continue
            line_of[key] = where
        except (ValueError, IndexError):
            bad(where, f"malformed brat line: {line[:60]!r}", "see https://brat.nlplab.org/standoff.html")

    def known(ref: str, where: str, what: str, pool) -> bool:
        if ref in pool:
            return True
        bad(where, f"{what} {ref} is not an annotation of this file", None, "dangling-reference")
        return False

    event_keys = {key for _, key, _, _ in events}
    for target, where in ref_line.items():
        if target not in spans and target not in event_keys:
            known(target, where, "attribute or note target", ())
    triggers: dict[str, str] = {}
    for where, key, trig, args in events:
        if known(trig, where, f"{key}: trigger", spans):
            if spans[trig][0] not in inv.event_types:
                bad(where, f"{key}: trigger {trig} is a {spans[trig][0]}, not an event type", None, "unknown-label")
            triggers[trig] = key
    evidence = {k for k, v in spans.items() if v[0] == EVIDENCE}
    mention_keys = [k for k, v in spans.items() if v[0] in inv.entity_types]
    for k, v in spans.items():
        if v[0] in inv.event_types and k not in triggers:
            bad(line_of[k], f"{k}: a {v[0]} span with no event line (E...) using it as trigger", "add the event in brat, or delete the span")
    # our ids, from the notes; everything brat added without a note gets a fresh one
    used = {notes[k][f] for k in notes for f in ("mention", "entity", "event", "stance") if f in notes[k]}
    fresh_mention, fresh_entity, fresh_event = _fresh("M", used), _fresh("E", used), _fresh("V", used)
    entity_of: dict[str, str] = {k: notes[k]["entity"] for k in mention_keys if "entity" in notes.get(k, {})}
    for where, chain in corefs:
        members = [k for k in chain if known(k, where, "Coref member", mention_keys)]
        noted = list(dict.fromkeys(entity_of[k] for k in members if k in entity_of))
        if len(noted) > 1:
            bad(where, f"Coref chain joins the entities {', '.join(noted)}", "one Coref line per entity")
            continue
        eid = noted[0] if noted else next(fresh_entity)
        for k in members:
            entity_of[k] = eid
    entities: dict[str, dict] = {}
    mid_of: dict[str, str] = {}
    for k in mention_keys:
        label, start, end, span_text = spans[k]
        note = notes.get(k, {})
        eid = entity_of.get(k) or next(fresh_entity)
        mid = note.get("mention") or next(fresh_mention)
        mid_of[k] = mid
        ent = entities.setdefault(eid, {"id": eid, "type": label, "name": note.get("name") or span_text, "mentions": []})
        if ent["type"] != label:
            bad(line_of[k], f"{k}: a {label} mention in entity {eid} of type {ent['type']}", "the mentions of one entity share its type")
        if k not in kinds:
            bad(line_of[k], f"{k}: mention without a Kind attribute", f"give it Kind ({', '.join(inv.mention_kinds)}) in brat", "missing-field")
        ent["mentions"].append({"id": mid, "start": start, "end": end, "text": span_text, "kind": kinds.get(k, "")})
    out_events = []
    for where, key, trig, args in events:
        if trig not in triggers:
            continue
        label, start, end, span_text = spans[trig]
        arguments = []
        for role, t in args:
            if known(t, where, f"{key}: argument {role}", mid_of):
                arguments.append({"role": role, "mention": mid_of[t]})
        if key not in realis:
            bad(where, f"{key}: event without a Realis attribute", f"give it Realis ({', '.join(inv.realis)}) in brat", "missing-field")
        out_events.append({
            "id": notes.get(key, {}).get("event") or next(fresh_event),
            "type": label, "realis": realis.get(key, ""),
            "trigger": {"start": start, "end": end, "text": span_text},
            "arguments": arguments,
        })
    stances: dict[str, dict] = {}
    for k in sorted(evidence, key=lambda k: int(k[1:])):
        note = notes.get(k, {})
        _, start, end, span_text = spans[k]
        sid = note.get("stance")
        if sid is None:
            bad(line_of[k], f"{k}: {EVIDENCE} without a stance note", "stances need holder, target and label", "missing-field")
            continue
        st = stances.setdefault(sid, {"id": sid, "evidence": []})
        if "holder" in note:
            kind, _, tid = note.get("target", "").partition(":")
            st.update(holder=note["holder"], target={"kind": kind, "id": tid}, label=note.get("label"))
        st["evidence"].append({"start": start, "end": end, "text": span_text})
    ordered = []
    for s in stances.values():
        if "holder" not in s:
            bad("", f"stance {s['id']}: no evidence note carries its holder, target and label", None, "missing-field")
            continue
        ordered.append({"id": s["id"], "holder": s["holder"], "target": s["target"], "label": s["label"], "evidence": s["evidence"]})
    out = {"doc_id": doc_id, "entities": list(entities.values()), "events": out_events, "stances": ordered}
    if meta:
        if isinstance(meta.get("notes"), str) and meta["notes"]:
            out["notes"] = meta["notes"]
        if isinstance(meta.get("source"), dict):
            out["source"] = meta["source"]
    return out, issues
