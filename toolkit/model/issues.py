"""Located problems: every check yields :class:`Issue` objects; callers collect them all, then report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem in one file.

    ``code`` is a stable kebab-case identifier (documented in CONTRIBUTING.md and tested by
    ``tests/fixtures/invalid/<code>.json``); ``pointer`` is a JSON pointer (RFC 6901) into the
    file, ``""`` for the whole file; ``hint`` says how to fix it, where that is known.
    """

    code: str
    file: str
    pointer: str
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def as_dict(self) -> dict:
        return asdict(self)


def pointer(*parts: object) -> str:
    """Build a JSON pointer from path parts, escaping ``~`` and ``/``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)


# Every issue code the toolkit can emit, with a one-line meaning (kept in one place so the
# docs test can check that CONTRIBUTING.md documents each one).
CODES: dict[str, str] = {
    "file-not-found": "A path given on the command line does not exist.",
    "empty-file": "The file is empty.",
    "invalid-encoding": "The file is not valid UTF-8, or a JSON string holds a lone surrogate (a \\ud800-\\udfff escape without its pair).",
    "invalid-json": "The file is not well-formed JSON (or a JSONL line is not), nests more than 100 levels deep, or holds a number of more than 4300 digits.",
    "not-an-object": "The JSON document is not an object.",
    "missing-field": "A required field is missing.",
    "unknown-field": "A field the schema does not define.",
    "wrong-type": "A value has the wrong JSON type.",
    "unknown-label": "A label (type, kind, realis, stance label, topic) not in the inventory.",
    "invalid-value": "A value breaks another schema rule (pattern, minimum, const, size).",
    "missing-seed": "The seed text named by seed_file (or by the doc id) cannot be found.",
    "outside-corpus": "A file reached through a symbolic link that leads out of the corpus (a gold file) or out of seeds/ (a seed text); it is not read.",
    "doc-id-mismatch": "doc_id disagrees with seed_file (seeds/<doc_id>.txt).",
    "sha256-mismatch": "sha256 is not the checksum of the seed file.",
    "duplicate-id": "An id is used twice in one document.",
    "span-reversed": "A span whose end is not after its start.",
    "span-out-of-bounds": "A span that ends beyond the seed text.",
    "span-text-mismatch": "A span's text differs from the seed text at its offsets.",
    "span-whitespace": "A span that starts or ends with whitespace.",
    "duplicate-mention": "Two mentions with the same offsets (in predictions a warning: coreference keeps the first).",
    "crossing-mentions": "Two mentions that overlap without one containing the other.",
    "dangling-reference": "A reference (argument mention, stance holder or target) to an id that does not exist.",
    "role-not-allowed": "An argument role the event type does not declare.",
    "role-type-mismatch": "An argument whose entity type the role does not admit.",
    "duplicate-argument": "The same role and mention twice in one event.",
    "unanchored-quote": "A quoted span that does not occur in the document text.",
    "ambiguous-quote": "A quoted span that occurs more than once and gives no occurrence or context.",
    "normalized-quote": "A predicted quote found only once quotes, dashes, whitespace and case are normalised (scored at the original offsets).",
    "fuzzy-quote": "A predicted quote found only by similarity (toolkit eval --fuzzy), at the most similar stretch of the text.",
    "fenced-json": "A prediction file whose JSON is wrapped in a Markdown code fence (stripped).",
    "unknown-document": "A predicted document that the gold set does not have.",
    "missing-prediction": "A gold document with no prediction (scored as predicting nothing).",
    "duplicate-document": "Two files or lines give the same doc_id.",
    "incompatible-counts": "Counts files made with different tasks or options, which cannot be merged.",
}
