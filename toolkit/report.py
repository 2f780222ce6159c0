"""Rendering results as text, JSON, Markdown or CSV: the only module that formats."""

from __future__ import annotations

import json
from collections import Counter
from typing import Iterable

from .issues import Issue


def format_issue(issue: Issue) -> str:
    """``file:pointer: severity [code] message`` plus an indented hint line."""
    loc = f"{issue.file}:{issue.pointer}" if issue.pointer else issue.file
    line = f"{loc}: {issue.severity} [{issue.code}] {issue.message}"
    if issue.hint:
        line += f"\n    hint: {issue.hint}"
    return line


def format_issues(issues: Iterable[Issue]) -> str:
    return "\n".join(format_issue(i) for i in issues)


def issues_summary(issues: list[Issue], files: int) -> str:
    errors = sum(i.severity == "error" for i in issues)
    warnings = len(issues) - errors
    by_code = Counter(i.code for i in issues if i.severity == "error")
    detail = f" ({', '.join(f'{c} x{n}' for c, n in by_code.most_common())})" if by_code else ""
    return f"{files} file(s) checked: {errors} error(s), {warnings} warning(s){detail}"


def issues_json(issues: list[Issue], files: list[str]) -> str:
    return json.dumps(
        {"valid": not any(i.severity == "error" for i in issues), "files": files,
         "issues": [i.as_dict() for i in issues]},
        indent=2, ensure_ascii=False,
    )


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


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
    """Render :class:`toolkit.stats.CorpusStats` as text, markdown, csv or json."""
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
    """The agreement table (see :mod:`toolkit.agree`) as Markdown; ``full`` shows every column."""
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
