"""`curate diff A B`: rows added and removed per source between two versions, and why.

Rows are compared by uid (the content hash), read from the version's Parquet shards (only the
uid, source, batch columns). Each added or removed row gets one reason, the first that applies:

added:   recipe_change (its source is new in B) > mapping_change (its column mapping differs)
         > new_batch (A had no row of this source's batch) > no_longer_rejected (in A's rejects)
         > recipe_change (sources/mix/seed/exclude/keep differ)
         > new_input (A read its whole source and never saw it) > resampled
removed: newly_rejected (in B's rejects, with B's reason) > recipe_change (source dropped)
         > mapping_change > recipe_change (the recipe differs)
         > input_removed (B read its whole source and never saw it) > resampled

`resampled`: same recipe, but the pool changed (e.g. a new batch grew a group that is sampled), so
bottom-k picked other rows.

>>> import curate, tempfile
>>> d = diff_versions("build/t/v1", "build/t/v2")  # doctest: +SKIP
>>> d.sources["meta_safety"].added  # doctest: +SKIP
{'new_batch': 120}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from curate.recipe import Recipe
from curate.recipe.meaning import NOT_COUNTED
from curate.version import Manifest, Version, from_folder, open_version

REASONS = {
    "new_batch": "rows of a batch that A did not have",
    "recipe_change": "the recipe differs (sources, mix, seed, exclusions)",
    "mapping_change": "the source's column mapping (its `format:` file) differs",
    "newly_rejected": "B rejected them (the reason is in B's rejects)",
    "no_longer_rejected": "A rejected them, B keeps them",
    "new_input": "new rows in the source's files, in batches A already had",
    "input_removed": "no longer in the source's files",
    "resampled": "same recipe, a changed pool: the sample picked other rows",
}
# Recipe keys that decide which rows are kept (the split moves rows, it never adds or drops them).
SELECTION_KEYS = ("sources", "mix", "seed", "exclude", "keep")
# A new version has another name or number by design; the rest of the recipe that cannot change
# the rows (its prose, its publish target) is what curate.recipe.meaning does not count.
_IGNORED_KEYS = ("name", "version", *NOT_COUNTED[Recipe])


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VersionInfo(_Model):
    label: str
    name: str | None = None
    version: int | None = None
    fingerprint: str | None = None
    n_rows: int = 0


class RecipeChange(_Model):
    key: str = Field(description="Dotted recipe key, e.g. seed, mix, sources.meta_safety.")
    a: Any = None
    b: Any = None


class SourceDiff(_Model):
    n_a: int = 0
    n_b: int = 0
    n_added: int = 0
    n_removed: int = 0
    n_moved_split: int = Field(0, description="Rows in both versions, in another split.")
    added: dict[str, int] = Field(default_factory=dict, description="Added rows per reason.")
    removed: dict[str, int] = Field(default_factory=dict, description="Removed rows per reason.")
    new_batches: dict[str, int] = Field(default_factory=dict, description="Added rows per new batch.")
    rejected_by_reason: dict[str, int] = Field(
        default_factory=dict, description="Newly rejected rows per reason of B's rejects.")


class VersionDiff(_Model):
    """What changed from version `a` to version `b`."""

    a: VersionInfo
    b: VersionInfo
    recipe_changes: list[RecipeChange] = Field(default_factory=list)
    mapping_changes: list[RecipeChange] = Field(
        default_factory=list, description="Keys of a source's column mapping that differ, e.g. "
        "sources.helpful.mapping.columns (the mapping file's content is in each manifest).")
    sources: dict[str, SourceDiff] = Field(default_factory=dict)
    n_added: int = 0
    n_removed: int = 0
    n_moved_split: int = 0
    notes: list[str] = Field(default_factory=list)

    def to_rich(self):
        from curate.diff.render import to_rich

        return to_rich(self)


def recipe_changes(a: dict[str, Any], b: dict[str, Any]) -> list[RecipeChange]:
    """The recipe keys whose values differ; sources compared one by one.

    >>> [c.key for c in recipe_changes({"seed": 1, "sources": {"x": {"path": "a"}}},
    ...                                {"seed": 2, "sources": {"x": {"path": "a"}, "y": {}}})]
    ['seed', 'sources.y']
    """
    changes = []
    for key in sorted(set(a) | set(b)):
        if key in _IGNORED_KEYS:
            continue
        if key == "sources":
            sa, sb = a.get(key) or {}, b.get(key) or {}
            for name in sorted(set(sa) | set(sb)):
                if _spec(sa.get(name)) != _spec(sb.get(name)):
                    changes.append(RecipeChange(key=f"sources.{name}", a=sa.get(name),
                                                b=sb.get(name)))
        elif a.get(key) != b.get(key):
            changes.append(RecipeChange(key=key, a=a.get(key), b=b.get(key)))
    return changes


def mapping_changes(a: Manifest, b: Manifest) -> list[RecipeChange]:
    """The top-level keys of the column mappings that differ, for sources in both versions.

    A mapping is a file the recipe names, so the recipe can stay the same while the rows change:
    the manifests carry each mapping's content (curate.builder.sources) to tell."""
    changes = []
    for name in sorted(set(a.sources) & set(b.sources)):
        ma, mb = a.sources[name].mapping, b.sources[name].mapping
        if ma == mb:
            continue
        if ma is None or mb is None:
            changes.append(RecipeChange(key=f"sources.{name}.mapping", a=ma, b=mb))
            continue
        for key in sorted(set(ma) | set(mb)):
            if ma.get(key) != mb.get(key):
                changes.append(RecipeChange(key=f"sources.{name}.mapping.{key}", a=ma.get(key),
                                            b=mb.get(key)))
    return changes


