"""Selection: deduplicate, split by uid, size the mix groups, and keep the smallest keys.

Nothing here depends on input order: duplicates keep the copy with the smallest
(source name, metadata digest), the rule validate applies too (curate.checks.duplicates);
the split is decided by xxh3_64(uid, split seed); "n uniformly"
keeps the n smallest xxh3_64(uid, seed) (bottom-k), ties broken by uid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from curate.checks.duplicates import KEEP_BY, copied, dropped_copies
from curate.recipe import MixGroup, Recipe, RecipeError

_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


@dataclass
class Selection:
    chosen: pl.DataFrame  # _rid, split, _key
    group_rows: dict[str, int]
    group_sources: dict[str, dict[str, int]]


def drop_duplicates(index: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(unique rows, dropped duplicate rows): the kept copy is the same whatever the order of
    files, rows or sources (curate.checks.duplicates: by source name, then metadata digest).
    Only rows whose key (a hash of the uid) has copies are ranked: sorting every row, or
    hashing every uid, cost 1 GB / 175 MB at 2.9M rows."""
    copies = index.filter(pl.col("_key").is_in(copied(index["_key"]).implode())).select(
        "uid", "_rid", "_key", "_row_digest", "source")
    dropped = dropped_copies(copies, identity=["uid"], position=["_rid"]).select("_rid", "_key")
    if dropped.is_empty():
        return index, dropped
    return index.join(dropped, on="_rid", how="anti", maintain_order="left"), dropped


def assign_split(index: pl.DataFrame, recipe: Recipe) -> pl.DataFrame:
    """Add `split`: up to `per_batch` distinct records of each (source, batch) go to test, the
    ones with the smallest split keys; records without a batch go to test below the `otherwise`
    fraction. Ranks count every record of the batch, rejected ones included, so excluding a
    test record in a later version never pulls a train record into test."""
    test = recipe.split.test
    threshold = int(test.otherwise * 2**64)
    no_batch_test = pl.col("_split_key") < pl.lit(threshold, dtype=pl.UInt64)
    if test.per_batch is None:
        is_test = no_batch_test
    else:
        rank = pl.col("_split_key").rank("dense").over("source", "batch")  # copies share a rank
        is_test = (pl.when(pl.col("batch").is_null()).then(no_batch_test)
                   .otherwise(rank <= test.per_batch))
    return index.with_columns(pl.when(is_test).then(pl.lit("test")).otherwise(pl.lit("train"))
                              .alias("split"))


def group_sizes(recipe: Recipe, available: dict[str, int]) -> dict[str, int]:
    """Rows each group contributes. Fails (RecipeError, with the numbers) when unmeetable."""
    anchors = [g for g in recipe.mix if g.take == "all"]
    anchored = sum(available[g.group] for g in anchors)
    shared = [g for g in recipe.mix if g.take is None and g.share is not None]
    total = None
    if shared:
        if not anchors:
            raise RecipeError(f"{recipe.id}: shares need at least one group with `take: all` "
                              "to size the mix from")
        anchor_shares = [g.share for g in anchors if g.share is not None]
        if anchor_shares and len(anchor_shares) != len(anchors):
            raise RecipeError(f"{recipe.id}: give a share to every `take: all` group or to none")
        rest = sum(g.share for g in shared)  # type: ignore[misc]
        anchor_share = sum(anchor_shares) if anchor_shares else 1.0 - rest
        if anchor_share <= 0 or (anchor_shares and abs(anchor_share + rest - 1.0) > 1e-9):
            raise RecipeError(f"{recipe.id}: the shares add up to {anchor_share + rest:g}, not 1")
        total = anchored / anchor_share
    sizes = {}
    for g in recipe.mix:
        n_avail = available[g.group]
        if g.take == "all":
            n = n_avail
        elif g.share is not None:
            n = round(g.share * total)  # type: ignore[operator]
        elif g.n_rows is not None:
            n = g.n_rows
        else:
            n = round(g.fraction * n_avail)  # type: ignore[operator]
        if n > n_avail:
            how = (f"share {g.share} of a {total:,.0f}-row mix" if g.share is not None
                   else f"n_rows {g.n_rows}")
            raise RecipeError(f"{recipe.id}: group {g.group} needs {n:,} rows ({how}) but its "
                              f"sources {g.from_} hold {n_avail:,} after exclusions; lower the "
                              "size or add data")
        sizes[g.group] = n
    return sizes


