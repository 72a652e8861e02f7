"""`curate build NAME_vN | recipe.yaml` and `curate recipes`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from curate.builder import build
from curate.cli.app import app
from curate.recipe import list_recipes, read_recipe


@app.command("build")
def build_command(
    recipe: Annotated[str, typer.Argument(help="NAME_vN (see `curate recipes`) or a recipe .yaml.")],
    out: Annotated[str, typer.Option(help="Output root; the version goes to OUT/NAME/vN.")] = "build",
    tokenizer: Annotated[Optional[str], typer.Option(
        envvar="CURATE_TOKENIZER", help="Tokenizer for the card's Table 6 token counts (as for "
        "`curate stats`); without one the card gives comparisons and turns only.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace OUT/NAME/vN when it holds another fingerprint (local versions "
        "are immutable otherwise: bump `version:` instead).")] = False,
) -> None:
    """Build a dataset version: checks, exclusions, the mix, the split, shards, manifest, card."""
    result = build(recipe, out=out, tokenizer=tokenizer, force=force)
    m = result.manifest
    console = Console()
    if result.unchanged:
        console.print(f"{result.path}: {m.tag} already built with fingerprint "
                      f"{m.fingerprint}: nothing to do", soft_wrap=True)
        return
    table = Table("source", "read", "kept", "rejected", "not selected", title=str(result.path))
    for name, s in m.sources.items():
        table.add_row(name, f"{s.n_read:,}", f"{s.n_kept:,}", f"{s.n_rejected:,}",
                      f"{s.n_not_selected:,}")
    console.print(table)
    splits = ", ".join(f"{k} {v:,}" for k, v in m.splits.items())
    console.print(f"splits: {splits}\nfingerprint: {m.fingerprint}")


@app.command("recipes")
def recipes_command() -> None:
    """List the recipes curate can build by name."""
    table = Table("recipe", "kind", "description", "file")
    for name, path in list_recipes().items():
        recipe, _ = read_recipe(path)
        table.add_row(name, recipe.kind, recipe.description, str(path))
    Console().print(table)
