"""The dataset card's Markdown body (the YAML header is built in :mod:`toolkit.dataset.publish`), with the agreement and
baseline figures it shows when they are available."""

from __future__ import annotations

from toolkit.model.document import Document
from toolkit.model.labels import inventory
from toolkit.reporting.report import markdown_table
from toolkit.reporting.corpus_stats import corpus_stats
from pathlib import Path


def _label_table(category: str, definitions: dict, counts) -> str:
    sub = counts[counts.category == category].set_index("label")["total"]
    lines = ["| label | definition | count |", "|---|---|---:|"]
    for name, definition in definitions.items():
        lines.append(f"| `{name}` | {definition} | {int(sub.get(name, 0))} |")
    return "\n".join(lines)


def card_body(docs: list[Document], agreement_md: str | None = None, baseline_md: str | None = None,
              repo_id: str = "ORG/korea-us-tariff-ie") -> str:
    """Render the card: summary, sources, annotation process, labels with counts, scores, usage."""
    inv = inventory()
    docs = sorted(docs, key=lambda d: d.doc_id)
    stats = corpus_stats(docs)
    totals = stats.documents.iloc[-1] if len(stats.documents) else None
    n_ent = int(totals.entities) if totals is not None else 0
    n_men = int(totals.mentions) if totals is not None else 0
    n_ev = int(totals.events) if totals is not None else 0
    n_st = int(totals.stances) if totals is not None else 0
    sources = ["| doc_id | publisher | date | title | characters |", "|---|---|---|---|---:|"]
    for d in docs:
        sources.append(f"| `{d.doc_id}` | {d.source.publisher or 'unknown'} | {d.source.date or 'unknown'} | "
                       f"{d.source.title or '-'} | {len(d.text)} |")
    def role_list(t: str) -> str:
        return ", ".join(r + " (" + "/".join(ts) + ")" for r, ts in inv.roles[t].items())

    roles = "\n".join(f"| `{t}` | {role_list(t)} |" for t in inv.event_types)
    labels = stats.labels
    parts = [
        "# Korea–US tariff talks: entities, coreference, events and stances",
        "",
        f"{len(docs)} English news articles from 2025 on the South Korea–US tariff negotiations, annotated "
        f"with {n_ent} entities ({n_men} mentions: names, nominals and pronouns, with coreference), "
        f"{n_ev} events (trigger, type, realis and arguments, ACE 2005 / Rich ERE style, plus trade-policy "
        f"event types) and {n_st} stances (holder, target, label and evidence, SemEval-2016 Task 6 labels). "
        "It is a small, deep evaluation set for information-extraction systems — rule-based, trained or "
        "LLM-based — and comes with a toolkit that validates, scores (nervaluate-style entity modes, "
        "MUC/B³/CEAF-e, OneIE/TextEE event measures, stance F1 and F_avg) and computes bootstrap intervals.",
        "",
        "- **Language**: English (`en`), news register; some source texts keep Korean page furniture, which is not annotated.",
        "- **Split**: everything is in `test`: this is an evaluation set, not training data.",
        "- **Offsets**: 0-based Python string indices (Unicode code points) into `text`, end exclusive; every span carries its `text`.",
        "",
        "## Source articles",
        "",
        "\n".join(sources),
        "",
        "## Configurations",
        "",
        "| config | one row per | columns |",
        "|---|---|---|",
        "| `documents` (default) | document | `doc_id`, `text`, source metadata, nested `entities` (with `mentions`), `events` (with `arguments`), `stances` (with `evidence`) |",
        "| `mentions` | mention | `doc_id`, `mention_id`, `entity_id`, `entity_name`, `start`, `end`, `text`, `type`, `kind` |",
        "| `events` | event | `doc_id`, `event_id`, `type`, `trigger_start`, `trigger_end`, `trigger_text`, `realis`, `arguments` (role, mention, entity, span) |",
        "| `stances` | stance | `doc_id`, `stance_id`, `holder_entity_id`, `holder_name`, `target_kind`, `target_id`, `target_text`, `label`, `evidence` |",
        "",
        "Label columns are `ClassLabel` features; their names come from the label inventory `schema/labels.schema.json`.",
        "",
        "## Usage",
        "",
        "```python",
        "import datasets",
        f'docs = datasets.load_dataset("{repo_id}", split="test")            # or a local folder path',
        f'mentions = datasets.load_dataset("{repo_id}", "mentions", split="test")',
        'names = mentions.features["type"].names',
        'print(names[mentions[0]["type"]], mentions[0]["text"])',
        "```",
        "",
        "Score a system (predictions in the toolkit's prediction format, spans by offsets or by quoted text):",
        "",
        "```bash",
        "toolkit eval --gold DATASET_FOLDER --pred my_predictions/ --format markdown",
        "```",
        "",
        "## Annotation",
        "",
        "Every label was decided by reading the sentence, following the guidelines in `GUIDELINES.md` "
        "(entity types, mention kinds, span rules, coreference rules, event types with roles, realis, stance "
        "rules, topics, each with examples from these texts). Scripts computed offsets from quoted strings and "
        "checked consistency; no label came from a rule, gazetteer or trained extractor.",
        "",
        "**Who annotated.** The two independent passes and the adjudication were made by AI annotators "
        "(language-model agent sessions) working from the guidelines, each pass seeing only the guidelines "
        "and the text; hence `annotations_creators: other`. Treat the gold as carefully adjudicated "
        "model-made annotation, not as the work of trained human linguists.",
        "",
        "**Process.** Two independent passes per document, measured against each other, then adjudicated "
        "into the gold; each kind of disagreement became a rule of the guidelines (section 9).",
        "",
    ]
    if agreement_md:
        parts += ["### Inter-annotator agreement (pass A vs pass B, before adjudication)", "", agreement_md, "",
                  "Both passes were made by independent sessions of the same kind of AI annotator, each seeing only the "
                  "guidelines and the text. The figures measure how reproducible the labels are under these guidelines; "
                  "they are likely higher than two human annotators would reach, and the stance kappa rests on few "
                  "pairs, nearly all `favour`. Definitions: `toolkit agree` in the toolkit's README and docs/metrics.md.", ""]
    parts += [
        "## Labels",
        "",
        "### Entity types (counts are entities)",
        "",
        _label_table("entity type", dict(inv.entity_types), labels),
        "",
        "### Mention kinds",
        "",
        _label_table("mention kind", dict(inv.mention_kinds), labels),
        "",
        "### Event types",
        "",
        _label_table("event type", dict(inv.event_types), labels),
        "",
        "Roles of each event type (and the entity types each admits):",
        "",
        "| event type | roles |",
        "|---|---|",
        roles,
        "",
        "### Realis",
        "",
        _label_table("realis", dict(inv.realis), labels),
        "",
        "### Stance labels",
        "",
        _label_table("stance label", dict(inv.stance_labels), labels),
        "",
        "### Stance topics",
        "",
        _label_table("topic", dict(inv.topics), labels),
        "",
        "### Per document",
        "",
        markdown_table(stats.documents),
        "",
    ]
    if baseline_md:
        parts += ["## Baseline scores", "", baseline_md, ""]
    parts += [
        "## Limitations",
        "",
        f"- Only {len(docs)} documents, on one news topic, in English: scores have wide confidence intervals "
        "(use the toolkit's `--bootstrap`), and the set is for evaluation, not training.",
        "- Several articles report the same events; entities and events are not linked across documents.",
        "- Events are annotated per mention; v1 has no event coreference.",
        "- Stances are those the texts attribute to their holders; implied stances were annotated only where "
        "an action leaves no doubt, which is a judgement call.",
        "- The annotators were AI agents (see Annotation); agreement figures show how reproducible the labels are.",
        "",
        "## Licence",
        "",
        "Annotations: CC BY 4.0. The article texts remain the property of their publishers and are included "
        "for research on information extraction (see `LICENSE.md`).",
        "",
        "## Citation",
        "",
        "```bibtex",
        "@misc{korea_us_tariff_ie_2026,",
        "  title  = {Korea--US Tariff Talks: an annotated dataset of entities, coreference, events and stances},",
        "  year   = {2026},",
        "  note   = {Dataset and evaluation toolkit, schema version 1.0}",
        "}",
        "```",
        "",
    ]
    return "\n".join(parts)


