"""Entity mentions: the four SemEval-2013 schemes, overall (micro) and per type, on item tables.

Gold and predicted mentions are matched one-to-one by :func:`toolkit.metrics.matching.match_edges`
preferring, in this order, same span and type (level 4) > same span (3) > overlapping span and same
type (2) > overlapping span (1), ties by overlap size, then by the canonical order (offsets,
type, kind, text, ids). Each pair and each unmatched mention is an outcome in each scheme:

=========================  ========  =========  =========  =========
pair                        strict    exact      partial    type
=========================  ========  =========  =========  =========
same span, same type        correct   correct    correct    correct
same span, other type       incorrect correct    correct    incorrect
overlap, same type          incorrect incorrect  partial    correct
overlap, other type         incorrect incorrect  partial    incorrect
gold mention not matched    missed    missed     missed     missed
predicted, not matched      spurious  spurious   spurious   spurious
=========================  ========  =========  =========  =========

The overall counts come from matching all mentions; each type's from matching that type's gold
and predicted mentions alone (nervaluate 1.x, conlleval, seqeval), which is the same matcher run on
the same-type edges only (docs/metrics.md, "Entities").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.io.arrow import joint_codes
from toolkit.metrics.counting import Coded, Rows, tally
from toolkit.metrics.matching import Pairs, match_edges, overlap_edges, rank, unmatched

SCHEMES = ("strict", "exact", "partial", "type")
_OUTCOMES = np.array([
    ["", "", "", ""],
    ["incorrect", "incorrect", "partial", "incorrect"],  # level 1: overlap, other type
    ["incorrect", "incorrect", "partial", "correct"],    # level 2: overlap, same type
    ["incorrect", "correct", "correct", "incorrect"],    # level 3: same span, other type
    ["correct", "correct", "correct", "correct"],        # level 4: same span and type
], dtype=object)


_OUTCOME_CATS = np.array(sorted(set(_OUTCOMES.ravel().tolist())), dtype=object)
_OUTCOME_CODES = np.searchsorted(_OUTCOME_CATS, _OUTCOMES)  # _OUTCOMES as codes into the sorted outcome names


def kept(mentions: pd.DataFrame, kinds) -> pd.DataFrame:
    """The mentions of the given kinds (and those without a kind); all of them when ``kinds`` is None."""
    if kinds is None:
        return mentions
    return mentions[mentions["kind"].isin(list(kinds)) | (mentions["kind"] == "")].reset_index(drop=True)


def mention_rank(m: pd.DataFrame, entity_ids) -> np.ndarray:
    """The canonical order of mentions: document, offsets, type, kind, text, entity id (a Series or
    an array, one per mention), mention id."""
    doc, start, end = m["doc"].to_numpy(), m["start"].to_numpy(), m["end"].to_numpy()
    codes = [pd.factorize(m[c], sort=True)[0] for c in ("type", "kind")]  # on the (Arrow) column: 3x faster than on objects
    # text, entity id and mention id only order mentions that tie on everything before them: sort those strings alone
    head = pd.DataFrame({"d": doc, "s": start, "e": end, "t": codes[0], "k": codes[1]})
    tied = np.flatnonzero(head.duplicated(keep=False).to_numpy())
    tails = []
    for values in (m["text"], entity_ids, m["mention_id"]):
        c = np.zeros(len(m), dtype=np.int64)
        if len(tied):
            picked = values.iloc[tied] if isinstance(values, pd.Series) else np.asarray(values, dtype=object)[tied]
            c[tied] = pd.factorize(picked, sort=True)[0]
        tails.append(c)
    return rank(doc, start, end, *codes, *tails)


@dataclass
class MentionMatch:
    """The overall and the per-type matching of one corpus's mentions against the gold."""

    gold: pd.DataFrame
    pred: pd.DataFrame
    overall: Pairs
    per_type: Pairs


def match_mentions(gold: pd.DataFrame, pred: pd.DataFrame, gold_entity_ids: np.ndarray, pred_entity_ids: np.ndarray) -> MentionMatch:
    """Match two mention tables (documents numbered alike), overall and per type."""
    eg, ep = overlap_edges(gold["doc"], gold["start"], gold["end"], pred["doc"], pred["start"], pred["end"])
    gs, ge, ps, pe = gold["start"].to_numpy(), gold["end"].to_numpy(), pred["start"].to_numpy(), pred["end"].to_numpy()
    (gt, pt), _ = joint_codes(gold["type"], pred["type"])
    same_span = (gs[eg] == ps[ep]) & (ge[eg] == pe[ep])
    same_type = gt[eg] == pt[ep]
    level = np.where(same_span, np.where(same_type, 4, 3), np.where(same_type, 2, 1))
    overlap = np.minimum(ge[eg], pe[ep]) - np.maximum(gs[eg], ps[ep])
    g_rank, p_rank = mention_rank(gold, gold_entity_ids), mention_rank(pred, pred_entity_ids)
    overall = match_edges(len(gold), len(pred), eg, ep, level, overlap, g_rank, p_rank)
    per_type = match_edges(len(gold), len(pred), eg[same_type], ep[same_type], level[same_type], overlap[same_type], g_rank, p_rank)
    return MentionMatch(gold, pred, overall, per_type)


