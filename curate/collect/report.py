"""`curate collect report`: the weekly figures of collected batches, per batch and model iteration.

- degrees: the share of each of Llama 2's four degrees; ties/unsure = negligibly_better;
- safety bins (Llama 2, section 3.2.2): 1 chosen safe / rejected unsafe (18% in the paper),
  2 both safe (47%), 3 both unsafe (35%), shares of the pairs in bins 1-3; category 4 (chosen
  unsafe / rejected safe) is excluded from the shares, as the build excludes it, and counted;
- agreement: pairs judged twice (the same prompt and the same two responses, in either order):
  an overlap copy's repeat annotation (`--repeats`, written by ingest) or a second annotator's
  batch of the same packet. Every two annotations of an item form a pair: `choice` is the share
  of pairs choosing the same response, `degree` the share choosing it by the same degree;
- lengths: per variant and temperature, responses, mean characters and words, share chosen.
Shares, bins and lengths count the batch files only; the repeats count for agreement only.

>>> import curate, pathlib
>>> data = pathlib.Path(curate.__file__).parent / "examples" / "preference_sample.jsonl"
>>> groups = batch_report([data])["groups"]
>>> [(g["batch"], g["n"], g["ties"]["n"], g["safety"]["n_category_4_excluded"]) for g in groups]
[('2023-W14', 2, 0, 0), ('2023-W15', 3, 2, 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import polars as pl

import curate
from curate.errors import InputError
from curate.identity import digests, prompt_uid_expr
from curate.kinds import kind_of_columns, kind_spec
from curate.records import DEGREES

NONE = "(none)"
LLAMA2_SAFETY_BINS = {1: 0.18, 2: 0.47, 3: 0.35}  # Llama 2, section 3.2.2 (../shared/LLAMA2.md)
GROUP = ("batch", "model_iteration")
PREFERENCE = kind_spec("preference")


def _read_batch(path: str | Path) -> pl.DataFrame:
    frame = curate.read(path)  # the kind its format holds, said below in report's own terms
    if kind_of_columns(frame.columns) is not PREFERENCE:
        raise InputError(f"{path}: not preference records; `curate collect report` reads the "
                         "week's comparisons: the batch files `curate collect ingest` writes, or "
                         "any preference file curate reads")
    return frame


def _read(paths: Sequence[str | Path]) -> pl.DataFrame:
    frames = [_read_batch(p) for p in paths]
    frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    return frame.with_columns(pl.col(c).cast(pl.String).fill_null(NONE) for c in GROUP)


def _share(n: int, total: int) -> float | None:
    return n / total if total else None


def _degrees(group: pl.DataFrame) -> tuple[dict[str, dict[str, Any]], int]:
    counts = dict(group["degree"].drop_nulls().value_counts().iter_rows())
    total = sum(counts.values())
    return ({d: {"n": counts.get(d, 0), "share": _share(counts.get(d, 0), total)} for d in DEGREES},
            group["degree"].null_count())


def _safety(group: pl.DataFrame) -> dict[str, Any]:
    counts = dict(group["safety_category"].drop_nulls().value_counts().iter_rows())
    kept = sum(counts.get(b, 0) for b in LLAMA2_SAFETY_BINS)
    return {"bins": {str(b): {"n": counts.get(b, 0), "share": _share(counts.get(b, 0), kept),
                              "llama2": ref} for b, ref in LLAMA2_SAFETY_BINS.items()},
            "n_category_4_excluded": counts.get(4, 0),
            "n_unlabelled": group["safety_category"].null_count()}


def _items(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per annotation: the item it judged (prompt + the unordered response pair), the
    response it chose, its degree and annotator."""
    chosen, rejected = digests(frame["chosen"]), digests(frame["rejected"])
    first = pl.when(pl.col("_c") < pl.col("_r")).then(pl.col("_c")).otherwise(pl.col("_r"))
    second = pl.when(pl.col("_c") < pl.col("_r")).then(pl.col("_r")).otherwise(pl.col("_c"))
    return (frame.with_columns(prompt_uid_expr("prompt"), _c=chosen, _r=rejected)
            .select(*GROUP, pl.concat_str(["criterion", "prompt_uid", first, second],
                                          separator="\x1e").alias("item"),
                    pl.col("_c").alias("chosen_digest"), "degree", "annotator"))


def _agreement(annotations: pl.DataFrame) -> dict[str, Any]:
    n_items = n_pairs = n_between = same_choice = same_degree = 0
    for rows in annotations.group_by("item", maintain_order=True):
        judged = rows[1].select("chosen_digest", "degree", "annotator").rows()
        if len(judged) < 2:
            continue
        n_items += 1
        for (c1, d1, a1), (c2, d2, a2) in combinations(judged, 2):
            n_pairs += 1
            n_between += a1 != a2
            same_choice += c1 == c2
            same_degree += c1 == c2 and d1 == d2
    return {"n_items": n_items, "n_pairs": n_pairs, "n_pairs_between_annotators": n_between,
            "choice": _share(same_choice, n_pairs), "degree": _share(same_degree, n_pairs)}


def _lengths(group: pl.DataFrame) -> list[dict[str, Any]]:
    sides = [group.select(pl.col(f"{side}_model").fill_null(NONE).alias("variant"),
                          pl.col(f"{side}_temperature").alias("temperature"),
                          pl.col(side).str.len_chars().alias("chars"),
                          pl.col(side).str.count_matches(r"\S+").alias("words"),
                          pl.lit(side == "chosen").alias("chosen"))
             for side in ("chosen", "rejected")]
    table = (pl.concat(sides).group_by("variant", "temperature")
             .agg(pl.len().alias("n"), pl.col("chars").mean().alias("mean_chars"),
                  pl.col("words").mean().alias("mean_words"),
                  pl.col("chosen").mean().alias("chosen_share"))
             .sort("variant", "temperature", nulls_last=True))
    return table.to_dicts()


def batch_report(paths: Sequence[str | Path], *,
                 repeats: Sequence[str | Path] = ()) -> dict[str, Any]:
    """The report of the batch files (any preference files curate reads) as a JSON-ready dict;
    `repeats`: the repeat annotations ingest set aside, used for agreement only."""
    batches = _read(paths)
    annotations = _items(pl.concat([batches, _read(repeats)], how="diagonal_relaxed")
                         if repeats else batches)
    groups = []
    for (batch, iteration), group in batches.group_by(*GROUP, maintain_order=True):
        degrees, n_without = _degrees(group)
        agreed = annotations.filter(pl.col("batch") == batch, pl.col("model_iteration") == iteration)
        groups.append({
            "batch": batch, "model_iteration": iteration, "n": group.height,
            "criteria": dict(sorted(group["criterion"].value_counts().iter_rows())),
            "degrees": degrees, "n_without_degree": n_without,
            "ties": degrees["negligibly_better"], "safety": _safety(group),
            "agreement": _agreement(agreed), "lengths": _lengths(group)})
    groups.sort(key=lambda g: (g["batch"], g["model_iteration"]))
    return {"files": [str(p) for p in paths], "repeats": [str(p) for p in repeats],
            "groups": groups}
