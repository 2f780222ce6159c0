"""Rendering results as text, JSON, Markdown or CSV: the only module that formats."""

from __future__ import annotations

import json
from collections import Counter
from typing import Iterable

from toolkit.reporting import jsonout
from toolkit.model.issues import Issue


MESSAGE_LIMIT = 400
"""Longest message, hint or file name an issue line shows (characters); longer ones are cut in the middle."""
CELL_LIMIT = 80
"""Longest cell of a text or Markdown table (characters): one long text must not widen every row."""
PER_CODE = 10
"""How many issues of one code are shown unless verbose (the rest are counted)."""


def safe_text(text: str) -> str:
    """``text`` with every lone surrogate written as ``\\udxxx``: printable to any UTF-8 stream."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shorten(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and end around ``…[N characters]…``."""
    if len(text) <= limit:
        return text
    keep = max(limit - 24, 8)
    head, tail = keep * 2 // 3, keep // 3
    return f"{text[:head]}…[{len(text) - head - tail} characters]…{text[len(text) - tail:]}"


def format_issue(issue: Issue) -> str:
    """``file:pointer: severity [code] message`` plus an indented hint line (long texts shortened, printable)."""
    file = shorten(str(issue.file))
    loc = f"{file}:{shorten(issue.pointer)}" if issue.pointer else file
    line = f"{loc}: {issue.severity} [{issue.code}] {shorten(issue.message)}"
    if issue.hint:
        line += f"\n    hint: {shorten(issue.hint)}"
    return safe_text(line)


def format_issues(issues: Iterable[Issue]) -> str:
    """Every issue, one :func:`format_issue` each."""
    return "\n".join(format_issue(i) for i in issues)


def _by_code(issues: list[Issue]) -> str:
    counts = Counter(i.code for i in issues)
    return ", ".join(f"{code} x{n}" for code, n in counts.most_common())


def summarise_issues(issues: Iterable[Issue], verbose: bool = False, quiet: bool = False, per_code: int = PER_CODE,
                     subject: str = "") -> str:
    """The issue lines a command prints; the one place that decides how many (``--verbose``/``--quiet``).

    - ``quiet``: nothing (the command still prints its own result line);
    - ``verbose``: every issue (:func:`format_issue`), then a count line when ``subject`` is given;
    - default: the first ``per_code`` issues of each code in full (with hints); when that leaves any
      out, a count line and one line per (severity, code) with its count (and, with ``per_code=0``,
      its first occurrence), so a million unknown documents give a few lines, not two million.

    ``subject`` names what was checked (e.g. the prediction path) in the count line. Empty when
    there is no issue. Long texts are shortened and lone surrogates escaped (:func:`format_issue`).
    """
    issues = list(issues)
    if quiet or not issues:
        return ""
    errors = sum(i.severity == "error" for i in issues)
    head = f"{subject + ': ' if subject else ''}{errors} error(s), {len(issues) - errors} warning(s)"
    if verbose:
        return format_issues(issues) + (f"\n{head}" if subject else "")
    seen: Counter = Counter()
    lines = []
    for issue in issues:
        seen[issue.code] += 1
        if seen[issue.code] <= per_code:
            lines.append(format_issue(issue))
    if all(n <= per_code for n in seen.values()):
        return "\n".join(lines)
    groups: dict[tuple[str, str], list[Issue]] = {}
    for issue in issues:
        groups.setdefault((issue.severity, issue.code), []).append(issue)
    hidden = sum(max(0, n - per_code) for n in seen.values())
    lines.append(head + (" (one line per kind; --verbose lists each)" if per_code == 0 else
                         f"; {hidden} not shown (the first {per_code} of each code are; --verbose lists each)"))
    for (severity, code), found in sorted(groups.items(), key=lambda kv: (kv[0][0] != "error", -len(kv[1]), kv[0][1])):
        if per_code == 0:
            first = found[0]
            loc = f"{shorten(str(first.file))}:{shorten(first.pointer)}" if first.pointer else shorten(str(first.file))
            lines.append(safe_text(f"  {severity:<7} {code} x{len(found)}, first: {loc}: {shorten(first.message)}"))
        else:
            lines.append(f"  {severity:<7} {code} x{len(found)}")
    return "\n".join(lines)


