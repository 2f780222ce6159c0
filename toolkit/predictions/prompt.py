"""The instructions an LLM needs to extract our labels from one document (``toolkit prompt``).

:func:`build_prompt` assembles, for the tasks asked: the task and the answer format; each label's
definition from ``schema/labels.schema.json``; the essential rules of the guidelines
(``CONTRIBUTING.md`` §2–7) in short; worked examples; the output contract
(:func:`toolkit.predictions.contract.structured_output_schema`); and the document's text.

No test data leaks into the instructions. The guidelines and the label definitions illustrate
each label with quotes of the five seed documents; the prompt uses neither: the definitions are
given without their quoted examples (:func:`definition`), the rules are restated without them,
and the worked examples are short texts invented for the purpose (:data:`EXAMPLES`, about
made-up places and people). tests/test_prompt.py checks that no (text, label) pair of the gold
annotations occurs in the examples and that no quoted example of the definitions survives.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from toolkit.model.labels import inventory
from toolkit.predictions.contract import contract_tasks, structured_output_schema


def definition(description: str) -> str:
    """A label's description without its quoted examples ('...' lists, in brackets or after a colon)."""
    text = re.sub(r"\s*\([^()]*'[^()]*\)", "", description)  # "(... 'South Korea', 'Washington' ...)"
    text = re.sub(r":\s*'[^']*'(?:\s*,\s*'[^']*')*\s*(?=\.|$)", "", text)  # ": 'Choi Sang-mok', 'officials', 'he'."
    text = re.sub(r"\s*'[^']*'(?:\s*(?:,|or|and)\s*'[^']*')*", "", text)  # anything quoted that is left
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


@dataclass(frozen=True)
class Example:
    """An invented text and the answer for it (entities, events and stances in the contract's shape)."""

    text: str
    answer: dict


EXAMPLES: tuple[Example, ...] = (
    Example(
        "Marevia’s farm minister, Ilse Daran, met dairy producers in Korvik on Sunday. She said Marevia would lower "
        "the levies on imported butter next year. The producers oppose the plan.",
        {
            "entities": [
                {"id": "E1", "type": "GPE", "mentions": [{"text": "Marevia", "kind": "name"}, {"text": "Marevia", "kind": "name"}]},
                {"id": "E2", "type": "PER", "mentions": [{"text": "farm minister", "kind": "nominal"}, {"text": "Ilse Daran", "kind": "name"},
                                                         {"text": "She", "kind": "pronoun"}]},
                {"id": "E3", "type": "PER", "mentions": [{"text": "dairy producers", "kind": "nominal"}, {"text": "producers", "kind": "nominal"}]},
                {"id": "E4", "type": "GPE", "mentions": [{"text": "Korvik", "kind": "name"}]},
                {"id": "E5", "type": "DATE", "mentions": [{"text": "Sunday", "kind": "name"}]},
                {"id": "E6", "type": "COMMODITY", "mentions": [{"text": "imported butter", "kind": "nominal"}]},
                {"id": "E7", "type": "DATE", "mentions": [{"text": "next year", "kind": "name"}]},
            ],
            "events": [
                {"id": "V1", "type": "Contact.Meet", "realis": "actual", "trigger": {"text": "met"},
                 "arguments": [{"role": "Participant", "text": "Ilse Daran"}, {"role": "Participant", "text": "dairy producers"},
                               {"role": "Place", "text": "Korvik"}, {"role": "Time", "text": "Sunday"}]},
                {"id": "V2", "type": "Trade.Exempt-Tariff", "realis": "other", "trigger": {"text": "lower"},
                 "arguments": [{"role": "Grantor", "text": "Marevia"}, {"role": "Commodity", "text": "imported butter"},
                               {"role": "Time", "text": "next year"}]},
                {"id": "V3", "type": "Trade.Impose-Tariff", "realis": "actual", "trigger": {"text": "levies"},
                 "arguments": [{"role": "Imposer", "text": "Marevia"}, {"role": "Commodity", "text": "imported butter"}]},
            ],
            "stances": [
                {"holder": {"text": "producers"}, "target": {"kind": "event", "id": "V2"}, "label": "against",
                 "evidence": [{"text": "oppose the plan"}]},
            ],
        },
    ),
    Example(
        "The Korvik Dockworkers Union said it would study the new customs rules before taking a position.",
        {
            "entities": [
                {"id": "E1", "type": "ORG", "mentions": [{"text": "Korvik Dockworkers Union", "kind": "name"}, {"text": "it", "kind": "pronoun"}]},
                {"id": "E2", "type": "LAW", "mentions": [{"text": "customs rules", "kind": "nominal"}]},
            ],
            "events": [],
            "stances": [
                {"holder": {"text": "it"}, "target": {"kind": "entity", "id": "E2"}, "label": "neutral",
                 "evidence": [{"text": "would study the new customs rules before taking a position"}]},
            ],
        },
    ),
)
"""Worked examples: invented sentences about made-up places and people, annotated by the guidelines."""