def card_for(docs: list[Document], gold: Path, repo_id: str | None = None) -> str:
    """The card body for ``docs``, with the agreement of the two passes under ``gold/passes`` when both exist."""
    agreement_md = None
    passes = Path(gold) / "passes"
    if (passes / "a").is_dir() and (passes / "b").is_dir():
        try:
            from toolkit.evaluation.agreement import agreement
            from toolkit.reporting.report import agreement_markdown

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
    ("coreference", "CEAF-m", "coreference.ceafm"),
    ("coreference", "BLANC", "coreference.blanc"),
    ("coreference", "LEA", "coreference.lea"),
    ("events", "trigger identification (TextEE)", "events.trigger_identification"),
    ("events", "trigger classification (TextEE)", "events.trigger_classification"),
    ("events", "argument identification (TextEE)", "events.argument_identification"),
    ("events", "argument classification (TextEE)", "events.argument_classification"),
    ("events", "argument identification, attached (TextEE)", "events.argument_identification_attached"),
    ("events", "argument classification, attached (TextEE)", "events.argument_classification_attached"),
    ("events", "argument classification, per item", "events.per_item.argument_classification"),
    ("stances", "(holder, target, label) triples", "stances.triples"),
    ("stances", "(holder, target) pairs", "stances.pairs"),
    ("stances", "label macro-F1 on matched pairs", "stances.labels.macro_f1"),
    ("stances", "F_avg (favour, against; eval.pl)", "stances.labels.f_avg"),
)
"""(task, row label, path in ``EvalReport.scores()``) of each headline score: a path to a
precision/recall/F1 section, or to a single figure."""


def headline_scores(scores: dict, intervals=None) -> "pd.DataFrame":
    """One row per headline score (P, R, F1) from ``EvalReport.scores()``; with ``intervals``
    (:class:`toolkit.evaluation.significance.Intervals`) the F1's bootstrap interval too (``F1 low``, ``F1 high``)."""
    import pandas as pd

    from toolkit.evaluation.significance import score_at

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
    from toolkit.evaluation.evaluate import evaluate
    from toolkit.predictions.load import predictions_from_dicts
    from toolkit.evaluation.significance import intervals
    from toolkit.predictions.systems import SystemFailure, load_system, run_system

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
    from toolkit.reporting.report import markdown_table

    table = baseline_table(docs)
    if table is None:
        return None
    return ("The rule-based baseline (`toolkit eval --system baseline --bootstrap 1000`: patterns, general word "
            "lists, no knowledge of the gold) scored on the whole set, with 95% percentile-bootstrap intervals of "
            f"each F1 over the {len(docs)} documents (1000 resamples, seed 0).\n\n" + markdown_table(table))
