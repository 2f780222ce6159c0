"""Publishing the gold set as a Hugging Face dataset folder, and reading one back.

The only module that imports ``datasets`` and ``huggingface_hub``. A published folder holds:

- ``data/<config>-test-<fingerprint>.parquet`` (see :func:`fingerprint`) for the configs ``documents`` (default), ``mentions``,
  ``events``, ``stances`` and ``ner`` (the token-classification view: ``tokens`` and IOB2
  ``ner_tags`` of the outermost mentions, tokenised by :mod:`toolkit.formats.iob2`). Parquet for
  all: the file carries its types (older ``datasets`` releases turn date-like strings of JSON
  files into timestamps), and its content, unlike its bytes, does not depend on the pyarrow
  version that wrote it;
- ``README.md``, the dataset card, whose YAML header declares the configs, the split ``test`` and
  the features (nested lists as lists of structs; label columns as ``ClassLabel`` whose names
  come from ``labels.schema.json``);
- ``schema/`` (the three JSON Schemas) and ``GUIDELINES.md`` (a copy of CONTRIBUTING.md).

Publishing builds everything in a temporary folder next to the target and swaps it into place
only when complete (:func:`toolkit.io.write.replace_folder`), so a failure or a kill leaves the
previous output untouched; it replaces only an absent or empty folder or its own earlier output,
which it recognises by the marker file ``.toolkit-publish.json`` (not uploaded to the Hub).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.model.document import Argument, Document, Entity, Event, Mention, Source, Span, Stance, Target
from toolkit.model.labels import SCHEMA_FILES, inventory, schema_dir

CONFIGS = ("documents", "mentions", "events", "stances", "ner")
ROW_GROUP = 2000
"""Rows per Parquet row group, in every config: a reader that wants some documents (a partition of
``toolkit eval``, a dataset viewer, a streaming reader) reads only the groups that hold them. At
50,000 synthetic documents the ``documents`` file has 25 groups of about 1 MB (uncompressed)."""
SPLIT = "test"
TARGET_KINDS = ("topic", "event", "entity")


def ner_tag_names() -> list[str]:
    """The IOB2 tags of the ``ner`` config: ``O``, then ``B-`` and ``I-`` of each entity type (CoNLL-2003 order)."""
    return ["O"] + [f"{prefix}-{t}" for t in inventory().entity_types for prefix in ("B", "I")]


def features() -> dict:
    """The ``datasets.Features`` of every config, keyed by config name."""
    from datasets import ClassLabel, Features, List, Value

    inv = inventory()
    etype = ClassLabel(names=list(inv.entity_types))
    kind = ClassLabel(names=list(inv.mention_kinds))
    vtype = ClassLabel(names=list(inv.event_types))
    realis = ClassLabel(names=list(inv.realis))
    role = ClassLabel(names=list(inv.all_roles()))
    label = ClassLabel(names=list(inv.stance_labels))
    tkind = ClassLabel(names=list(TARGET_KINDS))
    s, i32 = Value("string"), Value("int32")
    span = {"start": i32, "end": i32, "text": s}
    documents = Features({
        "doc_id": s, "text": s, "seed_file": s, "sha256": s,
        "publisher": s, "date": s, "title": s, "url": s, "language": s, "notes": s,
        "entities": List({"id": s, "type": etype, "name": s,
                          "mentions": List({"id": s, **span, "kind": kind})}),
        "events": List({"id": s, "type": vtype, "realis": realis, "trigger": span,
                        "arguments": List({"role": role, "mention": s})}),
        "stances": List({"id": s, "holder": s, "target_kind": tkind, "target_id": s, "label": label,
                         "evidence": List(span)}),
    })
    mentions = Features({"doc_id": s, "mention_id": s, "entity_id": s, "entity_name": s, **span, "type": etype, "kind": kind})
    events = Features({
        "doc_id": s, "event_id": s, "type": vtype, "trigger_start": i32, "trigger_end": i32, "trigger_text": s,
        "realis": realis,
        "arguments": List({"role": role, "mention_id": s, "entity_id": s, "entity_type": etype, **span}),
    })
    stances = Features({
        "doc_id": s, "stance_id": s, "holder_entity_id": s, "holder_name": s, "target_kind": tkind, "target_id": s,
        "target_text": s, "label": label, "evidence": List(span),
    })
    ner = Features({"doc_id": s, "sentence": i32, "tokens": List(s), "token_starts": List(i32), "token_ends": List(i32),
                    "ner_tags": List(ClassLabel(names=ner_tag_names()))})
    return {"documents": documents, "mentions": mentions, "events": events, "stances": stances, "ner": ner}


def _span(x: Span) -> dict:
    return {"start": x.start, "end": x.end, "text": x.text}


def ner_sentences(doc: Document) -> list[dict]:
    """The ``ner`` rows of one document: one per sentence of :func:`toolkit.formats.iob2.tokenize`,
    tagged with the mentions IOB2 can hold (:func:`toolkit.formats.iob2.writable_spans`: the outermost,
    on token boundaries), exactly as ``toolkit convert --to iob2`` writes them."""
    from toolkit.formats.iob2 import mention_bounds, spans_to_tags, tokenize, writable_spans

    spans, _ = writable_spans(doc)
    out = []
    for k, sent in enumerate(tokenize(doc.text, mention_bounds(doc))):
        inside = [x for x in spans if x[0] >= sent[0].start and x[1] <= sent[-1].end]
        out.append({"doc_id": doc.doc_id, "sentence": k, "tokens": [t.text for t in sent],
                    "token_starts": [t.start for t in sent], "token_ends": [t.end for t in sent],
                    "ner_tags": spans_to_tags(sent, inside)})
    return out


def rows(docs: list[Document]) -> dict[str, list[dict]]:
    """The rows of every config (labels as strings; ``datasets`` encodes them to ClassLabel ids)."""
    inv = inventory()
    out: dict[str, list[dict]] = {c: [] for c in CONFIGS}
    for d in sorted(docs, key=lambda d: d.doc_id):
        out["documents"].append({
            "doc_id": d.doc_id, "text": d.text, "seed_file": d.seed_file, "sha256": d.sha256,
            "publisher": d.source.publisher, "date": d.source.date, "title": d.source.title,
            "url": d.source.url, "language": d.source.language, "notes": d.notes or None,
            "entities": [{"id": e.id, "type": e.type, "name": e.name,
                          "mentions": [{"id": m.id, **_span(m.span), "kind": m.kind} for m in e.mentions]}
                         for e in d.entities],
            "events": [{"id": v.id, "type": v.type, "realis": v.realis, "trigger": _span(v.trigger),
                        "arguments": [{"role": a.role, "mention": a.mention_id} for a in v.arguments]}
                       for v in d.events],
            "stances": [{"id": s.id, "holder": s.holder, "target_kind": s.target.kind, "target_id": s.target.id,
                         "label": s.label, "evidence": [_span(x) for x in s.evidence]} for s in d.stances],
        })
        mentions = d.mention_index()
        entities = d.entity_index()
        events = d.event_index()
        for e in d.entities:
            for m in e.mentions:
                out["mentions"].append({"doc_id": d.doc_id, "mention_id": m.id, "entity_id": e.id, "entity_name": e.name,
                                        **_span(m.span), "type": e.type, "kind": m.kind})
        for v in d.events:
            out["events"].append({
                "doc_id": d.doc_id, "event_id": v.id, "type": v.type, "trigger_start": v.trigger.start,
                "trigger_end": v.trigger.end, "trigger_text": v.trigger.text, "realis": v.realis,
                "arguments": [{"role": a.role, "mention_id": a.mention_id, "entity_id": mentions[a.mention_id].entity_id,
                               "entity_type": mentions[a.mention_id].entity_type, **_span(mentions[a.mention_id].span)}
                              for a in v.arguments],
            })
        for s in d.stances:
            t = s.target
            text = (inv.topics[t.id] if t.kind == "topic" else
                    events[t.id].trigger.text if t.kind == "event" else entities[t.id].name)
            out["stances"].append({
                "doc_id": d.doc_id, "stance_id": s.id, "holder_entity_id": s.holder,
                "holder_name": entities[s.holder].name, "target_kind": t.kind, "target_id": t.id,
                "target_text": text, "label": s.label, "evidence": [_span(x) for x in s.evidence],
            })
        out["ner"] += ner_sentences(d)
    return out


def fingerprint(config_rows: list[dict]) -> str:
    """12 hex digits of the SHA-256 of a config's rows (labels as names), which name its data file.

    ``datasets`` caches a local folder by its name, config and declared files, not by their
    content: a file rewritten under the same name (after ``git pull``) would load from the cache
    with its old rows. A content-addressed name changes whenever a row does."""
    canonical = json.dumps(config_rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def data_file(config: str, digest: str) -> str:
    """The data file of a config, relative to the dataset folder: ``data/<config>-test-<fingerprint>.parquet``."""
    return f"data/{config}-{SPLIT}-{digest}.parquet"


@dataclass
class PublishResult:
    out: Path
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def card_metadata(feats: dict, files: dict[str, str]):
    """The dataset card's YAML header (huggingface_hub ``DatasetCardData``): the configs with their data
    files (``files``: config -> path relative to the folder) and features.

    The split sizes are in the card's body, not in ``dataset_info.splits``: ``datasets`` ignores a
    split there without its Arrow size in bytes, which depends on the pyarrow version."""
    from datasets import DatasetInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    configs = list(files)
    data = DatasetCardData(
        pretty_name="Korea-US Tariff Talks IE (entities, coreference, events, stances)",
        language=["en"],
        license="other",
        license_name="annotations-cc-by-4.0-texts-publishers",
        license_link="LICENSE.md",
        annotations_creators=["other"],
        language_creators=["found"],
        multilinguality=["monolingual"],
        source_datasets=["original"],
        size_categories=["n<1K"],
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition", "coreference-resolution", "multi-class-classification"],
        tags=["event-extraction", "stance-detection", "information-extraction", "trade-policy", "news"],
        configs=[{"config_name": c, "data_files": [{"split": SPLIT, "path": files[c]}], **({"default": True} if c == "documents" else {})}
                 for c in configs],
    )
    DatasetInfosDict({c: DatasetInfo(features=feats[c], config_name=c) for c in configs}).to_dataset_card_data(data)
    return data


def build(docs: list[Document], folder: Path, card_body: str, guidelines: Path | None) -> PublishResult:
    """Write every file of the dataset into ``folder`` (which must exist and be empty)."""
    import datasets
    from datasets import Dataset
    from huggingface_hub import DatasetCard

    datasets.disable_progress_bars()
    feats = features()
    table = rows(docs)
    result = PublishResult(out=folder)
    (folder / "data").mkdir()
    # datasets cannot load a split with no rows ("corresponds to no data"), so a config without
    # rows is left out of the folder and reported in result.skipped.
    configs = [c for c in CONFIGS if table[c] or c == "documents"]
    result.skipped = [c for c in CONFIGS if c not in configs]
    files = {}
    for config in configs:
        columns = {name: [row[name] for row in table[config]] for name in feats[config]}  # also right when empty
        ds = Dataset.from_dict(columns, features=feats[config])
        files[config] = data_file(config, fingerprint(table[config]))
        path = folder / files[config]
        ds.to_parquet(str(path), batch_size=ROW_GROUP)  # one row group a batch
        result.files.append(path)
        result.counts[config] = len(ds)
    card = DatasetCard("---\n" + card_metadata(feats, files).to_yaml() + "\n---\n\n" + card_body)
    card.save(str(folder / "README.md"))
    result.files.append(folder / "README.md")
    (folder / "schema").mkdir()
    for name in SCHEMA_FILES:
        shutil.copyfile(schema_dir() / name, folder / "schema" / name)
        result.files.append(folder / "schema" / name)
    if guidelines is not None and guidelines.is_file():
        shutil.copyfile(guidelines, folder / "GUIDELINES.md")
        result.files.append(folder / "GUIDELINES.md")
    (folder / "LICENSE.md").write_text(LICENSE_TEXT, encoding="utf-8")
    result.files.append(folder / "LICENSE.md")
    return result


LICENSE_TEXT = """# Licence

