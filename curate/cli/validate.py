"""`curate validate`: the CI entry point of data repositories. Exit 0 valid, 1 invalid, 2 unusable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from curate.adapters import get_adapter
from curate.checks import CheckConfig
from curate.cli.app import app
from curate.errors import InputError
from curate.cli.options import parse_format_options, parse_set, writing
from curate.console import fold
from curate.junit import write_junit
from curate.validate import ValidationReport, validate


@app.command("validate")
def validate_command(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs to validate.")],
    format: Annotated[Optional[str], typer.Option(help="Input format; detected when omitted.")] = None,
    schema: Annotated[Optional[str], typer.Option(help="Expected record kind: sft or preference.")] = None,
    report: Annotated[Optional[Path], typer.Option(help="Write the JSON report to this file.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Fill a field: --set criterion=safety.")] = None,
    format_option: Annotated[Optional[list[str]], typer.Option(help="A setting of the --format: --format-option lang=en (twice: a list).")] = None,
    max_chars: Annotated[int, typer.Option(help="too_long limit, characters per dialogue.")] = CheckConfig.max_chars,
    engine: Annotated[str, typer.Option(help="native, or gx: the same checks as a Great "
                                              "Expectations suite (pip install 'curate[gx]').")] = "native",
    data_docs: Annotated[Optional[Path], typer.Option(help="With --engine gx: write GX Data Docs here.")] = None,
    junit: Annotated[Optional[Path], typer.Option(help="Write JUnit XML: a test case per check and file.")] = None,
    allow_empty: Annotated[bool, typer.Option(help="Accept files with no record (else exit 2).")] = False,
) -> None:
    """Check records against the schema and the quality checks; exit 1 if any is invalid."""
    if data_docs is not None and engine != "gx":
        raise InputError("--data-docs needs --engine gx (Data Docs are a Great Expectations "
                         "report)")
    options = parse_format_options(format_option)
    if options:
        if not format:
            raise InputError("--format-option needs --format NAME (the format it sets)")
        format = get_adapter(format, kind=schema).configured(options)  # type: ignore[assignment]
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("validating {task.completed:,} records"),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not console.is_terminal) as progress:
        task = progress.add_task("validate", total=None)
        result = validate(paths, format=format, schema=schema, set_fields=parse_set(set_),
                          config=CheckConfig(max_chars=max_chars),
                          on_batch=lambda n: progress.advance(task, n), engine=engine,
                          data_docs=data_docs, allow_empty=allow_empty)
    if report:
        with writing(report):
            report.write_text(json.dumps(result.model_dump(by_alias=True), indent=2) + "\n")
    if junit:
        with writing(junit):
            write_junit(result, junit)
    print_report(result, Console())
    if result.data_docs:
        Console().print(f"GX Data Docs: {result.data_docs}", highlight=False)
    raise typer.Exit(0 if result.ok else 1)


def print_report(result: ValidationReport, console: Console) -> None:
    verdict = "[green]valid[/]" if result.ok else "[red]INVALID[/]"
    skipped = f", {result.n_skipped:,} skipped" if result.n_skipped else ""
    console.print(f"{verdict}: {result.n_read:,} records read, {result.n_valid:,} valid, "
                  f"{result.n_rejected:,} rejected{skipped} ({', '.join(result.formats)})")
    if result.ignored_columns:
        console.print(f"ignored columns (not read by the format): "
                      f"{', '.join(result.ignored_columns)}", highlight=False, markup=False)
    if result.rejected_by_reason or result.warnings_by_reason or result.skipped_by_reason:
        table = fold(Table("reason", "records", "kind", title=None))
        for reason, n in result.rejected_by_reason.items():
            table.add_row(reason, f"{n:,}", "rejected")
        for reason, n in result.warnings_by_reason.items():
            table.add_row(reason, f"{n:,}", "warning")
        for reason, n in result.skipped_by_reason.items():
            table.add_row(reason, f"{n:,}", "skipped")
        console.print(table)
    if result.by_safety_category:
        bins = ", ".join(f"{k}: {v:,}" for k, v in result.by_safety_category.items())
        console.print(f"safety categories: {bins}")
    for error in result.errors[:20]:
        where = f"{error.file}:{error.line}" if error.line is not None else error.file
        field = f" `{error.field}`" if error.field else ""
        console.print(f"  {where}: {error.reason}{field}: {error.message}",
                      highlight=False, markup=False, soft_wrap=True)
    if len(result.errors) > 20:
        console.print(f"  ... {len(result.errors) - 20} more in --report")
