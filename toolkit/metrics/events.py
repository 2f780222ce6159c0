"""Events on item tables: TextEE's six measures (unique tuples) and the per-item variant.

- **TextEE** (``compute_E2E_scores``): per document, the *set* of gold and of predicted tuples:
  trigger (start, end) and (start, end, type); argument (event type, start, end) and (…, role);
  attached (trigger start, end, event type, start, end) and (…, role). tp = |gold ∩ predicted|.
- **Per item**: triggers matched one-to-one by exact span, preferring the same type (level 2 over
  1); arguments matched one-to-one by exact span (with ``coref_args``: any mention span of the gold
  argument's entity) under each rule: identification = same event type; classification = and same
  role; attached = and the same trigger span. True positives and false negatives count under the
  gold event type, false positives under the predicted one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.io.arrow import joint_codes
from toolkit.metrics.counting import Coded, Rows, tally
from toolkit.metrics.matching import Pairs, equal_key_edges, joint_keys, match_edges, rank, unmatched
from toolkit.model.tables import Tables

METRICS = (
    "trigger_identification",
    "trigger_classification",
    "argument_identification",
    "argument_classification",
    "argument_identification_attached",
    "argument_classification_attached",
)
ARGUMENT_RULES = {
    "argument_identification": ("type",),
    "argument_classification": ("type", "role"),
    "argument_identification_attached": ("type", "trigger_start", "trigger_end"),
    "argument_classification_attached": ("type", "trigger_start", "trigger_end", "role"),
}


def _coded(column: pd.Series) -> Coded:
    return Coded.of(column, len(column))


def argument_view(t: Tables) -> pd.DataFrame:
    """The arguments with their event's type and trigger span."""
    ev, a = t.events, t.arguments
    at = a["event"].to_numpy()

    def of_event(c):  # a string column is taken as it is (an Arrow column stays one), not as Python objects
        return ev[c].take(at).reset_index(drop=True)

    return pd.DataFrame({"doc": a["doc"].to_numpy(), "type": of_event("type"),
                         "trigger_start": ev["start"].to_numpy()[at], "trigger_end": ev["end"].to_numpy()[at],
                         "trigger_text": of_event("text"), "role": a["role"].reset_index(drop=True),
                         "start": a["start"].to_numpy(), "end": a["end"].to_numpy(),
                         "text": a["text"].reset_index(drop=True), "entity": a["entity"].to_numpy()})


@dataclass
class EventMatch:
    gold: Tables
    pred: Tables
    triggers: Pairs
    arguments: dict[str, Pairs]
    gold_args: pd.DataFrame
    pred_args: pd.DataFrame
    codes: dict[str, tuple[np.ndarray, np.ndarray]]
    """Gold's and predictions' codes, one code book per column: ``event_type`` (of the events),
    ``type`` and ``role`` (of the arguments)."""

    def event_map(self) -> np.ndarray:
        """For each predicted event, the gold event it matched with the same span and type (−1 if none)."""
        out = np.full(len(self.pred.events), -1, dtype=np.int64)
        same = self.triggers.level == 2
        out[self.triggers.pred[same]] = self.triggers.gold[same]
        return out


def _trigger_rank(ev: pd.DataFrame) -> np.ndarray:
    codes = [pd.factorize(ev[c], sort=True)[0] for c in ("type", "text", "event_id")]
    return rank(ev["doc"].to_numpy(), ev["start"].to_numpy(), ev["end"].to_numpy(), *codes)


def _argument_rank(a: pd.DataFrame) -> np.ndarray:
    t, r = (pd.factorize(a[c], sort=True)[0] for c in ("type", "role"))
    return rank(a["doc"].to_numpy(), t, a["trigger_start"].to_numpy(), a["trigger_end"].to_numpy(), r,
                a["start"].to_numpy(), a["end"].to_numpy())


