"""The guidelines define every label of the inventory, and their table examples are quoted from the seeds."""

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
