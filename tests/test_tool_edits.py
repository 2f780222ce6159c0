"""What annotators do in the tools, read back: Label Studio and brat edits, and the viewer's marks.

Every case starts from the tiny fixture (tests/fixtures/valid/tiny.json on seeds/tiny.txt) as the
toolkit exports it, edited as an annotator would edit it, so the expected values are worked out by
hand from that one document.
"""

import copy
import json
import re
from pathlib import Path

import pytest

from toolkit.checks.validate import validate_paths
from toolkit.formats.brat import export_brat, import_brat
from toolkit.formats.labelstudio import export_labelstudio, import_labelstudio
from toolkit.model.labels import inventory
from toolkit.reporting.render import STATUS_STYLE, view_html
from toolkit.reporting.view import ROW_STATUSES, STATUSES, build_view

FIXTURES = Path(__file__).parent / "fixtures"
TINY = validate_paths([FIXTURES / "valid"]).documents[0]


# -- Label Studio: what an annotator left incomplete is reported, never filled ------------------

def submitted(drop):
    """The tiny pre-annotation submitted by annotator 1 with the result items ``drop`` selects removed."""
    (task,) = export_labelstudio([TINY])
    result = [item for item in copy.deepcopy(task["predictions"][0]["result"]) if not drop(item)]
    task = {**task, "annotations": [{"result": result, "completed_by": 1}]}
    return json.loads(json.dumps([task])), result


def is_control(name):
    return lambda item: item.get("type") == "choices" and item.get("from_name") == name


def is_relation(label):
    return lambda item: item.get("type") == "relation" and item.get("labels") == [label]


def either(*preds):
    return lambda item: any(p(item) for p in preds)


