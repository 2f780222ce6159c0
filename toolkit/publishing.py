"""What goes on the dataset card besides the data: agreement and baseline figures, when available."""

from __future__ import annotations

from pathlib import Path

from .card import card_body
from .document import Document


def card_for(docs: list[Document], gold: Path, repo_id: str | None = None) -> str:
    """The card body for ``docs``, with the agreement of the two passes under ``gold/passes`` when both exist."""
    agreement_md = None
    passes = Path(gold) / "passes"
    if (passes / "a").is_dir() and (passes / "b").is_dir():
        try:
            from .agree import agreement
            from .report import agreement_markdown

            agreement_md = agreement_markdown(agreement(passes / "a", passes / "b"))
        except ImportError:  # agreement module not available in this build
            agreement_md = None
    return card_body(docs, agreement_md=agreement_md, repo_id=repo_id or "ORG/korea-us-tariff-ie")
