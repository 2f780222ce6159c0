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


def headline_scores(scores: dict) -> "pd.DataFrame":
    """One row per headline metric (precision, recall, F1) from ``EvalReport.scores()``."""
    import pandas as pd

    rows = []
    ent = scores.get("entities") or {}
    for scheme in ("strict", "exact", "partial", "type"):
        s = (ent.get("micro") or {}).get(scheme)
        if s:
            rows.append({"task": "entities", "metric": f"mentions, {scheme} (micro)", "P": s.get("precision"), "R": s.get("recall"), "F1": s.get("f1")})
    coref = scores.get("coreference") or {}
    for m in ("muc", "b3", "ceafe"):
        if m in coref:
            rows.append({"task": "coreference", "metric": m, "P": coref[m].get("precision"), "R": coref[m].get("recall"), "F1": coref[m].get("f1")})
    if "conll_f1" in coref:
        rows.append({"task": "coreference", "metric": "CoNLL-2012", "P": None, "R": None, "F1": coref["conll_f1"]})
    for name, s in (scores.get("events") or {}).items():
        if isinstance(s, dict) and "f1" in s:
            rows.append({"task": "events", "metric": name.replace("_", " "), "P": s.get("precision"), "R": s.get("recall"), "F1": s.get("f1")})
    st = scores.get("stances") or {}
    if st.get("triples"):
        t = st["triples"]
        rows.append({"task": "stances", "metric": "(holder, target, label) triples", "P": t.get("precision"), "R": t.get("recall"), "F1": t.get("f1")})
    if st.get("labels"):
        rows.append({"task": "stances", "metric": "label macro-F1 on matched pairs", "P": None, "R": None, "F1": st["labels"].get("macro_f1")})
        rows.append({"task": "stances", "metric": "F_avg (favour, against)", "P": None, "R": None, "F1": st["labels"].get("f_avg")})
    return pd.DataFrame(rows, columns=["task", "metric", "P", "R", "F1"])


def baseline_markdown(docs: list[Document]) -> str | None:
    """The built-in rule-based baseline scored on ``docs``, as a Markdown table (None if it cannot run)."""
    from .evaluate import evaluate
    from .prediction import predictions_from_dicts
    from .report import markdown_table
    from .systems import SystemFailure, load_system, run_system

    gold = {d.doc_id: d for d in docs}
    try:
        system = load_system("baseline")
        preds = predictions_from_dicts([run_system(system, d.doc_id, d.text) for d in docs], gold)
    except SystemFailure:
        return None
    table = headline_scores(evaluate(gold, preds.documents).scores())
    return ("The rule-based baseline (`toolkit eval --system baseline`: patterns, general word lists, no "
            "knowledge of the gold) scored on the whole set; `--bootstrap 1000` adds 95% intervals.\n\n" + markdown_table(table))
