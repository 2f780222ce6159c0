"""Every pair the scorers make between a gold and a predicted document, for the viewer.

:func:`match_document` runs the engine's matchers on the item tables of one document — the very
functions ``toolkit eval`` runs on a corpus (:func:`toolkit.metrics.entities.match_mentions`,
:func:`toolkit.metrics.events.match_events`, :func:`toolkit.metrics.stances.match_stances`, and
the CEAF-e cluster alignment of :mod:`toolkit.metrics.coreference`) — and returns every aligned
pair with its level and every unaligned item. So what the viewer marks correct is what
``toolkit eval`` counts correct (tests/test_pairing.py derives eval's counts from it).

The contract (kept small; the engine behind it may change):

``match_document(gold, pred, options=None) -> DocumentMatch``

- ``options``: anything with ``mention_kinds`` (None or a collection of kinds) and ``coref_args``
  (bool), e.g. :class:`toolkit.evaluation.evaluate.EvalOptions`; None means the defaults.
- ``DocumentMatch.mentions``, ``.triggers``: lists of :class:`Pair` over the gold items
  (``gold_mentions``/``gold_triggers``) and the predicted ones (``pred_mentions``/``pred_triggers``).
- ``DocumentMatch.arguments[metric]`` for each of the four argument metrics, over
  ``gold_arguments``/``pred_arguments``.
- ``DocumentMatch.stance_triples``, ``.stance_pairs`` over ``gold_stances``/``pred_stances``.
- ``DocumentMatch.clusters``: the CEAF-e pairs over the documents' entities (indices into
  ``gold.entities``/``pred.entities``), ``level`` φ·1000 rounded, ``phi`` the exact value.

A :class:`Pair` has ``gold`` and ``pred`` (an index, or None for a missed or spurious item) and
``level``: for mentions 4 same span and type, 3 same span and other type, 2 overlap and same type,
1 overlap and other type (the table of :mod:`toolkit.metrics.entities` says what each is in each
scheme); for triggers 2 same type, 1 other type; for arguments and stance triples 1; for stance
pairs 2 same label, 1 other label; 0 for an unaligned item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.metrics import entities, events, stances
from toolkit.metrics.coreference import ceafe_alignment, first_occurrences_indexed
from toolkit.metrics.entities import MentionItem
from toolkit.metrics.matching import Pairs, unmatched
from toolkit.model.document import Document
from toolkit.model.tables import from_documents


@dataclass(frozen=True)
class Pair:
    gold: int | None
    pred: int | None
    level: int
    phi: float | None = None


@dataclass(frozen=True)
class TriggerItem:
    start: int
    end: int
    type: str
    text: str = ""
    event_id: str = ""


@dataclass(frozen=True)
class ArgumentItem:
    event_type: str
    trigger: tuple[int, int]
    role: str
    start: int
    end: int
    text: str = ""
    trigger_text: str = ""


@dataclass(frozen=True)
class StanceItem:
    stance_id: str
    label: str
    target_kind: str


@dataclass
class DocumentMatch:
    doc_id: str
    gold_mentions: list[MentionItem] = field(default_factory=list)
    pred_mentions: list[MentionItem] = field(default_factory=list)
    mentions: list[Pair] = field(default_factory=list)
    gold_triggers: list[TriggerItem] = field(default_factory=list)
    pred_triggers: list[TriggerItem] = field(default_factory=list)
    triggers: list[Pair] = field(default_factory=list)
    gold_arguments: list[ArgumentItem] = field(default_factory=list)
    pred_arguments: list[ArgumentItem] = field(default_factory=list)
    arguments: dict[str, list[Pair]] = field(default_factory=dict)
    gold_stances: list[StanceItem] = field(default_factory=list)
    pred_stances: list[StanceItem] = field(default_factory=list)
    stance_triples: list[Pair] = field(default_factory=list)
    stance_pairs: list[Pair] = field(default_factory=list)
    clusters: list[Pair] = field(default_factory=list)


def _pairs(pairs: Pairs, n_gold: int, n_pred: int) -> list[Pair]:
    return ([Pair(g, p, lv) for g, p, lv in zip(pairs.gold.tolist(), pairs.pred.tolist(), pairs.level.tolist())]
            + [Pair(g, None, 0) for g in unmatched(n_gold, pairs.gold).tolist()]
            + [Pair(None, p, 0) for p in unmatched(n_pred, pairs.pred).tolist()])


def _mentions(t, m) -> list[MentionItem]:
    ids = t.entities["entity_id"].tolist()
    return [MentionItem(s, e, ty, k, x, ids[ent], mid) for s, e, ty, k, x, ent, mid in
            zip(m["start"].tolist(), m["end"].tolist(), m["type"].tolist(), m["kind"].tolist(), m["text"].tolist(),
                m["entity"].tolist(), m["mention_id"].tolist())]


def _arguments(a) -> list[ArgumentItem]:
    return [ArgumentItem(ty, (ts, te), r, s, e, x, tx) for ty, ts, te, r, s, e, x, tx in
            zip(a["type"].tolist(), a["trigger_start"].tolist(), a["trigger_end"].tolist(), a["role"].tolist(),
                a["start"].tolist(), a["end"].tolist(), a["text"].tolist(), a["trigger_text"].tolist())]


def match_document(gold: Document, pred: Document, options=None) -> DocumentMatch:
    """Every pair of ``gold`` and ``pred`` that ``toolkit eval`` makes (module docstring)."""
    kinds = getattr(options, "mention_kinds", None)
    coref_args = bool(getattr(options, "coref_args", False))
    g, p = from_documents([gold]), from_documents([pred])
    out = DocumentMatch(gold.doc_id)
    gm, pm = entities.kept(g.mentions, kinds), entities.kept(p.mentions, kinds)
    mm = entities.match_mentions(gm, pm, g.entities["entity_id"].to_numpy()[gm["entity"].to_numpy()],
                                 p.entities["entity_id"].to_numpy()[pm["entity"].to_numpy()])
    out.gold_mentions, out.pred_mentions = _mentions(g, gm), _mentions(p, pm)
    out.mentions = _pairs(mm.overall, len(gm), len(pm))
    em = events.match_events(g, p, coref_args)
    for side, t in (("gold", g), ("pred", p)):
        ev = t.events
        setattr(out, f"{side}_triggers", [TriggerItem(s, e, ty, x, i) for s, e, ty, x, i in
                                          zip(ev["start"].tolist(), ev["end"].tolist(), ev["type"].tolist(), ev["text"].tolist(),
                                              ev["event_id"].tolist())])
    out.triggers = _pairs(em.triggers, len(g.events), len(p.events))
    out.gold_arguments, out.pred_arguments = _arguments(em.gold_args), _arguments(em.pred_args)
    out.arguments = {metric: _pairs(pairs, len(em.gold_args), len(em.pred_args)) for metric, pairs in em.arguments.items()}
    sm = stances.match_stances(g, p, em.event_map())
    for side, t in (("gold", g), ("pred", p)):
        st = t.stances
        setattr(out, f"{side}_stances", [StanceItem(i, lab, k) for i, lab, k in
                                         zip(st["stance_id"].tolist(), st["label"].tolist(), st["target_kind"].tolist())])
    out.stance_triples = _pairs(sm.triples, len(g.stances), len(p.stances))
    out.stance_pairs = [Pair(x.gold, x.pred, (2 if out.gold_stances[x.gold].label == out.pred_stances[x.pred].label else 1) if x.level else 0)
                        for x in _pairs(sm.pairs, len(g.stances), len(p.stances))]

    def clusters(doc: Document) -> tuple[list[frozenset], list[int]]:
        # the clusters the coreference scorer scores (kinds kept, repeated mentions at their first occurrence), with entity indices
        spans = [[m.span.offsets for m in e.mentions if kinds is None or not m.kind or m.kind in kinds] for e in doc.entities]
        kept = first_occurrences_indexed(spans)
        return [c for _, c in kept], [i for i, _ in kept]

    g_cl, g_idx = clusters(gold)
    p_cl, p_idx = clusters(pred)
    aligned = ceafe_alignment(g_cl, p_cl)
    out.clusters = [Pair(g_idx[a], p_idx[b], round(phi * 1000), phi) for a, b, phi in aligned if phi > 0]
    seen_g = {x.gold for x in out.clusters}
    seen_p = {x.pred for x in out.clusters}
    out.clusters += [Pair(i, None, 0) for i in g_idx if i not in seen_g] + [Pair(None, j, 0) for j in p_idx if j not in seen_p]
    return out
