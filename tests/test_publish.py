"""Publishing: every config loads offline with its features and equals the annotations."""

import json
import shutil
from pathlib import Path

import datasets
import pytest
from typer.testing import CliRunner

from engine_helpers import assert_same_tables
from toolkit.dataset import publish as pub
from toolkit.cli import app
from toolkit.model.labels import inventory
from toolkit.checks.validate import load_corpus

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


@pytest.fixture
def project(tmp_path):
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    shutil.copy(FIXTURES / "valid" / "tiny.json", tmp_path / "annotations")
    return tmp_path


def run_publish(project, out):
    return runner.invoke(app, ["publish", "--gold", str(project / "annotations"), "--out", str(out)])


def test_publish_and_load_every_config(project):
    out = project / "dataset"
    result = run_publish(project, out)
    assert result.exit_code == 0, result.output
    gold = json.loads((project / "annotations" / "tiny.json").read_text())
    inv = inventory()

    docs = datasets.load_dataset(str(out), split="test", cache_dir=str(project / "cache"))  # default config: documents
    assert docs.features["entities"].feature["type"].names == list(inv.entity_types)
    row = docs[0]
    assert row["doc_id"] == "tiny" and row["publisher"] == "Test Press" and row["date"] == "2025-04-24"
    assert [e["name"] for e in row["entities"]] == [e["name"] for e in gold["entities"]]
    assert row["entities"][0]["mentions"][1] == {"id": "M2", "start": 59, "end": 61, "text": "He",
                                                 "kind": list(inv.mention_kinds).index("pronoun")}

    mentions = datasets.load_dataset(str(out), "mentions", split="test", cache_dir=str(project / "cache"))
    flat = [(e["id"], m["id"], m["start"], m["end"], m["text"], e["type"], m["kind"])
            for e in gold["entities"] for m in e["mentions"]]
    names = mentions.features["type"].names, mentions.features["kind"].names
    got = [(r["entity_id"], r["mention_id"], r["start"], r["end"], r["text"], names[0][r["type"]], names[1][r["kind"]])
           for r in mentions]
    assert got == flat

    events = datasets.load_dataset(str(out), "events", split="test", cache_dir=str(project / "cache"))
    (ev,) = events
    assert events.features["type"].names[ev["type"]] == "Trade.Negotiate"
    assert (ev["trigger_start"], ev["trigger_end"], ev["trigger_text"]) == (14, 17, "met")
    roles = events.features["arguments"].feature["role"].names
    assert [(roles[a["role"]], a["mention_id"], a["text"]) for a in ev["arguments"]] == [
        ("Participant", "M1", "Choi Sang-mok"), ("Participant", "M3", "Scott Bessent"), ("Place", "M4", "Washington"),
        ("Time", "M5", "Thursday")]

    stances = datasets.load_dataset(str(out), "stances", split="test", cache_dir=str(project / "cache"))
    (st,) = stances
    assert st["holder_name"] == "Choi Sang-mok" and st["target_id"] == "korea-tariff-relief"
    assert stances.features["label"].names[st["label"]] == "favour"
    assert st["evidence"] == [{"start": 67, "end": 92, "text": "Korea wants tariff relief"}]


def test_round_trip_is_lossless(project):
    out = project / "dataset"
    assert run_publish(project, out).exit_code == 0
    original = load_corpus(project / "annotations")
    back = pub.load_published(out)
    assert back == original
    assert back["tiny"].to_dict() == json.loads((project / "annotations" / "tiny.json").read_text())


def test_card_declares_configs_and_hub_metadata(project):
    out = project / "dataset"
    assert run_publish(project, out).exit_code == 0
    card = (out / "README.md").read_text()
    header = card.split("---")[1]
    for key in ("pretty_name:", "license:", "language:", "task_categories:", "task_ids:", "annotations_creators:",
                "source_datasets:", "size_categories:", "configs:", "dataset_info:", "class_label:"):
        assert key in header, key
    assert "Sequence" not in header
    for name in inventory().event_types:
        assert f"`{name}`" in card
    assert (out / "schema" / "labels.schema.json").is_file()
    assert (out / "LICENSE.md").is_file()


def test_failed_publish_leaves_previous_output_and_no_temp(project, monkeypatch):
    out = project / "dataset"
    assert run_publish(project, out).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pub, "card_metadata", boom)
    with pytest.raises(RuntimeError):
        pub.publish(list(load_corpus(project / "annotations").values()), out, "body")
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []


def test_invalid_gold_is_refused(project):
    shutil.copy(FIXTURES / "invalid" / "span-reversed.json", project / "annotations" / "bad.json")
    result = run_publish(project, project / "dataset")
    assert result.exit_code == 1
    assert "[span-reversed]" in result.stderr
    assert not (project / "dataset").exists()