def issues_summary(issues: list[Issue], files: int) -> str:
    errors = sum(i.severity == "error" for i in issues)
    warnings = len(issues) - errors
    by_code = Counter(i.code for i in issues if i.severity == "error")
    detail = f" ({', '.join(f'{c} x{n}' for c, n in by_code.most_common())})" if by_code else ""
    return f"{files} file(s) checked: {errors} error(s), {warnings} warning(s){detail}"


VERBOSITIES = ("quiet", "normal", "verbose")


def issue_digest(issues: list[Issue], verbosity: str = "normal", subject: str = "") -> str:
    """:func:`summarise_issues` by a verbosity name (``quiet``, ``normal``, ``verbose``), one line per kind of
    issue by default (its count and first occurrence): how ``eval`` and ``compare`` report prediction issues."""
    return summarise_issues(issues, verbose=verbosity == "verbose", quiet=verbosity == "quiet", per_code=0, subject=subject)


def issues_json(issues: list[Issue], files: list[str]) -> str:
    """Every issue as JSON (messages and hints shortened as in text, see :func:`shorten`); a lone surrogate comes
    out as its ``\\udxxx`` escape."""
    def item(issue: Issue) -> dict:
        d = issue.as_dict()
        d["message"] = shorten(d["message"])
        if d["hint"]:
            d["hint"] = shorten(d["hint"])
        return d

    return safe_text(json.dumps(
        {"valid": not any(i.severity == "error" for i in issues), "files": files,
         "issues": [item(i) for i in issues]},
        indent=2, ensure_ascii=False,
    ))


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    text = str(value)
    if len(text) > CELL_LIMIT or "\n" in text or "\r" in text:
        text = shorten(text.replace("\r", "\\r").replace("\n", "\\n"), CELL_LIMIT)
    return safe_text(text)


