"""Checking annotation and prediction data: JSON Schema issues and semantic issues, located by file and JSON pointer."""
