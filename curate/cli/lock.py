"""`curate lock RECIPE`: pin the recipe's Hub sources to the commits their revisions point at now."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from curate.builder.locking import lock_recipe
from curate.cli.app import app
from curate.console import fold, print_out


@app.command("lock")
def lock_command(
    recipe: Annotated[str, typer.Argument(help="NAME_vN (see `curate recipes`) or a recipe .yaml.")],
) -> None:
    """Resolve each Hub source's revision to a commit and write RECIPE_STEM.lock beside the
    recipe; builds use those commits until you lock again."""
    result = lock_recipe(recipe)
    if result.path is None:
        print_out(Text("the recipe reads nothing from the Hub: no lock file to write"))
        return
    table = fold(Table("repo", "revision", "commit", "files", "sources", "before"))
    for entry in result.lock.hub:
        was = result.was(entry)
        table.add_row(entry.repo, entry.revision, entry.commit, f"{len(entry.files):,}",
                      ", ".join(entry.sources),
                      "new" if was is None else "same" if was == entry.commit else was)
    print_out(Text(f"locked {result.path}"), table)
