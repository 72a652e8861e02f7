"""Which rows each output shard holds, from the selection alone: shard i of a split holds rows
[i * rows_per_shard, (i + 1) * rows_per_shard) of the split in key order, and the buckets of
pass 2 hold consecutive runs of that order. An engine that writes shards apart (Ray: one task
per shard) cuts the same files the local engine's one stream of buckets cuts.

>>> plans = plan_shards({"train": [3, 0, 4]}, rows_per_shard=5)
>>> [(p.name, p.pieces) for p in plans]
[('train-00000-of-00002.parquet', ((0, 0, 3), (2, 0, 2))), ('train-00001-of-00002.parquet', ((2, 2, 4),))]
"""

from __future__ import annotations

from dataclasses import dataclass


def shard_name(split: str, shard: int, n_shards: int) -> str:
    return f"{split}-{shard:05d}-of-{n_shards:05d}.parquet"


@dataclass(frozen=True)
class ShardPlan:
    split: str
    shard: int
    n_shards: int
    pieces: tuple[tuple[int, int, int], ...]  # (bucket, start, stop) of the bucket's split rows

    @property
    def name(self) -> str:
        return shard_name(self.split, self.shard, self.n_shards)

    @property
    def n_rows(self) -> int:
        return sum(stop - start for _, start, stop in self.pieces)


def plan_shards(rows_per_bucket: dict[str, list[int]], *, rows_per_shard: int,
                ) -> list[ShardPlan]:
    """`rows_per_bucket[split][b]`: the split's chosen rows in bucket b. A split with no rows
    gets one empty shard, as the local writer writes (only splits given are planned)."""
    plans = []
    for split, counts in rows_per_bucket.items():
        n_shards = max(1, -(-sum(counts) // rows_per_shard))
        shards: list[list[tuple[int, int, int]]] = [[] for _ in range(n_shards)]
        at = 0  # the split's rows before this bucket
        for bucket, n in enumerate(counts):
            start = 0
            while start < n:
                shard = (at + start) // rows_per_shard
                stop = min(n, (shard + 1) * rows_per_shard - at)
                shards[shard].append((bucket, start, stop))
                start = stop
            at += n
        plans += [ShardPlan(split, i, n_shards, tuple(p)) for i, p in enumerate(shards)]
    return plans
