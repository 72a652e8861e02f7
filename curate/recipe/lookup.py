"""Finding a recipe by name: $CURATE_RECIPES, then ./recipes, then the recipes curate ships.

>>> read_recipe("safety_rm_v3")[0].id
'safety_rm_v3'
"""

from __future__ import annotations

import os
from pathlib import Path

from curate.recipe.load import CATALOG_FILE, load_recipe
from curate.recipe.model import Recipe, RecipeError

# Package data: the shipped recipes, their catalog.yaml and the bundled samples it points at.
SHIPPED_RECIPES = Path(__file__).resolve().parent / "shipped"


def recipe_dirs() -> list[Path]:
    """The folders named recipes are looked up in, first wins: each folder of $CURATE_RECIPES
    (os.pathsep-separated), ./recipes, then the shipped ones. Missing folders are skipped."""
    dirs = [Path(p) for p in os.environ.get("CURATE_RECIPES", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "recipes", SHIPPED_RECIPES]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def list_recipes() -> dict[str, Path]:
    """{"safety_rm_v3": path, ...}: every recipe file found, first folder wins."""
    found: dict[str, Path] = {}
    for folder in recipe_dirs():
        for path in sorted(folder.glob("*.yaml")):
            if path.name != CATALOG_FILE:
                found.setdefault(path.stem, path)
    return found


def find_recipe(name_or_path: str | Path) -> Path:
    """A recipe file from a path (.yaml, .yml) or a NAME_vN."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise RecipeError(f"{path}: no such recipe file")
        return path
    known = list_recipes()
    if str(name_or_path) not in known:
        raise RecipeError(f"unknown recipe {name_or_path!r}; known: {', '.join(known) or 'none'} "
                          f"(looked in {', '.join(str(d) for d in recipe_dirs()) or 'no folder'}; "
                          "set CURATE_RECIPES to add a folder)")
    return known[str(name_or_path)]


def read_recipe(name_or_path: str | Path) -> tuple[Recipe, Path]:
    """The validated recipe and its file (relative source paths and the catalog are beside it)."""
    path = find_recipe(name_or_path)
    return load_recipe(path), path
