"""Stances on item tables: (holder, target, label) triples, (holder, target) pairs, labels of the pairs.

A predicted stance is compatible with a gold one when (1) the holders share a mention span (a
holder is its entity's mention spans, or the span a system gave), (2) the targets are of the same
kind and match: the same topic; for events, the predicted event is the gold event's match with the
same span and type (:meth:`toolkit.metrics.events.EventMatch.event_map`); for entities, the two
entities share a mention span. Triples also need the same label; the pair matching prefers pairs
with the same label. True positives and false negatives count under the gold stance's target key
(the topic id, or ``(event)`` / ``(entity)``), false positives under the predicted one's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.metrics.counting import Coded, Rows, tally
from toolkit.metrics.matching import Pairs, match_edges, unmatched
from toolkit.model.tables import Tables


def target_keys(st: pd.DataFrame) -> np.ndarray:
    """The per-target breakdown key of each stance: its topic id, or ``(event)`` / ``(entity)``."""
    kind = st["target_kind"].to_numpy()
    return np.where(kind == "topic", st["topic"].to_numpy(), "(" + kind.astype(object) + ")").astype(object)


def _holder_spans(t: Tables) -> pd.DataFrame:
    """(stance row, doc, start, end) of every span of every stance's holder."""
    st = t.stances
    rows = np.arange(len(st))
    own = st["holder"].to_numpy() < 0
    by_span = pd.DataFrame({"s": rows[own], "doc": st["doc"].to_numpy()[own],
                            "start": st["holder_start"].to_numpy()[own], "end": st["holder_end"].to_numpy()[own]})
    ent = pd.DataFrame({"s": rows[~own], "entity": st["holder"].to_numpy()[~own]})
    by_entity = ent.merge(t.mentions[["entity", "doc", "start", "end"]], on="entity")[["s", "doc", "start", "end"]]
    return pd.concat([by_span, by_entity], ignore_index=True)


def _entity_target_spans(t: Tables, stances: np.ndarray) -> pd.DataFrame:
    st = t.stances
    ent = pd.DataFrame({"s": stances, "entity": st["target"].to_numpy()[stances]})
    return ent.merge(t.mentions[["entity", "start", "end"]], on="entity")[["s", "start", "end"]]


@dataclass
class StanceMatch:
    gold: Tables
    pred: Tables
    triples: Pairs
    pairs: Pairs


class _values:
    """A column's values by row, as ``column.tolist()[i]`` gives them, without the list: strings as
    codes into their code book (:class:`~toolkit.metrics.counting.Coded`: a stance table's labels,
    kinds and ids repeat), integers as the column's own array. A Python object per row of 300,000
    stances was about 170 MB a side."""

    def __init__(self, column: pd.Series):
        self.ints = column.to_numpy() if pd.api.types.is_integer_dtype(column.dtype) else None
        self.coded = None if self.ints is not None else Coded.of(column, len(column))

    def __getitem__(self, i: int):
        if self.coded is None:
            return int(self.ints[i])
        return self.coded.cats[self.coded.codes[i]]


