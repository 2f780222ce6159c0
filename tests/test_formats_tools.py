"""Our files inside the real tools that install here: spaCy (DocBin and `spacy convert`), CoNLL files,
brat's configuration; and the README's numbers about IOB2."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.checks.validate import load_corpus, validate_paths
from toolkit.cli import app
from toolkit.formats.brat import annotation_conf, brat_type, export_brat
from toolkit.formats.iob2 import export_iob2, import_conll, tokenize, writable_spans
from toolkit.model.labels import inventory

spacy = pytest.importorskip("spacy", reason="spaCy is not installed (pip install -e '.[test]' installs it)")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GOLD = load_corpus(ROOT / "annotations")
TINY = validate_paths([FIXTURES / "valid"]).documents[0]
runner = CliRunner()


def test_tokeniser_splits_possessives_and_compounds_where_a_mention_needs_it():
    words = [t.text for s in tokenize("Korea’s plan and Korea's deal, Sang-mok's AFP-Yonhap don't") for t in s]
    assert words == ["Korea", "’s", "plan", "and", "Korea", "'s", "deal", ",", "Sang-mok", "'s", "AFP-Yonhap", "don't"]
    text = "AFP-Yonhap said"
    assert [t.text for s in tokenize(text, {0, 3}) for t in s] == ["AFP", "-", "Yonhap", "said"]
    assert [t.text for s in tokenize(text, {4, 10}) for t in s] == ["AFP", "-", "Yonhap", "said"]


def test_iob2_keeps_every_mention_but_the_nested_ones():
    """The README's figures are what the gold gives: IOB2 keeps every mention but the nested ones
    (tokenisation loses none since the tokeniser splits possessives and compounds at mention edges)."""
    total = sum(1 for d in GOLD.values() for _ in d.mentions())
    kept = sum(len(writable_spans(d)[0]) for d in GOLD.values())
    reasons = [n.message for d in GOLD.values() for n in writable_spans(d)[1]]
    assert kept + len(reasons) == total
    assert all("is nested in another mention" in r for r in reasons)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    claim = re.search(r"IOB2 keeps (\d+) of the (\d+) mentions; the other (\d+) are nested", " ".join(readme.split()))
    assert claim is not None and tuple(map(int, claim.groups())) == (kept, total, len(reasons))


def test_spacy_convert_reads_our_iob2_without_inventing_entities(tmp_path):
    docs = list(GOLD.values())
    content, _ = export_iob2(docs)
    src = tmp_path / "gold.iob"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    r = subprocess.run([sys.executable, "-m", "spacy", "convert", str(src), str(out), "--converter", "ner", "-n", "0"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    from spacy.tokens import DocBin

    read = list(DocBin().from_disk(out / "gold.spacy").get_docs(spacy.blank("en").vocab))
    assert len(read) == len(docs)  # one spaCy Doc per -DOCSTART-
    for ours, theirs in zip(docs, read):
        spans, _ = writable_spans(ours)
        # spaCy joins the tokens with spaces (CoNLL has no offsets): compare without whitespace
        assert [("".join(e.text.split()), e.label_) for e in theirs.ents] == [("".join(ours.text[s:e].split()), t) for s, e, t in spans]
        assert theirs[0].text == "#" and theirs[0].ent_iob_ == "O"  # the doc_id line: one token outside every entity


def test_spacy_docbin_holds_ents_nested_mentions_and_entity_ids(tmp_path):
    out = tmp_path / "spacy"
    r = runner.invoke(app, ["convert", str(ROOT / "annotations"), "--from", "json", "--to", "spacy", "--out", str(out)])
    assert r.exit_code == 0, r.output
    from spacy.tokens import DocBin

    read = {d.user_data["doc_id"]: d for d in DocBin().from_disk(out / "mentions.spacy").get_docs(spacy.blank("en").vocab)}
    assert set(read) == set(GOLD)
    for doc_id, ours in GOLD.items():
        theirs = read[doc_id]
        assert theirs.text == ours.text
        group = theirs.spans["mentions"]
        got = sorted((s.start_char, s.end_char, s.label_, s.id_, s.kb_id_) for s in group)
        assert got == sorted((m.span.start, m.span.end, m.entity_type, m.entity_id, m.id) for m in ours.mentions())
        kinds = dict(zip((s.kb_id_ for s in group), group.attrs["kinds"]))
        assert kinds == {m.id: m.kind for m in ours.mentions()}
        # doc.ents: the outermost mentions, no two overlapping, each one a mention
        ents = [(e.start_char, e.end_char, e.label_) for e in theirs.ents]
        assert ents == [(s, e, t) for s, e, t in writable_spans(ours)[0]]
        assert json.loads(theirs.user_data["events"]) == ours.to_dict()["events"]
        assert json.loads(theirs.user_data["stances"]) == ours.to_dict()["stances"]


CONLL_2003 = """-DOCSTART- -X- -X- O

