"""Publishing the gold set as a Hugging Face dataset, with its card (the only place that imports datasets)."""
