"""Hypothesis strategies and helpers shared by the scoring tests: random valid-looking documents."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

from hypothesis import strategies as st

from toolkit.model.document import Argument, Document, Entity, Event, Mention, Span, Stance, Target
from toolkit.predictions.load import load_predictions
from toolkit.checks.validate import load_corpus

EVAL = Path(__file__).parent / "fixtures" / "eval"
TEXT = "".join(chr(ord("a") + i % 26) for i in range(80))
ENTITY_TYPES = ["PER", "GPE", "ORG"]
EVENT_ROLES = {"Trade.Negotiate": ["Participant", "Place"], "Contact.Meet": ["Participant", "Time"],
               "Movement.Transport": ["Artifact", "Destination"]}
TOPICS = ["quick-deal", "us-tariffs"]
LABELS = ["favour", "against", "neutral"]


def fixture_gold() -> dict[str, Document]:
    return load_corpus(EVAL / "gold")


def fixture_predictions(path: Path | None = None):
    gold = fixture_gold()
    return gold, load_predictions(path or EVAL / "pred", gold)


def fixture_pred_dict(doc_id: str) -> dict:
    return json.loads((EVAL / "pred" / f"{doc_id}.json").read_text(encoding="utf-8"))


def span(start: int, end: int) -> Span:
    return Span(start, end, TEXT[start:end])


@st.composite
def documents(draw, doc_id: str = "d") -> Document:
    """A random document: distinct mention spans (nesting and overlap allowed), events, stances."""
    raw = draw(st.lists(st.tuples(st.integers(0, 70), st.integers(1, 9)), max_size=10, unique=True))
    spans = sorted({(s, s + n) for s, n in raw})
    n_entities = draw(st.integers(1, 4)) if spans else 0
    owners = [draw(st.integers(0, n_entities - 1)) for _ in spans]
    kinds = [draw(st.sampled_from(["name", "nominal", "pronoun"])) for _ in spans]
    entities = []
    for e in range(n_entities):
        etype = draw(st.sampled_from(ENTITY_TYPES))
        mentions = tuple(Mention(f"M{i}", span(*sp), kinds[i], f"E{e}", etype) for i, sp in enumerate(spans) if owners[i] == e)
        if mentions:
            entities.append(Entity(f"E{e}", etype, f"entity {e}", mentions))
    mention_ids = [m.id for ent in entities for m in ent.mentions]
    events = []
    for v in range(draw(st.integers(0, 3))):
        etype = draw(st.sampled_from(sorted(EVENT_ROLES)))
        start = draw(st.integers(0, 75))
        args = tuple(Argument(draw(st.sampled_from(EVENT_ROLES[etype])), draw(st.sampled_from(mention_ids)))
                     for _ in range(draw(st.integers(0, 3)) if mention_ids else 0))
        events.append(Event(f"V{v}", etype, "actual", span(start, start + draw(st.integers(1, 5))), args))
    stances = []
    if entities:
        for s in range(draw(st.integers(0, 3))):
            holder = draw(st.sampled_from([e.id for e in entities]))
            kind = draw(st.sampled_from(["topic", "entity"] + (["event"] if events else [])))
            tid = draw(st.sampled_from(TOPICS if kind == "topic" else [e.id for e in (entities if kind == "entity" else events)]))
            stances.append(Stance(f"S{s}", holder, Target(kind, tid), draw(st.sampled_from(LABELS)), (span(0, 3),)))
    return Document(doc_id=doc_id, text=TEXT, entities=tuple(entities), events=tuple(events), stances=tuple(stances))


@st.composite
def corpora(draw, max_docs: int = 3) -> dict[str, Document]:
    n = draw(st.integers(1, max_docs))
    return {f"d{i}": draw(documents(f"d{i}")) for i in range(n)}


def shuffled(doc: Document, rnd: random.Random) -> Document:
    """The same document with every list in another order."""

    def mix(items):
        items = list(items)
        rnd.shuffle(items)
        return tuple(items)

    entities = mix(replace(e, mentions=mix(e.mentions)) for e in doc.entities)
    events = mix(replace(v, arguments=mix(v.arguments)) for v in doc.events)
    return replace(doc, entities=entities, events=events, stances=mix(doc.stances))


def all_scores(report) -> list[tuple[str, object]]:
    """Every (path, value) leaf of a report's scores whose key names a ratio."""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif path.rsplit("/", 1)[-1] in ("precision", "recall", "f1", "accuracy", "macro_f1", "f_avg", "conll_f1"):
            out.append((path, node))

    walk(report.scores(), "")
    return out
