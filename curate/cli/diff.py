"""`curate diff A B`: rows added and removed per source between two versions, with reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from curate.cli.app import app
from curate.console import print_out
from curate.diff import diff_versions

VERSION_HELP = ("A build folder, NAME_vN (a folder under --out), or ORG/NAME@vN (the local "
                "registry, or the Hub given by --endpoint).")


@app.command("diff")
def diff_command(
    a: Annotated[str, typer.Argument(help=f"The older version. {VERSION_HELP}")],
    b: Annotated[str, typer.Argument(help=f"The newer version. {VERSION_HELP}")],
    out: Annotated[Path, typer.Option(help="Output root of `curate build` (for NAME_vN).")] = Path("build"),
    registry: Annotated[Optional[Path], typer.Option(
        help="Local registry for ORG/NAME@vN; default $CURATE_HOME/hub.")] = None,
    endpoint: Annotated[Optional[str], typer.Option(
        help="A Hub URL for ORG/NAME@vN (token from HF_TOKEN or `hf auth login`).")] = None,
    json_file: Annotated[Optional[Path], typer.Option(
        "--json", help="Also write the comparison as JSON to this file.")] = None,
) -> None:
    """Rows added and removed per source, with the reasons: new batch, recipe change, newly rejected."""
    diff = diff_versions(a, b, out=out, registry=registry, endpoint=endpoint)
    if json_file:
        json_file.write_text(diff.model_dump_json(indent=2) + "\n")
    print_out(diff.to_rich())