- **Annotations** (entities, mentions, events, stances, and every file under data/ except the
  `text` column): Creative Commons Attribution 4.0 International (CC BY 4.0).
- **Texts** (the `text` column): excerpts of news articles (2025), included unchanged for
  research on information extraction. Their copyright stays with their publishers; they are not
  covered by the licence above.
"""


def publish(docs: list[Document], out: Path, card_body: str, guidelines: Path | None = None, *,
            guard=None, keep=()) -> PublishResult:
    """Build the dataset folder beside ``out``, then swap it into place atomically.

    ``out`` must be absent, an empty folder or an unchanged earlier output of publish (its marker
    file, :data:`toolkit.io.write.MARKER`, lists what it wrote); anything else raises
    :class:`toolkit.io.write.OutputRefused` before any work (``guard``: the protected folders;
    ``keep``: paths ``out`` must not hold, such as the gold). The old output is removed only after
    the new one is in place; on any failure ``out`` is left as it was
    (:func:`toolkit.io.write.replace_folder`).
    """
    from toolkit.io.write import replace_folder

    out = Path(out).absolute()
    result = replace_folder(out, lambda folder: build(docs, folder, card_body, guidelines), guard=guard, keep=keep)
    tmp = result.out
    result.out = out
    result.files = [out / f.relative_to(tmp) for f in result.files]
    return result


def is_published(folder: Path) -> bool:
    """True when ``folder`` looks like a dataset folder written by :func:`publish`."""
    return any((Path(folder) / "data").glob(f"documents-{SPLIT}-*.parquet"))


def load_published(folder: Path, select=None):
    """Read a published dataset folder back into the gold corpus (a :class:`toolkit.model.corpus.Corpus`).

    The ``documents`` Parquet file is read with pyarrow straight into the engine's item tables
    (:func:`toolkit.checks.columnar.part_of`): no Python object per item, and no ``datasets``
    import. Its label columns are ``ClassLabel`` ids, named by the features that ``datasets``
    stores in the file's schema metadata (``huggingface``). A folder this cannot read so (several
    ``documents`` files, a file without those features, as another writer may leave) is read with
    ``datasets.load_dataset``, offline, exactly as a dataset user reads it
    (:func:`load_with_datasets`); tests/test_publish.py checks that both give the same corpus.

    ``select``, as :func:`toolkit.checks.validate.load_corpus` takes it (a partition of ``toolkit
    eval --workers``): called with the file's path and a table of its ``doc_id`` and ``status``
    columns (the status null: nothing published is a draft), it gives the rows to keep. A folder
    that only ``datasets`` can read raises :class:`toolkit.io.arrow.NotColumnar` instead.
    """
    files = documents_files(folder)
    if len(files) == 1:
        corpus = _read_parquet(files[0], select)
        if corpus is not None:
            return corpus
    if select is not None:
        from toolkit.io.arrow import NotColumnar

        raise NotColumnar(f"{folder}: not one documents file with its features")
    return load_with_datasets(folder)


def documents_files(folder: Path) -> list[Path]:
    """The ``documents`` Parquet files of a published folder, sorted."""
    return sorted((Path(folder) / "data").glob(f"documents-{SPLIT}-*.parquet"))


def partitionable(folder: Path) -> bool:
    """Whether :func:`load_published` can read a partition of this published folder: one
    ``documents`` file (whose features are checked when it is read)."""
    return len(documents_files(folder)) == 1


def _inner(feature):
    """The item feature of a list feature (``List``, ``Sequence`` or a one-element list, as ``datasets`` writes them)."""
    if isinstance(feature, list):
        return feature[0]
    return feature["feature"] if isinstance(feature, dict) and "feature" in feature else feature


def _read_parquet(path: Path, select=None):
    """The corpus of one ``documents`` Parquet file (the rows ``select`` gives, as :func:`load_published`
    says), or None when its features are not in its metadata."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from toolkit.checks.columnar import part_of
    from toolkit.model.corpus import Corpus

    if select is None:
        table = pq.read_table(path)
    else:  # only the row groups that hold the selected rows, then those rows
        import numpy as np

        file = pq.ParquetFile(path)
        ids = file.read(columns=["doc_id"]).column("doc_id")
        rows = np.asarray(select(path, pa.table({"doc_id": ids, "status": pa.nulls(len(ids), pa.string())})), dtype=np.int64)
        starts = np.cumsum([0] + [file.metadata.row_group(g).num_rows for g in range(file.metadata.num_row_groups)])
        group_of = np.searchsorted(starts, rows, side="right") - 1
        groups = np.unique(group_of).tolist()
        table = file.read_row_groups(groups) if groups else file.schema_arrow.empty_table()
        within = np.cumsum([0] + [file.metadata.row_group(g).num_rows for g in groups])[:-1]  # where each group begins in `table`
        at = rows - starts[group_of] + within[np.searchsorted(groups, group_of)]
        if len(at) and at[-1] - at[0] + 1 == len(at) and bool((np.diff(at) == 1).all()):
            table = table.slice(int(at[0]), len(at))  # a run of rows (a partition's): no copy
        else:
            table = table.take(pa.array(at, pa.int64()))
    try:
        f = json.loads((table.schema.metadata or {})[b"huggingface"])["info"]["features"]
        ent, ev, st = _inner(f["entities"]), _inner(f["events"]), _inner(f["stances"])
        men, arg = _inner(ent["mentions"]), _inner(ev["arguments"])
        names = {"type": ent["type"]["names"], "kind": men["kind"]["names"], "vtype": ev["type"]["names"],
                 "realis": ev["realis"]["names"], "role": arg["role"]["names"], "tkind": st["target_kind"]["names"],
                 "label": st["label"]["names"]}
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    col = {name: table.column(name).combine_chunks() for name in table.column_names}

    def flat(lists):
        return pc.list_flatten(lists)

    def relist(lists, values):  # the same list lengths around new items
        offsets = lists.offsets
        return pa.ListArray.from_arrays(pc.subtract(offsets, offsets[0]), values)

    def named(ids, key):  # ClassLabel ids -> their names
        return pa.array(names[key], pa.string()).take(ids)

    def struct(**fields):
        return pa.StructArray.from_arrays(list(fields.values()), names=list(fields))

    field = pc.struct_field
    ents = flat(col["entities"])
    ments = flat(field(ents, "mentions"))
    mentions = relist(field(ents, "mentions"), struct(id=field(ments, "id"), start=field(ments, "start"), end=field(ments, "end"),
                                                      text=field(ments, "text"), kind=named(field(ments, "kind"), "kind")))
    entities = relist(col["entities"], struct(id=field(ents, "id"), type=named(field(ents, "type"), "type"), name=field(ents, "name"),
                                              mentions=mentions))
    evs = flat(col["events"])
    args = flat(field(evs, "arguments"))
    arguments = relist(field(evs, "arguments"), struct(role=named(field(args, "role"), "role"), mention=field(args, "mention")))
    events = relist(col["events"], struct(id=field(evs, "id"), type=named(field(evs, "type"), "vtype"),
                                          realis=named(field(evs, "realis"), "realis"), trigger=field(evs, "trigger"), arguments=arguments))
    sts = flat(col["stances"])
    target = struct(kind=named(field(sts, "target_kind"), "tkind"), id=field(sts, "target_id"))
    stances = relist(col["stances"], struct(id=field(sts, "id"), holder=field(sts, "holder"), target=target,
                                            label=named(field(sts, "label"), "label"), evidence=field(sts, "evidence")))
    source = struct(**{k: col[k] for k in ("publisher", "date", "title", "url", "language")})
    layout = pa.table({"doc_id": col["doc_id"], "seed_file": col["seed_file"], "sha256": col["sha256"],
                       "status": pa.nulls(table.num_rows, pa.string()), "source": source, "notes": col["notes"],
                       "entities": entities, "events": events, "stances": stances})
    part = part_of(layout, col["text"].to_pylist())
    return Corpus(None, part.tables, part.texts, part.meta)


