"""The dataset card's Markdown body (the YAML header is built in :mod:`toolkit.dataset.publish`): what the data is,
every config with its split size, every field with its type and meaning, an example row per config, how to
load it and how to install the toolkit, the labels with their counts, agreement and baseline figures, and a
citation."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.model.document import Document
from toolkit.model.labels import inventory
from toolkit.reporting.corpus_stats import corpus_stats
from toolkit.reporting.report import markdown_table

HUB_REPO_ID = "ORG/korea-us-tariff-ie"
"""The Hub dataset repository the card names when ``toolkit publish --push-to-hub`` gives none (the one place to set it)."""

CONFIG_ROWS = {
    "documents": "document",
    "mentions": "entity mention",
    "events": "event mention",
    "stances": "stance",
    "ner": "sentence (a line of the text)",
}

FIELDS: dict[str, dict[str, str]] = {
    "documents": {
        "doc_id": "Document id: the seed file name without `.txt` (number and a hash of the text).",
        "text": "The article text, byte for byte the seed file read as UTF-8; every offset counts code points into it.",
        "seed_file": "Path of the seed text in the source repository.",
        "sha256": "SHA-256 of the seed file's bytes.",
        "publisher": "Publisher of the article, as far as the text or its provenance tells (null if unknown).",
        "date": "Publication date, ISO 8601 as precise as known (`2025-04` or `2025-04-15`; null if unknown).",
        "title": "Headline, when the text gives one (else null).",
        "url": "Address of the article (null if unknown).",
        "language": "Language code of the text (`en`).",
        "notes": "The annotators' remarks on the document (null if none; not part of the labels).",
        "entities": "The entities: coreference clusters of mentions, one referent each.",
        "entities.id": "Entity id, unique in the document (`E1`, ...).",
        "entities.type": "Entity type (ClassLabel; see Labels).",
        "entities.name": "Canonical name: the fullest name in the document, or a short description for unnamed entities.",
        "entities.mentions": "The entity's mentions, in the order the annotators listed them.",
        "entities.mentions.id": "Mention id, unique in the document (`M1`, ...).",
        "entities.mentions.start": "First code point of the mention in `text`.",
        "entities.mentions.end": "One past its last code point (end exclusive).",
        "entities.mentions.text": "`text[start:end]`.",
        "entities.mentions.kind": "Mention kind (ClassLabel: name, nominal, pronoun).",
        "events": "The event mentions (each mention its own event: there is no event coreference).",
        "events.id": "Event id, unique in the document (`V1`, ...).",
        "events.type": "Event type (ClassLabel; see Labels).",
        "events.realis": "Realis (ClassLabel: actual, generic, other).",
        "events.trigger": "The trigger span: the word or minimal phrase that expresses the event.",
        "events.trigger.start": "First code point of the trigger.",
        "events.trigger.end": "One past its last code point.",
        "events.trigger.text": "`text[start:end]`.",
        "events.arguments": "The event's arguments.",
        "events.arguments.role": "Argument role (ClassLabel over every role of every event type; see Labels).",
        "events.arguments.mention": "Id of the mention that fills the role (in `entities.mentions.id`).",
        "stances": "The stances: a holder's position towards a target.",
        "stances.id": "Stance id, unique in the document (`S1`, ...).",
        "stances.holder": "Entity id of the holder (in `entities.id`).",
        "stances.target_kind": "What the target is (ClassLabel: topic, event, entity).",
        "stances.target_id": "The target: a topic id (see Labels), an event id or an entity id.",
        "stances.label": "Stance label (ClassLabel: favour, against, neutral).",
        "stances.evidence": "Text spans that support the stance.",
        "stances.evidence.start": "First code point of the evidence span.",
        "stances.evidence.end": "One past its last code point.",
        "stances.evidence.text": "`text[start:end]`.",
    },
    "mentions": {
        "doc_id": "Document id (as in `documents`).",
        "mention_id": "Mention id, unique in the document.",
        "entity_id": "Id of the entity (coreference cluster) the mention belongs to: mentions with the same `doc_id` and `entity_id` corefer.",
        "entity_name": "Canonical name of that entity.",
        "start": "First code point of the mention in the document's `text`.",
        "end": "One past its last code point (end exclusive).",
        "text": "The mention's text, equal to the slice of the document's `text`.",
        "type": "Entity type of the mention's entity (ClassLabel).",
        "kind": "Mention kind (ClassLabel: name, nominal, pronoun).",
    },
    "events": {
        "doc_id": "Document id.",
        "event_id": "Event id, unique in the document.",
        "type": "Event type (ClassLabel).",
        "trigger_start": "First code point of the trigger.",
        "trigger_end": "One past its last code point.",
        "trigger_text": "The trigger's text.",
        "realis": "Realis (ClassLabel: actual, generic, other).",
        "arguments": "The event's arguments, each with the mention that fills it.",
        "arguments.role": "Argument role (ClassLabel).",
        "arguments.mention_id": "Id of the mention that fills the role (in `mentions`).",
        "arguments.entity_id": "Id of that mention's entity.",
        "arguments.entity_type": "Entity type of that mention (ClassLabel).",
        "arguments.start": "First code point of the argument mention.",
        "arguments.end": "One past its last code point.",
        "arguments.text": "The argument mention's text.",
    },
    "stances": {
        "doc_id": "Document id.",
        "stance_id": "Stance id, unique in the document.",
        "holder_entity_id": "Entity id of the holder.",
        "holder_name": "Canonical name of the holder.",
        "target_kind": "What the target is (ClassLabel: topic, event, entity).",
        "target_id": "Topic id, event id or entity id of the target.",
        "target_text": "The target in words: the topic's question, the event's trigger text, or the entity's name.",
        "label": "Stance label (ClassLabel: favour, against, neutral).",
        "evidence": "Text spans that support the stance.",
        "evidence.start": "First code point of the evidence span.",
        "evidence.end": "One past its last code point.",
        "evidence.text": "The evidence text.",
    },
    "ner": {
        "doc_id": "Document id.",
        "sentence": "0-based number of the sentence in the document (a sentence is a non-empty line of the text).",
        "tokens": "The sentence's tokens (the documented tokeniser of the toolkit's IOB2 format).",
        "token_starts": "First code point of each token in the document's `text`.",
        "token_ends": "One past the last code point of each token.",
        "ner_tags": "IOB2 tag of each token (ClassLabel: `O`, then `B-` and `I-` of each entity type) for the outermost mentions of every kind (names, nominals, pronouns).",
    },
}
"""What every field of every config means; ``tests/test_dataset_folder.py`` checks that each feature has an entry."""


def _feature_type(feature) -> str:
    """A feature's type in words: ``string``, ``int32``, ``ClassLabel (11 names)``, ``list of struct``."""
    from datasets import ClassLabel, List, Value

    if isinstance(feature, Value):
        return feature.dtype
    if isinstance(feature, ClassLabel):
        return f"ClassLabel ({feature.num_classes} names)"
    if isinstance(feature, List):
        return "list of " + _feature_type(feature.feature)
    if isinstance(feature, dict):
        return "struct"
    return type(feature).__name__


