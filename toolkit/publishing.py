"""What goes on the dataset card besides the data: agreement and baseline figures, when available."""

from __future__ import annotations

from pathlib import Path

from .card import card_body
from .document import Document


def card_for(docs: list[Document], gold: Path, repo_id: str | None = None) -> str:
    """The card body for ``docs``, with the agreement of the two passes under ``gold/passes`` when both exist."""
    agreement_md = None
    passes = Path(gold) / "passes"
    if (passes / "a").is_dir() and (passes / "b").is_dir():
        try:
            from .agree import agreement
            from .report import agreement_markdown

            agreement_md = agreement_markdown(agreement(passes / "a", passes / "b"))
        except ImportError:  # agreement module not available in this build
            agreement_md = None
    return card_body(docs, agreement_md=agreement_md, baseline_md=baseline_markdown(docs),
                     repo_id=repo_id or "ORG/korea-us-tariff-ie")


HEADLINE = (
    ("entities", "mentions, strict (micro)", "entities.micro.strict"),
    ("entities", "mentions, exact (micro)", "entities.micro.exact"),
    ("entities", "mentions, partial (micro)", "entities.micro.partial"),
    ("entities", "mentions, type (micro)", "entities.micro.type"),
    ("coreference", "MUC", "coreference.muc"),
    ("coreference", "B-cubed", "coreference.b3"),
    ("coreference", "CEAF-e", "coreference.ceafe"),
    ("coreference", "CoNLL-2012 (mean F1)", "coreference.conll_f1"),
    ("events", "trigger identification", "events.trigger_identification"),
    ("events", "trigger classification", "events.trigger_classification"),
    ("events", "argument identification", "events.argument_identification"),
    ("events", "argument classification", "events.argument_classification"),
    ("events", "argument identification, attached", "events.argument_identification_attached"),
    ("events", "argument classification, attached", "events.argument_classification_attached"),
    ("stances", "(holder, target, label) triples", "stances.triples"),
    ("stances", "(holder, target) pairs", "stances.pairs"),
    ("stances", "label macro-F1 on matched pairs", "stances.labels.macro_f1"),
    ("stances", "F_avg (favour, against)", "stances.labels.f_avg"),
)
"""(task, row label, path in ``EvalReport.scores()``) of each headline score: a path to a
precision/recall/F1 section, or to a single figure."""


def headline_scores(scores: dict, intervals=None) -> "pd.DataFrame":
    """One row per headline score (P, R, F1) from ``EvalReport.scores()``; with ``intervals``
    (:class:`toolkit.statistics.Intervals`) the F1's bootstrap interval too (``F1 low``, ``F1 high``)."""
    import pandas as pd

    from .statistics import score_at

    rows = []
    for task, label, path in HEADLINE:
        if scores.get(task) is None:  # task not scored
            continue
        node = score_at(scores, path)
        if isinstance(node, dict):
            row = {"task": task, "metric": label, "P": node.get("precision"), "R": node.get("recall"), "F1": node.get("f1")}
            key = f"{path}.f1"
        else:
            row = {"task": task, "metric": label, "P": None, "R": None, "F1": node}
            key = path
        if intervals is not None:
            iv = intervals.intervals.get(key)
            row["F1 low"], row["F1 high"] = (iv.low, iv.high) if iv is not None else (None, None)
        rows.append(row)
    columns = ["task", "metric", "P", "R", "F1"] + (["F1 low", "F1 high"] if intervals is not None else [])
    return pd.DataFrame(rows, columns=columns)


BASELINE_RESAMPLES, BASELINE_SEED = 1000, 0


def baseline_table(docs: list[Document]) -> "pd.DataFrame | None":
    """The built-in rule-based baseline scored on ``docs``: :func:`headline_scores` with 95%
    bootstrap intervals (1000 resamples, seed 0), as ``toolkit eval --system baseline --bootstrap
    1000`` computes them. None if the baseline cannot run."""
    from .evaluate import evaluate
    from .prediction import predictions_from_dicts
    from .statistics import intervals
    from .systems import SystemFailure, load_system, run_system

    gold = {d.doc_id: d for d in docs}
    try:
        system = load_system("baseline")
        preds = predictions_from_dicts([run_system(system, d.doc_id, d.text) for d in docs], gold)
    except SystemFailure:
        return None
    report = evaluate(gold, preds.documents)
    return headline_scores(report.scores(), intervals(report, BASELINE_RESAMPLES, BASELINE_SEED))


def baseline_markdown(docs: list[Document]) -> str | None:
    """:func:`baseline_table` as Markdown with a sentence saying what it is (None if it cannot run)."""
    from .report import markdown_table

    table = baseline_table(docs)
    if table is None:
        return None
    return ("The rule-based baseline (`toolkit eval --system baseline --bootstrap 1000`: patterns, general word "
            "lists, no knowledge of the gold) scored on the whole set, with 95% percentile-bootstrap intervals of "
            f"each F1 over the {len(docs)} documents (1000 resamples, seed 0).\n\n" + markdown_table(table))
