"""The `curate` command: one Typer app; each command lives in its own module under curate/cli/."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(name="curate", no_args_is_help=True, add_completion=False,
                  help="Build Llama-2-style fine-tuning datasets: validate, build, audit, publish.")


def _print_version(value: bool) -> None:
    if value:
        from curate import __version__

        typer.echo(f"curate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print curate's version and exit.")] = False) -> None:
    pass
