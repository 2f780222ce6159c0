"""Rendering a :class:`toolkit.reporting.view.View` as a self-contained HTML page or as terminal text.

A page has no external resource (no script, font or style is fetched): inline CSS and one inline
script, which counts the marks into ``data-`` attributes (for the tests and the score line),
links the two spans of a pair on hover, and runs the errors-only filter. Every text and attribute
is escaped. :func:`index_html` is the corpus page of ``toolkit show --all --html DIR``.
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
    "partial": "outline:2px dashed #7048e8;",
    "mislabelled": "outline:2px double #7048e8;",
    "missed": "outline:2px dashed #e03131;",
    "spurious": "outline:2px dotted #f08c00;",
}
STATUS_MEANING = {
    "correct": "correct: same span and label as the other side (what eval counts correct)",
    "mistyped": "mistyped: same span, other type",
    "partial": "partial: overlapping span, a boundary error (hover: its partner on the other side)",
    "missed": "missed: gold, no prediction paired with it",
    "spurious": "spurious: predicted, no gold paired with it",
    "mislabelled": "mislabelled (stances): same holder and target, other label",
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


def _attrs(m: Mark) -> str:
    link = f' data-link="{escape(m.link)}"' if m.link else ""
    return (f'data-layer="{m.layer}" data-status="{escape(m.status)}" data-label="{escape(m.label)}" '
            f'data-group="{escape(m.group)}"{link} title="{escape(m.note)}"')


def _open(m: Mark) -> str:
    if m.layer == "entity":
        return f'<span class="mark ent" {_attrs(m)} style="background:{_colour(m.label)};{STATUS_STYLE[m.status]}">'
    if m.layer == "trigger":
        return f'<span class="mark trig" {_attrs(m)} style="{STATUS_STYLE[m.status]}">'
    return f'<span class="mark evid" {_attrs(m)} style="{STATUS_STYLE.get(m.status, "")}">'


def _close(m: Mark, pred: bool) -> str:
    if m.layer == "entity":
        sub = (f"≈{m.cluster}" if m.cluster else "new") if pred else m.group
    elif m.layer == "trigger":
        sub = m.label
    else:
        sub = ""
    return (f'<sub>{escape(sub)}</sub>' if sub else "") + "</span>"


def _body(text: str, kept: list[Mark], start: int, end: int, pred: bool) -> str:
    events: list[tuple[int, int, int, str]] = []  # (offset, order, tiebreak, html)
    for m in kept:
        if start <= m.start and m.end <= end:
            events.append((m.start, 1, -m.end, _open(m)))
            events.append((m.end, 0, -m.start, _close(m, pred)))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    out, pos = [], start
    for offset, _, _, html in events:
        out.append(escape(text[pos:offset]))
        out.append(html)
        pos = offset
    out.append(escape(text[pos:end]))
    return "".join(out).replace("\n", "<br>\n")


def _status(s: str) -> str:
    return f'<td class="st" data-status="{escape(s)}" style="{STATUS_STYLE.get(s, "")}">{escape(s)}</td>'


def _tables(side: Side) -> str:
    ev_rows = []
    for e in side.events:
        args = "".join(f'<li data-status="{escape(a["status"])}" style="{STATUS_STYLE.get(a["status"], "")}">'
                       f'{escape(a["role"])}: {escape(a["text"])} <small>({escape(a["status"])})</small></li>' for a in e["arguments"])
        ev_rows.append(f'<tr class="row"><td>{escape(e["id"])}</td><td>{escape(e["type"])}</td><td>{escape(e["realis"])}</td>'
                       f'<td>{escape(e["trigger"])}</td><td><ul class="args">{args}</ul></td></tr>')
    st_rows = [f'<tr class="row" data-status="{escape(s["status"])}"><td>{escape(s["id"])}</td><td>{escape(s["holder"])}</td>'
               f'<td>{escape(s["target"])}</td><td>{escape(s["label"])}</td>{_status(s["status"])}</tr>' for s in side.stances]
    return (f'<div class="tables" data-side="{escape(side.title)}"><h3>Events ({escape(side.title)})</h3>'
            f"<table><tr><th>id</th><th>type</th><th>realis</th><th>trigger</th><th>arguments</th></tr>{''.join(ev_rows)}</table>"
            f"<h3>Stances ({escape(side.title)})</h3>"
            f"<table><tr><th>id</th><th>holder</th><th>target</th><th>label</th><th>status</th></tr>{''.join(st_rows)}</table></div>")


CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#212529}
table.aligned{border-collapse:collapse;width:100%;table-layout:fixed}
table.aligned td{vertical-align:top;line-height:2.1;border-bottom:1px solid #dee2e6;padding:.3em .8em}
table.aligned th{text-align:left}
.mark{border-radius:3px;padding:0 1px}.mark sub{font-size:.65em;color:#495057;margin-left:1px}
.trig{border-bottom:3px solid #1c7ed6;font-weight:600}.evid{background:rgba(255,236,153,.45)}
.mark.hl{box-shadow:0 0 0 3px #1c7ed6}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #dee2e6;padding:2px 6px;text-align:left}
.legend span{margin-right:1em;padding:0 4px;display:inline-block;margin-bottom:.3em}
.score span{margin-right:1.2em}.cols{display:flex;gap:2em;align-items:flex-start}.cols>div{flex:1;min-width:0}
ul.args{margin:0;padding-left:1em}
body.errors-only tr.sent[data-errors="0"]{display:none}
body.errors-only .mark[data-status="correct"]{background:transparent!important;outline:none!important}
body.errors-only tr.row[data-status="correct"],body.errors-only li[data-status="correct"]{display:none}
"""