def markdown_table(df) -> str:
    """A pandas DataFrame as a GitHub Markdown table (numbers right-aligned; None shown as '-')."""
    cols = [str(c) for c in df.columns]
    numeric = [df[c].dtype.kind in "iuf" for c in df.columns]
    head = "| " + " | ".join(cols) + " |"
    rule = "|" + "|".join("---:" if n else "---" for n in numeric) + "|"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def text_table(df) -> str:
    """A DataFrame as an aligned plain-text table for the terminal."""
    cols = [str(c) for c in df.columns]
    rows = [[_cell(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(cols)]
    numeric = [df[c].dtype.kind in "iuf" for c in df.columns]
    fmt = lambda cells: "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric))  # noqa: E731
    return "\n".join([fmt(cols), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)])


def stats_output(stats, fmt: str, full: bool = False) -> str:
    """Render :class:`toolkit.reporting.corpus_stats.CorpusStats` as text, markdown, csv or json."""
    labels = stats.labels if full else stats.labels[stats.labels["total"] > 0]
    if fmt == "json":
        return json.dumps({"documents": stats.documents.to_dict(orient="records"),
                           "labels": stats.labels.to_dict(orient="records")}, indent=2)
    if fmt == "csv":
        return stats.documents.to_csv(index=False) + "\n" + stats.labels.to_csv(index=False)
    table = markdown_table if fmt == "markdown" else text_table
    short = labels.rename(columns={c: c.split("_")[0] for c in labels.columns if "_" in str(c)})
    return "Documents\n\n" + table(stats.documents) + "\n\nLabels\n\n" + table(short)


AGREEMENT_COLUMNS = ["doc_id", "mention span F1", "mention span+type F1", "coref CoNLL F1", "trigger span+type F1",
                     "argument F1", "realis kappa", "stance pairs", "stance kappa"]


def agreement_markdown(report, full: bool = False) -> str:
    """The agreement table (see :mod:`toolkit.evaluation.agreement`) as Markdown; ``full`` shows every column."""
    table = report.table()
    if not full:
        table = table[AGREEMENT_COLUMNS]
    table = table.assign(doc_id=[str(d).split("_")[0] for d in table["doc_id"]])
    return markdown_table(table)


def agreement_output(report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2)
    if fmt == "csv":
        return report.table().to_csv(index=False)
    if fmt == "markdown":
        return agreement_markdown(report, full=True)
    table = report.table()
    lines = []
    for _, row in table.iterrows():
        lines.append(f"{row['doc_id']}")
        for col in table.columns[1:]:
            lines.append(f"  {col:<28} {_cell(row[col])}")
    return "\n".join(lines)


def table_output(df, fmt: str) -> str:
    """Any DataFrame as text, markdown, csv or json records."""
    if fmt == "json":
        return json.dumps(df.astype(object).where(df.notna(), None).to_dict(orient="records"), indent=2, ensure_ascii=False)
    if fmt == "csv":
        return df.to_csv(index=False)
    return (markdown_table if fmt == "markdown" else text_table)(df)


# ---------------------------------------------------------------- toolkit eval


def _eval_tables(report, errors: bool) -> list[tuple[str, object]]:
    """(title, DataFrame) of every table of an evaluation report (see :mod:`toolkit.evaluation.evaluate`)."""
    import pandas as pd

    scores = report.scores()
    tables: list[tuple[str, object]] = []
    count_cols = ["correct", "incorrect", "partial", "missed", "spurious", "possible", "actual"]
    ent = scores.get("entities")
    if ent is not None:
        rows = [{"scheme": s, **{c: ent["micro"][s][c] for c in count_cols},
                 "P": ent["micro"][s]["precision"], "R": ent["micro"][s]["recall"], "F1": ent["micro"][s]["f1"],
                 "macro P": ent["macro"][s]["precision"], "macro R": ent["macro"][s]["recall"], "macro F1": ent["macro"][s]["f1"]}
                for s in ent["micro"]]
        tables.append(("Entities: mentions (SemEval-2013 schemes; micro over all mentions, macro over types)", pd.DataFrame(rows)))
        rows = [{"type": t, "gold": per["strict"]["possible"], "predicted": per["strict"]["actual"],
                 "strict P": per["strict"]["precision"], "strict R": per["strict"]["recall"], "strict F1": per["strict"]["f1"],
                 "exact F1": per["exact"]["f1"], "partial F1": per["partial"]["f1"], "type F1": per["type"]["f1"]}
                for t, per in ent["per_type"].items()]
        if rows:
            tables.append(("Entities per type (each type scored on its own: a type confusion is a miss of the gold type "
                           "and a spurious mention of the predicted one)", pd.DataFrame(rows)))
    coref = scores.get("coreference")
    if coref is not None:
        names = {"muc": "MUC", "b3": "B-cubed", "ceafe": "CEAF-e", "ceafm": "CEAF-m", "blanc": "BLANC", "lea": "LEA"}
        rows = [{"metric": names[m], "P": coref[m]["precision"], "R": coref[m]["recall"], "F1": coref[m]["f1"]} for m in names]
        rows.append({"metric": "CoNLL-2012 (mean F1 of MUC, B-cubed, CEAF-e)", "P": None, "R": None, "F1": coref["conll_f1"]})
        tables.append(("Coreference (CoNLL reference scorer v8.01; LEA as coval)", pd.DataFrame(rows, columns=["metric", "P", "R", "F1"])))
    ev = scores.get("events")
    if ev is not None:
        from toolkit.metrics.events import METRICS as EVENT_METRICS

        for title, section in (("Events, TextEE (unique tuples, as TextEE's compute_E2E_scores; arguments keyed by event type; "
                                "attached: the trigger must match too)", ev),
                               ("Events, per item (every trigger and argument of every event matched one-to-one)", ev["per_item"])):
            rows = [{"metric": m.replace("_", " "), "tp": section[m]["tp"], "fp": section[m]["fp"], "fn": section[m]["fn"],
                     "P": section[m]["precision"], "R": section[m]["recall"], "F1": section[m]["f1"]} for m in EVENT_METRICS]
            tables.append((title, pd.DataFrame(rows)))
        rows = [{"type": t, "gold": per["trigger_classification"]["tp"] + per["trigger_classification"]["fn"],
                 "predicted": per["trigger_classification"]["tp"] + per["trigger_classification"]["fp"],
                 "trigger I F1": per["trigger_identification"]["f1"], "trigger C F1": per["trigger_classification"]["f1"],
                 "arg I F1": per["argument_identification"]["f1"], "arg C F1": per["argument_classification"]["f1"],
                 "arg C attached F1": per["argument_classification_attached"]["f1"]}
                for t, per in ev["per_type"].items()]
        if rows:
            tables.append(("Events per type (per item)", pd.DataFrame(rows)))
    st = scores.get("stances")
    if st is not None:
        rows = [{"match": m, "tp": st[m]["tp"], "fp": st[m]["fp"], "fn": st[m]["fn"], "P": st[m]["precision"],
                 "R": st[m]["recall"], "F1": st[m]["f1"]} for m in ("triples", "pairs")]
        tables.append(("Stances end to end: (holder, target, label) triples and (holder, target) pairs", pd.DataFrame(rows)))
        lab = st["labels"]
        rows = [{"scope": "ALL", "pairs": lab["pairs"], "accuracy": lab["accuracy"], "macro F1": lab["macro_f1"], "F_avg": lab["f_avg"],
                 **{f"F1 {k}": v for k, v in lab["f1_per_label"].items()}}]
        rows += [{"scope": key, "pairs": per["labels"]["pairs"], "accuracy": per["labels"]["accuracy"],
                  "macro F1": per["labels"]["macro_f1"], "F_avg": per["labels"]["f_avg"],
                  **{f"F1 {k}": v for k, v in per["labels"]["f1_per_label"].items()}} for key, per in st["per_target"].items()]
        tables.append(("Stance labels on the aligned (holder, target) pairs", pd.DataFrame(rows)))
        conf = lab["confusion"]
        tables.append(("Stance confusion (rows gold, columns predicted)",
                       pd.DataFrame([{"gold \\ predicted": g, **dict(zip(conf["labels"], row))} for g, row in zip(conf["labels"], conf["matrix"])])))
        rows = [{"target": key, "triples tp": per["triples"]["tp"], "fp": per["triples"]["fp"], "fn": per["triples"]["fn"],
                 "triple F1": per["triples"]["f1"], "pair F1": per["pairs"]["f1"]} for key, per in st["per_target"].items()]
        if rows:
            tables.append(("Stances per target (topic, or (event) / (entity))", pd.DataFrame(rows)))
    tables += grounding_tables(report)
    if errors:
        columns = ["doc_id", "task", "category", "start", "end", "text", "gold", "pred", "detail"]
        rows = [{**e.to_dict(), "start": "-" if e.start is None else str(e.start), "end": "-" if e.end is None else str(e.end)}
                for e in report.errors]
        tables.append((f"Errors ({len(rows)})", pd.DataFrame(rows, columns=columns)))
    return [(title, df if title.startswith("Errors") else _numeric(df)) for title, df in tables]


def grounding_tables(report) -> list[tuple[str, object]]:
    """(title, DataFrame) of the grounding and validity report and the text-level entity score (:mod:`toolkit.metrics.grounding`)."""
    import pandas as pd

    g = report.grounding()
    if g is None:
        return []
    from toolkit.predictions.grounding import SPAN_KIND_TASK, STATUSES

    docs, shares = g["documents"], g["documents"]["shares"]
    tables: list[tuple[str, object]] = [(
        "Predictions received, parsed and valid (share of the gold documents for received, of the received predictions for the rest)",
        pd.DataFrame([{"gold documents": docs["gold"], "received": docs["received"], "parsed": docs["parsed"],
                       "in a code fence": docs["fenced"], "schema-valid": docs["valid"], "scored": docs["scored"],
                       "received %": shares["received"], "parsed %": shares["parsed"], "valid %": shares["valid"],
                       "scored %": shares["scored"]}]))]
    if g["spans"]:
        rows = [{"task": SPAN_KIND_TASK[kind], "spans": kind, "total": per["total"],
                 **{s: per["counts"][s] for s in STATUSES}, **{f"{s} %": per["shares"][s] for s in STATUSES}}
                for kind, per in g["spans"].items()]
        tables.append(("Grounding: predicted spans per alignment status (docs/metrics.md, Grounding)", pd.DataFrame(rows)))
    if g["unknown_labels"] or g["refused"]:
        rows = [{"field": f, "label": label, "count": n} for f, per in g["unknown_labels"].items() for label, n in per.items()]
        rows += [{"field": "refused items (false positives)", "label": task, "count": n} for task, n in g["refused"].items()]
        tables.append(("Labels outside the inventory, and items counted as false positives because they could not be scored as given",
                       pd.DataFrame(rows, columns=["field", "label", "count"])))
    text = g["text_entities"]
    if "entities" in report.tasks:
        rows = [{"type": "ALL", "tp": text["micro"]["tp"], "fp": text["micro"]["fp"], "fn": text["micro"]["fn"],
                 "P": text["micro"]["precision"], "R": text["micro"]["recall"], "F1": text["micro"]["f1"]}]
        rows += [{"type": t, "tp": c["tp"], "fp": c["fp"], "fn": c["fn"], "P": c["precision"], "R": c["recall"], "F1": c["f1"]}
                 for t, c in text["per_type"].items()]
        tables.append(("Entities, text level: multisets of (normalised text, type) per document, positions ignored (not a span-level score)",
                       pd.DataFrame(rows)))
    return tables


def _numeric(df):
    """Columns holding only numbers and None become numeric (None -> NaN, shown as '-', right-aligned)."""
    import pandas as pd

    for col in df.columns:
        if df[col].dtype != object:
            continue
        values = [v for v in df[col] if v is not None and not (isinstance(v, float) and v != v)]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def _eval_header(report) -> str:
    opts = report.options
    kinds = ",".join(opts.mention_kinds) if opts.mention_kinds is not None else "all"
    line = (f"{len(report.doc_ids)} document(s) scored; tasks: {', '.join(report.tasks)}; mention kinds: {kinds}; "
            f"arguments: {'any mention of the entity (--coref-args)' if opts.coref_args else 'exact span'}")
    if report.missing:
        line += f"\n{len(report.missing)} document(s) without prediction, scored as predicting nothing: {', '.join(report.missing)}"
    refused = report.refused_documents()
    if refused:
        line += (f"\n{len(refused)} document(s) whose prediction could not be parsed or failed the schema, scored as predicting nothing: "
                 f"{', '.join(refused)}")
    return line


def eval_output(report, fmt: str, errors: bool = False, intervals=None, per_document: bool = False) -> str:
    """Render an :class:`toolkit.evaluation.evaluate.EvalReport` as text, markdown, csv or json ('-' = undefined).

    ``intervals`` (:class:`toolkit.evaluation.significance.Intervals`) adds the bootstrap table first (json: a
    ``bootstrap`` section; csv: a second block after a blank line). ``per_document`` adds the counts
    of every document to the json (as counts files hold them).
    """
    if fmt == "json":
        data = report.to_dict(errors=errors, per_document=per_document)
        if intervals is not None:
            data["bootstrap"] = intervals.to_dict()
        return jsonout.dumps(data, indent=2, ensure_ascii=False)  # = json.dumps(...), faster
    if fmt == "csv":
        out = report.to_dataframe().to_csv(index=False)
        if intervals is not None:
            out += "\n" + intervals_table(intervals).to_csv(index=False)
        if errors:
            tables = _eval_tables(report, errors=True)
            out += "\n" + tables[-1][1].to_csv(index=False)
        return out.rstrip("\n")
    tables = _eval_tables(report, errors)
    if intervals is not None:
        tables.insert(0, (_intervals_title(intervals), intervals_table(intervals)))
    return "\n\n".join([_eval_header(report), *_titled_tables(tables, fmt)])


def _titled_tables(tables: list[tuple[str, object]], fmt: str) -> list[str]:
    """Each (title, DataFrame) as a Markdown section or a titled plain-text table."""
    if fmt == "markdown":
        return [f"### {title}\n\n{markdown_table(df)}" for title, df in tables]
    return [f"{title}\n\n{text_table(df)}" for title, df in tables]


def _intervals_title(iv) -> str:
    return (f"Headline scores with {iv.level:.0%} percentile-bootstrap intervals ({iv.resamples} resamples of the "
            f"{iv.documents} documents, seed {iv.seed})")


def intervals_table(iv):
    """One row per headline score: estimate, interval, and resamples on which it was undefined."""
    import pandas as pd

    rows = [{"metric": name, "estimate": i.estimate, "low": i.low, "high": i.high, "undefined": i.undefined}
            for name, i in iv.intervals.items()]
    return _numeric(pd.DataFrame(rows, columns=["metric", "estimate", "low", "high", "undefined"]))


def comparison_tables(cmp) -> list[tuple[str, object]]:
    """(title, DataFrame) of a :class:`toolkit.evaluation.significance.Comparison`: the ranked scores, then the tests."""
    import pandas as pd

    rows = [{"metric": m, **{s: cmp.scores[s][m] for s in cmp.order}} for m in cmp.metrics]
    scores = _numeric(pd.DataFrame(rows, columns=["metric", *cmp.order]))
    test = "paired bootstrap" if cmp.method == "bootstrap" else "approximate randomisation"
    rows = []
    for (a, b), per in cmp.tests.items():
        for m, d in per.items():
            rows.append({"A": a, "B": b, "metric": m, "A score": d.a, "B score": d.b, "A - B": d.delta,
                         "low": d.low, "high": d.high, "p-value": d.p_value})
    tests = _numeric(pd.DataFrame(rows, columns=["A", "B", "metric", "A score", "B score", "A - B", "low", "high", "p-value"]))
    ranking = ", ".join(f"{i + 1}. {s}" for i, s in enumerate(cmp.order))
    return [(f"Scores on {cmp.documents} documents; systems ranked by {cmp.rank_by}: {ranking}", scores),
            (f"Pairwise differences A - B: {cmp.level:.0%} interval from {cmp.resamples} paired bootstrap resamples, "
             f"two-sided p-value by {test} (seed {cmp.seed})", tests)]


def comparison_output(cmp, fmt: str) -> str:
    """Render a :class:`toolkit.evaluation.significance.Comparison` as text, markdown, csv or json."""
    if fmt == "json":
        return json.dumps(cmp.to_dict(), indent=2, ensure_ascii=False)
    tables = comparison_tables(cmp)
    if fmt == "csv":
        return "\n".join(df.to_csv(index=False) for _, df in tables).rstrip("\n")
    labels = [f"{s} = {cmp.labels[s]}" for s in cmp.systems if cmp.labels.get(s, s) != s]
    head = "Systems: " + "; ".join(labels) if labels else ""
    return "\n\n".join([p for p in (head, *_titled_tables(tables, fmt)) if p])


# ---------------------------------------------------------------- end toolkit eval


# ---------------------------------------------------------------- toolkit merge


def counts_output(report, errors: bool = False) -> str:
    """The counts file of an :class:`toolkit.evaluation.evaluate.EvalReport` (``toolkit eval --counts-only``; :mod:`toolkit.evaluation.shards`)."""
    from toolkit.evaluation.shards import counts_dict

    return jsonout.dumps(counts_dict(report, errors), indent=2, ensure_ascii=False)  # = json.dumps(...), faster
