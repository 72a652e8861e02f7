"""`curate stats`: Llama 2's Table 6 for a data file or a built version, per source and in total."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from curate.cli.app import app
from curate.console import print_out
from curate.errors import InputError
from curate.stats import compute_stats, to_markdown, to_rich

TOKENIZER_HELP = ("A SentencePiece .model (Llama 2's tokenizer.model), a tokenizer.json, the "
                  "GPT-2 encoder.json + vocab.bpe (or their folder), or a Hub id when online. "
                  "Required: token counts are only comparable under one tokenizer.")


@app.command("stats")
def stats_command(
    path: Annotated[Path, typer.Argument(help="A data file, folder or glob, or a built version "
                                              "folder (one holding data/*.parquet).")],
    tokenizer: Annotated[Optional[str], typer.Option(
        envvar="CURATE_TOKENIZER", help=TOKENIZER_HELP)] = None,
    format: Annotated[Optional[str], typer.Option(
        help="Input format of raw files (e.g. hh-rlhf); detected when omitted.")] = None,
    by: Annotated[str, typer.Option(help="Column to break the table down by.")] = "source",
    json_file: Annotated[Optional[Path], typer.Option(
        "--json", help='Write {"total": {...}, "by_<by>": {...}} to this file.')] = None,
    markdown_file: Annotated[Optional[Path], typer.Option(
        "--markdown", help="Write the table as Markdown to this file.")] = None,
    progress: Annotated[Optional[bool], typer.Option(
        "--progress/--no-progress", help="Progress bar; default: on for long inputs.")] = None,
) -> None:
    """Table 6 statistics: comparisons, turns per dialogue, tokens per example, prompt, response."""
    if not tokenizer:
        raise InputError("no tokenizer given: token counts depend on it, so curate has no "
                         "default; pass --tokenizer (or set CURATE_TOKENIZER), e.g. "
                         "--tokenizer path/to/llama2/tokenizer.model for numbers comparable "
                         "with Llama 2's Table 6, or a tokenizer.json, GPT-2 files or a Hub id")
    table = compute_stats(path, tokenizer=tokenizer, format=format, by=by, progress=progress)
    if json_file:
        json_file.write_text(json.dumps(table.to_dict(), indent=2) + "\n")
    if markdown_file:
        markdown_file.write_text(to_markdown(table) + "\n")
    print_out(to_rich(table))