def _sort_key(t: Tables, event_map: np.ndarray | None, gold_event_ids: np.ndarray | None = None):
    """The canonical sort key of one stance (holder spans, kind, target, label, id), as a function of
    its row; a predicted event target is named by the id of the gold event it matched ("None")."""
    st = t.stances
    ment = t.mentions
    cols: dict[str, _values] = {}
    by_entity: dict[str, np.ndarray] = {}

    def spans_of(entity: int) -> list:
        """The sorted (start, end) of an entity's mentions (a slice of the mentions ordered by entity)."""
        a, b = np.searchsorted(by_entity["entity"], [entity, entity + 1])
        return sorted(zip(by_entity["start"][a:b].tolist(), by_entity["end"][a:b].tolist()))

    def key(i: int):
        if not cols:  # built on the first call: only tangled components need keys
            order = np.argsort(ment["entity"].to_numpy(), kind="stable")
            for c in ("entity", "start", "end"):
                by_entity[c] = ment[c].to_numpy()[order]
            for c in ("holder", "holder_start", "holder_end", "target_kind", "target", "topic", "label", "stance_id"):
                cols[c] = _values(st[c])
            cols["event_id"] = _values(t.events["event_id"])
        holder_row = cols["holder"][i]
        holder = spans_of(holder_row) if holder_row >= 0 else [(cols["holder_start"][i], cols["holder_end"][i])]
        kind, target_row = cols["target_kind"][i], cols["target"][i]
        if kind == "entity":
            target = spans_of(target_row)
        elif kind == "event":
            if event_map is None:
                target = [str(cols["event_id"][target_row])]
            else:
                ev = int(event_map[target_row]) if target_row >= 0 else -1
                target = [str(gold_event_ids[ev]) if ev >= 0 else "None"]
        else:
            target = [cols["topic"][i]]
        return (holder, kind, target, cols["label"][i], cols["stance_id"][i])
    return key


def match_stances(gold: Tables, pred: Tables, event_map: np.ndarray) -> StanceMatch:
    """Match stances as triples and as pairs (documents numbered alike); ``event_map`` maps each
    predicted event to its gold event (−1 when it has none)."""
    g, p = gold.stances, pred.stances
    gh, ph = _holder_spans(gold), _holder_spans(pred)
    joined = gh.merge(ph, on=["doc", "start", "end"], suffixes=("_g", "_p"))[["s_g", "s_p"]].drop_duplicates()
    eg, ep = joined["s_g"].to_numpy(np.int64), joined["s_p"].to_numpy(np.int64)
    gk, pk = g["target_kind"].to_numpy(), p["target_kind"].to_numpy()
    ok = gk[eg] == pk[ep]
    eg, ep = eg[ok], ep[ok]
    kind = gk[eg]
    topic = (kind == "topic") & (g["topic"].to_numpy()[eg] == p["topic"].to_numpy()[ep])
    p_target = p["target"].to_numpy()
    mapped = np.full(len(p), -1, dtype=np.int64)
    at_event = (pk == "event") & (p_target >= 0)
    mapped[at_event] = event_map[p_target[at_event]]
    event = (kind == "event") & (mapped[ep] >= 0) & (mapped[ep] == g["target"].to_numpy()[eg])
    is_entity = np.flatnonzero(kind == "entity")
    entity = np.zeros(len(eg), dtype=bool)
    if len(is_entity):
        pair = pd.DataFrame({"k": is_entity, "sg": eg[is_entity], "sp": ep[is_entity]})
        gs = _entity_target_spans(gold, np.unique(eg[is_entity])).rename(columns={"s": "sg"})
        ps = _entity_target_spans(pred, np.unique(ep[is_entity])).rename(columns={"s": "sp"})
        shared = pair.merge(gs, on="sg").merge(ps, on=["sp", "start", "end"])["k"].unique()
        entity[shared] = True
    ok = topic | event | entity
    eg, ep = eg[ok], ep[ok]
    same_label = g["label"].to_numpy()[eg] == p["label"].to_numpy()[ep]
    g_key, p_key = _sort_key(gold, None), _sort_key(pred, event_map, gold.events["event_id"].to_numpy())
    triples = match_edges(len(g), len(p), eg[same_label], ep[same_label], np.ones(int(same_label.sum()), dtype=np.int64), None,
                          g_key, p_key)
    pairs = match_edges(len(g), len(p), eg, ep, np.ones(len(eg), dtype=np.int64), same_label.astype(np.int64), g_key, p_key)
    return StanceMatch(gold, pred, triples, pairs)


