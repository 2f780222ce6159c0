"""Adjudication: merge two passes into the gold, one recorded decision per disagreement.

Workflow: ``toolkit agree A B --differences --format csv > decisions.csv`` lists every
disagreement; the adjudicator re-reads each sentence and writes a ``decision`` in each row; then
``toolkit adjudicate A B decisions.csv --out annotations/`` starts from pass A and applies the
decisions. Rows without a decision keep pass A's reading. Decisions:

- a row ``only_in = a`` (mention, trigger, argument, stance): ``keep`` (default) or ``drop``;
- a row ``only_in = b``: ``add`` to take pass B's item, or ``skip`` (default);
- ``realis`` and ``stance label`` rows: ``a`` (default) or ``b``;
- ``coref`` rows: ``a`` (default) or ``b`` (cluster the mention as pass B does: merge what B links,
  split off what only A links).

Dropping a mention drops the arguments that point at it (and its entity when it was the last
mention); adding an item from B maps B's mentions to the gold by their offsets, and B's entities
(a mention's cluster, a stance's holder or target entity) to the gold entity whose mentions they
share most. When two gold entities share equally many, the row cannot be carried out until the
adjudicator names the entity: ``add entity=<text>@<start>`` (mention rows), ``add holder=...`` or
``add target=...`` (stance rows), giving any mention of the chosen gold entity. Every decision is a
human's; this module only carries them out, and the result must validate.

After the decisions, an optional review record (``review.csv``, :mod:`toolkit.annotation.review`)
applies a third reader's changes.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from toolkit.annotation.locate import AdjudicationError, span_of
from toolkit.annotation.review import apply_review
from toolkit.evaluation.agreement import describe_stance
from toolkit.model.document import Document
from toolkit.model.issues import Issue, pointer
from toolkit.checks.validate import InvalidData, load_corpus

__all__ = ["AdjudicationError", "Gold", "adjudicate", "apply_decisions", "read_rows"]


def _ids(prefix: str, used: set[str]):
    n = 1
    while True:
        candidate = f"{prefix}{n}"
        if candidate not in used:
            used.add(candidate)
            yield candidate
        n += 1


class Gold:
    """A mutable annotation dict with offset indexes, started from pass A."""

    def __init__(self, a: Document):
        self.text = a.text
        self.data = a.to_dict()
        self.data.pop("status", None)  # the adjudicated result is gold, even if pass A was copied from a draft
        used = {e["id"] for e in self.data["entities"]} | {m["id"] for e in self.data["entities"] for m in e["mentions"]}
        used |= {v["id"] for v in self.data["events"]} | {s["id"] for s in self.data["stances"]}
        self.new_entity, self.new_mention = _ids("E", used), _ids("M", used)
        self.new_event, self.new_stance = _ids("V", used), _ids("S", used)
        self.orphans: dict[tuple[int, int], list[tuple[dict, str]]] = {}

    def mention_at(self, start: int, end: int) -> tuple[dict, dict] | None:
        for e in self.data["entities"]:
            for m in e["mentions"]:
                if (m["start"], m["end"]) == (start, end):
                    return e, m
        return None

    def entity_of(self, spans: set[tuple[int, int]], what: str = "entity", choice: str | None = None) -> dict | None:
        """The gold entity whose mentions share most of these spans (None when none shares any).

        ``choice`` (a ``text@start`` locator of a gold mention) names the entity instead; a tie between
        two or more entities is an error asking for that choice, never a silent pick.
        """
        if choice:
            found = self.mention_at(*span_of(choice, self.text))
            if found is None:
                raise AdjudicationError(f"{what}={choice}: no gold mention there")
            return found[0]
        shared = [(len({(m["start"], m["end"]) for m in e["mentions"]} & spans), e) for e in self.data["entities"]]
        best = max((n for n, _ in shared), default=0)
        if best == 0:
            return None
        tied = [e for n, e in shared if n == best]
        if len(tied) > 1:
            names = ", ".join(f"{e['id']} '{e['name']}'" for e in tied)
            raise AdjudicationError(
                f"pass B's {what} shares {best} mention(s) with each of the gold entities {names}; "
                f"choose one by writing the decision as 'add {what}=<text>@<start>' with a mention of that entity")
        return tied[0]

    def event_at(self, start: int, end: int, type_: str | None = None) -> dict | None:
        for v in self.data["events"]:
            if (v["trigger"]["start"], v["trigger"]["end"]) == (start, end) and (type_ is None or v["type"] == type_):
                return v
        return None

    def drop_mention(self, start: int, end: int, type_: str) -> None:
        found = self.mention_at(start, end)
        if found is None:
            raise AdjudicationError(f"no gold mention at {start}-{end}")
        ent, m = found
        ent["mentions"].remove(m)
        for v in self.data["events"]:
            kept = [a for a in v["arguments"] if a["mention"] != m["id"]]
            # remembered, so that a mention re-added at the same offsets (a retyping) keeps its roles
            self.orphans.setdefault((start, end), []).extend((v, a["role"]) for a in v["arguments"] if a["mention"] == m["id"])
            v["arguments"] = kept
        if not ent["mentions"]:
            self.data["entities"].remove(ent)
            self.data["stances"] = [s for s in self.data["stances"] if s["holder"] != ent["id"]
                                    and not (s["target"]["kind"] == "entity" and s["target"]["id"] == ent["id"])]

    def add_mention_from(self, b: Document, start: int, end: int, choice: str | None = None) -> dict:
        """Add B's mention at these offsets to the gold entity sharing most mentions with B's entity, or a new one."""
        existing = self.mention_at(start, end)
        if existing:
            return existing[1]
        b_ent = next((e for e in b.entities if any(m.span.offsets == (start, end) for m in e.mentions)), None)
        if b_ent is None:
            raise AdjudicationError(f"pass B has no mention at {start}-{end}")
        b_m = next(m for m in b_ent.mentions if m.span.offsets == (start, end))
        target = self.entity_of({m.span.offsets for m in b_ent.mentions if m.span.offsets != (start, end)},
                                "entity", choice)
        if target is None or target["type"] != b_ent.type:
            target = {"id": next(self.new_entity), "type": b_ent.type, "name": b_ent.name, "mentions": []}
            self.data["entities"].append(target)
        mention = {"id": next(self.new_mention), "start": start, "end": end, "text": b_m.span.text, "kind": b_m.kind}
        target["mentions"].append(mention)
        for event, role in self.orphans.pop((start, end), []):
            event["arguments"].append({"role": role, "mention": mention["id"]})
        target["mentions"].sort(key=lambda m: (m["start"], -m["end"]))
        return mention

    def gold_mention_for(self, b: Document, mention_id: str) -> dict:
        m = b.mention_index()[mention_id]
        found = self.mention_at(*m.span.offsets)
        return found[1] if found else self.add_mention_from(b, *m.span.offsets)


def _event_of_detail(detail: str) -> tuple[str, int]:
    # "of Trade.Negotiate 'discussions' at 111"
    parts = detail.split()
    return parts[1], int(parts[-1])


_CHOICE = re.compile(r"\b(entity|holder|target)=(.+?@\d+)(?=\s+(?:entity|holder|target)=|\s*$)")


def parse_decision(raw: str | None) -> tuple[str, dict[str, str]]:
    """``'add holder=government@2268'`` -> ``('add', {'holder': 'government@2268'})``."""
    word, _, rest = (raw or "").strip().partition(" ")
    choices = {key: loc for key, loc in _CHOICE.findall(rest.strip())}
    if rest.strip() and not choices:
        raise AdjudicationError(f"decision '{raw}': after '{word}' write entity=, holder= or target= and a "
                                f"mention as <text>@<start>")
    return word.lower(), choices


def _line_of(row: dict) -> str:
    """``file:line: `` of a row read by :func:`read_rows` (empty for rows made in memory)."""
    return f"{row.get('_file', '')}:{row['_line']}: " if row.get("_line") else ""


def row_where(row: dict) -> str:
    """Where a decision row is, for an error message: its line in the CSV and what it is about."""
    return (f"{_line_of(row)}{row['doc_id']} {row['layer']} only in {row['only_in']} {row.get('start')}-{row.get('end')} "
            f"'{row.get('text', '')}'")


def apply_decisions(a: Document, b: Document, rows: list[dict]) -> dict:
    """The gold annotation dict of one document: pass A with the decided rows applied."""
    gold = Gold(a)
    # order: mentions first (arguments and stances refer to them), coref, then events, then the rest
    order = {"mention": 0, "coref": 1, "trigger": 2, "argument": 3, "realis": 4, "stance": 5, "stance label": 6}
    for row in sorted(rows, key=lambda r: order.get(r["layer"], 9)):
        try:
            _apply_row(gold, a, b, row)
        except AdjudicationError as exc:
            raise AdjudicationError(f"{row_where(row)}: {exc}") from None
    return gold.data


def _apply_row(gold: "Gold", a: Document, b: Document, row: dict) -> None:
    decision, choices = parse_decision(row.get("decision"))
    layer, side = row["layer"], row["only_in"]
    start = int(row["start"]) if str(row.get("start", "")).strip() not in ("", "None", "nan") else None
    end = int(row["end"]) if str(row.get("end", "")).strip() not in ("", "None", "nan") else None
    if choices and decision != "add":
        raise AdjudicationError(f"'{row['decision']}': only 'add' takes an entity=, holder= or target= choice")
    if not decision or decision in ("keep", "skip", "a"):
        return
    if layer == "mention" and side == "a" and decision == "drop":
        gold.drop_mention(start, end, row["label"])
    elif layer == "mention" and side == "b" and decision == "add":
        gold.add_mention_from(b, start, end, choices.get("entity"))
    elif layer == "trigger" and side == "a" and decision == "drop":
        v = gold.event_at(start, end, row["label"].split("/")[0])
        gold.data["events"].remove(v)
        gold.data["stances"] = [s for s in gold.data["stances"] if not (s["target"]["kind"] == "event" and s["target"]["id"] == v["id"])]
    elif layer == "trigger" and side == "b" and decision == "add":
        bv = next(v for v in b.events if v.trigger.offsets == (start, end) and v.type == row["label"].split("/")[0])
        gold.data["events"].append({
            "id": next(gold.new_event), "type": bv.type, "realis": bv.realis, "trigger": bv.trigger.as_dict(),
            "arguments": [{"role": r.role, "mention": gold.gold_mention_for(b, r.mention_id)["id"]} for r in bv.arguments]})
    elif layer == "argument":
        etype, tstart = _event_of_detail(row["detail"])
        v = next((v for v in gold.data["events"] if v["type"] == etype and v["trigger"]["start"] == tstart), None)
        if v is None:
            raise AdjudicationError(f"no gold event {etype} at {tstart}")
        if side == "a" and decision == "drop":
            m = gold.mention_at(start, end)
            v["arguments"] = [x for x in v["arguments"] if not (x["role"] == row["label"] and m and x["mention"] == m[1]["id"])]
        elif side == "b" and decision == "add":
            found = gold.mention_at(start, end)
            m = found[1] if found else gold.add_mention_from(b, start, end)
            v["arguments"].append({"role": row["label"], "mention": m["id"]})
    elif layer == "realis" and decision == "b":
        etype = row["label"]
        gold.event_at(start, end, etype)["realis"] = next(v.realis for v in b.events if v.trigger.offsets == (start, end) and v.type == etype)
    elif layer == "coref" and decision == "b":
        b_ent = next(e for e in b.entities if any(m.span.offsets == (start, end) for m in e.mentions))
        b_spans = {m.span.offsets for m in b_ent.mentions}
        ent, m = gold.mention_at(start, end)
        # split off what only A links
        keep = [x for x in ent["mentions"] if (x["start"], x["end"]) in b_spans or (x["start"], x["end"]) == (start, end)]
        rest = [x for x in ent["mentions"] if x not in keep]
        if rest:
            ent["mentions"] = keep
            gold.data["entities"].append({"id": next(gold.new_entity), "type": ent["type"], "name": gold_name(rest, ent),
                                          "mentions": rest})
        # merge what B links
        for other in list(gold.data["entities"]):
            if other is not ent and {(x["start"], x["end"]) for x in other["mentions"]} & b_spans:
                ent["mentions"] += other["mentions"]
                gold.data["entities"].remove(other)
                for s in gold.data["stances"]:
                    if s["holder"] == other["id"]:
                        s["holder"] = ent["id"]
                    if s["target"]["kind"] == "entity" and s["target"]["id"] == other["id"]:
                        s["target"]["id"] = ent["id"]
        ent["mentions"].sort(key=lambda x: (x["start"], -x["end"]))
    elif layer == "stance" and side == "a" and decision == "drop":
        drop = next(st.id for st in a.stances if describe_stance(a, st) == row["detail"])
        gold.data["stances"] = [s for s in gold.data["stances"] if s["id"] != drop]
    elif layer == "stance" and side == "b" and decision == "add":
        bs = next(s for s in b.stances if describe_stance(b, s) == row["detail"])
        holder = gold.entity_of({m.span.offsets for m in b.entity_index()[bs.holder].mentions}, "holder",
                                choices.get("holder"))
        if holder is None:
            raise AdjudicationError("B's holder has no gold entity; add its mention first")
        target = {"kind": bs.target.kind, "id": bs.target.id}
        if bs.target.kind == "event":
            bv = b.event_index()[bs.target.id]
            gv = gold.event_at(*bv.trigger.offsets, bv.type)
            if gv is None:
                raise AdjudicationError("B's target event has no gold event; add its trigger first")
            target["id"] = gv["id"]
        elif bs.target.kind == "entity":
            ge = gold.entity_of({m.span.offsets for m in b.entity_index()[bs.target.id].mentions}, "target",
                                   choices.get("target"))
            if ge is None:
                raise AdjudicationError("B's target entity has no gold entity")
            target["id"] = ge["id"]
        gold.data["stances"].append({"id": next(gold.new_stance), "holder": holder["id"], "target": target,
                                     "label": bs.label, "evidence": [x.as_dict() for x in bs.evidence]})
    elif layer == "stance label" and decision == "b":
        bs_label = row["detail"].rsplit("b: ", 1)[1].strip()
        for s in gold.data["stances"]:
            if s["evidence"] and (s["evidence"][0]["start"], s["evidence"][0]["end"]) == (start, end):
                s["label"] = bs_label
    else:
        raise AdjudicationError(f"decision '{decision}' does not apply to a '{layer}' row only in '{side}'")




def gold_name(mentions: list[dict], ent: dict) -> str:
    names = [m["text"] for m in mentions if m["kind"] == "name"]
    return max(names, key=len) if names else mentions[0]["text"]


COLUMNS = ("doc_id", "layer", "only_in", "start", "end", "label", "detail", "decision")
"""The columns a decisions CSV must have (``text`` and ``reason`` are for the adjudicator and the record)."""
SIDES = {"mention": ("a", "b"), "trigger": ("a", "b"), "argument": ("a", "b"), "stance": ("a", "b"),
         "realis": ("both",), "coref": ("both",), "stance label": ("both",)}
DECISIONS = {"a": ("keep", "drop"), "b": ("add", "skip"), "both": ("a", "b")}
_EMPTY = ("", "none", "nan")


def _offset(value: str) -> int | None | str:
    """An offset cell: an int, None when empty, or the text of what is wrong ("77.0" is pandas' way of writing 77)."""
    text = value.strip()
    if text.lower() in _EMPTY:
        return None
    if re.fullmatch(r"\d{1,18}(\.0*)?", text):
        return int(text.split(".")[0])
    return f"{text[:40]!r} is not an offset (a whole number from 0 up, or empty)"


def _csv_text(path: Path | str, what: str) -> tuple[str | None, list[Issue]]:
    """The text of a CSV record, or None and the issue: unreadable, not UTF-8 (a BOM is fine), NUL bytes, empty."""
    label = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, [Issue("file-not-found", label, "", f"cannot read {label}: {exc.strerror or exc}", "check the path")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Issue("invalid-encoding", label, "", f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start}",
                            "save the CSV as UTF-8")]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Issue("invalid-value", label, pointer(line - 1), f"line {line}: a NUL byte; this is not a CSV text file")]
    if not text.strip():
        return None, [Issue("empty-file", label, "", f"the {what} file is empty")]
    return text, []


