"""Loading the gold set from either an annotations folder or a published dataset folder."""

from __future__ import annotations

from pathlib import Path

from toolkit.checks.validate import load_corpus
from toolkit.model.document import Document


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
