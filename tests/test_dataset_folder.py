"""The committed dataset folder dataset/ and the generated README tables: loadable from a clone with no build
step and no network, current against annotations/, complete as a Hub card, and growing with the gold."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import yaml
from seqeval.metrics.sequence_labeling import get_entities
from typer.testing import CliRunner

from toolkit.annotation.authoring import new_document
from toolkit.checks.gold import split_drafts
from toolkit.checks.validate import load_corpus
from toolkit.cli import app
from toolkit.dataset.card import FIELDS, feature_paths
from toolkit.dataset.publish import CONFIGS, features, ner_sentences, ner_tag_names, rows
from toolkit.dataset.repository import COMMAND, regenerate, stale
from toolkit.formats.iob2 import Token, export_iob2, tags_to_spans, writable_spans
from toolkit.model.labels import inventory

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "dataset"
FIXTURES = ROOT / "tests" / "fixtures"
runner = CliRunner()


def gold():
    return split_drafts(load_corpus(ROOT / "annotations"))[0]


def test_every_config_loads_offline_from_the_committed_folder(tmp_path):
    """What a user of a fresh clone does: load_dataset on the folder, a new cache, no network (conftest)."""
    assert datasets.get_dataset_config_names(str(DATASET)) == list(CONFIGS)
    feats, table = features(), rows(list(gold().values()))
    for config in CONFIGS:
        ds = datasets.load_dataset(str(DATASET), config, split="test", cache_dir=str(tmp_path))
        assert ds.features == feats[config], config
        assert ds.to_list() == [feats[config].encode_example(r) for r in table[config]], (
            f"dataset/ {config} differs from annotations/: run `{COMMAND}`")
    default = datasets.load_dataset(str(DATASET), split="test", cache_dir=str(tmp_path))
    assert default.column_names == list(feats["documents"]) and sorted(default["doc_id"]) == sorted(gold())


def test_the_folder_loads_with_datasets_alone(tmp_path):
    """No toolkit on the path, the Hub switched off, an empty Hugging Face home: only `datasets` and the files."""
    shutil.copytree(DATASET, tmp_path / "copy")
    code = ("import datasets, json; datasets.disable_progress_bars(); print(json.dumps({c: datasets.load_dataset("
            "'copy', c, split='test').num_rows for c in datasets.get_dataset_config_names('copy')}))")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"))
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    table = rows(list(gold().values()))
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {c: len(table[c]) for c in CONFIGS}


def test_the_folder_is_committed_not_ignored():
    """A fresh clone has only what git tracks: no file of dataset/ may be ignored."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        import pytest

        pytest.skip("not a git checkout")
    files = [str(p.relative_to(ROOT)) for p in DATASET.rglob("*") if p.is_file()]
    ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", *files], capture_output=True, text=True)
    assert ignored.stdout == "", f"ignored by git, so missing from a clone: {ignored.stdout}"


def test_generated_files_are_current():
    """dataset/ and the marked README tables equal what annotations/ gives (the baseline and agreement included)."""
    problems = stale(ROOT)
    assert problems == [], "\n".join(problems) + f"\nrun `{COMMAND}`: it rewrites dataset/ and the README tables from annotations/"


