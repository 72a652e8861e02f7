"""The manifest of a built version: inputs, counts that add up, outputs, and the fingerprint."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from curate.builder.index import Index
from curate.builder.select import Selection
from curate.builder.sources import ResolvedSource
from curate.builder.write import Output
from curate.kinds import kind_spec
from curate.recipe import Recipe, recipe_meaning


def fingerprint(recipe: Recipe, outputs: list[Output],
                sources: list[ResolvedSource] = ()) -> str:
    """sha256 of what the recipe says that can change the output (curate.recipe.meaning:
    every field is classified, order the build ignores is normalised) and of the output
    shards. Where local records live is not in it: the same records given as other files
    (order, chunking) yield the same fingerprint with the same shards. What the recipe names
    only by reference is: each Hub file's repo, commit, path and sha256, and the full content
    of each column mapping (a recipe with neither keeps the fingerprint it always had)."""
    payload = {"recipe": recipe_meaning(recipe),
               "outputs": [[o.split, o.path, o.sha256] for o in outputs], **inputs_meaning(sources)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def inputs_meaning(sources: list[ResolvedSource]) -> dict[str, Any]:
    """{"hub": [[repo, commit, path, sha256], ...], "mappings": {source: content}}, each only
    when some source has one."""
    hub = sorted([f.repo, f.commit, f.path, f.sha256] for s in sources for f in s.hub_files.values())
    mappings = {s.name: s.mapping for s in sources if s.mapping is not None}
    return {**({"hub": hub} if hub else {}), **({"mappings": mappings} if mappings else {})}


def source_entries(sources: list[ResolvedSource], index: Index, selection: Selection,
                   dup_counts: dict[str, int], *, recipe_folder: Path) -> dict[str, dict[str, Any]]:
    """Counts and files of each source. The files' bytes and digests are pass 1's: this is
    after the last read of them, so a file changed since fails the build here."""
    index.check_unchanged()
    kept = {}
    for group in selection.group_sources.values():
        kept.update(group)
    out = {}
    for source in sources:
        tally = index.counts[source.name]
        by_reason = dict(tally.rejected_by_reason)
        if dup_counts.get(source.name):
            by_reason["duplicate"] = dup_counts[source.name]
        n_rejected = sum(by_reason.values())
        n_kept = kept.get(source.name, 0)
        out[source.name] = {
            "n_read": tally.n_read, "n_kept": n_kept, "n_rejected": n_rejected,
            "rejected_by_reason": dict(sorted(by_reason.items())),
            "n_not_selected": tally.n_read - n_kept - n_rejected,
            "catalog": source.catalog, "format": source.format_name,
            "format_options": source.format_options or None,
            "sample": source.spec.sample, "license": source.spec.license,
            "files": [{"path": shown_path(p, source, recipe_folder), "bytes": index.stamps[p].size,
                       "xxh3": index.stamps[p].xxh3, "hub": _hub_origin(p, source)}
                      for p in source.files],
            "mapping": source.mapping,
        }
    return out


def _hub_origin(path: Path, source: ResolvedSource) -> dict[str, str] | None:
    hub = source.hub_files.get(path)
    return None if hub is None else {"repo": hub.repo, "revision": hub.revision,
                                     "commit": hub.commit, "file": hub.path, "sha256": hub.sha256}


def shown_names(sources: list[ResolvedSource], recipe_folder: Path) -> dict[str, str]:
    """{the path a file was read from: its name in the manifest} (for the rejects' `file`)."""
    return {str(p): shown_path(p, s, recipe_folder) for s in sources for p in s.files}


def shown_path(path: Path, source: ResolvedSource, recipe_folder: Path) -> str:
    """A source file as the manifest names it, without this machine's folders: generated samples
    as `synth:SET/FILE`, files of a URL by the URL (not by their cached copy), files in or under
    the recipe's folder relative to it, others relative to it too (`../data/x.jsonl`), so two
    machines building the same recipe write the same manifest."""
    if source.spec.synth:
        return f"synth:{source.spec.synth}/{path.name}"
    if path in source.hub_files:
        return source.hub_files[path].shown
    if path in source.url_files:
        return source.url_files[path].url
    return Path(os.path.relpath(path.resolve(), recipe_folder.resolve())).as_posix()


def output_stats(rows: pl.DataFrame, kind: str) -> dict[str, Any]:
    """Distributions over the written rows (per split) of the kind's categories: sources, and
    for comparisons the criteria, degrees and safety categories. `rows`: RowStats.frame()."""
    stats: dict[str, Any] = {}
    for column in kind_spec(kind).categories:
        counts = (rows.group_by("split", column).len()
                  .with_columns(pl.col("split").cast(pl.String),
                                pl.col(column).cast(pl.String).fill_null("unknown")))
        per_split: dict[str, dict[str, int]] = {}
        for split, value, n in counts.sort("split", column).iter_rows():
            per_split.setdefault(split, {})[value] = n
        stats[f"by_{column}"] = per_split
    return stats