def _spec(spec: dict | None) -> dict | None:
    return None if spec is None else {k: v for k, v in spec.items() if k != "description"}


def _rows(version: Version) -> pl.DataFrame:
    """uid, source, batch, split of every kept row (column projection: cheap on big shards)."""
    frames = []
    for split, path in version.shards():
        names = pl.read_parquet_schema(path)
        batch = pl.col("batch") if "batch" in names else pl.lit(None, pl.String).alias("batch")
        frames.append(pl.scan_parquet(path).select(
            "uid", "source", batch.cast(pl.String), pl.lit(split).alias("split")))
    if not frames:
        return pl.DataFrame(schema={"uid": pl.String, "source": pl.String, "batch": pl.String,
                                    "split": pl.String})
    return pl.concat(frames).collect()


def _rejects(version: Version) -> pl.DataFrame | None:
    """uid, reason (and batch) of the version's rejects; one reason per uid (the first by name)."""
    if version.rejects is None:
        return None
    names = pl.read_parquet_schema(version.rejects)
    batch = pl.col("batch") if "batch" in names else pl.lit(None, pl.String).alias("batch")
    return (pl.scan_parquet(version.rejects)
            .select("uid", "source", "reason", batch.cast(pl.String))
            .filter(pl.col("uid").is_not_null()).sort("uid", "reason")
            .unique("uid", keep="first", maintain_order=True).collect())


def _info(version: Version, n_rows: int) -> VersionInfo:
    recipe = version.manifest.recipe
    return VersionInfo(label=version.label, name=recipe.name, version=recipe.version,
                       fingerprint=version.fingerprint, n_rows=n_rows)


def _fully_read(manifest: Manifest) -> list[str]:
    """Sources of which every record read was kept or rejected (nothing left unselected)."""
    return [n for n, s in manifest.sources.items() if s.n_not_selected == 0]


