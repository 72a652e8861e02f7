"""Pass 2 of `--engine ray`: a task per shard, whose rows follow from the selection
(curate.builder.shards), tasks for the dropped copies and the rejects files; the driver writes
the bytes they return under its scratch folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from curate.builder.ray_calls import TASK_RETRIES, completed, get, import_ray
from curate.builder.ray_tasks import (ShardInputs, dropped_rows, unpacked, write_rejects_files,
                                      write_shard)
from curate.builder.row_stats import RowStats
from curate.builder.shards import plan_shards
from curate.builder.spill import MemorySpill, bucket_name, bucket_of, reject_bits
from curate.builder.write import Output, by_bucket
from curate.errors import CurateError

if TYPE_CHECKING:
    from curate.builder.ray_engine import Store


def write(store: Store, chosen: pl.DataFrame, duplicates: pl.DataFrame, *, kind: str,
          margin: str, data_dir: Path, rejects_dir: Path, rows_per_shard: int,
          split_rows: dict[str, int], format: str, file_names: dict[str, str],
          on_rows: Callable[[int], None] = lambda n: None,
          ) -> tuple[list[Output], list[dict], dict[str, int], pl.DataFrame]:
    """Pass 2 on the cluster: what write_version returns, and the rows' stats (RowStats)."""
    ray = import_ray()
    bits = store.n_buckets.bit_length() - 1
    splits = sorted(s for s, n in split_rows.items() if n or s == "train")
    chosen_in = {b: ray.put(part) for b, part in by_bucket(chosen, bits).items()}
    counts = {s: [0] * store.n_buckets for s in splits}
    for bucket, split, n in chosen.select(bucket_of(bits), "split").group_by(
            "_bucket", "split").len().iter_rows():
        counts[split][bucket] = n
    shard = ray.remote(_write_shard).options(max_retries=TASK_RETRIES, name="curate_shard")
    plans = plan_shards({s: counts[s] for s in splits}, rows_per_shard=rows_per_shard)
    shard_refs = [shard.remote(plan, kind, margin, format,
                               *[ref for b, _, _ in plan.pieces
                                 for ref in (chosen_in[b], *store.data(b))])
                  for plan in plans]
    rejects_ref = _rejects(ray, store, duplicates, bits, kind=kind, format=format,
                           file_names=file_names)
    data_dir.mkdir(parents=True, exist_ok=True)
    outputs, stats = [], []

    def save(result: tuple[dict, Any, pl.DataFrame]) -> None:
        entry, data, rows = result
        (data_dir / Path(entry["path"]).name).write_bytes(data)
        outputs.append(Output(**entry))
        stats.append((entry["path"], rows))
        on_rows(entry["n_rows"])

    for _, result in completed(ray, shard_refs):
        save(result)
    rejects_files, n_duplicates = get(ray, rejects_ref)
    rejects_dir.mkdir(parents=True, exist_ok=True)
    for entry, data in rejects_files:
        (rejects_dir / Path(entry["path"]).name).write_bytes(data)
    order = {p.name: i for i, p in enumerate(plans)}
    outputs.sort(key=lambda o: order[Path(o.path).name])
    stats.sort(key=lambda s: order[Path(s[0]).name])
    written = {s: sum(o.n_rows for o in outputs if o.split == s) for s in splits}
    if written != {s: split_rows[s] for s in splits}:
        raise CurateError(f"selected {split_rows} rows but wrote {written}: a chosen row was "
                          "missing from pass 1's pieces; please report this curate bug")
    rows = [r for _, r in stats if r.height] or [RowStats(kind).frame()]  # an empty shard's
    return outputs, [e for e, _ in rejects_files], n_duplicates, pl.concat(  # lack columns
        rows, how="vertical_relaxed")


def _pieces(refs: list[Any]) -> list:
    """A bucket's pieces from every block, in block order (a block without any gave None)."""
    import ray

    return unpacked(ray.get(refs))


def _write_shard(plan, kind, margin, format, *values):
    """The shard task. Its buckets' objects (chosen rows, then each block's pieces) are its
    arguments, not refs inside one: Ray fetches them before the task starts and runs it on
    the node that holds most of them."""
    per_bucket = len(values) // max(1, len(plan.pieces))
    inputs = []
    for i, (bucket, _, _) in enumerate(plan.pieces):
        chosen, *parts = values[i * per_bucket:(i + 1) * per_bucket]
        inputs.append(ShardInputs(bucket, unpacked(parts), chosen))
    return write_shard(plan, inputs, kind=kind, margin=margin, format=format)


def _rejects(ray, store: Store, duplicates: pl.DataFrame, bits: int, *, kind: str, format: str,
             file_names: dict[str, str]) -> Any:
    """The rejects files' task, after a task per rejects bucket that finds the dropped
    copies' rows in its data buckets (the local writer adds them to that bucket)."""
    dropped = ray.remote(_dropped).options(max_retries=TASK_RETRIES, name="curate_dropped")
    shift = bits - reject_bits(bits)
    by_data = by_bucket(duplicates, bits)
    dropped_refs = {}
    for r in range(store.n_reject_buckets):
        mine = [(b, ray.put(by_data[b]), *store.data(b))
                for b in range(r << shift, (r + 1) << shift) if b in by_data]
        if mine:
            dropped_refs[r] = dropped.remote(mine, kind, format)
    files = ray.remote(_rejects_files).options(max_retries=TASK_RETRIES, name="curate_rejects")
    return files.remote([(r, dropped_refs.get(r), *store.rejects(r))
                         for r in range(store.n_reject_buckets)], store.problems(), kind,
                        format, file_names)


def _dropped(buckets, kind, format):
    import ray

    inputs = [(b, _pieces(refs), ray.get(dups)) for b, dups, *refs in buckets]
    return dropped_rows(inputs, kind=kind, format=format)


def _rejects_files(buckets, problem_refs, kind, format, file_names):
    """Returns (the files, the dropped copies per source)."""
    import ray

    spill = MemorySpill()  # pass 1's pieces of each bucket, then its dropped copies
    n_duplicates: dict[str, int] = {}
    for r, dropped_ref, *refs in buckets:
        spill.pieces[bucket_name(r)] = _pieces(refs)
        for _, frame in (ray.get(dropped_ref) if dropped_ref is not None else []):
            spill.append(bucket_name(r), frame)
            for source, n in frame["source"].value_counts().iter_rows():
                n_duplicates[source] = n_duplicates.get(source, 0) + n
    spill.pieces["problems"] = _pieces(problem_refs)
    files = write_rejects_files(spill.pieces, len(buckets), kind=kind, format=format,
                                file_names=file_names)
    return files, n_duplicates