def feature_paths(features, prefix: str = ""):
    """``(dotted path, feature)`` of every field, nested fields of structs and lists of structs included."""
    from datasets import List

    for name, feature in features.items():
        path = prefix + name
        yield path, feature
        inner = feature.feature if isinstance(feature, List) else feature
        if isinstance(inner, dict):
            yield from feature_paths(inner, path + ".")


def _fields_table(config: str, feats) -> str:
    lines = ["| field | type | description |", "|---|---|---|"]
    for path, feature in feature_paths(feats):
        lines.append(f"| `{path}` | {_feature_type(feature)} | {FIELDS[config][path]} |")
    return "\n".join(lines)


def _shorten(value, depth: int = 0):
    """An example row cut down for the card: long strings and lists keep their beginning."""
    if isinstance(value, str):
        return value if len(value) <= 80 else value[:77] + "..."
    if isinstance(value, list):
        keep = 2 if depth else 3
        return [_shorten(v, depth + 1) for v in value[:keep]]
    if isinstance(value, dict):
        return {k: _shorten(v, depth) for k, v in value.items()}
    return value


def _example(config: str, row: dict, feats) -> str:
    """The first row of a config as ``datasets`` returns it (ClassLabel columns as ids), shortened."""
    encoded = feats.encode_example(row)
    if config == "ner":
        names = feats["ner_tags"].feature.names
        pairs = " ".join(f"{t}/{names[i]}" if names[i] != "O" else t for t, i in zip(row["tokens"], encoded["ner_tags"]))
        body = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in encoded.items())
        return ("```json\n{\n" + body + "\n}\n```\n\nThe same sentence with its tags decoded (a token outside every "
                "mention unmarked):\n\n```text\n" + pairs + "\n```")
    short = _shorten(encoded)
    body = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in short.items())
    note = "" if short == encoded else "\n\n(Shortened for the card: strings cut at 80 characters, lists to their first items.)"
    return "```json\n{\n" + body + "\n}\n```" + note


def _label_table(category: str, definitions: dict, counts) -> str:
    sub = counts[counts.category == category].set_index("label")["total"]
    lines = ["| label | definition | count |", "|---|---|---:|"]
    for name, definition in definitions.items():
        lines.append(f"| `{name}` | {definition} | {int(sub.get(name, 0))} |")
    return "\n".join(lines)