def read_rows(path: Path) -> list[dict]:
    """The rows of a CSV record, each with its line number in the file as ``_line`` (and the file as ``_file``).

    Raises :class:`~toolkit.checks.validate.InvalidData` (file and line) for a file that is not a
    readable UTF-8 CSV, never a ``UnicodeDecodeError`` or ``csv.Error``.
    """
    text, issues = _csv_text(path, "CSV")
    if text is None:
        raise InvalidData(issues)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            if None in row:
                raise InvalidData([Issue("invalid-value", str(path), pointer(reader.line_num - 1),
                                         f"line {reader.line_num}: more cells than the header has columns")])
            row["_line"], row["_file"] = reader.line_num, str(path)
            rows.append(row)
    except csv.Error as exc:
        raise InvalidData([Issue("invalid-value", str(path), pointer(reader.line_num - 1), f"line {reader.line_num}: not CSV: {exc}")])
    return rows


def read_decisions(path: Path | str) -> tuple[list[dict], list[Issue]]:
    """The rows of a decisions CSV (``toolkit agree --differences --format csv`` plus a ``decision``
    column), checked for shape, and every problem as an issue located by line and column.

    Never raises on bad input: not UTF-8 (a BOM is fine, CRLF too), NUL bytes, a missing column, an
    unknown layer, side or decision, an offset that is not a whole number each give an issue; the
    returned rows are normalised (offsets as ``"77"``, ``_line`` and ``_file`` set) for :func:`apply_decisions`.
    """
    label = str(path)
    text, issues = _csv_text(path, "decisions")
    if text is None:
        return [], issues
    reader = csv.DictReader(io.StringIO(text, newline=""))
    issues: list[Issue] = []
    try:
        header = reader.fieldnames or []
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            return [], [Issue("missing-field", label, pointer(0, missing[0]), f"line 1: no column {', '.join(missing)}",
                              f"the columns are {', '.join(COLUMNS)} (from `toolkit agree --differences --format csv`)")]
        rows: list[dict] = []
        for row in reader:
            line = reader.line_num
            where = lambda col: pointer(line - 1, col)  # noqa: E731
            if None in row:  # more cells than columns
                issues.append(Issue("invalid-value", label, pointer(line - 1), f"line {line}: more cells than the header has columns"))
                continue
            if any(row.get(c) is None for c in COLUMNS):
                issues.append(Issue("missing-field", label, pointer(line - 1), f"line {line}: fewer cells than the header has columns"))
                continue
            layer, side = row["layer"].strip(), row["only_in"].strip()
            try:
                decision, _ = parse_decision(row["decision"])
            except AdjudicationError as exc:
                issues.append(Issue("invalid-value", label, where("decision"), f"line {line}: {str(exc)[:300]}"))
                continue
            if layer not in SIDES:
                issues.append(Issue("invalid-value", label, where("layer"), f"line {line}: unknown layer {layer[:40]!r}",
                                    f"one of: {', '.join(SIDES)}"))
                continue
            if side not in SIDES[layer]:
                issues.append(Issue("invalid-value", label, where("only_in"), f"line {line}: a {layer} row is only_in "
                                    f"{' or '.join(SIDES[layer])}, not {side[:40]!r}"))
                continue
            if decision and decision not in DECISIONS[side]:
                issues.append(Issue("invalid-value", label, where("decision"), f"line {line}: decision {decision[:40]!r} "
                                    f"does not apply to a {layer} row only_in {side}", f"one of: {', '.join(DECISIONS[side])}, or empty"))
                continue
            clean = dict(row, layer=layer, only_in=side, decision=row["decision"].strip(), _line=line, _file=label)
            for col in ("start", "end"):
                value = _offset(row[col])
                if isinstance(value, str):
                    issues.append(Issue("invalid-value", label, where(col), f"line {line}: {value}"))
                    break
                clean[col] = "" if value is None else str(value)
            else:
                if decision not in ("", "keep", "skip", "a") and layer != "stance" and (clean["start"] == "" or clean["end"] == ""):
                    issues.append(Issue("missing-field", label, where("start"), f"line {line}: a {layer} decision needs the start and end offsets"))
                    continue
                rows.append(clean)
    except csv.Error as exc:
        issues.append(Issue("invalid-value", label, pointer(reader.line_num - 1), f"line {reader.line_num}: not CSV: {exc}"))
        return [], issues
    return rows, issues