def load_with_datasets(folder: Path) -> dict[str, Document]:
    """Read a published dataset folder with ``datasets.load_dataset`` (offline), as a dataset user does."""
    import datasets

    datasets.disable_progress_bars()  # a library call: results are returned, not drawn on stderr
    # A private, throw-away cache: datasets caches a local folder under its base name and config,
    # so a folder republished under the same name could otherwise be read back stale.
    with tempfile.TemporaryDirectory(prefix="toolkit-hf-cache-") as cache:
        ds = datasets.load_dataset(str(Path(folder).resolve()), "documents", split=SPLIT, cache_dir=cache)
        ds = ds.with_format(None)
        rows_ = [row for row in ds]
    return _documents_from_rows(ds.features, rows_)


def _documents_from_rows(f, rows_: list[dict]) -> dict[str, Document]:
    """Documents from rows of the ``documents`` config and its features (ClassLabel ids -> names)."""
    names = lambda feat: feat.names  # noqa: E731
    etype = names(f["entities"].feature["type"])
    kinds = names(f["entities"].feature["mentions"].feature["kind"])
    vtype = names(f["events"].feature["type"])
    realis = names(f["events"].feature["realis"])
    roles = names(f["events"].feature["arguments"].feature["role"])
    tkind = names(f["stances"].feature["target_kind"])
    labels = names(f["stances"].feature["label"])
    docs: dict[str, Document] = {}
    for row in rows_:
        entities = tuple(
            Entity(e["id"], etype[e["type"]], e["name"], tuple(
                Mention(m["id"], Span(m["start"], m["end"], m["text"]), kinds[m["kind"]], e["id"], etype[e["type"]])
                for m in e["mentions"]))
            for e in row["entities"]
        )
        events = tuple(
            Event(v["id"], vtype[v["type"]], realis[v["realis"]], Span(**v["trigger"]),
                  tuple(Argument(roles[a["role"]], a["mention"]) for a in v["arguments"]))
            for v in row["events"]
        )
        stances = tuple(
            Stance(s["id"], s["holder"], Target(tkind[s["target_kind"]], s["target_id"]), labels[s["label"]],
                   tuple(Span(**x) for x in s["evidence"]))
            for s in row["stances"]
        )
        source = Source(row["publisher"], row["date"], row["title"], row["url"], row["language"] or "en")
        docs[row["doc_id"]] = Document(row["doc_id"], row["text"], entities, events, stances, row["seed_file"],
                                       row["sha256"], source, row["notes"] or "")
    return docs


