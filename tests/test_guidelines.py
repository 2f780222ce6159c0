"""The guidelines define every label of the inventory, quote their examples from the seeds, mirror the schema's roles
and number their rules so that the adjudication records can cite them."""

import csv
import re
from pathlib import Path

from toolkit.model.labels import inventory
from toolkit.model.issues import CODES

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
SEEDS = re.sub(r"\s+", " ", " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt")))
EXAMPLE = re.compile(r'(?<![\w’])"([^"]+)"(?![\w’])|(?<![\w’])\'([^\']+)\'(?![\w’])')


def table_rows(section: str):
    body = GUIDE.split(f"## {section}")[1].split("\n## ")[0]
    return [line for line in body.splitlines() if line.startswith("| ") and not line.startswith("| ---")]


def test_every_label_has_a_table_row_with_examples():
    inv = inventory()
    rows = {}
    for section in ("2 Entities", "3 Mention kinds", "6 Events", "7 Stances"):
        for line in table_rows(section):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells
    labels = [*inv.entity_types, *inv.mention_kinds, *inv.event_types, *inv.realis, *inv.all_roles(),
              *inv.stance_labels, *inv.topics]
    for label in labels:
        assert label in rows, f"no guideline row for {label}"
        assert len(EXAMPLE.findall(" ".join(rows[label][2:]))) >= 2, f"{label}: needs a positive and a negative example"


def test_table_examples_occur_in_the_seeds():
    missing = []
    for section in ("2 Entities", "3 Mention kinds", "6 Events", "7 Stances"):
        for line in table_rows(section):
            cells = line.strip("|").split("|")
            for cell in cells[2:]:
                for a, b in EXAMPLE.findall(cell):
                    quote = (a or b).replace("**", "")
                    if len(quote) < 12 or "→" in quote:
                        continue  # a bare word or a span illustration, not a quotation
                    for part in (p.strip(" .") for p in quote.split("...")):
                        if part and re.sub(r"\s+", " ", part) not in SEEDS:
                            missing.append(part)
    assert missing == []


def test_every_issue_code_is_documented():
    for code in CODES:
        assert f"`{code}`" in GUIDE, code


def _quotes_missing_from_the_seeds(text: str) -> list[str]:
    missing = []
    for a, b in EXAMPLE.findall(re.sub(r"\s+", " ", text)):
        quote = (a or b).replace("**", "")
        if len(quote) < 12 or "→" in quote:
            continue
        for part in (p.strip(" .") for p in quote.split("...")):
            if part and part not in SEEDS:
                missing.append(part)
    return missing


def section(title: str) -> str:
    return GUIDE.split(f"## {title}")[1].split("\n## ")[0]


def test_coreference_and_adjudication_rules_quote_the_seeds_verbatim():
    assert _quotes_missing_from_the_seeds(section("5 Coreference")) == []
    assert _quotes_missing_from_the_seeds(section("9 Adjudication rules")) == []


def _used_by(cell: str) -> dict[str, set[str]]:
    """'Contact.Meet, Personnel.* (GPE, LOC); all (DATE)' -> {event type: admitted entity types}."""
    inv = inventory()
    out: dict[str, set[str]] = {}
    for group in cell.split("; "):
        match = re.fullmatch(r"(.+) \(([A-Z, ]+)\)", group.strip())
        assert match, f"'{group}': write event types, then the admitted entity types in parentheses"
        admitted = set(match[2].split(", "))
        for name in match[1].split(", "):
            if name == "all":
                types = list(inv.event_types)
            elif name.endswith(".*"):
                types = [t for t in inv.event_types if t.startswith(name[:-1])]
            else:
                types = [name]
            assert types and all(t in inv.event_types for t in types), name
            for t in types:
                assert t not in out, f"{t} listed twice"
                out[t] = admitted
    return out


def test_the_role_table_equals_the_schema_x_roles():
    # labels.schema.json is the one source of truth; the table in §6 mirrors it, cell for cell
    inv = inventory()
    table = {}
    for line in table_rows("6 Events"):
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] in inv.all_roles():
            table[cells[0]] = _used_by(cells[1])
    schema = {role: {t: set(roles[role]) for t, roles in inv.roles.items() if role in roles} for role in inv.all_roles()}
    assert table == schema


def _rule_numbers() -> list[str]:
    return re.findall(r"^- \*\*(9\.\d+)\b", section("9 Adjudication rules"), flags=re.M)


def test_adjudication_rules_are_numbered_once_and_in_order():
    numbers = [int(n.split(".")[1]) for n in _rule_numbers()]
    assert numbers == list(range(1, len(numbers) + 1))


def _cited_rule_exists(rule: str) -> bool:
    if re.fullmatch(r"§\d+", rule):
        return f"\n## {rule[1:]} " in GUIDE
    major, _, minor = rule.partition(".")
    if major == "9":
        return rule in _rule_numbers()
    body = section(f"{major} ")
    return re.search(rf"^{minor}\. ", body, flags=re.M) is not None


def test_every_rule_the_adjudication_records_cite_exists():
    adjudication = ROOT / "annotations" / "adjudication"
    with open(adjudication / "review.csv", encoding="utf-8", newline="") as handle:
        review = list(csv.DictReader(handle))
    assert review, "the review record is empty"
    cited = {row["rule"].strip() for row in review}
    assert all(row["reason"].strip() for row in review)
    with open(adjudication / "decisions.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            cited |= set(re.findall(r"\b(?:rule )?(\d\.\d+)\b", row.get("reason") or ""))
    missing = sorted(rule for rule in cited if not _cited_rule_exists(rule))
    assert missing == []
