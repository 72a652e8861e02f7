"""`curate build NAME_vN | recipe.yaml` and `curate recipes`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from curate.builder import DEFAULT_BLOCK_ROWS, build
from curate.cli.app import app
from curate.console import fold, print_out
from curate.errors import InputError
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
    engine: Annotated[str, typer.Option(
        help="local (this process), or ray: the same bytes built by Ray tasks (pip install "
        '"curate[ray]"; docs/ray.md).')] = "local",
    address: Annotated[Optional[str], typer.Option(
        help="With --engine ray: the cluster to join (auto: the running one, or HOST:PORT); "
        "none: Ray's default (RAY_ADDRESS, else a cluster `ray start` started here, else a local "
        "one for the build).")] = None,
    block_rows: Annotated[int, typer.Option(
        help="With --engine ray: about how many rows one task of the first pass reads (a "
        "native Parquet file is split at row groups; other files are read whole).")
    ] = DEFAULT_BLOCK_ROWS,
) -> None:
    """Build a dataset version: checks, exclusions, the mix, the split, shards, manifest, card."""
    if engine == "local" and (address is not None or block_rows != DEFAULT_BLOCK_ROWS):
        raise InputError("--address and --block-rows are options of --engine ray; add "
                         "--engine ray or leave them out")
    result = build(recipe, out=out, tokenizer=tokenizer, force=force, engine=engine,
                   address=address, block_rows=block_rows)
    m = result.manifest  # result.path is absolute: `out` is resolved before the build
    if result.unchanged:
        print_out(Text(f"{result.path}: {m.recipe.name} {m.tag} already built with fingerprint "
                       f"{m.fingerprint}: nothing to do"))
        return
    table = fold(Table("source", "read", "kept", "rejected", "not selected"))
    for name, s in m.sources.items():
        table.add_row(name, f"{s.n_read:,}", f"{s.n_kept:,}", f"{s.n_rejected:,}",
                      f"{s.n_not_selected:,}")
    splits = ", ".join(f"{k} {v:,}" for k, v in m.splits.items())
    print_out(Text(f"built {m.recipe.name} {m.tag} into {result.path}"), table,
              Text(f"splits: {splits}\nfingerprint: {m.fingerprint}"))


@app.command("recipes")
def recipes_command() -> None:
    """List the recipes curate can build by name; a recipe that does not load is listed as
    invalid, its error said after the table (exit 2), and the others still listed."""
    table = fold(Table("recipe", "kind", "description", "file"))
    errors = []
    for name, path in list_recipes().items():
        try:
            recipe, _ = read_recipe(path)
        except InputError as exc:
            errors.append(str(exc))
            table.add_row(Text(name), "-", Text("invalid (see below)"), Text(str(path)))
            continue
        table.add_row(Text(name), recipe.kind, Text(recipe.description), Text(str(path)))
    print_out(table)
    if errors:
        raise InputError("; ".join(errors))
