"""`curate push NAME_vN --repo ORG/NAME`: publish a built version, immutable once tagged."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from curate.cli.app import app
from curate.publish import push_to_hub, resolve_build_dir


@app.command("push")
def push_command(
    version: Annotated[str, typer.Argument(help="The built version, NAME_vN (read from build/NAME/vN).")],
    repo: Annotated[str, typer.Option(help="Target dataset repository, ORG/NAME, as the Hub spells repo ids.")],
    from_: Annotated[Optional[Path], typer.Option("--from", help="The version's folder, instead of build/NAME/vN.")] = None,
    endpoint: Annotated[Optional[str], typer.Option(help="Hub URL, e.g. https://huggingface.co (a password in it is never shown); without it, the local registry.")] = None,
    registry: Annotated[Optional[Path], typer.Option(help="Local registry folder (default $CURATE_HOME/hub).")] = None,
    private: Annotated[bool, typer.Option("--private/--public", help="Visibility of a repo created on the Hub.")] = True,
) -> None:
    """Upload a built version in one commit and tag it vN (same build again: a no-op)."""
    build_dir = from_ if from_ is not None else resolve_build_dir(version)
    push_to_hub(build_dir, repo=repo, endpoint=endpoint, registry=registry, private=private)