def _counts(frame: pl.DataFrame, column: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    grouped = frame.filter(pl.col(column).is_not_null()).group_by("source", column).len()
    for source, value, n in grouped.sort("source", column).iter_rows():
        out.setdefault(source, {})[value] = n
    return out


def _reason(*rules: tuple[pl.Expr, str], otherwise: str) -> pl.Expr:
    """The first rule's reason whose condition holds (rules in priority order)."""
    expr = pl.when(rules[0][0]).then(pl.lit(rules[0][1]))
    for condition, reason in rules[1:]:
        expr = expr.when(condition).then(pl.lit(reason))
    return expr.otherwise(pl.lit(otherwise)).alias("reason")


def _added(rows_a: pl.DataFrame, rows_b: pl.DataFrame, rej_a: pl.DataFrame | None, *,
           manifest_a: Manifest, selection_changed: bool, remapped: list[str]) -> pl.DataFrame:
    """Rows of B that A did not have, each with its reason (see the module docstring)."""
    known = rows_a.select("source", "batch")  # (source, batch) pairs A had, kept or rejected
    if rej_a is not None:
        known = pl.concat([known, rej_a.select("source", "batch")])
    known = known.drop_nulls().unique().with_columns(_known=pl.lit(True))
    was_rejected = (pl.col("uid").is_in(rej_a["uid"].implode()) if rej_a is not None
                    else pl.lit(False))
    return (rows_b.join(rows_a.select("uid"), on="uid", how="anti")
            .join(known, on=["source", "batch"], how="left")
            .with_columns(_reason(
                (~pl.col("source").is_in(list(manifest_a.recipe.sources)),
                 "recipe_change"),
                (pl.col("source").is_in(remapped), "mapping_change"),
                (pl.col("batch").is_not_null() & pl.col("_known").is_null(), "new_batch"),
                (was_rejected, "no_longer_rejected"),
                (pl.lit(selection_changed), "recipe_change"),
                (pl.col("source").is_in(_fully_read(manifest_a)), "new_input"),
                otherwise="resampled")))


def _removed(rows_a: pl.DataFrame, rows_b: pl.DataFrame, rej_b: pl.DataFrame | None, *,
             manifest_b: Manifest, selection_changed: bool, remapped: list[str]) -> pl.DataFrame:
    """Rows of A that B does not have, each with its reason, and B's reject reason (_rejected)."""
    removed = rows_a.join(rows_b.select("uid"), on="uid", how="anti")
    if rej_b is not None:
        removed = removed.join(rej_b.select("uid", pl.col("reason").alias("_rejected")),
                               on="uid", how="left")
    else:
        removed = removed.with_columns(_rejected=pl.lit(None, pl.String))
    return removed.with_columns(_reason(
        (pl.col("_rejected").is_not_null(), "newly_rejected"),
        (~pl.col("source").is_in(list(manifest_b.recipe.sources)),
         "recipe_change"),
        (pl.col("source").is_in(remapped), "mapping_change"),
        (pl.lit(selection_changed), "recipe_change"),
        (pl.col("source").is_in(_fully_read(manifest_b)), "input_removed"),
        otherwise="resampled"))


def diff_versions(a: str | Path | Version, b: str | Path | Version, *, out: str | Path = "build",
                  registry: str | Path | None = None, endpoint: str | None = None,
                  token: str | None = None) -> VersionDiff:
    """Compare two versions: folders, NAME_vN under `out`, or ORG/NAME@vN (curate.version)."""
    va, vb = (open_version(v, out=out, registry=registry, endpoint=endpoint, token=token)
              for v in (a, b))
    rows_a, rows_b = _rows(va), _rows(vb)
    rej_a, rej_b = _rejects(va), _rejects(vb)
    recipe_a, recipe_b = (v.manifest.model_dump(mode="json")["recipe"] for v in (va, vb))
    changes = recipe_changes(recipe_a, recipe_b)
    selection_changed = any(c.key.split(".")[0] in SELECTION_KEYS for c in changes)
    remapping = mapping_changes(va.manifest, vb.manifest)
    remapped = sorted({c.key.split(".")[1] for c in remapping})
    added = _added(rows_a, rows_b, rej_a, manifest_a=va.manifest,
                   selection_changed=selection_changed, remapped=remapped)
    removed = _removed(rows_a, rows_b, rej_b, manifest_b=vb.manifest,
                       selection_changed=selection_changed, remapped=remapped)
    moved = (rows_a.join(rows_b.select("uid", pl.col("split").alias("_split_b")), on="uid")
             .filter(pl.col("split") != pl.col("_split_b")))

    names = (set(rows_a["source"]) | set(rows_b["source"]) | set(recipe_a.get("sources", {}))
             | set(recipe_b.get("sources", {})))
    per_source = {name: SourceDiff() for name in sorted(names)}
    for frame, attribute in ((rows_a, "n_a"), (rows_b, "n_b"), (moved, "n_moved_split")):
        for name, n in frame.group_by("source").len().iter_rows():
            setattr(per_source[name], attribute, n)
    for name, counts in _counts(added, "reason").items():
        per_source[name].added, per_source[name].n_added = counts, sum(counts.values())
    for name, counts in _counts(removed, "reason").items():
        per_source[name].removed, per_source[name].n_removed = counts, sum(counts.values())
    for name, counts in _counts(added.filter(pl.col("reason") == "new_batch"), "batch").items():
        per_source[name].new_batches = counts
    for name, counts in _counts(removed, "_rejected").items():
        per_source[name].rejected_by_reason = counts
    notes = []
    if rej_a is None:
        notes.append(f"{va.label} carries no rejects/records.parquet: rows it had rejected and "
                     f"{vb.label} keeps are counted under later reasons, not no_longer_rejected")
    if rej_b is None:
        notes.append(f"{vb.label} carries no rejects/records.parquet (published versions never "
                     "do): rows it rejected cannot be told apart, so none is counted as "
                     "newly_rejected; compare build folders for that")
    return VersionDiff(a=_info(va, rows_a.height), b=_info(vb, rows_b.height),
                       recipe_changes=changes, mapping_changes=remapping,
                       sources=per_source, n_added=added.height,
                       n_removed=removed.height, n_moved_split=moved.height, notes=notes)


__all__ = ["REASONS", "RecipeChange", "SourceDiff", "Version", "VersionDiff", "VersionInfo",
           "diff_versions", "from_folder", "mapping_changes", "open_version", "recipe_changes"]
