"""The annotator workflow: adding documents, anchoring drafts and adjudicating two passes into the gold."""
