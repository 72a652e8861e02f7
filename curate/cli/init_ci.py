"""`curate init-ci`: write the data-validation workflow and pre-commit hook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from curate.cli.app import app
from curate.ci import write_ci_files


@app.command("init-ci")
def init_ci(
    root: Annotated[Path, typer.Option(help="Repository root to write into.")] = Path("."),
    data: Annotated[str, typer.Option(help="Folder (from the root) holding the data files.")] = "data",
    schema: Annotated[Optional[str], typer.Option(help="Expected record kind: sft or preference.")] = None,
    format: Annotated[Optional[str], typer.Option(help="Input format; detected when omitted.")] = None,
    install: Annotated[str, typer.Option(help="What the workflow pip-installs to get curate.")] = "curate",
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Write .github/workflows/validate-data.yml and .pre-commit-config.yaml: both run
    `curate validate` on the data files a change adds or modifies."""
    for path in write_ci_files(root, force=force, data=data.strip("/"), schema=schema,
                               format=format, install=install):
        typer.echo(f"wrote {path}")
