"""Turning a recipe's sources into files (catalog entries, inline paths, `hf://` paths and
other fsspec URLs, samples, Hub repos at a commit), their formats (a column mapping file is read
from the recipe's folder), and which of them the build reads twice rather than spilling."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curate.io.files import expand_paths
from curate.io.remote import UrlFile, is_url, url_files
from curate.recipe import CATALOG_FILE, Recipe, RecipeError, SourceSpec, load_catalog
from curate.kinds import kind_spec

if TYPE_CHECKING:
    from curate.adapters import Adapter
    from curate.adapters.mapping import ColumnMapping
    from curate.hub.fetch import HubFile, HubResolver
    from curate.hub.refs import HubRef

MAPPING_SUFFIXES = (".yaml", ".yml")  # a `format:` naming a column mapping file


@dataclass
class ResolvedSource:
    name: str
    files: list[Path]
    format: str | ColumnMapping | Adapter | None  # what the reader takes: a name, the mapping,
    # or the adapter configured by `format_options`
    set_fields: dict[str, Any]
    spec: SourceSpec
    catalog: str | None = None
    hub_files: dict[Path, HubFile] = field(default_factory=dict)  # files that came from the Hub
    url_files: dict[Path, UrlFile] = field(default_factory=dict)  # from other URLs (s3://, ...)
    format_name: str | None = None  # the format as the recipe or catalog writes it
    mapping: dict[str, Any] | None = None  # a mapping's full content, canonical
    format_options: dict[str, Any] = field(default_factory=dict)


def resolve_sources(recipe: Recipe, recipe_path: Path, *,
                    progress: bool = True) -> list[ResolvedSource]:
    """Each source of the recipe as concrete files (sorted), with its format and fields to set.
    Hub files are downloaded into the HF cache here, at the commits of the recipe's lock file
    when it has one (curate.recipe.lock); files of other URLs into $CURATE_HOME/remote."""
    folder = recipe_path.parent
    resolver = None
    out = []
    for name, spec, entry, catalog_name in _entries(recipe, recipe_path):
        where = f"{recipe_path}: source {name}"
        refs = hub_refs_of(entry)
        if refs and resolver is None:
            resolver = _resolver(recipe_path, progress=progress)
        hub_files = {f.local: f for ref in refs for f in resolver.files(ref, where=where)}
        remote = {f.local: f for f in url_files(urls_of(entry), job="curate build",
                                                 progress=progress, where=where)}
        files = [*_files_of(entry, folder), *hub_files, *remote]
        set_fields = {**entry.set, **(spec.set if spec.catalog else {})}
        _check_set_fields(set_fields, recipe.kind, where)
        format_name = spec.format or entry.format
        mapping = _mapping(format_name, folder, where=where)
        options = {**entry.format_options, **(spec.format_options if spec.catalog else {})}
        reader_format = _configured(mapping or format_name, options, recipe.kind, where=where)
        out.append(ResolvedSource(
            name, sorted(files), reader_format, set_fields, entry, catalog_name,
            hub_files=hub_files, url_files=remote, format_name=format_name,
            format_options=options,
            mapping=mapping.model_dump(mode="json", by_alias=True, exclude_defaults=True)
            if mapping else None))
    return out


def hub_refs(recipe: Recipe, recipe_path: Path) -> list[tuple[str, HubRef]]:
    """(source name, ref) of every Hub repo the recipe reads: `hub:` sources (inline or from
    the catalog) and `hf://` paths; what `curate lock` pins."""
    return [(name, ref) for name, _, entry, _ in _entries(recipe, recipe_path)
            for ref in hub_refs_of(entry)]


def hub_refs_of(spec: SourceSpec) -> list[HubRef]:
    from curate.hub.refs import HubRef, is_hf_path, parse_hf_path

    if spec.hub:
        patterns = [spec.files] if isinstance(spec.files, str) else spec.files
        return [HubRef(spec.hub, spec.revision, tuple(patterns) if patterns else None)]
    return [parse_hf_path(p) for p in _paths(spec) if is_hf_path(p)]


def urls_of(spec: SourceSpec) -> list[str]:
    """The fsspec URLs (s3://, file://, ...; not hf://) among a source's paths."""
    return [p for p in _paths(spec) if is_url(p)]


def _paths(spec: SourceSpec) -> list[str]:
    return [spec.path] if isinstance(spec.path, str) else spec.path or []


def _entries(recipe: Recipe, recipe_path: Path):
    """(name, spec, the spec that says where its records are, catalog name) per source."""
    folder = recipe_path.parent
    catalog = load_catalog(folder)
    for name, spec in recipe.sources.items():
        if not spec.catalog:
            yield name, spec, spec, None
            continue
        if spec.catalog not in catalog:
            raise RecipeError(f"{recipe_path}: source {name} names catalog entry "
                              f"{spec.catalog!r}, which {folder / CATALOG_FILE} does not have "
                              f"(entries: {', '.join(catalog) or 'none'})")
        yield name, spec, catalog[spec.catalog], spec.catalog


def _resolver(recipe_path: Path, *, progress: bool) -> HubResolver:
    from curate.hub.fetch import HubResolver
    from curate.recipe.lock import read_lock

    return HubResolver(lock=read_lock(recipe_path), progress=progress, recipe=recipe_path)


def _mapping(format_name: str | None, folder: Path, *, where: str) -> ColumnMapping | None:
    """The column mapping a `format:` names by its file, read relative to the recipe's folder
    (as `path:` is), or None for a format name."""
    if not format_name or not format_name.endswith(MAPPING_SUFFIXES):
        return None
    from curate.adapters.mapping import ColumnMapping

    path = folder / format_name
    if not path.is_file():
        raise RecipeError(f"{where}: format {format_name!r} names a column mapping file, but "
                          f"{path} does not exist; a mapping's path is relative to the recipe's "
                          "folder")
    return ColumnMapping.read_yaml(path)


def _configured(format: str | ColumnMapping | None, options: dict[str, Any], kind: str, *,
                where: str) -> str | ColumnMapping | Adapter | None:
    """The format as the reader takes it: with `format_options`, its adapter so configured."""
    if not options:
        return format
    if format is None:
        raise RecipeError(f"{where}: format_options {sorted(options)} need a `format:` naming "
                          "the format they set")
    from curate.adapters import get_adapter
    from curate.errors import InputError

    try:
        return get_adapter(format, kind=kind).configured(options)
    except InputError as exc:
        raise RecipeError(f"{where}: {exc}") from None


def _check_set_fields(set_fields: dict[str, Any], kind: str, where: str) -> None:
    """`set:` names record fields: any other key would make every record `bad_field`."""
    fields = kind_spec(kind).model.model_fields
    unknown = sorted(set(set_fields) - set(fields))
    if unknown:
        raise RecipeError(f"{where}: `set:` names {unknown}, not fields of {kind} records; use "
                          f"some of: {', '.join(fields)}")


def _files_of(spec: SourceSpec, base: Path) -> list[Path]:
    """The local files of a source; its `hub:` repo, `hf://` paths and URLs are resolved apart."""
    from curate.hub.refs import is_hf_path

    if spec.synth:
        from curate.synth import ensure_samples

        return expand_paths(ensure_samples(spec.synth))
    if spec.hub:
        return []
    local = [p for p in _paths(spec) if not is_hf_path(p) and not is_url(p)]
    return expand_paths(local, base=base) if local else []


def sampled_sources(recipe: Recipe) -> set[str]:
    """Sources of the groups that sample (not `take: all`, and not a `fraction` of half or
    more): the build reads the few of their records it selects a second time rather than
    spilling all of them (a speed choice: both ways give the same bytes)."""
    return {source for g in recipe.mix if g.take != "all" and not (g.fraction or 0) >= 0.5
            for source in g.from_}
