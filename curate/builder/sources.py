"""Turning a recipe's sources into files (catalog entries, inline paths, samples), and which
of them the build reads twice rather than spilling."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.io.files import expand_paths
from curate.recipe import CATALOG_FILE, Recipe, RecipeError, SourceSpec, load_catalog
from curate.kinds import kind_spec


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
    fields = kind_spec(kind).model.model_fields
    unknown = sorted(set(set_fields) - set(fields))
    if unknown:
        raise RecipeError(f"{where}: `set:` names {unknown}, not fields of {kind} records; use "
                          f"some of: {', '.join(fields)}")


def _files_of(spec: SourceSpec, base: Path) -> list[Path]:
    if spec.synth:
        from curate.synth import ensure_samples

        return expand_paths(ensure_samples(spec.synth))
    return expand_paths(spec.path, base=base)  # type: ignore[arg-type]


def sampled_sources(recipe: Recipe) -> set[str]:
    """Sources of the groups that sample (not `take: all`, and not a `fraction` of half or
    more): the build reads the few of their records it selects a second time rather than
    spilling all of them (a speed choice: both ways give the same bytes)."""
    return {source for g in recipe.mix if g.take != "all" and not (g.fraction or 0) >= 0.5
            for source in g.from_}
