"""The data model: annotation documents, the label inventory and located issues (depends on nothing else)."""