def select(unique: pl.DataFrame, recipe: Recipe) -> Selection:
    """A group's pool is filtered lazily, copying only the columns kept (copying each whole
    pool cost ~250 MB at 2.9M rows)."""
    member = {g.group: unique["source"].is_in(g.from_) for g in recipe.mix}
    available = {name: mask.sum() for name, mask in member.items()}
    sizes = group_sizes(recipe, available)
    chosen, per_source = [], {}
    for g in recipe.mix:
        pool = unique.lazy().filter(member[g.group])
        picked = _pick(pool, g, sizes[g.group], available[g.group], recipe.id)
        chosen.append(picked.drop("source"))
        counts = picked["source"].value_counts().sort("source")  # stable manifest bytes
        per_source[g.group] = dict(zip(counts["source"].to_list(), counts["count"].to_list()))
    return Selection(pl.concat(chosen), sizes, per_source)


_PICKED = ["_rid", "split", "source", "_key"]


def _pick(pool: pl.LazyFrame, group: MixGroup, n: int, available: int,
          recipe_id: str) -> pl.DataFrame:
    if n >= available:
        return pool.select(_PICKED).collect()
    if group.uniform == "pooled":
        return _smallest_keys(pool, n)
    sources = sorted(group.from_)
    base, extra = divmod(n, len(sources))
    held = dict(pool.group_by("source").len().collect().iter_rows())
    parts = []
    for i, source in enumerate(sources):
        want = base + (1 if i < extra else 0)  # the remainder goes to the first names
        if want > held.get(source, 0):
            raise RecipeError(f"{recipe_id}: group {group.group} takes {want:,} rows from each "
                              f"source (uniform: per_source) but {source} holds "
                              f"{held.get(source, 0):,}")
        parts.append(_smallest_keys(pool.filter(pl.col("source") == source), want))
    return pl.concat(parts)


def _smallest_keys(pool: pl.LazyFrame, n: int) -> pl.DataFrame:
    """The n rows of smallest (key, uid). Only rows up to the n-th smallest key are sorted
    (a lazy top-k on the two columns took 5x longer; sorting the whole pool, 160 MB more)."""
    cut = pool.select(pl.col("_key").bottom_k(n).max()).collect().item() if n else None
    if cut is None:
        return pool.select(_PICKED).head(0).collect()
    return (pool.filter(pl.col("_key") <= cut).select(*_PICKED, "uid", "_row_digest").collect()
            .sort("_key", "uid", *KEEP_BY).head(n)  # copies: by content only
            .select(_PICKED))


def newest_batch(batches: list[str]) -> str:
    """The latest batch name; ISO weeks ("2023-W9" < "2023-W14") compare as numbers."""
    def order(b: str):
        m = _WEEK.match(b)
        return (0, int(m.group(1)), int(m.group(2)), b) if m else (1, 0, 0, b)
    return max(batches, key=order)


def check_freshness(index: pl.DataFrame, recipe: Recipe) -> None:
    """Llama 2 collected each new batch from the latest model: the newest batch of every batched
    source must come from `requires.latest_batch_from`."""
    want = recipe.requires.latest_batch_from
    if not want:
        return
    batched = index.filter(pl.col("batch").is_not_null() & pl.col("model_iteration").is_not_null())
    for (source,), rows in batched.partition_by("source", as_dict=True).items():
        latest = newest_batch(rows["batch"].unique().to_list())
        found = sorted(rows.filter(pl.col("batch") == latest)["model_iteration"].unique().to_list())
        if found != [want]:
            raise RecipeError(f"{recipe.id}: the newest batch of {source} ({latest}) was sampled "
                              f"from {', '.join(found)}, but the recipe requires {want} "
                              f"(requires.latest_batch_from); collect a batch from {want} or "
                              "change the requirement")