def stance_rows(match: StanceMatch) -> list[Rows]:
    """Count rows of task ``stances``: measures ``triples`` / ``pairs`` (label = target key, outcome tp /
    fp / fn) and ``confusion`` (label = target key, outcome ``gold label|predicted label``); as
    parts, each ordered by document."""
    g, p = match.gold.stances, match.pred.stances
    gd, pd_ = g["doc"].to_numpy(), p["doc"].to_numpy()
    gkey, pkey = Coded.of(target_keys(g), len(g)), Coded.of(target_keys(p), len(p))
    frames = []
    for name, pairs in (("triples", match.triples), ("pairs", match.pairs)):
        frames.append(tally(gd[pairs.gold], name, gkey.take(pairs.gold), "tp"))
        spur, miss = unmatched(len(p), pairs.pred), unmatched(len(g), pairs.gold)
        frames.append(tally(pd_[spur], name, pkey.take(spur), "fp"))
        frames.append(tally(gd[miss], name, gkey.take(miss), "fn"))
    pr = match.pairs
    labels = g["label"].to_numpy()[pr.gold].astype(object) + "|" + p["label"].to_numpy()[pr.pred].astype(object)
    frames.append(tally(gd[pr.gold], "confusion", gkey.take(pr.gold), labels))
    return frames


def _descriptions(t: Tables) -> tuple[list, list, list]:
    """(evidence start, evidence end, "holder -> target") of every stance, for the errors list: a
    holder entity by its name (else its first mention's text), a holder span by its text; a target
    by its topic id, ``event <type> '<trigger>'`` or ``entity <name>``."""
    st, ents, ment, evs = t.stances, t.entities, t.mentions, t.events
    first = ment.sort_values(["entity", "start", "end"], kind="stable").drop_duplicates("entity")
    first_text = dict(zip(first["entity"].tolist(), first["text"].tolist()))
    names, ids = ents["name"].tolist(), ents["entity_id"].tolist()
    ev_type, ev_text = evs["type"].tolist(), evs["text"].tolist()
    texts = []
    for holder, htext, kind, topic, target in zip(st["holder"].tolist(), st["holder_text"].tolist(), st["target_kind"].tolist(),
                                                   st["topic"].tolist(), st["target"].tolist()):
        h = (names[holder] or first_text.get(holder, ids[holder])) if holder >= 0 else htext
        if kind == "topic":
            x = topic
        elif kind == "event":
            x = f"event {ev_type[target]} {ev_text[target]!r}" if target >= 0 else "event"
        else:
            x = f"entity {names[target] or ids[target]}" if target >= 0 else "entity"
        texts.append(f"{h} -> {x}")
    starts = [s if s >= 0 else None for s in st["evidence_start"].tolist()]
    ends = [e if s >= 0 else None for s, e in zip(st["evidence_start"].tolist(), st["evidence_end"].tolist())]
    return starts, ends, texts


def stance_errors(match: StanceMatch, doc_ids: list[str]) -> list[dict]:
    out = []
    g, p, pr = match.gold.stances, match.pred.stances, match.pairs
    gs, ge, gx = _descriptions(match.gold)
    ps, pe, px = _descriptions(match.pred)
    gl, pl, gd, pdoc = g["label"].tolist(), p["label"].tolist(), g["doc"].tolist(), p["doc"].tolist()
    for gi, pj in zip(pr.gold.tolist(), pr.pred.tolist()):
        if gl[gi] != pl[pj]:
            out.append(dict(task="stances", category="label-confusion", doc_id=doc_ids[gd[gi]], start=gs[gi], end=ge[gi], text=gx[gi],
                            gold=gl[gi], pred=pl[pj], detail=""))
    for gi in unmatched(len(g), pr.gold).tolist():
        out.append(dict(task="stances", category="false-negative", doc_id=doc_ids[gd[gi]], start=gs[gi], end=ge[gi], text=gx[gi],
                        gold=gl[gi], pred=None, detail=""))
    for pj in unmatched(len(p), pr.pred).tolist():
        out.append(dict(task="stances", category="false-positive", doc_id=doc_ids[pdoc[pj]], start=ps[pj], end=pe[pj], text=px[pj],
                        gold=None, pred=pl[pj], detail=""))
    return out
