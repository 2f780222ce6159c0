"""Commands for LLM pipelines: the output contract (schema) and the instructions (prompt)."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from toolkit.cli.common import (EXIT_INVALID, app, emit, err, force_option, gold_for_scoring, guard, list_option, usage_error,
                                writing)

PROMPT_TASKS = ("entities", "coreference", "events", "stances")


class SchemaName(str, Enum):
    annotation = "annotation"
    prediction = "prediction"
    labels = "labels"
    counts = "counts"


@app.command()
def schema(
    name: SchemaName = typer.Argument(..., help="Which schema: annotation, prediction, labels or counts."),
    structured_output: bool = typer.Option(False, "--structured-output", help="With prediction: the output contract for the strict structured-output modes of LLM APIs (every object closed, every property required, labels as enums)."),
    tasks: str = typer.Option("entities,events,stances", "--tasks", help="With --structured-output: the tasks the answer holds (entities, events, stances; coreference is part of entities)."),
) -> None:
    """Print one of the JSON Schemas of schema/, or (prediction --structured-output) the output contract an LLM can be held to.

    The contract keeps to the subset of JSON Schema that OpenAI's and Anthropic's strict
    structured outputs accept (docs: toolkit/predictions/contract.py and README), and every
    answer valid against it is a valid prediction for `toolkit eval`. Exit 0, or 2 on a usage
    error. Writes nothing.
    """
    from toolkit.model.labels import load_schema

    if structured_output:
        if name is not SchemaName.prediction:
            raise typer.BadParameter("--structured-output is the contract of a prediction: `toolkit schema prediction --structured-output`",
                                     param_hint="--structured-output")
        from toolkit.predictions.contract import structured_output_schema

        task_list = list_option(tasks, PROMPT_TASKS, "--tasks")
        typer.echo(json.dumps(structured_output_schema(task_list), indent=2, ensure_ascii=False))
        return
    typer.echo(json.dumps(load_schema(f"{name.value}.schema.json"), indent=2, ensure_ascii=False))


@app.command()
def prompt(
    tasks: str = typer.Option("entities,events,stances", "--tasks", help="Comma-separated tasks to ask for: entities, events, stances (coreference is part of entities)."),
    doc: Optional[str] = typer.Option(None, "--doc", help="The id of a gold document (its text is taken from --gold)."),
    gold: Path = typer.Option(Path("annotations"), "--gold", help="Gold annotations folder (with --doc), or a dataset folder written by `toolkit publish`."),
    text: Optional[Path] = typer.Option(None, "--text", help="Instead of --doc: any UTF-8 text file."),
    doc_id: Optional[str] = typer.Option(None, "--id", help="With --text: the doc_id the answer must carry (default: the file name without its suffix)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the prompt to this file instead of stdout (never in annotations/ or seeds/)."),
    force: bool = force_option(),
) -> None:
    """Print the instructions an LLM needs for one document: label definitions, the guidelines' rules in short, invented worked examples, the output schema and the text.

    The examples are invented sentences, never annotations of the gold documents (tested). Give
    the LLM this prompt alone, and score its answer with `toolkit eval --pred`. Exit 0; 1 when the
    text is not UTF-8; 2 on a usage error (an unknown document, a text file that does not exist, a
    refused --out or an existing one without --force). Writes no file but --out.
    """
    from toolkit.predictions.prompt import build_prompt

    task_list = list_option(tasks, PROMPT_TASKS, "--tasks")
    if (doc is None) == (text is None):
        raise typer.BadParameter("give exactly one of --doc DOC_ID or --text FILE", param_hint="--doc")
    if doc_id is not None and text is None:
        raise typer.BadParameter("--id names the document of --text; a gold document keeps its id", param_hint="--id")
    if out is not None:
        from toolkit.io.write import check_file

        with writing():
            check_file(out, force=force, guard=guard(gold, text), what=f"--out {out}")
    if doc is not None:
        import difflib

        docs, _ = gold_for_scoring(gold)
        if doc not in docs:
            close = difflib.get_close_matches(doc, list(docs), n=1, cutoff=0.5)
            raise usage_error(f"{gold}: no document {doc[:80]!r}", f"did you mean {close[0]!r}?" if close
                              else f"documents: {', '.join(sorted(docs)[:10])}")
        body, name = docs[doc].text, doc
    else:
        from toolkit.io.read import read_seed

        try:
            body = read_seed(text)
        except FileNotFoundError:
            raise usage_error(f"--text {text}: no such file", "check the path")
        except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
            err(f"{text}: error [invalid-encoding] cannot read the text as UTF-8 ({type(exc).__name__})")
            raise typer.Exit(EXIT_INVALID)
        name = doc_id or text.stem
    emit(build_prompt(body, name, task_list), out, force, (gold, text))