RULES = {
    "quoting": [
        "Every `text` is an exact quote of the document: copy it character for character (spelling, capital letters, "
        "apostrophes and quote marks such as ’ versus ', dashes, spaces). Never paraphrase, shorten, translate or correct a quote; "
        "a quote that is not in the document is scored as an error.",
        "Give no offsets and no character positions: quotes only. When the same words occur several times, quote them once per "
        "mention; the scorer places repeated quotes.",
        "Answer with the JSON object alone: no explanation, no Markdown code fence.",
    ],
    "entities": [
        "An entity is one real-world referent: list every mention of it in the document, each repetition its own mention, "
        "pronouns and common-noun phrases included, all in the one entity (coreference).",
        "Annotate all the article's text: headline, byline and dateline, captions, body and sign-off; not page furniture "
        "(menus, buttons, comment prompts, copyright lines).",
        "A mention leaves out determiners and possessors (\"the\", \"a\", \"some\", \"his\") but keeps pre-modifiers and numbers; a "
        "common-noun mention ends at its head noun (no prepositional phrase or relative clause after it).",
        "A title before a name is not part of the name mention (the name alone); a title on its own or in apposition is a "
        "nominal mention of the person.",
        "The possessive 's is outside the mention; quote marks and punctuation at the edges are outside.",
        "A nationality or regional adjective is a name mention of its country (GPE) or region (LOC). A capital city used for "
        "its country's government is a mention of the country; as a place it is its own GPE.",
        "A country acting as a whole is a GPE; a named or described government body (ministry, agency, administration, "
        "parliament, \"the X government\") is a separate GOV entity. A group of people (farmers, a delegation) is PER.",
        "A set of several entities (\"the three firms\") is its own entity, typed as its members.",
        "Dates are the whole expression without prepositions; money keeps its currency and magnitude (\"over\" stays outside).",
        "Mentions may nest (a country adjective inside a longer mention) but never partly overlap, and no two share a span.",
        "Not entities: abstract nouns and topics, job titles before a name, relative pronouns (which, who).",
    ],
    "events": [
        "Each mention of an event is its own event (the same meeting mentioned twice is two events).",
        "The trigger is the single word (or minimal fixed phrase) that most clearly expresses the event: a verb or a noun. "
        "Light verbs are not triggers (in \"hold a ballot\" the trigger is \"ballot\"); reporting verbs (said, announced, "
        "noted) are not events.",
        "\"tariff(s)\" and \"duty\" are triggers only as the head of their noun phrase, never as a modifier (\"tariff "
        "rules\" name no tariff event).",
        "Arguments come from the trigger's sentence only; quote the mention of the entity nearest the trigger; use only the "
        "roles listed for the event's type, each for an entity of an admitted type.",
        "Realis: actual for a specific event that happened or is happening; generic for a class of events or a habit; other "
        "for a future, planned, requested, hypothetical, negated or uncertain event.",
    ],
    "stances": [
        "A stance is a position a holder (an entity) takes towards a target, with a label and evidence. Quote a mention of "
        "the holder as `holder`. \"The ministry said\" makes the ministry the holder, not its country; the newspaper is never a holder.",
        "Target, in this order of preference: a topic of the list when one fits ({\"kind\": \"topic\", \"id\": \"<topic id>\"}); "
        "else an event of your answer ({\"kind\": \"event\", \"id\": \"V1\"}); else an entity of your answer "
        "({\"kind\": \"entity\", \"id\": \"E1\"}).",
        "Labels: favour (supports it; for a topic, answers its question yes), against, neutral (takes it up explicitly but "
        "declines to take a side).",
        "Annotate explicit stances (stated positions, demands, refusals, warnings, quoted opinions) and stances implied by an "
        "action that leaves no doubt; never infer a stance from a party's interests alone. Reported speech counts.",
        "One stance per (holder, target); its evidence is the minimal clause or quotation that shows it, quoted exactly, without "
        "the reporting verb or quote marks.",
    ],
}


