"""A synthetic corpus in the toolkit's schema, its perturbed predictions and their IOB2 form.

Everything is drawn from ``random.Random(seed)``, document by document, so a size and a seed
always give the same bytes. For ``n`` documents, :func:`write_dataset` writes into ``out/``:

- ``seeds/<doc_id>.txt``: one seed text per document (the schema requires ``seed_file`` to be
  ``seeds/<name>.txt``, so each document has its own file, as in the real corpus);
- ``annotations/gold.jsonl``: the gold annotation documents, one per line (``toolkit validate``
  and ``toolkit eval --gold`` read JSONL), each naming its seed file and the seed's sha256;
- ``pred.jsonl``: predictions derived from the gold (see below);
- ``gold.iob2`` and ``pred.iob2``: the same entity spans as IOB2 tags, in the
  ``token<TAB>start<TAB>end<TAB>tag`` format of :mod:`toolkit.formats.iob2`;
- ``meta.json``: the counts.

A document is about 30 words (space-separated lower-case filler words and capitalised names)
with 4 to 6 entity mentions (mean 5) of 3 to 5 entities (so some coreference) of 8 entity types,
2 events with up to 2 arguments each (roles that admit the argument's entity type), and 1 or 2
stances (targets: topics, events or entities). Mentions never overlap and are separated by at
least two filler words, so every span, gold or predicted, is representable in IOB2.

Predictions, per gold mention: 15% dropped, 10% retyped (same span, another type, in an entity
of its own), 10% boundary-shifted (a two-word mention loses a word, a one-word mention gains the
free neighbouring word), the rest exact; plus a spurious one-word mention on a free filler word
for 5% of the gold mentions. A shifted or spurious span never touches another gold span, so each
span overlaps at most one span of the other side (where nervaluate's greedy matching is exact).
Events: 15% dropped, 10% retyped, 15% of arguments dropped, 5% spurious triggers; stances: 15%
dropped, 10% relabelled.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

GENERATOR_VERSION = 1

TYPES = ("PER", "ORG", "GOV", "GPE", "LOC", "DATE", "MONEY", "LAW")
HOLDER_TYPES = ("PER", "ORG", "GOV", "GPE")
EVENT_TYPES = ("Contact.Meet", "Trade.Negotiate", "Trade.Request", "Trade.Offer", "Trade.Agree",
               "Transaction.Invest", "Policy.Enact", "Movement.Transport")
TOPICS = ("korea-tariff-relief", "quick-deal", "package-deal", "us-tariffs", "trade-imbalance-reduction")
LABELS = ("favour", "against", "neutral")
KINDS = ("name", "name", "name", "nominal", "pronoun")

FILLER = ("the", "talks", "said", "on", "with", "after", "a", "new", "deal", "over", "tariffs", "week", "for",
          "trade", "and", "officials", "would", "its", "plan", "to", "in", "that", "market", "goods", "while",
          "both", "sides", "agreed", "met", "offered", "asked", "invest", "enacted", "travelled", "sought",
          "talked", "exports", "rates", "partners", "budget", "review", "ministry", "meeting", "next", "early")
TRIGGERS = ("met", "offered", "asked", "invest", "enacted", "travelled", "sought", "talked", "agreed")
SYLLABLES = ("ka", "lo", "mi", "ran", "sun", "te", "vo", "dar", "bel", "hon", "gi", "pak", "sel", "ul", "wa", "yen")


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _roles() -> dict[str, dict[str, tuple[str, ...]]]:
    from toolkit.model.labels import inventory

    return {t: dict(inventory().roles[t]) for t in EVENT_TYPES}


class _Doc:
    """One generated document: tokens with offsets, gold spans by token range, and the dicts."""

    def __init__(self, rng: random.Random, index: int, roles: dict):
        self.doc_id = f"syn{index:07d}"
        n_mentions = rng.choice((4, 5, 5, 6))
        n_entities = min(n_mentions, rng.choice((3, 4, 4, 5)))
        ent_types = [rng.choice(HOLDER_TYPES)] + [rng.choice(TYPES) for _ in range(n_entities - 1)]
        owner = list(range(n_entities)) + [rng.randrange(n_entities) for _ in range(n_mentions - n_entities)]
        rng.shuffle(owner)
        tokens: list[str] = []
        mention_tok: list[tuple[int, int]] = []  # token ranges [a, b)
        tokens += [rng.choice(FILLER) for _ in range(rng.randint(1, 4))]
        for _ in range(n_mentions):
            length = rng.choice((1, 2, 2))
            a = len(tokens)
            tokens += [_name(rng) for _ in range(length)]
            mention_tok.append((a, a + length))
            tokens += [rng.choice(FILLER) for _ in range(rng.randint(2, 6))]
        self.tokens = tokens
        starts, pos = [], 0
        for tok in tokens:
            starts.append(pos)
            pos += len(tok) + 1
        self.starts = starts
        self.text = " ".join(tokens) + "."
        self.mention_tok = mention_tok
        self.in_mention = [False] * len(tokens)
        for a, b in mention_tok:
            for k in range(a, b):
                self.in_mention[k] = True
        self.ent_types = ent_types
        self.owner = owner
        self.rng = rng
        self.roles = roles

    def span(self, a: int, b: int) -> dict:
        start, end = self.starts[a], self.starts[b - 1] + len(self.tokens[b - 1])
        return {"start": start, "end": end, "text": self.text[start:end]}

    def gold(self) -> dict:
        rng = self.rng
        entities = [{"id": f"E{e + 1}", "type": t, "name": "", "mentions": []} for e, t in enumerate(self.ent_types)]
        for m, (a, b) in enumerate(self.mention_tok):
            ent = entities[self.owner[m]]
            ent["mentions"].append({"id": f"M{m + 1}", **self.span(a, b), "kind": rng.choice(KINDS)})
        for ent in entities:
            ent["name"] = ent["mentions"][0]["text"]
        free = [k for k, inside in enumerate(self.in_mention) if not inside]
        events = []
        for v, k in enumerate(rng.sample(free, 2)):
            etype = rng.choice(EVENT_TYPES)
            options = [(role, m) for m in range(len(self.mention_tok)) for role, admits in self.roles[etype].items()
                       if self.ent_types[self.owner[m]] in admits]
            rng.shuffle(options)
            args, used = [], set()
            for role, m in options:
                if len(args) == 2:
                    break
                if m not in used:
                    used.add(m)
                    args.append({"role": role, "mention": f"M{m + 1}"})
            events.append({"id": f"V{v + 1}", "type": etype, "realis": rng.choice(("actual", "actual", "other")),
                           "trigger": self.span(k, k + 1), "arguments": args})
        holders = [e for e in entities if e["type"] in HOLDER_TYPES]
        stances = []
        for s in range(rng.choice((1, 2))):
            holder = rng.choice(holders)
            r = rng.random()
            if r < 0.6:
                target = {"kind": "topic", "id": rng.choice(TOPICS)}
            elif r < 0.8:
                target = {"kind": "event", "id": rng.choice(events)["id"]}
            else:
                target = {"kind": "entity", "id": rng.choice([e for e in entities if e is not holder])["id"]}
            a = rng.randrange(0, len(self.tokens) - 3)
            stances.append({"id": f"S{s + 1}", "holder": holder["id"], "target": target, "label": rng.choice(LABELS),
                            "evidence": [self.span(a, a + rng.randint(2, 3))]})
        self.gold_dict = {
            "schema_version": "1.0", "doc_id": self.doc_id, "seed_file": f"seeds/{self.doc_id}.txt",
            "sha256": hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            "source": {"publisher": "synthetic", "date": "2025-01-01", "title": None},
            "entities": entities, "events": events, "stances": stances,
        }
        return self.gold_dict

    def prediction(self) -> tuple[dict, list[tuple[int, int, str]], list[tuple[int, int, str]]]:
        """The prediction dict, and the gold and predicted spans as token ranges with types."""
        rng = self.rng
        gold = self.gold_dict
        covered = list(self.in_mention)  # tokens taken by a gold or a predicted span
        entities = [{"id": e["id"], "type": e["type"], "mentions": []} for e in gold["entities"]]
        by_id = {e["id"]: e for e in entities}
        extra = 0
        gold_spans, pred_spans = [], []
        for m, (a, b) in enumerate(self.mention_tok):
            etype = self.ent_types[self.owner[m]]
            gold_spans.append((a, b, etype))
            r = rng.random()
            if r < 0.15:
                continue
            if r < 0.25:
                extra += 1
                new_type = rng.choice([t for t in TYPES if t != etype])
                entities.append({"id": f"X{extra}", "type": new_type, "mentions": [{"id": f"XM{extra}", **self.span(a, b)}]})
                pred_spans.append((a, b, new_type))
                continue
            pa, pb = a, b
            if r < 0.35:
                if b - a == 2:
                    pa, pb = (a + 1, b) if rng.random() < 0.5 else (a, b - 1)
                else:
                    sides = [k for k in (a - 1, b) if 0 <= k < len(self.tokens) and not covered[k]]
                    if sides:
                        k = rng.choice(sides)
                        covered[k] = True
                        pa, pb = (k, b) if k < a else (a, k + 1)
            ent = by_id[f"E{self.owner[m] + 1}"]
            ent["mentions"].append({"id": f"M{m + 1}", **self.span(pa, pb), "kind": "name"})
            pred_spans.append((pa, pb, etype))
        for _ in range(len(self.mention_tok)):
            if rng.random() < 0.05:
                free = [k for k, c in enumerate(covered) if not c]
                if free:
                    k = rng.choice(free)
                    covered[k] = True
                    extra += 1
                    etype = rng.choice(TYPES)
                    entities.append({"id": f"X{extra}", "type": etype, "mentions": [{"id": f"XM{extra}", **self.span(k, k + 1)}]})
                    pred_spans.append((k, k + 1, etype))
        events, kept = [], set()
        for ev in gold["events"]:
            r = rng.random()
            if r < 0.15:
                continue
            etype = ev["type"]
            if r < 0.25:
                etype = rng.choice([t for t in EVENT_TYPES if t != etype])
            mention_of = {m["id"]: m for e in gold["entities"] for m in e["mentions"]}
            args = [{"role": a["role"], **{k: mention_of[a["mention"]][k] for k in ("start", "end", "text")}}
                    for a in ev["arguments"] if a["role"] in self.roles[etype] and rng.random() >= 0.15]
            events.append({"id": ev["id"], "type": etype, "realis": ev["realis"], "trigger": dict(ev["trigger"]), "arguments": args})
            kept.add(ev["id"])
        if rng.random() < 0.1:
            k = rng.choice([k for k, inside in enumerate(self.in_mention) if not inside])
            events.append({"id": "XV1", "type": rng.choice(EVENT_TYPES), "trigger": self.span(k, k + 1), "arguments": []})
        stances = []
        for st in gold["stances"]:
            if rng.random() < 0.15 or (st["target"]["kind"] == "event" and st["target"]["id"] not in kept):
                continue
            label = st["label"] if rng.random() >= 0.1 else rng.choice([x for x in LABELS if x != st["label"]])
            stances.append({"id": st["id"], "holder": st["holder"], "target": dict(st["target"]), "label": label,
                            "evidence": [dict(x) for x in st["evidence"]]})
        pred = {"doc_id": self.doc_id, "system": "synthetic", "entities": entities, "events": events, "stances": stances}
        return pred, gold_spans, sorted(pred_spans)

    def tags(self, spans: list[tuple[int, int, str]]) -> list[str]:
        out = ["O"] * (len(self.tokens) + 1)  # + the final "."
        for a, b, etype in spans:
            out[a] = "B-" + etype
            for k in range(a + 1, b):
                out[k] = "I-" + etype
        return out

    def iob2_block(self, tags: list[str]) -> str:
        lines = [f"# doc_id = {self.doc_id}"]
        for tok, start, tag in zip(self.tokens, self.starts, tags):
            lines.append(f"{tok}\t{start}\t{start + len(tok)}\t{tag}")
        end = len(self.text)
        lines.append(f".\t{end - 1}\t{end}\t{tags[-1]}")
        return "\n".join(lines) + "\n\n"


def write_dataset(out: Path, n_docs: int, seed: int = 0) -> dict:
    """Write the corpus of ``n_docs`` documents into ``out`` (see the module doc); returns its counts."""
    out = Path(out)
    (out / "seeds").mkdir(parents=True, exist_ok=True)
    (out / "annotations").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    roles = _roles()
    counts = {"documents": n_docs, "seed": seed, "generator_version": GENERATOR_VERSION, "gold_mentions": 0,
              "pred_mentions": 0, "gold_events": 0, "pred_events": 0, "gold_stances": 0, "pred_stances": 0,
              "words": 0}
    with open(out / "annotations" / "gold.jsonl", "w", encoding="utf-8") as g, \
         open(out / "pred.jsonl", "w", encoding="utf-8") as p, \
         open(out / "gold.iob2", "w", encoding="utf-8") as gi, \
         open(out / "pred.iob2", "w", encoding="utf-8") as pi:
        for i in range(n_docs):
            doc = _Doc(rng, i, roles)
            gold = doc.gold()
            pred, gold_spans, pred_spans = doc.prediction()
            with open(out / gold["seed_file"], "w", encoding="utf-8", newline="") as s:
                s.write(doc.text)
            g.write(json.dumps(gold, ensure_ascii=False) + "\n")
            p.write(json.dumps(pred, ensure_ascii=False) + "\n")
            gi.write(doc.iob2_block(doc.tags(gold_spans)))
            pi.write(doc.iob2_block(doc.tags(pred_spans)))
            counts["gold_mentions"] += len(gold_spans)
            counts["pred_mentions"] += len(pred_spans)
            counts["gold_events"] += len(gold["events"])
            counts["pred_events"] += len(pred["events"])
            counts["gold_stances"] += len(gold["stances"])
            counts["pred_stances"] += len(pred["stances"])
            counts["words"] += len(doc.tokens)
    (out / "meta.json").write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    return counts


def read_iob2_tags(path: Path) -> list[list[str]]:
    """The tag sequences of an IOB2 file written by :func:`write_dataset` (one per document)."""
    docs: list[list[str]] = []
    cur: list[str] | None = None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("# doc_id"):
                cur = []
                docs.append(cur)
            elif line.strip():
                cur.append(line.rstrip("\n").rsplit("\t", 1)[1])  # type: ignore[union-attr]
    return docs


def dataset(root: Path, n_docs: int, seed: int = 0) -> Path:
    """The dataset folder for ``n_docs`` and ``seed`` under ``root``, generated once and reused."""
    out = Path(root) / f"n{n_docs}-seed{seed}-v{GENERATOR_VERSION}"
    meta = out / "meta.json"
    if not meta.is_file():
        tmp = out.with_name(out.name + ".tmp")
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp)
        write_dataset(tmp, n_docs, seed)
        tmp.rename(out)
    return out