# The export's result (by hand from tiny.json): 6 mentions x (region, kind) = items 0-11, the
# trigger region trigger-V1 = 12, its realis = 13, the Stance region stance-S1-0 = 14, its stance
# label = 15, its topic = 16, then the relations (coref, 4 arguments, holder). Dropping an item
# after a region leaves the region's index as it was.
CASES = {
    "trigger without realis": (is_control("realis"), 12, "trigger-V1", ["realis"], []),
    "stance evidence without a label": (is_control("stance"), 14, "stance-S1-0", ["S1", "label"], ["holder", "target"]),
    "stance without holder and target": (either(is_control("topic"), is_relation("holder")), 14, "stance-S1-0",
                                         ["S1", "holder", "target"], ["label"]),
    "stance with nothing set": (either(is_control("topic"), is_control("stance"), is_relation("holder")), 14,
                                "stance-S1-0", ["S1", "label", "holder", "target"], []),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_labelstudio_reports_what_the_annotator_left_out(case):
    """Label Studio editor: a realis, stance label, holder relation or target (topic) control the
    annotator did not set before submitting. import_labelstudio (what `toolkit convert --from
    labelstudio` runs on the export) must report it as a located missing-field error naming what is
    missing, and must not invent a value for it."""
    drop, index, region, named, not_named = CASES[case]
    tasks, result = submitted(drop)
    assert result[index]["id"] == region and result[index]["type"] == "labels"  # the hand count above
    docs, issues = import_labelstudio(tasks, "export.json")
    assert [(i.code, i.file, i.pointer, i.severity) for i in issues] == [
        ("missing-field", "export.json", f"/0/annotations/0/result/{index}", "error")]
    message = issues[0].message
    assert all(word in message for word in named), message
    assert not any(word in message for word in not_named), message
    (doc,) = docs
    assert doc["pass"] == "annotator-1"
    if region.startswith("trigger"):
        (event,) = doc["events"]
        assert event["realis"] not in inventory().realis  # left empty, not guessed
        assert len(event["arguments"]) == 4 and doc["stances"][0]["label"] == "favour"  # the rest intact
    else:
        assert doc["stances"] == []  # an incomplete stance is not kept with a guessed label, holder or target
        assert doc["events"][0]["realis"] == "actual"


# -- brat: added annotations get fresh ids; a mention without Kind is reported -------------------

EXPORTED_LINES = 25  # 6 mentions x (T, A Kind, # note) + 1 Coref + trigger T, E, A Realis, # note + evidence T, # note
ADDED = [
    "T11\tCOMMODITY 79 85\ttariff",  # a new entity mention, with its kind
    "A8\tKind T11 nominal",
    "T12\tContact_Meet 62 66\tsaid",  # a new event: brat numbers it E2, the id of our entity Scott Bessent
    "E2\tContact_Meet:T12 Participant:T3",
    "A9\tRealis E2 other",
    "T13\tGPE 86 92\trelief",  # a new mention the annotator gave no Kind
]


def brat_edited():
    files = export_brat([TINY])
    ann = files["tiny.ann"]
    assert len(ann.splitlines()) == EXPORTED_LINES
    meta = json.loads(files["tiny.meta.json"])
    return import_brat("tiny", files["tiny.txt"], ann + "\n".join(ADDED) + "\n", "tiny.ann", meta=meta)


def test_brat_additions_get_fresh_ids():
    """brat editor: an annotator draws a COMMODITY span and a Contact.Meet event (brat gives the
    event line E2) with Bessent as Participant. The new entity and mention get ids after those in
    use (E6, M7), brat's E2 is not taken as the event's id (that is our entity Scott Bessent's), the
    event gets V2, its argument points at Bessent's mention M3, and the exported items keep theirs."""
    doc, _ = brat_edited()
    entities = {e["id"]: e for e in doc["entities"]}
    assert list(entities) == ["E1", "E2", "E3", "E4", "E5", "E6", "E7"]
    assert entities["E2"]["name"] == "Scott Bessent"
    assert [(e["type"], [(m["id"], m["text"], m["kind"]) for m in e["mentions"]]) for e in (entities["E6"], entities["E7"])] == [
        ("COMMODITY", [("M7", "tariff", "nominal")]), ("GPE", [("M8", "relief", "")])]
    assert [(e["id"], e["type"], e["realis"], e["trigger"]["text"], e["arguments"]) for e in doc["events"]] == [
        ("V1", "Trade.Negotiate", "actual", "met", [{"role": "Participant", "mention": "M1"}, {"role": "Participant", "mention": "M3"},
                                                     {"role": "Place", "mention": "M4"}, {"role": "Time", "mention": "M5"}]),
        ("V2", "Contact.Meet", "other", "said", [{"role": "Participant", "mention": "M3"}])]
    ids = ([e["id"] for e in doc["entities"]] + [m["id"] for e in doc["entities"] for m in e["mentions"]]
           + [e["id"] for e in doc["events"]] + [s["id"] for s in doc["stances"]])
    assert len(ids) == len(set(ids)) == 7 + 8 + 2 + 1


def test_brat_mention_without_kind_is_reported_with_its_line():
    """brat editor: a span drawn without setting its Kind attribute (and with no AnnotatorNotes).
    import_brat must report it as missing-field on its own .ann line (line 31: the 25 exported
    lines, then the sixth added), and report nothing else of the edit."""
    doc, issues = brat_edited()
    assert [(i.code, i.file, i.pointer, i.severity) for i in issues] == [
        ("missing-field", "tiny.ann", f"/line/{EXPORTED_LINES + 6}", "error")]
    assert "T13" in issues[0].message and "Kind" in issues[0].message
    (relief,) = [m for e in doc["entities"] for m in e["mentions"] if m["text"] == "relief"]
    assert relief["kind"] not in inventory().mention_kinds  # not guessed


# -- viewer: the legend explains every status; spurious arguments and stances are marked ---------

def spurious_prediction():
    """Gold tiny with one extra argument (Korea, M6, as Participant of V1) and one extra stance
    (Scott Bessent against quick-deal, evidence 'said' 62-66)."""
    pred = copy.deepcopy(TINY.to_dict())
    pred["events"][0]["arguments"].append({"role": "Participant", "mention": "M6"})
    pred["stances"].append({"id": "S2", "holder": "E2", "target": {"kind": "topic", "id": "quick-deal"}, "label": "against",
                            "evidence": [{"start": 62, "end": 66, "text": "said"}]})
    return pred


def test_spurious_arguments_and_stances_are_marked():
    """`toolkit show --pred` (build_view + view_html): a system that adds an argument and a stance
    the gold lacks. The four gold arguments and S1 are correct on both sides; the extra argument,
    the extra stance and its evidence are spurious, in the view and on the page."""
    view = build_view(TINY, spurious_prediction())
    assert [(a["role"], a["text"], a["status"]) for a in view.pred.events[0]["arguments"]] == [
        ("Participant", "Choi Sang-mok", "correct"), ("Participant", "Scott Bessent", "correct"), ("Place", "Washington", "correct"),
        ("Time", "Thursday", "correct"), ("Participant", "Korea", "spurious")]
    assert {a["status"] for a in view.gold.events[0]["arguments"]} == {"correct"}
    assert [(s["id"], s["status"]) for s in view.pred.stances] == [("S1", "correct"), ("S2", "spurious")]
    assert [(s["id"], s["status"]) for s in view.gold.stances] == [("S1", "correct")]
    assert [(m.start, m.end, m.status) for m in view.pred.marks if m.layer == "evidence"] == [(67, 92, "correct"), (62, 66, "spurious")]
    assert dict(view.scores)["argument classification (attached) F1"] == pytest.approx(2 * 4 / (4 + 5))
    assert dict(view.scores)["stance triples F1"] == pytest.approx(2 * 1 / (1 + 2))
    page = view_html(view)
    spurious = STATUS_STYLE["spurious"]
    assert re.findall(r'<li data-status="spurious"[^>]*>(.*?)</li>', page) == ["Participant: Korea <small>(spurious)</small>"]
    assert f'<li data-status="spurious" style="{spurious}">' in page
    rows = re.findall(r'<tr class="row" data-status="([a-z]+)"><td>(S\d)</td>', page)
    assert rows == [("correct", "S1"), ("correct", "S1"), ("spurious", "S2")]  # gold table, then the prediction's
    evid = re.findall(r'<span class="mark evid" data-layer="evidence" data-status="spurious"[^>]*style="([^"]*)">said</span>', page)
    assert evid == [spurious]


def legend_entries(page):
    """(status name, style) of each status swatch in the page's legend paragraphs."""
    legend = "".join(re.findall(r'<p class="legend">(.*?)</p>', page))
    return {name: style for style, name in re.findall(r'<span style="([^"]*outline[^"]*)">([a-z]+)[: ]', legend)}


def test_legend_lists_every_status_the_page_can_show():
    """`toolkit show --pred --html`: the legend must explain every status a compared page can
    carry: the mark statuses (view.STATUSES), the stance-row statuses (view.ROW_STATUSES) and every
    styled status (render.STATUS_STYLE), each drawn with the style the marks use. 'gold' is the
    status of a page without predictions only: a compared page never shows it."""
    view = build_view(TINY, spurious_prediction())
    page = view_html(view)
    body = page.split("<script>")[0]  # the marks and rows, not the script's selectors
    assert 'data-status="gold"' not in body
    can_show = (set(STATUSES) | set(ROW_STATUSES) | set(STATUS_STYLE)) - {"gold"}
    legend = legend_entries(page)
    assert sorted(can_show - set(legend)) == []
    assert {s: legend[s] for s in can_show} == {s: STATUS_STYLE[s] for s in can_show}
    shown = set(re.findall(r'data-status="([a-z]+)"', body))
    assert shown == {"correct", "spurious"} and shown <= set(legend)