Choi NNP B-NP B-PER
Sang-mok NNP I-NP I-PER
met VBD B-VP O
Scott NNP B-NP B-PER
Bessent NNP I-NP I-PER
in IN B-PP O
Washington NNP B-NP B-GPE
on IN B-PP O
Thursday NNP B-NP B-DATE
. . O O
"""


def test_conll_files_are_read_as_they_come(tmp_path):
    """CoNLL-2003's own shape (4 columns, -DOCSTART-) and plain 2-column lines, no offsets: placed on the text."""
    texts = {"tiny": TINY.text}
    rest = [f"{w} O" for w in ["He", "said", "Korea", "wants", "tariff", "relief", "."]]
    preds, issues = import_conll(CONLL_2003 + "\n".join(rest) + "\n", "x.conll", texts)
    assert issues == []
    assert [(m["start"], m["end"], e["type"]) for e in preds[0]["entities"] for m in e["mentions"]] == [
        (0, 13, "PER"), (18, 31, "PER"), (35, 45, "GPE"), (49, 57, "DATE")]
    two_col = "\n".join(f"{line.split()[0]} {line.split()[-1]}" for line in CONLL_2003.splitlines() if line.strip())
    assert import_conll(two_col + "\n" + "\n".join(rest) + "\n", "x.conll", texts) == (preds, [])
    _, issues = import_conll(two_col + "\n", "x.conll", texts)  # stops short of the text: spells no known document
    assert [i.code for i in issues] == ["unknown-document"]
    bad, issues = import_conll("Choi\nmet O\nSeoul B-XX?\n" * 30, "bad.conll", texts)
    assert bad == [] and len(issues) <= 22  # the first lines one by one, then a count, not one error per line
    assert issues[0].pointer == "/line/1" and "more bad line" in issues[-2].message + issues[-1].message


def test_scoring_a_token_file_scores_entities_only(tmp_path):
    content, _ = export_iob2([TINY])
    (tmp_path / "p.iob2").write_text(content)
    r = runner.invoke(app, ["eval", "--gold", str(FIXTURES / "valid"), "--pred", str(tmp_path / "p.iob2"), "--format", "json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["tasks"] == ["entities"]
    assert "coreference" not in report and "events" not in report and "stances" not in report
    (tmp_path / "empty.iob2").write_text("")
    r = runner.invoke(app, ["eval", "--gold", str(FIXTURES / "valid"), "--pred", str(tmp_path / "empty.iob2")])
    assert r.exit_code == 3 and "empty-file" in r.stderr  # never a silent exit 0: counted as predicting nothing, exit 3
    r = runner.invoke(app, ["eval", "--gold", str(FIXTURES / "valid"), "--pred", str(tmp_path / "empty.iob2"), "--strict"])
    assert r.exit_code == 1 and "empty" in r.stderr


def test_brat_configuration_declares_everything_the_export_uses():
    """brat's config grammar (https://brat.nlplab.org/configuration.html): the sections, every type and
    attribute the .ann files use, roles with their admitted entity types."""
    conf = annotation_conf()
    sections = dict(re.findall(r"\[(\w+)\]\n(.*?)(?=\n\[|\Z)", conf, re.S))
    assert set(sections) == {"entities", "relations", "events", "attributes"}
    declared = {line.split("\t")[0] for body in sections.values() for line in body.splitlines() if line and not line.startswith("#")}
    files = export_brat(list(GOLD.values()))
    used = set()
    for name, ann in files.items():
        if name.endswith(".ann"):
            for line in ann.splitlines():
                key, body = line.split("\t")[:2]
                if key[0] in "TE*":
                    used.add(body.split()[0].split(":")[0])
                elif key[0] == "A":
                    used.add(body.split()[0])
    assert used <= declared
    # brat keeps a type only in its storage form, [a-zA-Z0-9_-] (normalize_to_storage_form in brat's
    # server/src/projectconfig.py): a dotted name would not match its own configuration
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+|<OVERLAP>", t) for t in declared | used)
    for etype, roles in inventory().roles.items():
        line = next(x for x in sections["events"].splitlines() if x.split("\t")[0] == brat_type(etype))
        for role, types in roles.items():
            assert f"{role}*:{'|'.join(types)}" in line
    assert {"annotation.conf", "visual.conf", "tools.conf"} <= set(files)
