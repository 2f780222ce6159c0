"""Small corpora for tests: documents from mention lists, scored through the real engine."""

from __future__ import annotations

from toolkit.evaluation.evaluate import evaluate
from toolkit.metrics.entities import MentionItem
from toolkit.model.document import Document, Entity, Mention, Span


def document(items: list[MentionItem], doc_id: str = "d", length: int | None = None) -> Document:
    """A document whose entities are the given mentions, one entity per mention (text of 'x's)."""
    n = length if length is not None else max([m.end for m in items], default=0) + 1
    text = "x" * n
    entities = tuple(Entity(f"E{i}", m.type, "", (Mention(f"M{i}", Span(m.start, m.end, text[m.start:m.end]), m.kind, f"E{i}", m.type),))
                     for i, m in enumerate(items))
    return Document(doc_id, text, entities=entities)


def entity_scores(*docs: tuple[list[MentionItem], list[MentionItem]], kinds=None) -> dict:
    """The ``entities`` section of the scores of a corpus of (gold mentions, predicted mentions) documents."""
    from toolkit.evaluation.evaluate import EvalOptions

    length = max([m.end for g, p in docs for m in (*g, *p)], default=0) + 1
    gold = {f"d{i}": document(g, f"d{i}", length) for i, (g, _) in enumerate(docs)}
    pred = {f"d{i}": document(p, f"d{i}", length) for i, (_, p) in enumerate(docs)}
    return evaluate(gold, pred, ("entities",), EvalOptions(mention_kinds=kinds)).scores()["entities"]


from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcomes:
    """One scheme's counts as the report gives them (equality compares the five outcomes only)."""

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0
    possible: int = field(default=0, compare=False)
    actual: int = field(default=0, compare=False)
    precision: float | None = field(default=None, compare=False)
    recall: float | None = field(default=None, compare=False)
    f1: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EntityView:
    """The entity scores of a report as objects: ``micro[scheme]`` and ``per_type[scheme][type]``."""

    micro: dict
    per_type: dict


def view(section: dict) -> EntityView:
    def o(s):
        return Outcomes(**{k: s[k] for k in ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual",
                                             "precision", "recall", "f1")})
    schemes = ("strict", "exact", "partial", "type")
    return EntityView({s: o(section["micro"][s]) for s in schemes},
                      {s: {t: o(per[s]) for t, per in section["per_type"].items()} for s in schemes})


def score_mentions(gold: list[MentionItem], pred: list[MentionItem]):
    """The entity counts (as :class:`EntityView`) and errors of one document of these mentions."""
    length = max([m.end for m in (*gold, *pred)], default=0) + 1
    report = evaluate({"d": document(gold, "d", length)}, {"d": document(pred, "d", length)}, ("entities",))
    return view(report.scores()["entities"]), report.errors


def score_entities(gold: Document, pred: Document, kinds=None):
    """The entity counts (as :class:`EntityView`) and errors of one gold and one predicted document."""
    from toolkit.evaluation.evaluate import EvalOptions

    report = evaluate({gold.doc_id: gold}, {gold.doc_id: pred}, ("entities",), EvalOptions(mention_kinds=kinds))
    return view(report.scores()["entities"]), report.errors


@dataclass(frozen=True)
class Counts:
    """tp, fp, fn of one measure as the report gives them; ``+`` sums."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


class TaskView:
    """One task's scores section of a one-document report, with the accessors the tests use."""

    def __init__(self, section: dict, task: str):
        self.section, self.task = section, task

    def overall(self, metric: str) -> Counts:
        s = self.section["per_item"][metric] if self.task == "events" else self.section[metric]
        return Counts(s["tp"], s["fp"], s["fn"])

    def label_pairs(self) -> list[tuple[str, str]]:
        conf = self.section["labels"]["confusion"]
        return sorted((g, p) for i, g in enumerate(conf["labels"]) for j, p in enumerate(conf["labels"])
                      for _ in range(conf["matrix"][i][j]))

    def __eq__(self, other) -> bool:
        return isinstance(other, TaskView) and (self.section, self.task) == (other.section, other.task)


def score_events(gold: Document, pred: Document, coref_args: bool = False):
    """(events view, errors, the predicted event id -> gold event id of triggers matched with the same type)."""
    from toolkit.evaluation.evaluate import EvalOptions
    from toolkit.metrics.events import match_events
    from toolkit.model.tables import from_documents

    report = evaluate({gold.doc_id: gold}, {gold.doc_id: pred}, ("events",), EvalOptions(coref_args=coref_args))
    g, p = from_documents([gold]), from_documents([pred])
    mapped = match_events(g, p, coref_args).event_map()
    ids_g, ids_p = g.events["event_id"].tolist(), p.events["event_id"].tolist()
    event_map = {ids_p[j]: ids_g[i] for j, i in enumerate(mapped.tolist()) if i >= 0}
    return TaskView(report.scores()["events"], "events"), [e for e in report.errors if e.task in ("events", "arguments")], event_map


def event_scores(view: TaskView) -> dict:
    """The per-item event scores of a view (the six metrics and ``per_type``)."""
    return {**view.section["per_item"], "per_type": view.section["per_type"]}


def score_stances(gold: Document, pred: Document, event_map=None):
    """(stances view, errors) of one gold and one predicted document (the event alignment is the engine's own)."""
    report = evaluate({gold.doc_id: gold}, {gold.doc_id: pred}, ("stances",))
    return TaskView(report.scores()["stances"], "stances"), [e for e in report.errors if e.task == "stances"]


def stance_scores(view: TaskView) -> dict:
    return view.section


def label_scores(pairs) -> dict:
    """The label scores of aligned (gold, predicted) stance label pairs (the report's formulas)."""
    from collections import Counter

    from toolkit.evaluation.counts import label_scores as from_confusion

    return from_confusion(Counter(pairs))


def assert_same_tables(a, b) -> None:
    """Two corpora's item tables (:class:`toolkit.model.tables.Tables`) hold the same rows, table by table."""
    import pandas as pd

    from toolkit.model.tables import COLUMNS

    for name in COLUMNS:
        fa, fb = getattr(a, name).reset_index(drop=True), getattr(b, name).reset_index(drop=True)
        pd.testing.assert_frame_equal(fa.astype(object), fb.astype(object), check_dtype=False, obj=name)