def test_push_to_hub_fails_clearly_offline(project, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = project / "dataset"
    result = runner.invoke(app, ["publish", "--gold", str(project / "annotations"), "--out", str(out),
                                 "--push-to-hub", "someone/data"])
    assert result.exit_code == 2  # non-zero: nothing was uploaded (README: a push that cannot be made is exit 2)
    assert "nothing was uploaded" in result.stderr
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    with pytest.raises(pub.HubUnavailable, match="HF_TOKEN"):
        pub.push_to_hub(out, "someone/data")


def test_config_with_no_rows_is_left_out_and_the_rest_loads(project):
    data = json.loads((project / "annotations" / "tiny.json").read_text())
    data["stances"] = []
    (project / "annotations" / "tiny.json").write_text(json.dumps(data))
    out = project / "dataset"
    assert run_publish(project, out).exit_code == 0
    card = (out / "README.md").read_text().split("---")[1]
    assert "config_name: stances" not in card and not list((out / "data").glob("stances-*"))
    docs = datasets.load_dataset(str(out), split="test", cache_dir=str(project / "cache"))
    assert docs[0]["stances"] == []


def test_baseline_table_has_an_interval_around_the_strict_f1():
    """The baseline table of the README and the card (`toolkit eval --system baseline --bootstrap 1000`); that the
    README shows the current table is tests/test_dataset_folder.py's job."""
    from toolkit.checks.gold import split_drafts
    from toolkit.dataset.gold import load_gold
    from toolkit.dataset.card import baseline_table

    gold, _ = split_drafts(load_gold("annotations"))
    table = baseline_table(list(gold.values()))
    strict = table[table["metric"] == "mentions, strict (micro)"].iloc[0]
    assert strict["F1 low"] <= strict["F1"] <= strict["F1 high"]


# Reading a published folder straight into the engine's tables (toolkit.dataset.publish.load_published)
# against the general path, datasets.load_dataset (load_with_datasets), and against the annotations.

@pytest.fixture(scope="module")
def published_synthetic(tmp_path_factory):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.synth import write_dataset

    root = tmp_path_factory.mktemp("synth-published")
    write_dataset(root, 150, seed=5)
    gold = load_corpus(root / "annotations")
    pub.publish(list(gold.values()), root / "published", "card")
    return root, gold


def test_published_folder_read_into_tables_equals_datasets_and_annotations(published_synthetic):
    root, gold = published_synthetic
    direct = pub.load_published(root / "published")
    assert type(direct).__name__ == "Corpus" and direct._part is not None  # the columnar reader, not the fallback
    assert dict(direct.items()) == pub.load_with_datasets(root / "published") == dict(gold.items())
    assert_same_tables(direct.tables, gold.tables)


def test_the_real_gold_published_reads_back_through_both_readers(tmp_path):
    from toolkit.checks.gold import split_drafts

    gold, _ = split_drafts(load_corpus(Path(__file__).resolve().parent.parent / "annotations"))
    pub.publish(list(gold.values()), tmp_path / "dataset", "card")
    direct = pub.load_published(tmp_path / "dataset")
    assert direct._part is not None
    assert dict(direct.items()) == pub.load_with_datasets(tmp_path / "dataset") == dict(gold.items())
    assert_same_tables(direct.tables, gold.tables)


def test_parquet_without_its_features_is_read_with_datasets(published_synthetic, tmp_path):
    # another writer may drop the schema metadata that names the ClassLabel ids: the card still declares them
    import pyarrow.parquet as pq

    root, gold = published_synthetic
    copy = tmp_path / "published"
    shutil.copytree(root / "published", copy)
    (path,) = (copy / "data").glob("documents-test-*.parquet")
    pq.write_table(pq.read_table(path).replace_schema_metadata(None), path)
    assert pub._read_parquet(path) is None
    back = pub.load_published(copy)
    assert not hasattr(back, "_part") and back == dict(gold.items())


def test_eval_on_the_published_folder_reports_what_it_reports_on_the_annotations(published_synthetic):
    root, _ = published_synthetic
    outs = []
    for gold in ("annotations", "published"):
        result = runner.invoke(app, ["eval", "--gold", str(root / gold), "--pred", str(root / "pred.jsonl"),
                                     "--tasks", "entities,events,stances", "--format", "json", "--errors"])
        assert result.exit_code == 0, result.output
        outs.append(result.stdout)
    assert outs[0] == outs[1]


def test_reading_a_published_folder_imports_no_datasets(published_synthetic):
    import subprocess
    import sys

    root, _ = published_synthetic
    code = ("import sys; from toolkit.dataset.publish import load_published; "
            f"c = load_published({str(root / 'published')!r}); assert len(c) == 150; "
            "print(sorted(m for m in ('datasets', 'huggingface_hub') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
