"""What ``toolkit show`` displays: a document's spans, each with its layer, label and status.

Without predictions every span is ``gold``. With predictions the statuses come from
:func:`toolkit.metrics.pairing.match_document`, the pairs ``toolkit eval`` counts, so a span
marked correct is one eval counts correct:

- mentions: ``correct`` (same span and type: strict correct), ``mistyped`` (same span, other
  type), ``partial`` (overlapping span: a boundary error, one pair linking both spans), ``missed``
  (gold, unpaired), ``spurious`` (predicted, unpaired); triggers likewise (exact span: correct or
  mistyped);
- arguments (argument classification, attached: same event type, trigger, role and span) and
  stances ((holder, target) pairs; ``mislabelled`` when the label differs): ``correct``,
  ``missed``, ``spurious``; stance evidence carries its stance's status;
- predicted entities are labelled with the gold entity their cluster is aligned to (CEAF-e).

Rendering lives in :mod:`toolkit.reporting.render`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.metrics.pairing import DocumentMatch, match_document
from toolkit.model.document import Document

STATUSES = ("gold", "correct", "mistyped", "partial", "missed", "spurious")
ROW_STATUSES = ("gold", "correct", "mislabelled", "missed", "spurious")
MENTION_STATUS = {4: "correct", 3: "mistyped", 2: "partial", 1: "partial"}


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    layer: str  # "entity" | "trigger" | "evidence"
    label: str
    group: str  # entity id (cluster), event id or stance id
    status: str
    note: str = ""
    link: str = ""  # the pair this mark belongs to (both of its spans carry it)
    cluster: str = ""  # for a predicted mention: the gold entity its entity is aligned to ("" none)
    item: str = ""  # the mention, event or stance id


@dataclass
class Side:
    """One column of the view: the marks and the event and stance rows of one annotation."""

    title: str
    marks: list[Mark] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    stances: list[dict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Marks per status (entities and triggers; evidence follows its stance)."""
        out = {s: 0 for s in STATUSES}
        for m in self.marks:
            if m.layer != "evidence":
                out[m.status] += 1
        return {k: v for k, v in out.items() if v}


@dataclass
class View:
    doc_id: str
    text: str
    gold: Side
    pred: Side | None = None
    scores: list[tuple[str, float | None]] = field(default_factory=list)
    rows: list[tuple[int, int]] = field(default_factory=list)
    """Sentence spans, the unit the two columns are aligned by (no mark crosses one)."""


def sentence_rows(text: str, marks: list[Mark]) -> list[tuple[int, int]]:
    """Sentences (a line, or a line cut after ``.!?`` before a capital or a quote), merged where a mark crosses."""
    cuts = {0, len(text)}
    for m in re.finditer(r"\n+|[.!?][\"”’)]? +(?=[\"“‘(A-Z0-9])", text):
        if m.group().startswith("\n"):
            cuts.update((m.start(), m.end()))
        else:
            cut = m.start() + len(m.group().rstrip(" "))
            cuts.update((cut, m.end()))
    bounds = sorted(cuts)
    rows = [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]
    merged: list[list[int]] = []
    for a, b in rows:
        if merged and any(m.start < merged[-1][1] < m.end or (m.start < a < m.end) for m in marks):
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _gold_side(doc: Document, title: str = "gold") -> Side:
    side = Side(title)
    for ent in doc.entities:
        for m in ent.mentions:
            side.marks.append(Mark(m.span.start, m.span.end, "entity", ent.type, ent.id, "gold",
                                   f"{ent.type} {m.kind} · entity {ent.id} {ent.name}".strip(), cluster=ent.id, item=m.id))
    mentions = doc.mention_index()
    for ev in doc.events:
        side.marks.append(Mark(ev.trigger.start, ev.trigger.end, "trigger", ev.type, ev.id, "gold",
                               f"{ev.type} ({ev.realis}) · event {ev.id}", item=ev.id))
        args = []
        for a in ev.arguments:
            span = getattr(a, "span", None) or (mentions[a.mention_id].span if a.mention_id in mentions else None)
            args.append({"role": a.role, "text": span.text if span else a.mention_id, "status": "gold"})
        side.events.append({"id": ev.id, "type": ev.type, "realis": ev.realis, "trigger": ev.trigger.text,
                            "span": ev.trigger.offsets, "arguments": args})
    entities = doc.entity_index()
    events = doc.event_index()
    for st in doc.stances:
        holder = entities[st.holder].name if st.holder in entities else (getattr(getattr(st, "holder_span", None), "text", "") or st.holder)
        if st.target.kind == "event" and st.target.id in events:
            target = f"event {events[st.target.id].type} '{events[st.target.id].trigger.text}'"
        elif st.target.kind == "entity" and st.target.id in entities:
            target = f"entity {entities[st.target.id].name or st.target.id}"
        else:
            target = f"{st.target.kind} {st.target.id}"
        for x in st.evidence:
            side.marks.append(Mark(x.start, x.end, "evidence", st.label, st.id, "gold", f"stance {st.id}: {holder} {st.label} {target}", item=st.id))
        side.stances.append({"id": st.id, "holder": holder, "target": target, "label": st.label, "status": "gold"})
    return side


def _restatus(side: Side, status_of, cluster_of=None) -> None:
    """Give every mark of ``side`` its status (and link and cluster) from ``status_of(mark)``."""
    out = []
    for m in side.marks:
        status, link, note = status_of(m)
        cluster = cluster_of(m) if cluster_of is not None and m.layer == "entity" else m.cluster
        out.append(Mark(m.start, m.end, m.layer, m.label, m.group, status, m.note + note, link, cluster, m.item))
    side.marks = out


