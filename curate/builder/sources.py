"""Finding recipes and turning a recipe's sources into files: catalog, inline paths, samples."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from curate.io.files import expand_paths
from curate.io.yamlsafe import load_text, read_text, validation_message
from curate.recipe import Recipe, RecipeError, SourceSpec, load_recipe
from curate.records import RECORD_MODELS

CATALOG_FILE = "catalog.yaml"


def recipe_dirs() -> list[Path]:
    """Where named recipes are looked up: $CURATE_RECIPES, ./recipes, the source checkout's."""
    dirs = [Path(p) for p in os.environ.get("CURATE_RECIPES", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "recipes", Path(__file__).resolve().parents[2] / "recipes"]
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
    """A recipe file from a path or a NAME_vN."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise RecipeError(f"{path}: no such recipe file")
        return path
    known = list_recipes()
    if str(name_or_path) not in known:
        raise RecipeError(f"unknown recipe {name_or_path!r}; known: {', '.join(known) or 'none'} "
                          f"(looked in {', '.join(str(d) for d in recipe_dirs()) or 'no folder'})")
    return known[str(name_or_path)]


def read_recipe(name_or_path: str | Path) -> tuple[Recipe, Path]:
    path = find_recipe(name_or_path)
    return load_recipe(path), path


def load_catalog(folder: Path) -> dict[str, SourceSpec]:
    path = folder / CATALOG_FILE
    if not path.is_file():
        return {}
    text = read_text(path, what="catalog")
    data = load_text(text, where=str(path)) or {}
    entries = data.get("sources") or {} if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise RecipeError(f"{path}: the catalog is a mapping `sources: {{NAME: {{path: ...}}}}`; "
                          "see the project's recipes/catalog.yaml")
    catalog = {}
    for name, spec in entries.items():
        try:
            catalog[str(name)] = SourceSpec.model_validate(spec)
        except ValidationError as exc:
            problem = validation_message(exc, text=text, prefix=("sources", name))
            raise RecipeError(f"{path}: invalid catalog entry: {problem}") from exc
    return catalog


@dataclass
class ResolvedSource:
    name: str
    files: list[Path]
    format: str | None
    set_fields: dict[str, Any]
    spec: SourceSpec
    catalog: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def resolve_sources(recipe: Recipe, recipe_path: Path) -> list[ResolvedSource]:
    """Each source of the recipe as concrete files (sorted), with its format and fields to set."""
    folder = recipe_path.parent
    catalog = load_catalog(folder)
    out = []
    for name, spec in recipe.sources.items():
        base, entry, catalog_name = folder, spec, None
        if spec.catalog:
            if spec.catalog not in catalog:
                raise RecipeError(f"{recipe_path}: source {name} names catalog entry "
                                  f"{spec.catalog!r}, which {folder / CATALOG_FILE} does not have "
                                  f"(entries: {', '.join(catalog) or 'none'})")
            entry, catalog_name = catalog[spec.catalog], spec.catalog
        files = _files_of(entry, base)
        set_fields = {**entry.set, **(spec.set if spec.catalog else {})}
        _check_set_fields(set_fields, recipe.kind, f"{recipe_path}: source {name}")
        out.append(ResolvedSource(name, sorted(files), spec.format or entry.format, set_fields,
                                  entry, catalog_name))
    return out


def _check_set_fields(set_fields: dict[str, Any], kind: str, where: str) -> None:
    """`set:` names record fields: any other key would make every record `bad_field`."""
    fields = RECORD_MODELS[kind].model_fields
    unknown = sorted(set(set_fields) - set(fields))
    if unknown:
        raise RecipeError(f"{where}: `set:` names {unknown}, not fields of {kind} records; use "
                          f"some of: {', '.join(fields)}")


def _files_of(spec: SourceSpec, base: Path) -> list[Path]:
    if spec.synth:
        from curate.synth import ensure_samples

        return expand_paths(ensure_samples(spec.synth))
    return expand_paths(spec.path, base=base)  # type: ignore[arg-type]
