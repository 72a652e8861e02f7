"""Two versions of one small preference dataset, as a team makes them week after week.

v1: source a (weeks W01, W02) taken in full, source b (no batches) sampled to 100 rows, seed 3.
v2: a new week W03 of source a, seed 4, and identical pairs now excluded. One row in ten of each
source is an identical pair (chosen == rejected); one in five is safety category 4 (always out).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

import curate
from tests.builder.conftest import comparisons, write_jsonl, write_recipe


def _with_identical_pairs(rows: list[dict]) -> list[dict]:
    for i, row in enumerate(rows):
        if i % 10 == 3:
            row["rejected"] = row["chosen"]
    return rows


def recipe(folder: Path, *, version: int, seed: int, exclude: list[str], **over) -> Path:
    base = dict(sources={"a": {"path": "a/*.jsonl"}, "b": {"path": "b/*.jsonl"}},
                mix=[{"group": "weekly", "from": ["a"], "take": "all"},
                     {"group": "open", "from": ["b"], "n_rows": 100}],
                split={"test": {"per_batch": 10, "otherwise": 0.1}})
    return write_recipe(folder, version=version, seed=seed, exclude=exclude, **{**base, **over})


def build_v1(folder: Path, **kw):
    write_jsonl(folder / "a/w1.jsonl", _with_identical_pairs(
        comparisons(200, source="x", batches=("2023-W01", "2023-W02"))))
    write_jsonl(folder / "b/w.jsonl", _with_identical_pairs(comparisons(
        300, source="x", criterion="helpfulness", seed=1, batches=(None,), start=1000)))
    return curate.build(recipe(folder, version=1, seed=3, exclude=["duplicate"]),
                        out=folder / "out", progress=False, **kw)


def build_v2(folder: Path, **kw):
    write_jsonl(folder / "a/w3.jsonl", _with_identical_pairs(
        comparisons(50, source="x", batches=("2023-W03",), start=500)))
    return curate.build(recipe(folder, version=2, seed=4, exclude=["duplicate", "identical_pair"]),
                        out=folder / "out", progress=False, **kw)


def uids(build, source: str) -> set[str]:
    frames = [pl.read_parquet(build.path / o.path, columns=["uid", "source"])
              for o in build.manifest.outputs]
    return set(pl.concat(frames).filter(pl.col("source") == source)["uid"])


def rejected(build, reason: str) -> set[str]:
    rejects = pl.read_parquet(build.path / "rejects/records.parquet", columns=["uid", "reason"])
    return set(rejects.filter(pl.col("reason") == reason)["uid"])