def compare(gold_doc: Document, pred_doc: Document, gold: Side, pred: Side, match: DocumentMatch) -> None:
    """Set the statuses of both sides from the pairs of ``match``."""
    g_status: dict[tuple, tuple[str, str, str]] = {}
    p_status: dict[tuple, tuple[str, str, str]] = {}
    for k, p in enumerate(match.mentions):
        g = match.gold_mentions[p.gold] if p.gold is not None else None
        q = match.pred_mentions[p.pred] if p.pred is not None else None
        if g is not None and q is not None:
            status, link = MENTION_STATUS[p.level], f"m{k}"
            g_status[("entity", g.mention_id)] = (status, link, "" if status == "correct" else f" · predicted {q.start}-{q.end} {q.text!r} {q.type}")
            p_status[("entity", q.mention_id)] = (status, link, "" if status == "correct" else f" · gold {g.start}-{g.end} {g.text!r} {g.type}")
        elif g is not None:
            g_status[("entity", g.mention_id)] = ("missed", "", "")
        else:
            p_status[("entity", q.mention_id)] = ("spurious", "", "")
    for k, p in enumerate(match.triggers):
        g = match.gold_triggers[p.gold] if p.gold is not None else None
        q = match.pred_triggers[p.pred] if p.pred is not None else None
        if g is not None and q is not None:
            status = "correct" if p.level == 2 else "mistyped"
            g_status[("trigger", g.event_id)] = (status, f"t{k}", "" if status == "correct" else f" · predicted {q.type}")
            p_status[("trigger", q.event_id)] = (status, f"t{k}", "" if status == "correct" else f" · gold {g.type}")
        elif g is not None:
            g_status[("trigger", g.event_id)] = ("missed", "", "")
        else:
            p_status[("trigger", q.event_id)] = ("spurious", "", "")
    for k, p in enumerate(match.stance_pairs):
        status = {2: "correct", 1: "mislabelled"}.get(p.level, "missed" if p.pred is None else "spurious")
        if p.gold is not None:
            g_status[("evidence", match.gold_stances[p.gold].stance_id)] = (status, f"s{k}" if p.level else "", "")
        if p.pred is not None:
            p_status[("evidence", match.pred_stances[p.pred].stance_id)] = (status, f"s{k}" if p.level else "", "")
    def key(m: Mark, mids=None) -> tuple:
        return (m.layer, m.item)

    aligned = {pred_doc.entities[p.pred].id: gold_doc.entities[p.gold].id for p in match.clusters
               if p.gold is not None and p.pred is not None}
    _restatus(gold, lambda m: g_status.get(key(m), ("missed", "", "")))
    _restatus(pred, lambda m: p_status.get(key(m), ("spurious", "", "")), lambda m: aligned.get(m.group, ""))
    for side, stat in ((gold, g_status), (pred, p_status)):
        for row in side.stances:
            row["status"] = stat.get(("evidence", row["id"]), ("missed" if side is gold else "spurious", "", ""))[0]
    # arguments: the attached classification alignment (the one `eval --errors` lists)
    pairs = match.arguments["argument_classification_attached"]
    g_ok = {p.gold for p in pairs if p.gold is not None and p.pred is not None}
    p_ok = {p.pred for p in pairs if p.gold is not None and p.pred is not None}
    for side, items, ok, absent in ((gold, match.gold_arguments, g_ok, "missed"), (pred, match.pred_arguments, p_ok, "spurious")):
        by_event: dict[tuple, list[dict]] = {}
        for i, a in enumerate(items):
            by_event.setdefault((a.event_type, a.trigger), []).append(
                {"role": a.role, "text": a.text, "status": "correct" if i in ok else absent})
        for row in side.events:
            row["arguments"] = by_event.pop((row["type"], tuple(row["span"])), [])


def _score_line(gold: Document, pred: Document) -> list[tuple[str, float | None]]:
    from toolkit.evaluation.evaluate import evaluate

    s = evaluate({gold.doc_id: gold}, {gold.doc_id: pred}).scores()
    strict = s["entities"]["micro"]["strict"]
    return [("mentions strict F1", strict["f1"]), ("P", strict["precision"]), ("R", strict["recall"]),
            ("partial F1", s["entities"]["micro"]["partial"]["f1"]),
            ("coreference CoNLL F1", s["coreference"]["conll_f1"] if s.get("coreference") else None),
            # per item, the alignment the marks show (eval's headline counts unique TextEE tuples; equal without repeats)
            ("trigger classification F1", s["events"]["per_item"]["trigger_classification"]["f1"]),
            ("argument classification (attached) F1", s["events"]["per_item"]["argument_classification_attached"]["f1"]),
            ("stance triples F1", s["stances"]["triples"]["f1"])]


def build_view(gold: Document, pred: Document | dict | None = None, pred_title: str = "predictions", options=None) -> View:
    """The view of a gold document, compared with a prediction (a Document, or an anchored dict)."""
    view = View(gold.doc_id, gold.text, _gold_side(gold))
    if pred is not None:
        if isinstance(pred, dict):
            from toolkit.predictions.load import prediction_from_dict

            pred = prediction_from_dict(pred, gold)[0]  # anchored (again: anchoring an anchored dict changes nothing)
            if pred is None:
                raise ValueError(f"{gold.doc_id}: the prediction does not validate")
        view.pred = _gold_side(pred, pred_title)
        compare(gold, pred, view.gold, view.pred, match_document(gold, pred, options))
        view.scores = _score_line(gold, pred)
    view.rows = sentence_rows(gold.text, view.gold.marks + (view.pred.marks if view.pred else []))
    return view
