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
