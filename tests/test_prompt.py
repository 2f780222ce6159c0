"""`toolkit prompt`: the instructions for an LLM, with no test data in them but the document itself."""

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from toolkit.dataset.gold import load_gold
from toolkit.cli import app
from toolkit.model.labels import inventory
from toolkit.predictions.contract import structured_output_schema
from toolkit.predictions.grounding import normalize
from toolkit.predictions.prompt import EXAMPLES, build_prompt, definition, example_answers

runner = CliRunner()
GOLD = load_gold("annotations")


def gold_pairs():
    """Every (normalised text, label) pair of the seed documents' gold: mentions with their entity
    type, triggers with their event type, argument fillers with their role, stance evidence with its label."""
    pairs = set()
    for doc in GOLD.values():
        mentions = doc.mention_index()
        for m in doc.mentions():
            pairs.add((normalize(m.span.text), m.entity_type))
        for ev in doc.events:
            pairs.add((normalize(ev.trigger.text), ev.type))
            for arg in ev.arguments:
                pairs.add((normalize(mentions[arg.mention_id].span.text), arg.role))
        for st in doc.stances:
            for span in st.evidence:
                pairs.add((normalize(span.text), st.label))
    return pairs


def example_pairs(answer):
    types = {e["id"]: e["type"] for e in answer.get("entities", [])}
    for ent in answer.get("entities", []):
        for m in ent["mentions"]:
            yield normalize(m["text"]), ent["type"]
    for ev in answer.get("events", []):
        yield normalize(ev["trigger"]["text"]), ev["type"]
        for arg in ev["arguments"]:
            yield normalize(arg["text"]), arg["role"]
    for st in answer.get("stances", []):
        for span in st["evidence"]:
            yield normalize(span["text"]), st["label"]
    assert types or "entities" not in answer or not answer["entities"]


def test_no_gold_pair_of_the_seeds_is_in_the_examples():
    gold = gold_pairs()
    assert len(gold) > 400  # the check has something to check against
    found = {pair for _, answer in example_answers(("entities", "events", "stances")) for pair in example_pairs(answer)}
    assert len(found) > 20
    assert found & gold == set()


def test_no_example_text_comes_from_a_seed():
    """No stretch of five words of an example occurs in a seed text."""
    seeds = " ".join(normalize(d.text) for d in GOLD.values())
    for ex in EXAMPLES:
        words = normalize(ex.text).split()
        for i in range(len(words) - 4):
            assert " ".join(words[i:i + 5]) not in seeds, words[i:i + 5]


def test_every_example_quote_occurs_in_its_text():
    for ex in EXAMPLES:
        for task in ("entities", "events", "stances"):
            for item in ex.answer[task]:
                quotes = ([m["text"] for m in item["mentions"]] if task == "entities" else
                          [item["trigger"]["text"], *(a["text"] for a in item["arguments"])] if task == "events" else
                          [item["holder"]["text"], *(e["text"] for e in item["evidence"])])
                for q in quotes:
                    assert re.search(rf"(?<!\w){re.escape(q)}(?!\w)", ex.text), q


def test_definitions_lose_their_seed_quotes():
    inv = inventory()
    for group in (inv.entity_types, inv.mention_kinds, inv.realis, inv.stance_labels, inv.event_types, inv.topics):
        for label, desc in group.items():
            text = definition(desc)
            assert "'" not in text and text.endswith((".", "?")), (label, text)
    assert definition(inv.entity_types["PER"]) == "A person or a group of people, named or not."
    assert definition(inv.entity_types["GPE"]) == ("A geo-political entity: a country, state or city as a place, its people or its "
                                                   "government acting as a whole.")


def instructions(prompt: str) -> str:
    """The prompt without the document (everything before its heading)."""
    return prompt[:prompt.index("## Document `")]