def match_events(gold: Tables, pred: Tables, coref_args: bool = False) -> EventMatch:
    """Match triggers and, under each argument rule, arguments (documents numbered alike)."""
    g, p = gold.events, pred.events
    eg, ep = equal_key_edges([g["doc"], g["start"], g["end"]], [p["doc"], p["start"], p["end"]])
    (gt, pt), _ = joint_codes(g["type"], p["type"])
    level = np.where(gt[eg] == pt[ep], 2, 1)
    triggers = match_edges(len(g), len(p), eg, ep, level, None, _trigger_rank(g), _trigger_rank(p))

    ga, pa = argument_view(gold), argument_view(pred)
    # the spans a gold argument accepts: its own, or with coref_args every mention of its entity
    accept = pd.DataFrame({"g": np.arange(len(ga)), "start": ga["start"].to_numpy(), "end": ga["end"].to_numpy()})
    if coref_args and len(ga):
        by_entity = ga[ga["entity"] >= 0]
        m = gold.mentions[["entity", "start", "end"]]
        extra = pd.DataFrame({"g": by_entity.index.to_numpy(), "entity": by_entity["entity"].to_numpy()}).merge(m, on="entity")
        accept = pd.concat([accept, extra[["g", "start", "end"]]], ignore_index=True).drop_duplicates()
    type_codes, _ = joint_codes(ga["type"], pa["type"])
    role_codes, _ = joint_codes(ga["role"], pa["role"])
    g_cols = {"doc": ga["doc"].to_numpy(), "type": type_codes[0], "role": role_codes[0],
              "trigger_start": ga["trigger_start"].to_numpy(), "trigger_end": ga["trigger_end"].to_numpy()}
    p_cols = {"doc": pa["doc"].to_numpy(), "type": type_codes[1], "role": role_codes[1],
              "trigger_start": pa["trigger_start"].to_numpy(), "trigger_end": pa["trigger_end"].to_numpy()}
    acc_g = accept["g"].to_numpy()
    g_rank, p_rank = _argument_rank(ga), _argument_rank(pa)
    arguments = {}
    for metric, keys in ARGUMENT_RULES.items():
        gk = [g_cols["doc"][acc_g], accept["start"].to_numpy(), accept["end"].to_numpy(), *(g_cols[k][acc_g] for k in keys)]
        pk = [p_cols["doc"], pa["start"].to_numpy(), pa["end"].to_numpy(), *(p_cols[k] for k in keys)]
        ai, aj = equal_key_edges(gk, pk)
        arguments[metric] = match_edges(len(ga), len(pa), acc_g[ai], aj, np.ones(len(ai), dtype=np.int64), None, g_rank, p_rank)
    return EventMatch(gold, pred, triggers, arguments, ga, pa,
                      {"event_type": (gt, pt), "type": tuple(type_codes), "role": tuple(role_codes)})


def _textee_sets(match: EventMatch) -> dict[str, tuple[list[np.ndarray], list[np.ndarray]]]:
    """Per TextEE measure, the tuple columns of the gold and of the predicted items (document first;
    types and roles as codes of one code book per column, shared by both sides)."""
    (gv, pv), (gat, pat), (gar, par) = (match.codes[c] for c in ("event_type", "type", "role"))
    ga, pa = match.gold_args, match.pred_args

    def sides(ev, a, v_type, a_type, a_role):
        e = [ev[c].to_numpy(np.int64) for c in ("doc", "start", "end")]
        x = {c: a[c].to_numpy(np.int64) for c in ("doc", "trigger_start", "trigger_end", "start", "end")}
        return {
            "trigger_identification": e,
            "trigger_classification": [*e, v_type],
            "argument_identification": [x["doc"], a_type, x["start"], x["end"]],
            "argument_classification": [x["doc"], a_type, x["start"], x["end"], a_role],
            "argument_identification_attached": [x["doc"], x["trigger_start"], x["trigger_end"], a_type, x["start"], x["end"]],
            "argument_classification_attached": [x["doc"], x["trigger_start"], x["trigger_end"], a_type, x["start"], x["end"], a_role],
        }

    g, p = sides(match.gold.events, ga, gv, gat, gar), sides(match.pred.events, pa, pv, pat, par)
    return {m: (g[m], p[m]) for m in METRICS}


def _tuple_ids(g_cols: list[np.ndarray], p_cols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, int]:
    """One id per distinct tuple of the integer columns, over both sides (equal tuples, equal ids;
    ids 0..n-1), and n (:func:`toolkit.metrics.matching.joint_keys`)."""
    gk, pk = joint_keys(g_cols, p_cols)
    ids, uniques = pd.factorize(np.concatenate([gk, pk]))
    return ids[:len(gk)], ids[len(gk):], len(uniques)


def textee_rows(match: EventMatch) -> list[Rows]:
    """Count rows of TextEE's six measures: measure ``textee.<metric>``, label "", outcome tp / fp / fn
    (as parts, each ordered by document: :func:`toolkit.metrics.entities.entity_rows`).

    Per document, tp = |gold tuples ∩ predicted tuples|, fp = |predicted tuples| − tp, fn = |gold
    tuples| − tp, the tuples as sets (a repeated tuple counts once)."""
    frames = []
    for metric, (g_cols, p_cols) in _textee_sets(match).items():
        gid, pid, n = _tuple_ids(g_cols, p_cols)
        doc_of = np.zeros(n, dtype=np.int64)
        doc_of[gid], doc_of[pid] = g_cols[0], p_cols[0]
        in_g, in_p = np.bincount(gid, minlength=n) > 0, np.bincount(pid, minlength=n) > 0
        n_docs = 1 + max(int(g_cols[0].max()) if len(gid) else -1, int(p_cols[0].max()) if len(pid) else -1)
        tp = np.bincount(doc_of[in_g & in_p], minlength=n_docs)
        n_g = np.bincount(doc_of[in_g], minlength=n_docs)
        n_p = np.bincount(doc_of[in_p], minlength=n_docs)
        docs = np.arange(n_docs)
        for outcome, values in (("tp", tp), ("fp", n_p - tp), ("fn", n_g - tp)):
            nz = values > 0
            frames.append(tally(docs[nz], f"textee.{metric}", "", outcome, values[nz]))
    return frames


