"""Sharded scoring: counts files, and their exact merge.

A corpus too big for one machine is scored shard by shard (``toolkit eval --counts-only``),
each shard writing a *counts file*; ``toolkit merge`` combines the counts files into the report
of one run over every document. The merge is exact: a counts file keeps the raw per-document
counts (no derived score), and every score is computed once, from the counts summed in doc-id
order, exactly as :func:`toolkit.evaluation.evaluate.evaluate` does for the whole corpus.

A counts file (``schema/counts.schema.json``)::

    {"format": "toolkit-counts/2",
     "tasks": ["entities", ...], "options": {"mention_kinds": [...] | null, "coref_args": false},
     "per_document": {doc_id: COUNTS, ...},            # the per_document section of the report JSON
     "missing_predictions": [...], "unmatched_predictions": [...],
     "grounding": {doc_id: GROUNDING, ...},            # the per_document_grounding section of the report JSON
     "errors": [...]}                                  # only with --errors

>>> from toolkit.evaluation.shards import counts_dict, merge_counts
>>> data = counts_dict(report)                        # an EvalReport, for json.dump
>>> merged, issues = merge_counts(["shard-0.json", "shard-1.json"])

Reading never raises on a bad file: every problem is an :class:`~toolkit.model.issues.Issue` naming
the file and a JSON pointer (schema codes of :mod:`toolkit.checks.validate`; ``duplicate-document`` for
a document scored in two files; ``incompatible-counts`` for files made with other tasks or
options; ``missing-field`` at ``/errors`` when errors are asked for and a file has none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from toolkit.io.read import list_files, read_json
from toolkit.evaluation.counts import from_per_document
from toolkit.evaluation.evaluate import TASKS, EvalOptions, EvalReport
from toolkit.metrics.counting import ErrorItem, sorted_errors
from toolkit.model.issues import Issue, has_errors, pointer

COUNTS_FORMAT = "toolkit-counts/2"


def counts_dict(report: EvalReport, errors: bool = False) -> dict:
    """The counts file of ``report``: raw counts only, JSON-ready (``errors``: include the error list)."""
    out: dict = {
        "format": COUNTS_FORMAT,
        "tasks": list(report.tasks),
        "options": report.options.to_dict(),
        "per_document": report.per_document(),
        "missing_predictions": sorted(report.missing),
        "unmatched_predictions": sorted(report.unmatched),
    }
    grounding = report.counts.per_document_grounding()
    if grounding:
        out["grounding"] = grounding
    if errors:
        out["errors"] = [e.to_dict() for e in report.errors]
    return out


def _numbers(node: object, where: str) -> Iterable[tuple[str, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numbers(value, where + pointer(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numbers(value, where + pointer(i))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield where, node


def counts_issues(data: object, file: str) -> list[Issue]:
    """Every problem of one parsed counts file (schema, then consistency), located by JSON pointer."""
    from toolkit.checks.validate import schema_issues

    if isinstance(data, dict) and "format" in data and data["format"] != COUNTS_FORMAT:
        tag = data.get("format")
        hint = ("this is a report (toolkit eval --format json); write counts with `toolkit eval --counts-only`"
                if isinstance(tag, str) and tag.startswith("toolkit-eval/") else
                "write counts files with `toolkit eval --counts-only` (or `toolkit merge --counts-only`)")
        return [Issue("invalid-value", file, "/format", f"format {tag!r} is not {COUNTS_FORMAT!r}", hint)]
    issues = list(schema_issues(data, file, "counts"))
    if issues:
        if isinstance(data, dict) or issues[0].code != "not-an-object":
            return issues
        return [Issue("not-an-object", file, "", issues[0].message, "a counts file holds one JSON object (toolkit eval --counts-only)")]
    for where, value in _numbers(data.get("per_document"), "/per_document"):
        if isinstance(value, float) and not math.isfinite(value):
            issues.append(Issue("invalid-value", file, where, f"{value} is not a finite number"))
    scored = data["per_document"]
    tasks = set(data["tasks"])
    for doc_id, counts in scored.items():
        for task in counts:
            if task not in tasks:
                issues.append(Issue("invalid-value", file, pointer("per_document", doc_id, task),
                                    f"counts of task '{task}', which this file does not score (tasks: {', '.join(data['tasks'])})"))
    for i, doc_id in enumerate(data["missing_predictions"]):
        if doc_id not in scored:
            issues.append(Issue("invalid-value", file, pointer("missing_predictions", i),
                                f"'{doc_id}' is listed as without prediction but has no counts in /per_document"))
    for i, doc_id in enumerate(data["unmatched_predictions"]):
        if doc_id in scored:
            issues.append(Issue("invalid-value", file, pointer("unmatched_predictions", i),
                                f"'{doc_id}' is listed as a prediction without gold but is scored in /per_document"))
    for doc_id in data.get("grounding", {}):
        if doc_id not in scored:
            issues.append(Issue("invalid-value", file, pointer("grounding", doc_id),
                                f"grounding counts of document '{doc_id}', which has no counts in /per_document"))
    for i, err in enumerate(data.get("errors", [])):
        if err["doc_id"] not in scored:
            issues.append(Issue("invalid-value", file, pointer("errors", i, "doc_id"),
                                f"an error of document '{err['doc_id']}', which this file does not score"))
    return issues


def report_from_counts(data: Mapping) -> EvalReport:
    """The report of a *valid* counts file (check it with :func:`counts_issues` first)."""
    opts = data["options"]
    kinds = opts["mention_kinds"]
    tasks = tuple(t for t in TASKS if t in data["tasks"])
    return EvalReport(tasks, EvalOptions(tuple(kinds) if kinds is not None else None, opts["coref_args"]),
                      from_per_document(data["per_document"], data.get("grounding")),
                      sorted_errors([ErrorItem(**e) for e in data.get("errors", [])]),
                      sorted(data["missing_predictions"]), sorted(data["unmatched_predictions"]))


@dataclass
class CountsFile:
    """One read counts file: its report, or None when it has errors (see ``issues``)."""

    file: str
    report: EvalReport | None
    has_errors_list: bool
    issues: list[Issue]


def read_counts(path: Path | str) -> CountsFile:
    """Read and check one counts file; never raises on bad input."""
    file = str(path)
    data, issues = read_json(path, file)
    if issues:  # unreadable (JSON null is read, and reported as not-an-object below)
        return CountsFile(file, None, False, issues)
    issues = counts_issues(data, file)
    if has_errors(issues):
        return CountsFile(file, None, False, issues)
    return CountsFile(file, report_from_counts(data), "errors" in data, issues)


def merge_reports(reports: Iterable[EvalReport]) -> EvalReport:
    """The report of one run over the documents of every shard (raises ValueError, as :meth:`EvalReport.merge`)."""
    merged: EvalReport | None = None
    for report in reports:
        merged = report if merged is None else merged.merge(report)
    if merged is None:
        raise ValueError("no report to merge")
    return merged


def merge_counts(paths: Iterable[Path | str], errors: bool = False) -> tuple[EvalReport | None, list[Issue]]:
    """Read counts files (or folders of them: their top-level ``*.json``) and merge them.

    Returns ``(report, issues)``; ``report`` is None when any file is missing (``file-not-found``),
    malformed, or incompatible with the first file (other tasks or options, a document scored
    twice). ``errors``: every file must carry its error list (``toolkit eval --counts-only --errors``).
    """
    files, issues = list_files(list(paths), recursive=False, suffixes=(".json",))
    for p in map(Path, paths):
        if p.is_dir() and not any(f.parent == p for f in files):
            issues.append(Issue("file-not-found", str(p), "", f"the folder {p} holds no .json counts file", "check the path"))
    read = [read_counts(f) for f in files]
    for item in read:
        issues.extend(item.issues)
    if has_errors(issues):
        return None, issues
    first = read[0] if read else None
    owner: dict[str, str] = {}
    for item in read:
        report = item.report
        assert report is not None and first is not None and first.report is not None
        if report.tasks != first.report.tasks:
            issues.append(Issue("incompatible-counts", item.file, "/tasks",
                                f"tasks {', '.join(report.tasks)} differ from {first.file}'s ({', '.join(first.report.tasks)})",
                                "merge only counts made with the same --tasks"))
        if report.options != first.report.options:
            issues.append(Issue("incompatible-counts", item.file, "/options",
                                f"options {report.options.to_dict()} differ from {first.file}'s ({first.report.options.to_dict()})",
                                "merge only counts made with the same --mention-kinds and --coref-args"))
        for doc_id in report.doc_ids:
            if doc_id in owner:
                issues.append(Issue("duplicate-document", item.file, pointer("per_document", doc_id),
                                    f"document '{doc_id}' is also scored in {owner[doc_id]}",
                                    "give every document to exactly one shard"))
            else:
                owner[doc_id] = item.file
        if errors and not item.has_errors_list:
            issues.append(Issue("missing-field", item.file, "/errors", "no error list (the counts were written without --errors)",
                                "rerun `toolkit eval --counts-only --errors` for this shard, or merge without --errors"))
    if has_errors(issues) or not read:
        return None, issues
    return merge_reports(item.report for item in read), issues