def test_the_prompt_holds_definitions_rules_examples_schema_and_text():
    doc = GOLD["000_f9a79c641ca46a11"]
    prompt = build_prompt(doc.text, doc.doc_id)
    for label, desc in inventory().event_types.items():
        assert f"`{label}`: {definition(desc)}" in prompt
    assert "### Quoting" in prompt and "### Entities" in prompt and "### Stances" in prompt
    schema_text = prompt[prompt.index("## Output schema"):prompt.index("## Document")]
    assert json.loads(schema_text[schema_text.index("{"):]) == structured_output_schema()
    assert prompt.rstrip().endswith(doc.text.rstrip() + "\n-----") and f'"doc_id": "{doc.doc_id}"' in prompt
    # nothing of the gold in the instructions: no multi-word gold name occurs outside the document text
    names = {m.span.text for d in GOLD.values() for m in d.mentions() if m.kind == "name" and " " in m.span.text}
    head = instructions(prompt)
    assert [n for n in names if n in head and n not in ("South Korea",)] == []  # "South Korea" only in the topic questions
    assert "South Korea" not in head.replace(inventory().topics["korea-tariff-relief"], "").replace(
        inventory().topics["alaska-lng-investment"], "").replace(inventory().topics["shipbuilding-cooperation"], "").replace(
        inventory().topics["supplementary-budget"], "")


def test_tasks_select_the_sections():
    prompt = build_prompt("Some text.", "x", ("entities",))
    assert "### Entity types" in prompt and "### Event types" not in prompt and "### Stances" not in prompt
    answers = [a for _, a in example_answers(("entities",))]
    assert all(set(a) == {"doc_id", "entities"} for a in answers)
    stances_only = [a for _, a in example_answers(("stances",))]
    assert all(s["target"]["kind"] == "topic" for a in stances_only for s in a["stances"])


def test_prompt_command_for_a_gold_document_and_for_any_text_file(tmp_path):
    result = runner.invoke(app, ["prompt", "--doc", "001_159ea22dcbf8448e", "--tasks", "entities,events,stances"])
    assert result.exit_code == 0, result.output
    assert result.stdout == build_prompt(GOLD["001_159ea22dcbf8448e"].text, "001_159ea22dcbf8448e") + "\n"
    text = tmp_path / "note.txt"
    text.write_text("Ilse met the Korvik council on Friday.\n", encoding="utf-8")
    result = runner.invoke(app, ["prompt", "--text", str(text), "--tasks", "entities"])
    assert result.exit_code == 0 and '"doc_id": "note"' in result.stdout and "Ilse met the Korvik council on Friday." in result.stdout
    named = runner.invoke(app, ["prompt", "--text", str(text), "--id", "memo-7", "--out", str(tmp_path / "p.md")])
    assert named.exit_code == 0 and '"doc_id": "memo-7"' in (tmp_path / "p.md").read_text()


def test_prompt_command_errors(tmp_path):
    assert runner.invoke(app, ["prompt"]).exit_code == 2
    assert runner.invoke(app, ["prompt", "--doc", "x", "--text", "y"]).exit_code == 2
    assert runner.invoke(app, ["prompt", "--doc", "000_f9a79c641ca46a11", "--id", "y"]).exit_code == 2
    assert runner.invoke(app, ["prompt", "--doc", "000", "--tasks", "parsing"]).exit_code == 2
    missing = runner.invoke(app, ["prompt", "--doc", "000_f9a79c641ca46a1"])
    assert missing.exit_code == 2 and "did you mean '000_f9a79c641ca46a11'" in missing.stderr  # an unknown document: usage
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe")
    assert runner.invoke(app, ["prompt", "--text", str(tmp_path / "bad.txt")]).exit_code == 1
    assert runner.invoke(app, ["prompt", "--text", str(tmp_path / "none.txt")]).exit_code == 2  # a path that does not exist
    assert runner.invoke(app, ["prompt", "--doc", "000_f9a79c641ca46a11", "--out", "annotations/p.md"]).exit_code == 2


def test_the_rules_quote_no_phrase_of_the_gold():
    """The rules are restated without the guidelines' seed quotes: no quoted phrase of two or more words is a gold span."""
    from toolkit.predictions.prompt import RULES

    spans = {normalize(m.span.text) for d in GOLD.values() for m in d.mentions()}
    spans |= {normalize(e.trigger.text) for d in GOLD.values() for e in d.events}
    quoted = {normalize(q) for rules in RULES.values() for rule in rules for q in re.findall(r'"([^"]+)"', rule)}
    assert {q for q in quoted if " " in q} & spans == set()