def reference_issues(rows: list[dict], a: dict[str, Document], b: dict[str, Document], file: str) -> list[Issue]:
    """Rows whose decision names an item that is not in the pass it is taken from (an offset or a description that
    refers to nothing), or a document that is not in both passes; rows without an action are not checked."""
    issues = []
    for row in rows:
        line, layer, side = row["_line"], row["layer"], row["only_in"]
        decision = parse_decision(row["decision"])[0]
        where = lambda col: pointer(line - 1, col)  # noqa: E731
        doc_id = row["doc_id"]
        if doc_id not in a or doc_id not in b:
            issues.append(Issue("dangling-reference", file, where("doc_id"), f"line {line}: document {doc_id[:60]!r} is not in both passes"))
            continue
        if decision in ("", "keep", "skip", "a"):
            continue
        doc = a[doc_id] if decision == "drop" else b[doc_id]
        which = "A" if decision == "drop" else "B"
        off = (int(row["start"]), int(row["end"])) if row["start"] != "" and row["end"] != "" else None
        found = True
        if layer in ("mention", "coref"):
            found = any(m.span.offsets == off for m in doc.mentions())
        elif layer in ("trigger", "realis"):
            found = any(v.trigger.offsets == off for v in doc.events)
        elif layer == "argument":
            match = re.fullmatch(r"of (\S+) .* at (\d+)", row["detail"].strip(), re.S)
            if match is None:
                issues.append(Issue("invalid-value", file, where("detail"), f"line {line}: an argument row's detail is "
                                    "\"of <event type> '<trigger>' at <offset>\"", "copy the row from `toolkit agree --differences` unchanged"))
                continue
            found = any(m.span.offsets == off for m in doc.mentions())
        elif layer == "stance":
            found = any(describe_stance(doc, st) == row["detail"] for st in doc.stances)
        elif layer == "stance label":
            found = "b: " in row["detail"]
        if not found:
            what = {"stance": "a stance described so", "stance label": "the label of pass B"}.get(layer, f"a {layer} item at {row['start']}-{row['end']}")
            issues.append(Issue("dangling-reference", file, where("detail" if layer.startswith("stance") else "start"),
                                f"line {line}: pass {which} of {doc_id} has no {what}",
                                "copy the rows from `toolkit agree --differences` unchanged; only fill in decision and reason"))
    return issues