def _ner_coverage(docs: list[Document]) -> tuple[int, int, int, int]:
    """(mentions, mentions in the ner view, nested inside another mention, not on token boundaries)."""
    from toolkit.formats.iob2 import writable_spans

    total = kept = nested = boundary = 0
    for d in docs:
        spans, notes = writable_spans(d)
        total += sum(1 for _ in d.mentions())
        kept += len(spans)
        nested += sum("nested" in n.message for n in notes)
        boundary += sum("nested" not in n.message for n in notes)
    return total, kept, nested, boundary


def card_body(docs: list[Document], agreement_md: str | None = None, baseline_md: str | None = None,
              repo_id: str | None = None) -> str:
    """Render the card: summary, configs and splits, fields, examples, usage, annotation, labels, scores, citation."""
    from toolkit.dataset.publish import CONFIGS, SPLIT, features, rows

    repo_id = repo_id or HUB_REPO_ID
    url = f"https://huggingface.co/datasets/{repo_id}"
    inv = inventory()
    docs = sorted(docs, key=lambda d: d.doc_id)
    stats = corpus_stats(docs)
    totals = stats.documents.iloc[-1] if len(stats.documents) else None
    n_ent = int(totals.entities) if totals is not None else 0
    n_men = int(totals.mentions) if totals is not None else 0
    n_ev = int(totals.events) if totals is not None else 0
    n_st = int(totals.stances) if totals is not None else 0
    feats, table = features(), rows(docs)
    configs = [c for c in CONFIGS if table[c] or c == "documents"]
    sources = ["| doc_id | publisher | date | title | characters |", "|---|---|---|---|---:|"]
    for d in docs:
        sources.append(f"| `{d.doc_id}` | {d.source.publisher or 'unknown'} | {d.source.date or 'unknown'} | "
                       f"{d.source.title or '-'} | {len(d.text)} |")

    def role_list(t: str) -> str:
        return ", ".join(r + " (" + "/".join(ts) + ")" for r, ts in inv.roles[t].items())

    roles = "\n".join(f"| `{t}` | {role_list(t)} |" for t in inv.event_types)
    labels = stats.labels
    total, kept, nested, boundary = _ner_coverage(docs)
    splits = ["| config | one row per | `test` rows |", "|---|---|---:|"]
    splits += [f"| `{c}`{' (default)' if c == 'documents' else ''} | {CONFIG_ROWS[c]} | {len(table[c])} |" for c in configs]
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
        f"- **Homepage and citation**: {url}",
        "- **Language**: English (`en`), news register; some source texts keep Korean page furniture, which is not annotated.",
        f"- **Split**: everything is in `{SPLIT}`: this is an evaluation set, not training data.",
        "- **Offsets**: 0-based Python string indices (Unicode code points) into `text`, end exclusive; every span carries its `text`.",
        "",
        "## Source articles",
        "",
        "\n".join(sources),
        "",
        "## Configurations and split sizes",
        "",
        "\n".join(splits),
        "",
        "Label columns are `ClassLabel` features whose names come from the label inventory "
        "`schema/labels.schema.json`; `datasets` returns their ids, and `features[column].names` (inside a list, "
        "`features[column].feature.names`) turns an id into its name.",
        "",
        f"The `ner` config is the token-classification view (`tokens`, `ner_tags`), as `toolkit convert --to iob2` "
        f"writes it: IOB2 can hold one flat layer of spans on token boundaries, so it keeps the outermost mentions, "
        f"{kept} of the {total}; {nested} are nested inside another mention and {boundary} do not begin or end on a "
        "token boundary (the other configs hold them all).",
        "",
        "## Fields and examples",
        "",
    ]
    for c in configs:
        parts += [f"### `{c}`", "", _fields_table(c, feats[c]), "", "Example (the first row):", "",
                  _example(c, table[c][0], feats[c]) if table[c] else "(no rows)", ""]
    parts += [
        "## Usage",
        "",
        "From the Hub, or from a clone of the source repository, where this folder is `dataset/` (no build step; "
        "works offline):",
        "",
        "```python",
        "import datasets",
        f'docs = datasets.load_dataset("{repo_id}", split="test")            # default config: documents',
        'mentions = datasets.load_dataset("dataset", "mentions", split="test")  # in a clone: a local path',
        'names = mentions.features["type"].names',
        'print(names[mentions[0]["type"]], mentions[0]["text"])',
        'ner = datasets.load_dataset("dataset", "ner", split="test")',
        'tags = ner.features["ner_tags"].feature.names',
        'print(list(zip(ner[0]["tokens"], (tags[i] for i in ner[0]["ner_tags"]))))',
        "```",
        "",
        "### The toolkit",
        "",
        "The toolkit that validates the annotations and scores systems against them is the Python package in the "
        "same source repository (it is not on PyPI, where another project owns the name `toolkit`). Python 3.11 or "
        "newer:",
        "",
        "```bash",
        "git clone <the source repository> korea-us-tariff-ie && cd korea-us-tariff-ie",
        "pip install -e .                     # the `toolkit` command",
        "toolkit eval --system baseline       # score the built-in baseline against the gold",
        "toolkit eval --gold dataset --pred my_predictions/ --format markdown   # your system, against this folder",
        "```",
        "",
        "Predictions follow the toolkit's prediction schema (`schema/prediction.schema.json`): spans by offsets or "
        "by quoted text, which the toolkit anchors.",
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
        "into the gold; each kind of disagreement became a rule of the guidelines (section 9). Then a third reader, "
        "who made neither pass, reviewed every item of the adjudicated gold sentence by sentence against the "
        "guidelines and an independent annotation of the five documents of 2026-11; each change it made is a row of "
        "`annotations/adjudication/review.csv` in the source repository, with the rule and the reason, and "
        "`annotations/adjudication/README.md` counts them per kind of item.",
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
        "  title        = {Korea--US Tariff Talks: an annotated dataset of entities, coreference, events and stances},",
        "  author       = {{Korea--US Tariff Talks IE contributors}},",
        "  year         = {2026},",
        f"  howpublished = {{\\url{{{url}}}}},",
        f"  url          = {{{url}}},",
        "  note         = {Dataset and evaluation toolkit, annotation schema version 1.0}",
        "}",
        "```",
        "",
    ]
    return "\n".join(parts)


