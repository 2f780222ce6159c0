"""Getting one document's prediction for ``toolkit show``: from a file or folder, or by running a system."""

from __future__ import annotations

from pathlib import Path

from toolkit.predictions.anchor import anchor_document
from toolkit.io.read import read_documents
from toolkit.model.document import Document
from toolkit.model.issues import Issue
from toolkit.predictions.systems import SystemFailure, load_system, run_system
from toolkit.checks.validate import schema_issues


def prediction_for(doc: Document, pred: Path | None, system: str | None) -> tuple[dict | None, list[Issue]]:
    """The anchored prediction dict for ``doc`` and the issues met; None when there is none usable."""
    if system is not None:
        try:
            data = run_system(load_system(system), doc.doc_id, doc.text)
        except SystemFailure as exc:
            return None, [Issue("invalid-value", system, "", str(exc))]
        file, prefix = f"<system {system}>", ""
    else:
        path = pred / f"{doc.doc_id}.json" if pred.is_dir() else pred
        raws, issues = read_documents(path)
        if issues and not raws:
            return None, issues
        match = [r for r in raws if isinstance(r.data, dict) and r.data.get("doc_id") == doc.doc_id]
        if not match:
            return None, issues + [Issue("missing-prediction", str(path), "", f"no prediction for '{doc.doc_id}' in {path}")]
        data, file, prefix = match[0].data, match[0].file, match[0].prefix
    found = list(schema_issues(data, file, "prediction", prefix))
    if any(i.severity == "error" for i in found):
        return None, found
    anchored, anchor_issues = anchor_document(data, doc.text, file, prefix=prefix)
    return anchored, found + anchor_issues