SCRIPT = """
(function(){
  var cols = {gold: 'td.gold', pred: 'td.pred'};
  Object.keys(cols).forEach(function(side){
    var box = document.querySelector('.counts[data-side="'+side+'"]');
    if (!box) return;
    ['correct','mistyped','partial','missed','spurious','gold'].forEach(function(k){
      box.dataset[k] = document.querySelectorAll(cols[side]+' .mark[data-layer="entity"][data-status="'+k+'"],'+
                                                 cols[side]+' .mark[data-layer="trigger"][data-status="'+k+'"]').length;});
  });
  document.querySelectorAll('tr.sent').forEach(function(r){
    r.dataset.errors = r.querySelectorAll('.mark:not([data-status="correct"]):not([data-status="gold"])').length;});
  document.querySelectorAll('.mark[data-link]').forEach(function(m){
    var same = document.querySelectorAll('.mark[data-link="'+m.dataset.link+'"]');
    m.addEventListener('mouseenter', function(){ same.forEach(function(x){ x.classList.add('hl'); }); });
    m.addEventListener('mouseleave', function(){ same.forEach(function(x){ x.classList.remove('hl'); }); });
  });
  var box = document.getElementById('errors-only');
  if (box) box.addEventListener('change', function(){ document.body.classList.toggle('errors-only', box.checked); });
  document.body.dataset.rendered = 'yes';
})();
"""


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def score_line(view: View) -> str:
    return "".join(f'<span data-score="{escape(k)}">{escape(k)} <b>{_fmt(v)}</b></span>' for k, v in view.scores)


def _legend(pred: bool) -> str:
    types = "".join(f'<span style="background:{_colour(t)}">{escape(t)}</span>' for t in inventory().entity_types)
    parts = [f'<p class="legend">Entity types: {types}</p>',
             '<p class="legend"><span class="mark trig">trigger</span> event trigger, with its type below · '
             '<span class="mark evid">stance evidence</span> the evidence of a stance (title: holder, label, target) · '
             '<sub>E3</sub> gold entity (cluster) id' + (' · <sub>≈E3</sub> predicted entity aligned to gold entity E3 '
                                                          '(CEAF-e), <sub>new</sub> aligned to none' if pred else "") + "</p>"]
    if pred:
        parts.append('<p class="legend">' + "".join(f'<span style="{STATUS_STYLE[s]}">{escape(t)}</span>'
                                                    for s, t in STATUS_MEANING.items()) + "</p>"
                     "<p class=\"legend\">Arguments are marked correct when eval's argument classification (attached) "
                     "pairs them; stances by their (holder, target) pair; stance evidence takes its stance's status.</p>")
    return "".join(parts)


