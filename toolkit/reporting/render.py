"""Rendering a :class:`toolkit.reporting.view.View` as a self-contained HTML page or as terminal text.

The page has no external resource (no script, font or style is fetched): inline CSS and one inline
script that only counts marks into ``data-`` attributes, for tests and for the legend.
"""

from __future__ import annotations

from html import escape

from toolkit.model.labels import inventory
from toolkit.reporting.view import Mark, Side, View

PALETTE = ["#ffd8a8", "#a5d8ff", "#b2f2bb", "#ffc9c9", "#d0bfff", "#fcc2d7", "#ffec99", "#c3fae8", "#e9ecef",
           "#99e9f2", "#eebefa", "#d8f5a2"]
STATUS_STYLE = {
    "gold": "",
    "correct": "outline:2px solid #2b8a3e;",
    "mistyped": "outline:2px double #7048e8;",
    "missed": "outline:2px dashed #e03131;",
    "spurious": "outline:2px dotted #f08c00;",
}


def _colour(label: str) -> str:
    types = list(inventory().entity_types)
    return PALETTE[types.index(label) % len(PALETTE)] if label in types else "#e9ecef"


def _nest(marks: list[Mark]) -> tuple[list[Mark], list[Mark]]:
    """Marks that nest properly (kept) and those that would cross a kept one (listed apart)."""
    kept, crossing, stack = [], [], []
    for m in sorted(marks, key=lambda m: (m.start, -m.end, m.layer)):
        while stack and stack[-1].end <= m.start:
            stack.pop()
        if stack and m.end > stack[-1].end:
            crossing.append(m)
            continue
        kept.append(m)
        stack.append(m)
    return kept, crossing


def _open(m: Mark) -> str:
    if m.layer == "entity":
        style = f"background:{_colour(m.label)};{STATUS_STYLE[m.status]}"
        return (f'<span class="mark ent" data-layer="entity" data-status="{m.status}" data-label="{escape(m.label)}" '
                f'data-group="{escape(m.group)}" style="{style}" title="{escape(m.note)}">')
    if m.layer == "trigger":
        return (f'<span class="mark trig" data-layer="trigger" data-status="{m.status}" data-label="{escape(m.label)}" '
                f'style="{STATUS_STYLE[m.status]}" title="{escape(m.note)}">')
    return f'<span class="mark evid" data-layer="evidence" data-label="{escape(m.label)}" title="{escape(m.note)}">'


def _close(m: Mark) -> str:
    sub = {"entity": m.group, "trigger": m.label}.get(m.layer)
    return (f'<sub>{escape(sub)}</sub>' if sub else "") + "</span>"


def _body(text: str, marks: list[Mark]) -> str:
    kept, _ = _nest(marks)
    events: list[tuple[int, int, int, str]] = []  # (offset, order, tiebreak, html)
    for i, m in enumerate(kept):
        events.append((m.start, 1, -m.end, _open(m)))
        events.append((m.end, 0, -m.start, _close(m)))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    out, pos = [], 0
    for offset, _, _, html in events:
        out.append(escape(text[pos:offset]))
        out.append(html)
        pos = offset
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br>\n")


def _side_html(side: Side, text: str) -> str:
    _, crossing = _nest(side.marks)
    counts = " · ".join(f'<span data-count="{k}">{k}: {v}</span>' for k, v in side.counts().items())
    events = "".join(
        f"<tr><td>{escape(e['id'])}</td><td>{escape(e['type'])}</td><td>{escape(e['realis'])}</td>"
        f"<td>{escape(e['trigger'])}</td><td>{escape('; '.join(e['arguments']))}</td></tr>" for e in side.events)
    stances = "".join(
        f"<tr><td>{escape(s['id'])}</td><td>{escape(s['holder'])}</td><td>{escape(s['target'])}</td><td>{escape(s['label'])}</td></tr>"
        for s in side.stances)
    extra = ""
    if crossing:
        extra = "<p>Spans crossing others (not drawn inline): " + ", ".join(
            escape(f"{m.start}-{m.end} {text[m.start:m.end]!r} {m.label} {m.status}") for m in crossing) + "</p>"
    return (f'<section class="side" data-side="{escape(side.title)}"><h2>{escape(side.title)}</h2><p class="counts">{counts}</p>'
            f'<div class="text">{_body(text, side.marks)}</div>{extra}'
            f"<h3>Events</h3><table><tr><th>id</th><th>type</th><th>realis</th><th>trigger</th><th>arguments</th></tr>{events}</table>"
            f"<h3>Stances</h3><table><tr><th>id</th><th>holder</th><th>target</th><th>label</th></tr>{stances}</table></section>")


CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#212529}
.cols{display:flex;gap:2em;align-items:flex-start}.side{flex:1;min-width:0}
.text{line-height:2.1;border:1px solid #dee2e6;padding:1em;border-radius:6px}
.mark{border-radius:3px;padding:0 1px}.mark sub{font-size:.65em;color:#495057;margin-left:1px}
.trig{border-bottom:3px solid #1c7ed6;font-weight:600}.evid{background:rgba(255,236,153,.45)}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #dee2e6;padding:2px 6px;text-align:left}
.legend span{margin-right:1em;padding:0 4px}
"""

SCRIPT = """
document.querySelectorAll('section.side').forEach(function(s){
  ['correct','mistyped','missed','spurious','gold'].forEach(function(k){
    s.dataset[k] = s.querySelectorAll('.mark[data-status="'+k+'"]').length;});});
document.body.dataset.rendered = 'yes';
"""


def view_html(view: View) -> str:
    """The whole page for one document (gold alone, or gold and predictions side by side)."""
    sides = [view.gold] + ([view.pred] if view.pred else [])
    legend = "".join(f'<span style="background:{_colour(t)}">{escape(t)}</span>' for t in inventory().entity_types)
    status = "".join(f'<span style="{STATUS_STYLE[s]}">{s}</span>' for s in ("correct", "mistyped", "missed", "spurious"))
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(view.doc_id)}</title>"
            f"<style>{CSS}</style></head><body><h1>{escape(view.doc_id)}</h1>"
            f'<p class="legend">{legend}</p>' + (f'<p class="legend">{status}</p>' if view.pred else "") +
            f'<div class="cols">{"".join(_side_html(s, view.text) for s in sides)}</div>'
            f"<script>{SCRIPT}</script></body></html>\n")


def view_text(view: View) -> str:
    """Terminal rendering: the text with ``[span|LABEL#group|status]`` inline, then events and stances."""
    out = []
    for side in [view.gold] + ([view.pred] if view.pred else []):
        kept, _ = _nest([m for m in side.marks if m.layer != "evidence"])
        events = []
        for m in kept:
            events.append((m.start, 1, -m.end, "["))
            tag = f"|{m.label}#{m.group}" + ("" if m.status == "gold" else f"|{m.status}") + "]"
            events.append((m.end, 0, -m.start, tag))
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        parts, pos = [], 0
        for offset, _, _, s in events:
            parts.append(view.text[pos:offset])
            parts.append(s)
            pos = offset
        parts.append(view.text[pos:])
        counts = ", ".join(f"{k} {v}" for k, v in side.counts().items())
        out.append(f"== {side.title} ({counts})\n" + "".join(parts).rstrip())
        out += [f"  event {e['id']} {e['type']} ({e['realis']}) '{e['trigger']}': {'; '.join(e['arguments'])}" for e in side.events]
        out += [f"  stance {s['id']} {s['holder']} -> {s['target']}: {s['label']}" for s in side.stances]
    return "\n".join(out) + "\n"