def agreement_report(docs: list[Document], gold: Path):
    """Agreement of the two passes under ``gold/passes/{a,b}`` on the documents ``docs`` (the gold documents;
    a document still being annotated is left out), or None without both passes."""
    from toolkit.checks.validate import load_corpus
    from toolkit.evaluation.agreement import AgreementReport, compare_documents

    passes = Path(gold) / "passes"
    if not ((passes / "a").is_dir() and (passes / "b").is_dir()):
        return None
    a, b = load_corpus(passes / "a"), load_corpus(passes / "b")
    ids = sorted({d.doc_id for d in docs} & set(a) & set(b))
    return AgreementReport([compare_documents(a[d], b[d]) for d in ids])


def card_for(docs: list[Document], gold: Path, repo_id: str | None = None) -> str:
    """The card body for ``docs``, with the agreement of the two passes under ``gold/passes`` when both exist."""
    from toolkit.reporting.report import agreement_markdown

    report = agreement_report(docs, gold)
    agreement_md = agreement_markdown(report) if report is not None and report.documents else None
    return card_body(docs, agreement_md=agreement_md, baseline_md=baseline_markdown(docs), repo_id=repo_id)


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


def baseline_predictions(docs: list[Document]):
    """The built-in rule-based baseline run on ``docs`` (a :class:`toolkit.predictions.load.PredictionSet`,
    as ``--system baseline`` loads its output), or None if it cannot run."""
    from toolkit.predictions.load import predictions_from_dicts
    from toolkit.predictions.systems import SystemFailure, load_system, run_system

    gold = {d.doc_id: d for d in docs}
    try:
        system = load_system("baseline")
        return predictions_from_dicts([run_system(system, d.doc_id, d.text) for d in docs], gold, "<system baseline>")
    except SystemFailure:
        return None


def baseline_table(docs: list[Document], preds=None) -> "pd.DataFrame | None":
    """The built-in rule-based baseline scored on ``docs``: :func:`headline_scores` with 95%
    bootstrap intervals (1000 resamples, seed 0), as ``toolkit eval --system baseline --bootstrap
    1000`` computes them. ``preds``: its :func:`baseline_predictions`, when already made. None if
    the baseline cannot run."""
    from toolkit.evaluation.evaluate import evaluate
    from toolkit.evaluation.significance import intervals

    gold = {d.doc_id: d for d in docs}
    preds = baseline_predictions(docs) if preds is None else preds
    if preds is None:
        return None
    report = evaluate(gold, preds.documents)
    return headline_scores(report.scores(), intervals(report, BASELINE_RESAMPLES, BASELINE_SEED))


def baseline_markdown(docs: list[Document], table: "pd.DataFrame | None" = None) -> str | None:
    """:func:`baseline_table` (or ``table``, already computed) as Markdown with a sentence saying what it is
    (None if the baseline cannot run)."""
    from toolkit.reporting.report import markdown_table

    table = baseline_table(docs) if table is None else table
    if table is None:
        return None
    return ("The rule-based baseline (`toolkit eval --system baseline --bootstrap 1000`: patterns, general word "
            "lists, no knowledge of the gold) scored on the whole set, with 95% percentile-bootstrap intervals of "
            f"each F1 over the {len(docs)} documents (1000 resamples, seed 0).\n\n" + markdown_table(table))
