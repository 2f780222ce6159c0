"""Every pair the scorers make between a gold and a predicted document, for the viewer.

:func:`match_document` calls the very alignment functions the scorers of
:mod:`toolkit.metrics.scoring` call (``align_mentions``, the trigger and argument alignments, the
stance triple and pair alignments, the CEAF-e cluster alignment), on the same items, and returns
every aligned pair with its level and every unaligned item. So what the viewer marks correct is
what ``toolkit eval`` counts correct (tests/test_pairing.py derives eval's counts from it).

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
1 overlap and other type (:data:`toolkit.metrics.scoring.OUTCOMES` says what each is in each
scheme); for triggers 2 same type, 1 other type; for arguments and stance triples 1; for stance
pairs 2 same label, 1 other label; 0 for an unaligned item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.metrics.coreference import ceafe_alignment, first_occurrences_indexed
from toolkit.metrics.scoring import (ARGUMENT_RULES, ArgumentItem, MentionItem, StanceItem, TriggerItem,
                                     _argument_alignment, align_mentions, argument_items, coref_clusters, mention_items,
                                     stance_compatible, stance_items, trigger_level)
from toolkit.metrics.matching import Alignment, align
from toolkit.model.document import Document


@dataclass(frozen=True)
class Pair:
    gold: int | None
    pred: int | None
    level: int
    phi: float | None = None


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


def _pairs(al: Alignment) -> list[Pair]:
    return ([Pair(g, p, lv) for g, p, lv in al.pairs] + [Pair(g, None, 0) for g in al.missed]
            + [Pair(None, p, 0) for p in al.spurious])


def match_document(gold: Document, pred: Document, options=None) -> DocumentMatch:
    """Every pair of ``gold`` and ``pred`` that the scorers make (module docstring)."""
    kinds = getattr(options, "mention_kinds", None)
    kinds = set(kinds) if kinds is not None else None
    coref_args = bool(getattr(options, "coref_args", False))
    out = DocumentMatch(gold.doc_id)
    out.gold_mentions, out.pred_mentions = mention_items(gold, kinds), mention_items(pred, kinds)
    out.mentions = _pairs(align_mentions(out.gold_mentions, out.pred_mentions))
    out.gold_triggers = [TriggerItem(e.trigger.start, e.trigger.end, e.type, e.trigger.text, e.id) for e in gold.events]
    out.pred_triggers = [TriggerItem(e.trigger.start, e.trigger.end, e.type, e.trigger.text, e.id) for e in pred.events]
    trig = align(out.gold_triggers, out.pred_triggers, trigger_level)
    out.triggers = _pairs(trig)
    out.gold_arguments, out.pred_arguments = argument_items(gold, coref_args), argument_items(pred, False)
    out.arguments = {metric: _pairs(_argument_alignment(out.gold_arguments, out.pred_arguments, rule))
                     for metric, rule in ARGUMENT_RULES.items()}
    event_map = {out.pred_triggers[pj].event_id: out.gold_triggers[gi].event_id for gi, pj, lv in trig.pairs if lv == 2}
    out.gold_stances, out.pred_stances = stance_items(gold), stance_items(pred, event_map)
    keys = dict(gold_key=StanceItem.sort_key, pred_key=StanceItem.sort_key)
    g_st, p_st = out.gold_stances, out.pred_stances
    out.stance_triples = _pairs(align(g_st, p_st, lambda g, p: int(stance_compatible(g, p) and g.label == p.label), **keys))
    pairs = align(g_st, p_st, lambda g, p: int(stance_compatible(g, p)), tiebreak=lambda g, p: int(g.label == p.label), **keys)
    out.stance_pairs = [Pair(x.gold, x.pred, (2 if g_st[x.gold].label == p_st[x.pred].label else 1) if x.level else 0)
                        for x in _pairs(pairs)]

    def clusters(doc: Document) -> tuple[list[frozenset], list[int]]:
        # the clusters the coreference scorer scores (repeated mentions at their first occurrence), with entity indices
        kept = first_occurrences_indexed(coref_clusters(doc, kinds))
        return [c for _, c in kept], [i for i, _ in kept]

    g_cl, g_idx = clusters(gold)
    p_cl, p_idx = clusters(pred)
    aligned = ceafe_alignment(g_cl, p_cl)
    out.clusters = [Pair(g_idx[g], p_idx[p], round(phi * 1000), phi) for g, p, phi in aligned if phi > 0]
    seen_g = {x.gold for x in out.clusters}
    seen_p = {x.pred for x in out.clusters}
    out.clusters += [Pair(i, None, 0) for i in g_idx if i not in seen_g] + [Pair(None, j, 0) for j in p_idx if j not in seen_p]
    return out
