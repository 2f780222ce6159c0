"""Loading the gold set from either an annotations folder or a published dataset folder."""

from __future__ import annotations

from pathlib import Path

from toolkit.model.document import Document
from toolkit.checks.validate import load_corpus


def load_gold(path: Path | str = "annotations") -> dict[str, Document]:
    """Gold documents keyed by doc id.

    ``path`` is a folder of annotation files (validated; raises
    :class:`toolkit.checks.validate.InvalidData`) or a dataset folder written by ``toolkit publish``
    (read with ``datasets``), so a researcher needs only the published dataset.
    """
    from toolkit.dataset.publish import is_published

    if is_published(Path(path)):
        from toolkit.dataset.publish import load_published

        return load_published(Path(path))
    return load_corpus(path)


def split_drafts(docs) -> tuple:
    """The gold documents of ``docs`` and the ids of its drafts (``"status": "draft"``: added by
    ``toolkit new``, not yet annotated and adjudicated), which are not gold: nothing is scored or
    published against them."""
    from toolkit.model.corpus import Corpus

    if isinstance(docs, Corpus):
        drafts = docs.drafts()
        return docs.without(drafts), drafts
    gold = {doc_id: d for doc_id, d in docs.items() if not d.is_draft}
    return gold, sorted(doc_id for doc_id, d in docs.items() if d.is_draft)
