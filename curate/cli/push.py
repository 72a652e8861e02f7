"""`curate push NAME_vN --repo ORG/NAME`: publish a built version, immutable once tagged.

It goes to the Hub of the usual environment (--endpoint, else HF_ENDPOINT, else huggingface.co)
with the usual token (HF_TOKEN or `hf auth login`), or to the local registry with --local.
(`--local [DIR]` cannot take an optional value with typer's parser: a folder is --registry DIR.)
"""

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
    endpoint: Annotated[Optional[str], typer.Option(help="Hub URL (a password in it is never shown); default HF_ENDPOINT, else https://huggingface.co.")] = None,
    local: Annotated[bool, typer.Option("--local", help="Push to the local registry ($CURATE_HOME/hub) instead of a Hub.")] = False,
    registry: Annotated[Optional[Path], typer.Option(help="The local registry's folder, for --local (implies it).")] = None,
    private: Annotated[bool, typer.Option("--private", help="Make a repo the push creates private (default: the Hub's default, public on huggingface.co).")] = False,
) -> None:
    """Upload a built version in one commit and tag it vN (same build again: a no-op)."""
    build_dir = from_ if from_ is not None else resolve_build_dir(version)
    push_to_hub(build_dir, repo=repo, endpoint=endpoint, local=registry or local,
                private=True if private else None)
