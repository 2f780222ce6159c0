"""The gold documents of a corpus, without its drafts."""

from __future__ import annotations


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