def _repository_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in ("annotations", "seeds", "dataset"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("README.md", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, root / name)
    regenerate(root)  # current, whatever the checkout's state
    return root


def test_a_sixth_document_grows_the_tables_and_the_dataset(tmp_path):
    """Adding documents the way CONTRIBUTING.md §8 says: a draft changes nothing; an adjudicated sixth document
    makes README.md and dataset/ stale, and `toolkit regenerate` brings both up to date, naming the command."""
    root = _repository_copy(tmp_path)
    before = {p: p.read_bytes() for p in [root / "README.md", *(root / "dataset").rglob("*")] if p.is_file()}
    (tmp_path / "sixth.txt").write_text("Seoul and Washington resumed tariff talks on Monday.\n", encoding="utf-8")
    new_document(tmp_path / "sixth.txt", root, "005_draft")
    assert stale(root) == []  # a draft is not gold: nothing generated depends on it
    check = runner.invoke(app, ["regenerate", "--check", "--root", str(root)])
    assert check.exit_code == 0, check.output

    shutil.copy(FIXTURES / "seeds" / "tiny.txt", root / "seeds" / "tiny.txt")  # the hand-checked fixture, adjudicated
    shutil.copy(FIXTURES / "valid" / "tiny.json", root / "annotations" / "tiny.json")
    problems = stale(root)
    assert any("README.md" in p and "gold-statistics" in p and "baseline" in p for p in problems), problems
    assert any("documents-test" in p for p in problems) and any("dataset/README.md" in p for p in problems), problems
    check = runner.invoke(app, ["regenerate", "--check", "--root", str(root)])
    assert check.exit_code == 1 and f"run `toolkit regenerate --root {root}`" in check.stderr

    result = runner.invoke(app, ["regenerate", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "005_draft is a draft" in result.stderr
    assert stale(root) == []
    readme = (root / "README.md").read_text(encoding="utf-8")
    n = len(gold())
    assert f"{n + 1} articles:" in readme
    assert "| tiny | 94 | 5 | 6 | 5 | 0 | 1 | 1 | 4 | 1 |" in readme  # tests/test_stats.py counts tiny by hand
    assert readme != before[root / "README.md"].decode("utf-8")
    docs = datasets.load_dataset(str(root / "dataset"), split="test", cache_dir=str(tmp_path / "cache"))
    assert sorted(docs["doc_id"]) == sorted([*gold(), "tiny"])
    mentions = datasets.load_dataset(str(root / "dataset"), "mentions", split="test", cache_dir=str(tmp_path / "cache"))
    assert sum(r == "tiny" for r in mentions["doc_id"]) == 6


def test_a_changed_file_is_never_served_from_the_datasets_cache(tmp_path):
    """datasets caches a local folder by name, config and file names, not content: after a change (a git pull)
    the same cache must give the new rows, so each data file is named by its content."""
    root = _repository_copy(tmp_path)
    cache = str(tmp_path / "cache")
    first = datasets.load_dataset(str(root / "dataset"), "mentions", split="test", cache_dir=cache)
    path = next((root / "annotations").glob("000_*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    entity = data["entities"][0]
    entity["name"] = entity["name"] + " (renamed)"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    regenerate(root)
    second = datasets.load_dataset(str(root / "dataset"), "mentions", split="test", cache_dir=cache)
    assert first[0]["entity_name"] + " (renamed)" == second[0]["entity_name"]
    assert len(list((root / "dataset" / "data").glob("mentions-*"))) == 1  # the old file is gone


def test_ner_rows_are_the_iob2_export_of_the_outermost_mentions():
    """The ner config holds exactly what `toolkit convert --to iob2` writes, and seqeval reads the same chunks."""
    names = ner_tag_names()
    assert names[0] == "O" and len(names) == 1 + 2 * len(inventory().entity_types)
    for doc in gold().values():
        spans, _ = writable_spans(doc)
        sentences = ner_sentences(doc)
        exported, _ = export_iob2([doc])
        blocks = [b for b in exported.split("\n\n") if b.strip()]
        # the export opens each document with -DOCSTART- and a "# doc_id" line: not sentences
        lines = [[line.split("\t") for line in b.splitlines() if not line.startswith(("#", "-DOCSTART-"))] for b in blocks]
        lines = [b for b in lines if b]
        assert [[(r["tokens"][i], str(r["token_starts"][i]), str(r["token_ends"][i]), r["ner_tags"][i])
                 for i in range(len(r["tokens"]))] for r in sentences] == [[tuple(x) for x in b] for b in lines]
        back = []
        for row in sentences:
            assert set(row["ner_tags"]) <= set(names)
            assert all(doc.text[s:e] == t for t, s, e in zip(row["tokens"], row["token_starts"], row["token_ends"]))
            tokens = [Token(t, s, e) for t, s, e in zip(row["tokens"], row["token_starts"], row["token_ends"])]
            chunks = tags_to_spans(tokens, row["ner_tags"])
            assert chunks == [(tokens[i].start, tokens[j].end, label) for label, i, j in get_entities(row["ner_tags"])]
            back += chunks
        assert back == spans, doc.doc_id


def test_card_has_what_well_kept_hub_cards_have():
    card = (DATASET / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---\n")[1])
    assert [c["config_name"] for c in header["configs"]] == list(CONFIGS)
    for config in header["configs"]:
        (data_file,) = config["data_files"]
        assert data_file["split"] == "test" and (DATASET / data_file["path"]).is_file()
    feats, table = features(), rows(list(gold().values()))
    sizes = card.split("## Configurations and split sizes")[1].split("\n## ")[0]
    for config in CONFIGS:
        assert f"| `{config}`" in sizes and f" | {len(table[config])} |" in sizes, config
        section = card.split(f"\n### `{config}`\n")[1].split("\n### ")[0]
        paths = [p for p, _ in feature_paths(feats[config])]
        assert sorted(FIELDS[config]) == sorted(paths), f"{config}: describe exactly the fields it has"
        for path in paths:
            assert f"| `{path}` |" in section, (config, path)
        assert "Example (the first row):" in section and "```json" in section
    assert "pip install -e ." in card and "git clone" in card
    citation = card.split("## Citation")[1]
    assert "@misc{" in citation and "url          = {https://" in citation


def test_readme_regions_are_replaced_and_bad_markers_reported(tmp_path):
    from toolkit.dataset.repository import GeneratedError, fill_regions

    text = "intro\n<!-- generated:a -->\nold\n<!-- /generated:a -->\nmiddle\n<!-- generated:b -->\n<!-- /generated:b -->\nend\n"
    assert fill_regions(text, {"a": "new\n", "b": "| x |"}) == (
        "intro\n<!-- generated:a -->\nnew\n<!-- /generated:a -->\nmiddle\n<!-- generated:b -->\n| x |\n<!-- /generated:b -->\nend\n")
    for bad, needle in ((text.replace("<!-- /generated:a -->", ""), "region 'a' is marked 0 times"),
                        (text + text, "region 'a' is marked 2 times"),
                        (text + "<!-- generated:c -->\n<!-- /generated:c -->", "unknown generated region(s) c")):
        try:
            fill_regions(bad, {"a": "", "b": ""})
        except GeneratedError as exc:
            assert needle in str(exc)
        else:
            raise AssertionError(f"no error for {needle}")
    root = _repository_copy(tmp_path)
    readme = root / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("<!-- /generated:baseline -->", ""), encoding="utf-8")
    result = runner.invoke(app, ["regenerate", "--root", str(root)])
    assert result.exit_code == 1 and "region 'baseline' is marked 0 times" in result.stderr and "Traceback" not in result.output


def test_a_recorded_runs_score_tables_follow_the_gold(tmp_path):
    """runs/llm/<run>/README.md's eval and compare tables are generated regions: a hand edit is stale, and
    `toolkit regenerate` writes back exactly what `toolkit eval` and `toolkit compare` print (the committed bytes)."""
    root = _repository_copy(tmp_path)
    shutil.copytree(ROOT / "runs", root / "runs")
    regenerate(root)  # README.md's llm-runs table now has the run
    (readme,) = (root / "runs" / "llm").glob("*/README.md")
    committed = readme.read_bytes()
    run = readme.parent.relative_to(root).as_posix()
    text = committed.decode("utf-8")
    assert "<!-- generated:run-eval -->" in text and "<!-- generated:run-compare -->" in text
    eval_md = runner.invoke(app, ["eval", "--gold", str(root / "annotations"), "--pred", str(root / run / "responses"),
                                  "--format", "markdown", "--quiet"])
    assert eval_md.exit_code == 0, eval_md.output
    assert "<!-- generated:run-eval -->\n" + eval_md.stdout.rstrip("\n") + "\n<!-- /generated:run-eval -->" in text
    edited = text.replace("| strict | ", "| strict | 9", 1)
    assert edited != text
    readme.write_text(edited, encoding="utf-8")
    assert any(str(readme) in p and "run-eval" in p for p in stale(root))
    assert regenerate(root)[0] == [readme]
    assert readme.read_bytes() == committed
