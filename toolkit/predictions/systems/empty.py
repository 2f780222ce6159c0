"""The empty system: predicts nothing (a floor for comparisons)."""


def extract(text: str, doc_id: str = "") -> dict:
    return {"doc_id": doc_id, "entities": [], "events": [], "stances": []}
