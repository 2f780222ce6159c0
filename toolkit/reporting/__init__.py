"""Rendering results for people and machines: tables in text, Markdown, CSV and JSON, and the document viewer."""