class HubUnavailable(Exception):
    """Pushing to the Hub is impossible here (no token, or no network); nothing was uploaded."""


def push_to_hub(folder: Path, repo_id: str, token: str | None = None) -> str:
    """Upload a published folder to the Hub as a dataset repository; returns the commit URL.

    The token comes from the argument or the environment (``HF_TOKEN``). Raises
    :class:`HubUnavailable` with a clear message when there is no token, the Hub is switched off
    (``HF_HUB_OFFLINE=1``) or cannot be reached; nothing is changed locally in any case.
    """
    token = token or os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise HubUnavailable("HF_HUB_OFFLINE is set: the Hugging Face Hub is switched off, nothing was uploaded")
    if not token:
        raise HubUnavailable("no Hugging Face token: set HF_TOKEN (a write token) to push; nothing was uploaded")
    from huggingface_hub import HfApi

    from toolkit.io.write import MARKER

    try:
        api = HfApi(token=token)
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
        info = api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="dataset",
                                 commit_message="Publish with toolkit publish", ignore_patterns=[MARKER])
    except Exception as exc:  # network errors come in many classes (requests, httpx, OSError)
        raise HubUnavailable(f"could not reach the Hugging Face Hub ({type(exc).__name__}: {exc}); nothing was uploaded") from exc
    return str(getattr(info, "commit_url", info))