def item_rows(match: EventMatch) -> list[Rows]:
    """Count rows of the per-item measures: measure ``item.<metric>``, label = event type, outcome tp / fp / fn
    (as parts, each ordered by document)."""
    frames = []
    g, p, tr = match.gold.events, match.pred.events, match.triggers
    gd, gt, pd_, pt = g["doc"].to_numpy(), _coded(g["type"]), p["doc"].to_numpy(), _coded(p["type"])
    missed, spurious = unmatched(len(g), tr.gold), unmatched(len(p), tr.pred)
    same = tr.level == 2
    frames.append(tally(gd[tr.gold], "item.trigger_identification", gt.take(tr.gold), "tp"))
    frames.append(tally(gd[tr.gold[same]], "item.trigger_classification", gt.take(tr.gold[same]), "tp"))
    frames.append(tally(gd[tr.gold[~same]], "item.trigger_classification", gt.take(tr.gold[~same]), "fn"))
    frames.append(tally(pd_[tr.pred[~same]], "item.trigger_classification", pt.take(tr.pred[~same]), "fp"))
    for metric in ("trigger_identification", "trigger_classification"):
        frames.append(tally(gd[missed], f"item.{metric}", gt.take(missed), "fn"))
        frames.append(tally(pd_[spurious], f"item.{metric}", pt.take(spurious), "fp"))
    ga, pa = match.gold_args, match.pred_args
    gad, gat, pad_, pat = ga["doc"].to_numpy(), _coded(ga["type"]), pa["doc"].to_numpy(), _coded(pa["type"])
    for metric, pairs in match.arguments.items():
        frames.append(tally(gad[pairs.gold], f"item.{metric}", gat.take(pairs.gold), "tp"))
        miss, spur = unmatched(len(ga), pairs.gold), unmatched(len(pa), pairs.pred)
        frames.append(tally(gad[miss], f"item.{metric}", gat.take(miss), "fn"))
        frames.append(tally(pad_[spur], f"item.{metric}", pat.take(spur), "fp"))
    return frames


def event_errors(match: EventMatch, doc_ids: list[str]) -> list[dict]:
    """Trigger errors (type confusions, misses, spurious triggers) and the argument errors of the
    attached classification."""
    out = []
    g, p, tr = match.gold.events, match.pred.events, match.triggers
    gd, gs, ge, gx, gt = (g[c].to_numpy() for c in ("doc", "start", "end", "text", "type"))
    pd_, ps, pe, px, pt = (p[c].to_numpy() for c in ("doc", "start", "end", "text", "type"))
    for gi, pj, lv in zip(tr.gold.tolist(), tr.pred.tolist(), tr.level.tolist()):
        if lv != 2:
            out.append(dict(task="events", category="type-confusion", doc_id=doc_ids[gd[gi]], start=int(gs[gi]), end=int(ge[gi]),
                            text=gx[gi], gold=gt[gi], pred=pt[pj], detail=""))
    for gi in unmatched(len(g), tr.gold).tolist():
        out.append(dict(task="events", category="false-negative", doc_id=doc_ids[gd[gi]], start=int(gs[gi]), end=int(ge[gi]),
                        text=gx[gi], gold=gt[gi], pred=None, detail=""))
    for pj in unmatched(len(p), tr.pred).tolist():
        out.append(dict(task="events", category="false-positive", doc_id=doc_ids[pd_[pj]], start=int(ps[pj]), end=int(pe[pj]),
                        text=px[pj], gold=None, pred=pt[pj], detail=""))
    pairs = match.arguments["argument_classification_attached"]
    for frame, idx, side in ((match.gold_args, unmatched(len(match.gold_args), pairs.gold), "gold"),
                             (match.pred_args, unmatched(len(match.pred_args), pairs.pred), "pred")):
        rows = frame.iloc[idx]
        for r in rows.itertuples(index=False):
            label = f"{r.role} of {r.type} {r.trigger_text!r}"
            out.append(dict(task="arguments", category="false-negative" if side == "gold" else "false-positive",
                            doc_id=doc_ids[r.doc], start=int(r.start), end=int(r.end), text=r.text,
                            gold=label if side == "gold" else None, pred=label if side == "pred" else None, detail=""))
    return out
