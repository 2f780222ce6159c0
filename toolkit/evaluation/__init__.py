"""Evaluating a corpus: per-document counts, shards and merging, resampling and significance, agreement of two passes."""