def _labels_section(tasks: tuple[str, ...]) -> list[str]:
    inv = inventory()
    out = ["## Labels (from schema/labels.schema.json)"]

    def block(title: str, labels) -> None:
        out.append(f"\n### {title}\n")
        out.extend(f"- `{name}`: {definition(desc)}" for name, desc in labels.items())

    if "entities" in tasks:
        block("Entity types", inv.entity_types)
        block("Mention kinds", inv.mention_kinds)
    if "events" in tasks:
        out.append("\n### Event types, with their roles (role: admitted entity types)\n")
        for name, desc in inv.event_types.items():
            roles = "; ".join(f"{r}: {', '.join(ts)}" for r, ts in inv.roles[name].items())
            out.append(f"- `{name}`: {definition(desc)} Roles: {roles}.")
        block("Realis", inv.realis)
    if "stances" in tasks:
        block("Stance labels", inv.stance_labels)
        block("Topics (stance targets; `favour` answers the question yes)", inv.topics)
    return out


def example_answers(tasks: tuple[str, ...]) -> list[tuple[str, dict]]:
    """The worked examples for ``tasks``: (text, answer restricted to those tasks, with doc_id)."""
    out = []
    for i, ex in enumerate(EXAMPLES):
        answer = {"doc_id": f"example-{i + 1}"}
        for task in ("entities", "events", "stances"):
            if task in tasks:
                items = ex.answer[task]
                if task == "stances":
                    allowed = {"topic"} | ({"event"} if "events" in tasks else set()) | ({"entity"} if "entities" in tasks else set())
                    items = [s for s in items if s["target"]["kind"] in allowed]
                answer[task] = items
        out.append((ex.text, answer))
    return out


def build_prompt(text: str, doc_id: str, tasks=("entities", "events", "stances")) -> str:
    """The whole prompt for one document (module docstring)."""
    tasks = contract_tasks(tasks)
    names = {"entities": "entities (typed mentions, clustered by referent)", "events": "events (trigger, type, realis, arguments)",
             "stances": "stances (holder, target, label, evidence)"}
    parts = [
        "# Information extraction: instructions",
        "",
        f"Read the document at the end and extract its {', '.join(names[t] for t in tasks)}, following the labels and rules below. "
        "Answer with one JSON object that is valid against the output schema below, and nothing else.",
        "",
        *_labels_section(tasks),
        "",
        "## Rules",
    ]
    for section in ("quoting", *tasks):
        parts.append(f"\n### {section.capitalize()}\n")
        parts.extend(f"{k}. {rule}" for k, rule in enumerate(RULES[section], 1))
    parts += ["", "## Worked examples (invented texts, not from the documents to annotate)"]
    for k, (ex_text, answer) in enumerate(example_answers(tasks), 1):
        parts += [f"\n### Example {k}\n", "Text:", "", ex_text, "", "Answer:", "", json.dumps(answer, ensure_ascii=False, indent=1)]
    parts += ["", "## Output schema (JSON Schema)", "", json.dumps(structured_output_schema(tasks), ensure_ascii=False, indent=1),
              "", f"## Document `{doc_id}`", "", f"Use \"doc_id\": {json.dumps(doc_id)}. The text, between the lines:", "", "-----", text, "-----", ""]
    return "\n".join(parts)
