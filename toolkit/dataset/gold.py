"""Loading the gold set from either an annotations folder or a published dataset folder."""

from __future__ import annotations

from pathlib import Path

from toolkit.checks.validate import load_corpus
from toolkit.model.document import Document


def load_gold(path: Path | str = "annotations", select=None) -> dict[str, Document]:
    """Gold documents keyed by doc id.

    ``path`` is a folder of annotation files (validated; raises
    :class:`toolkit.checks.validate.InvalidData`) or a dataset folder written by ``toolkit publish``
    (read with ``datasets``), so a researcher needs only the published dataset. ``select``: the
    rows of a partition (:func:`toolkit.checks.validate.load_corpus`); a gold that cannot be read
    in partitions then raises :class:`toolkit.io.arrow.NotColumnar`.
    """
    from toolkit.dataset.publish import is_published

    if is_published(Path(path)):
        from toolkit.dataset.publish import load_published

        return load_published(Path(path), select)
    return load_corpus(path, select=select)


def partition_files(path: Path | str) -> list[Path] | None:
    """The files a partitioned run (``toolkit eval --workers``) reads of this gold, or None when
    partitions cannot be cut from it: a published dataset folder's one ``documents`` file, or the
    one ``.jsonl`` file of a folder that holds no other annotation file."""
    from toolkit.dataset import publish
    from toolkit.evaluation.partitions import one_jsonl

    path = Path(path)
    if publish.is_published(path):
        return publish.documents_files(path) if publish.partitionable(path) else None
    return [p for p in path.iterdir() if p.suffix == ".jsonl"] if one_jsonl(path) else None