def adjudicate(path_a: Path, path_b: Path, decisions: Path, review: Path | None = None) -> dict[str, dict]:
    """Gold annotation dicts keyed by doc id: two pass folders, the decisions CSV, then the review CSV if given.

    Raises :class:`~toolkit.checks.validate.InvalidData` when a pass does not validate or a CSV
    has problems (every one, located by line and column), and :class:`AdjudicationError` when a
    decision still cannot be carried out.
    """
    a, b = load_corpus(path_a), load_corpus(path_b)
    rows, issues = read_decisions(decisions)
    issues += reference_issues(rows, a, b, str(decisions))
    if issues:
        raise InvalidData(issues)
    review_rows = read_rows(review) if review is not None else None
    out = {}
    for doc_id in sorted(set(a) & set(b)):
        try:
            out[doc_id] = apply_decisions(a[doc_id], b[doc_id], [r for r in rows if r["doc_id"] == doc_id])
        except AdjudicationError:
            raise
        except (LookupError, StopIteration, TypeError, ValueError) as exc:  # a decision that refers to nothing
            raise AdjudicationError(f"{decisions}: {doc_id}: a decision refers to an item the passes do not have "
                                    f"({type(exc).__name__}: {str(exc)[:200]})") from exc
    if review_rows is not None:
        apply_review(out, {doc_id: a[doc_id].text for doc_id in out}, review_rows)
    return out