def _scheme_rows(pairs: Pairs, gold: pd.DataFrame, pred: pd.DataFrame, by_type: bool) -> list[Rows]:
    frames = []
    g_doc, p_doc = gold["doc"].to_numpy(), pred["doc"].to_numpy()
    g_type, p_type = Coded.of(gold["type"], len(gold)), Coded.of(pred["type"], len(pred))
    missed, spurious = unmatched(len(gold), pairs.gold), unmatched(len(pred), pairs.pred)
    for s, scheme in enumerate(SCHEMES):
        outcome = Coded(_OUTCOME_CODES[pairs.level, s], _OUTCOME_CATS)
        frames.append(tally(g_doc[pairs.gold], scheme, g_type.take(pairs.gold) if by_type else "", outcome))
        frames.append(tally(g_doc[missed], scheme, g_type.take(missed) if by_type else "", "missed"))
        frames.append(tally(p_doc[spurious], scheme, p_type.take(spurious) if by_type else "", "spurious"))
    return frames


def entity_rows(match: MentionMatch) -> list[Rows]:
    """Count rows of task ``entities``: measure = scheme, label "" (overall) or the entity type,
    outcome correct / incorrect / partial / missed / spurious; as parts, each ordered by document,
    which :func:`toolkit.metrics.counting.frame_by_doc` places in turn (joining them first only
    to split them again cost 0.06 s at 50k)."""
    return (_scheme_rows(match.overall, match.gold, match.pred, False)
            + _scheme_rows(match.per_type, match.gold, match.pred, True))


def entity_errors(match: MentionMatch, doc_ids: list[str]) -> list[dict]:
    """Every false positive, false negative, type confusion and boundary error of the overall matching."""
    g, p, pairs = match.gold, match.pred, match.overall
    out = []
    gd, gs, ge, gx, gt = (g[c].to_numpy() for c in ("doc", "start", "end", "text", "type"))
    pd_, ps, pe, px, pt = (p[c].to_numpy() for c in ("doc", "start", "end", "text", "type"))
    for gi, pj, lv in zip(pairs.gold.tolist(), pairs.pred.tolist(), pairs.level.tolist()):
        if lv == 3:
            out.append(dict(task="entities", category="type-confusion", doc_id=doc_ids[gd[gi]], start=int(gs[gi]), end=int(ge[gi]),
                            text=gx[gi], gold=gt[gi], pred=pt[pj], detail=""))
        elif lv in (1, 2):
            out.append(dict(task="entities", category="boundary", doc_id=doc_ids[gd[gi]], start=int(gs[gi]), end=int(ge[gi]),
                            text=gx[gi], gold=gt[gi], pred=pt[pj], detail=f"predicted {ps[pj]}-{pe[pj]} {px[pj]!r}"))
    for gi in unmatched(len(g), pairs.gold).tolist():
        out.append(dict(task="entities", category="false-negative", doc_id=doc_ids[gd[gi]], start=int(gs[gi]), end=int(ge[gi]),
                        text=gx[gi], gold=gt[gi], pred=None, detail=""))
    for pj in unmatched(len(p), pairs.pred).tolist():
        out.append(dict(task="entities", category="false-positive", doc_id=doc_ids[pd_[pj]], start=int(ps[pj]), end=int(pe[pj]),
                        text=px[pj], gold=None, pred=pt[pj], detail=""))
    return out


# ---------------------------------------------------------------- the row-wise face (one document)


@dataclass(frozen=True, order=True)
class MentionItem:
    """A mention as plain values: span, entity type, and (optionally) kind, text and ids."""

    start: int
    end: int
    type: str
    kind: str = ""
    text: str = ""
    entity_id: str = ""
    mention_id: str = ""


def mention_level(g: MentionItem, p: MentionItem) -> int:
    """4 same span and type, 3 same span, 2 overlap and same type, 1 overlap, 0 disjoint."""
    if (g.start, g.end) == (p.start, p.end):
        return 4 if g.type == p.type else 3
    if g.start < p.end and p.start < g.end:
        return 2 if g.type == p.type else 1
    return 0


def mention_frame(items, doc: int = 0) -> pd.DataFrame:
    """The mentions table (:mod:`toolkit.model.tables` layout, plus ``entity_id``) of one document's :class:`MentionItem` list."""
    items = list(items)
    return pd.DataFrame({"doc": np.full(len(items), doc, dtype=np.int64), "entity": np.arange(len(items), dtype=np.int64),
                         "mention_id": [m.mention_id for m in items], "start": np.asarray([m.start for m in items], dtype=np.int64),
                         "end": np.asarray([m.end for m in items], dtype=np.int64), "text": [m.text for m in items],
                         "type": [m.type for m in items], "kind": [m.kind for m in items],
                         "entity_id": [m.entity_id for m in items]})


def align_mentions(gold, pred):
    """The overall matching of two mention lists of one document, as an
    :class:`~toolkit.metrics.matching.Alignment` of list indices (the matcher ``toolkit eval`` uses)."""
    from toolkit.metrics.matching import Alignment

    g, p = mention_frame(gold), mention_frame(pred)
    pairs = match_mentions(g, p, g["entity_id"].to_numpy(), p["entity_id"].to_numpy()).overall
    return Alignment(tuple(zip(pairs.gold.tolist(), pairs.pred.tolist(), pairs.level.tolist())),
                     tuple(unmatched(len(g), pairs.gold).tolist()), tuple(unmatched(len(p), pairs.pred).tolist()))