def view_html(view: View, index: str | None = None) -> str:
    """The whole page for one document: gold alone, or gold and predictions side by side, sentence by sentence."""
    pred = view.pred
    gold_kept, gold_cross = _nest(view.gold.marks)
    pred_kept, pred_cross = _nest(pred.marks) if pred else ([], [])
    rows = []
    for a, b in view.rows:
        cells = f'<td class="gold">{_body(view.text, gold_kept, a, b, False)}</td>'
        if pred:
            cells += f'<td class="pred">{_body(view.text, pred_kept, a, b, True)}</td>'
        rows.append(f'<tr class="sent" data-start="{a}" data-end="{b}">{cells}</tr>')
    head = '<tr><th>gold</th>' + (f'<th>{escape(pred.title)}</th>' if pred else "") + "</tr>"
    crossing = [(s, m) for s, ms in (("gold", gold_cross), (pred.title if pred else "", pred_cross)) for m in ms]
    extra = ("<p>Spans crossing others (not drawn inline): " + ", ".join(
        escape(f"{s}: {m.start}-{m.end} {view.text[m.start:m.end]!r} {m.label} {m.status}") for s, m in crossing) + "</p>") if crossing else ""
    counts = "".join(f'<p class="counts" data-side="{side}">{escape(title)}: ' +
                     " · ".join(f"{escape(k)} {v}" for k, v in s.counts().items()) + "</p>"
                     for side, title, s in (("gold", "gold", view.gold), ("pred", pred.title if pred else "", pred)) if s is not None)
    top = (f'<p><a href="{escape(index)}">all documents</a></p>' if index else "")
    controls = ('<p><label><input type="checkbox" id="errors-only"> errors only (hide correct marks, rows and '
                'sentences without an error)</label></p>' if pred else "")
    tables = f'<div class="cols"><div>{_tables(view.gold)}</div>' + (f"<div>{_tables(pred)}</div>" if pred else "") + "</div>"
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(view.doc_id)}</title>"
            f"<style>{CSS}</style></head><body>{top}<h1>{escape(view.doc_id)}</h1>"
            + (f'<p class="score">{score_line(view)}</p>' if view.scores else "")
            + counts + _legend(bool(pred)) + controls
            + f'<table class="aligned">{head}{"".join(rows)}</table>{extra}{tables}'
            f"<script>{SCRIPT}</script></body></html>\n")


def index_html(entries: list[tuple[View, str]], title: str) -> str:
    """The corpus page: every document linked to its page, with its score line."""
    names = [k for k, _ in entries[0][0].scores] if entries and entries[0][0].scores else []
    head = "<tr><th>document</th>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"
    rows = "".join(f'<tr><td><a href="{escape(href)}">{escape(v.doc_id)}</a></td>' +
                   "".join(f"<td>{_fmt(x)}</td>" for _, x in v.scores) + "</tr>" for v, href in entries)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{escape(title)}</h1><table class=\"index\">{head}{rows}</table>"
            "<p>Scores per document, as `toolkit eval` computes them for that document alone.</p>"
            "<script>document.body.dataset.rendered = 'yes';</script></body></html>\n")


ANSI = {"correct": "32", "mistyped": "35", "partial": "35", "mislabelled": "35", "missed": "31", "spurious": "33", "gold": "36"}


def view_text(view: View, colour: bool = False) -> str:
    """Terminal rendering: the text once, gold marks inline as ``[span|LABEL#entity|status]`` and
    spurious predicted marks as ``[span|LABEL|spurious]``; then scores, events and stances."""

    def paint(s: str, status: str) -> str:
        return f"\x1b[{ANSI.get(status, '0')}m{s}\x1b[0m" if colour else s

    marks = [m for m in view.gold.marks if m.layer != "evidence"]
    if view.pred:
        marks += [m for m in view.pred.marks if m.layer != "evidence" and m.status == "spurious"]
    kept, crossing = _nest(marks)
    events = []
    for m in kept:
        events.append((m.start, 1, -m.end, paint("[", m.status)))
        other = m.note.split(" · predicted ")[-1] if m.status in ("mistyped", "partial") and " · predicted " in m.note else ""
        tag = (f"|{m.label}" + (f"#{m.group}" if m.status != "spurious" else "") + ("" if m.status == "gold" else f"|{m.status}")
               + (f" -> {other}" if other else "") + "]")
        events.append((m.end, 0, -m.start, paint(tag, m.status)))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    parts, pos = [], 0
    for offset, _, _, s in events:
        parts.append(view.text[pos:offset])
        parts.append(s)
        pos = offset
    parts.append(view.text[pos:])
    out = [f"== {view.doc_id}" + (f" (gold vs {view.pred.title})" if view.pred else "")]
    if view.scores:
        out.append("   " + " · ".join(f"{k} {_fmt(v)}" for k, v in view.scores))
    for side in [view.gold] + ([view.pred] if view.pred else []):
        out.append(f"   {side.title}: " + ", ".join(f"{k} {v}" for k, v in side.counts().items()))
    out.append("".join(parts).rstrip())
    for m in crossing:
        out.append(f"  (crossing) {m.start}-{m.end} {view.text[m.start:m.end]!r} {m.label} {paint(m.status, m.status)}")
    for side in [view.gold] + ([view.pred] if view.pred else []):
        for e in side.events:
            args = "; ".join(f"{a['role']}: {a['text']}" + ("" if a["status"] == "gold" else f" ({paint(a['status'], a['status'])})")
                             for a in e["arguments"])
            out.append(f"  {side.title} event {e['id']} {e['type']} ({e['realis']}) '{e['trigger']}': {args}")
        for s in side.stances:
            st = "" if s["status"] == "gold" else f" ({paint(s['status'], s['status'])})"
            out.append(f"  {side.title} stance {s['id']} {s['holder']} -> {s['target']}: {s['label']}{st}")
    return "\n".join(out) + "\n"
