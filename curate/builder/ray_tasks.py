"""What the Ray engine's tasks run: the local engine's per-batch and per-bucket functions
(scan_file, spill_wanted, prepare_bucket, write_row_groups, write_rejects) over pieces held
as Arrow tables, not over spill files. Plain functions, no Ray: curate.builder.ray_engine and
ray_write make them tasks.

A task's outputs come back whole: a shard's or a rejects file's bytes (the driver writes them
under its scratch folder, so the atomic rename of the version stays on its side), a block's
pieces per bucket (one object each, so a shard task fetches only the buckets it writes).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from curate.builder.index import (FileBlock, Keying, SourceCounts, index_frame, scan_file,
                                  spill_wanted)
from curate.builder.row_stats import RowStats
from curate.builder.shards import ShardPlan
from curate.builder.sources import ResolvedSource
from curate.builder.spill import MemorySpill, bucket_name
from curate.builder.write import (Output, prepare_bucket, row_groups, write_rejects,
                                  write_row_groups)
from curate.errors import InputError
from curate.io.background import Background
from curate.kinds import kind_spec


@dataclass(frozen=True)
class BlockTask:
    """One block of pass 1: a file (or row groups of one) of a source, and where it lies."""

    source: ResolvedSource
    path: str  # as the driver names it (the rejects' `file`, the manifest's file names)
    absolute: str  # the same, absolute on the driver (a worker's working folder is Ray's)
    block: FileBlock
    endpoint: str | None = None  # the Hub's URL, for a Hub file not on the worker's node
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) of the driver's file at its path


def versions() -> dict[str, str]:
    """What the bytes of a version depend on besides the recipe and records: a worker with
    others would write other shards."""
    from curate import __version__

    return {"curate": __version__, "polars": pl.__version__, "pyarrow": pa.__version__}


def scan_block(task: BlockTask, keying: Keying, bits: int, n_buckets: int,
               n_reject_buckets: int, *, spilled: bool = True) -> list:
    """Pass 1 over a block: [(counts, index rows, versions()), the eligible rows' pieces of
    each data bucket, the rejected rows' pieces of each rejects bucket, the unreadable rows'
    pieces] (a bucket's pieces: a list of Arrow tables in the order read, None when none).
    Not `spilled`: the eligible rows are left out (a sampled source's: reread_block reads the
    selected ones again, as the local engine's spill_deferred does)."""
    tally, spill, rejects = SourceCounts(), MemorySpill(), MemorySpill()
    path = _readable(task)
    frames = scan_file(task.source, path, task.block, keying, bits,
                       spill=spill if spilled else None, rejects=rejects, tally=tally,
                       notes=False)
    frame = index_frame(frames)
    _as_the_driver_names(path, task, spill, rejects)
    return [(tally, frame, versions()),
            *[packed(spill.pieces.get(bucket_name(b))) for b in range(n_buckets)],
            *[packed(rejects.pieces.get(bucket_name(b))) for b in range(n_reject_buckets)],
            packed(rejects.pieces.get("problems"))]


def packed(pieces: list[pa.Table] | None) -> list[pa.Buffer] | None:
    """A bucket's pieces as Arrow IPC streams, one per run of pieces of one schema: Ray stores
    and ships one buffer at the cost of a copy, where a list of tables cost it per column and
    per batch (pass 1 spent ~10 s of 1M rows' tasks storing ~100k small buffers)."""
    if not pieces:
        return None
    streams, run = [], [pieces[0]]
    for table in pieces[1:]:
        if not table.schema.equals(run[0].schema):
            streams.append(_stream(run))
            run = []
        run.append(table)
    return [*streams, _stream(run)]


def _stream(tables: list[pa.Table]) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, tables[0].schema) as writer:
        for table in tables:
            writer.write_table(table)
    return sink.getvalue()


def unpacked(parts: list[list[pa.Buffer] | None]) -> list[pa.Table]:
    """The pieces of packed parts (None: a block without any), in order, read zero-copy."""
    return [ipc.open_stream(stream).read_all() for part in parts if part for stream in part]


def reread_block(task: BlockTask, keying: Keying, bits: int, n_buckets: int,
                 wanted: pl.DataFrame) -> list:
    """The `wanted` rows (`_rid`, `_key`, sorted by `_rid`) of a block of a sampled source,
    read again: [their number, their pieces per data bucket as scan_block gives them] (a row
    whose key is not pass 1's fails the build: the file changed)."""
    spill = MemorySpill()
    path = _readable(task)
    batches = keying.batches(task.source, path, notes=False, row_groups=task.block.row_groups)
    with Background(limit=1) as writes:
        spill_wanted(path, batches, wanted, task.block.file_no << 40, keying, bits, spill,
                     writes, lambda n: None, first_row=task.block.first_row)
    _as_the_driver_names(path, task, spill)
    return [wanted.height, *[packed(spill.pieces.get(bucket_name(b))) for b in range(n_buckets)]]


def _as_the_driver_names(path: Path, task: BlockTask, *spills: MemorySpill) -> None:
    """Pieces read from this node's own copy of a Hub or URL file name it as the driver does."""
    if str(path) == task.path:
        return
    for spill in spills:
        for name, pieces in spill.pieces.items():
            column = "file" if name == "problems" else "_file"
            pieces[:] = [_named(t, column, str(path), task.path) for t in pieces]


def _readable(task: BlockTask) -> Path:
    """The block's file on this node: the driver's path (local paths must be the same on every
    node), or for a Hub file not there, this node's copy at the pinned commit (downloaded into
    its HF cache when missing, checked against the sha256 the driver read); a file of another
    URL is this node's copy (curate.io.remote.on_this_node: checked against the driver's xxh3)."""
    remote = task.source.url_files.get(Path(task.path))
    if remote is not None:
        from curate.io.remote import on_this_node

        return on_this_node(remote)
    path = Path(task.absolute)
    if path.exists():
        st = path.stat()
        if task.stamp is not None and (st.st_size, st.st_mtime_ns) != task.stamp:
            raise InputError(f"{task.path}: on a Ray node this path holds another file than "
                             f"the driver's ({st.st_size:,} bytes, mtime {st.st_mtime_ns}; the "
                             f"driver read {task.stamp[0]:,} bytes, mtime {task.stamp[1]}); give "
                             "every node the same files (a shared file system)")
        return path
    hub = task.source.hub_files.get(Path(task.path))
    if hub is None:
        raise InputError(f"{task.path}: no such file on a Ray node; local paths must be the "
                         "same on every node (a shared file system), or read it through hf://")
    from huggingface_hub import hf_hub_download

    from curate.hub.env import hub_cache
    from curate.io.digest import sha256_file

    local = Path(hf_hub_download(hub.repo, hub.path, repo_type="dataset", revision=hub.commit,
                                 cache_dir=hub_cache(), endpoint=task.endpoint))
    if sha256_file(local) != hub.sha256:
        raise InputError(f"{local} ({hub.path} of {hub.repo}@{hub.commit[:12]}) on a Ray node "
                         "is not the file the driver read; delete it from that node's HF cache")
    return local


def _named(table: pa.Table, column: str, local: str, shown: str) -> pa.Table:
    """A piece read from `local` with its file `column` as the driver names the file."""
    if column not in table.column_names:
        return table
    at = table.column_names.index(column)
    return table.set_column(at, column, pc.replace_substring(table[column], local, shown))


@dataclass(frozen=True)
class ShardInputs:
    """A bucket a shard writes rows of: its pieces (from every block) and its chosen rows."""

    bucket: int
    pieces: list[pa.Table]
    chosen: pl.DataFrame  # _rid, split


def write_shard(plan: ShardPlan, buckets: list[ShardInputs], *, kind: str, margin: str,
                format: str) -> tuple[dict, pa.Buffer, pl.DataFrame]:
    """One shard, as the local ShardWriter cuts it: (its Output, its bytes, its rows' stats)."""
    schema = kind_spec(kind).output_schema_for(format)
    tables, stats = [], RowStats(kind)
    for inputs, (bucket, start, stop) in zip(buckets, plan.pieces, strict=True):
        spill = MemorySpill({bucket_name(bucket): inputs.pieces})
        seen: list[pl.DataFrame] = []  # the split's rows before output form (for RowStats)
        _, parts, _ = prepare_bucket(spill, bucket, inputs.chosen, None, margin, (kind, format),
                                     [plan.split], seen.append, window=(start, stop))
        tables.append(parts[plan.split])
        stats.add(seen[0])
    sink = pa.BufferOutputStream()  # encoded in memory: the driver writes the file
    n_rows = write_row_groups(sink, schema, row_groups(tables, schema))
    data = sink.getvalue()
    output = Output(plan.split, f"data/{plan.name}", n_rows, hashlib.sha256(data).hexdigest())
    return output.__dict__, data, stats.frame()


def dropped_rows(buckets: list[tuple[int, list[pa.Table], pl.DataFrame]], *, kind: str,
                 format: str) -> list[tuple[int, pl.DataFrame]]:
    """The dropped copies' rows of data buckets [(bucket, pieces, duplicates' _rid)], with
    reason `duplicate`, as the local writer moves them to the rejects."""
    out = []
    for bucket, pieces, duplicates in buckets:
        _, _, dropped = prepare_bucket(MemorySpill({bucket_name(bucket): pieces}), bucket, None,
                                       duplicates, "none", (kind, format), [],
                                       lambda part: None)
        if dropped is not None and dropped.height:
            out.append((bucket, dropped))
    return out


def write_rejects_files(pieces: dict[str, list[pa.Table]], n_buckets: int, *, kind: str,
                        format: str, file_names: dict[str, str]) -> list[tuple[dict, bytes]]:
    """rejects/*.parquet as write_rejects writes them: [(its manifest entry, its bytes)]."""
    with tempfile.TemporaryDirectory(prefix="curate-rejects-") as folder:
        entries = write_rejects(MemorySpill(pieces), range(n_buckets), Path(folder), kind=kind,
                                format=format, file_names=file_names)
        return [(e, (Path(folder) / Path(e["path"]).name).read_bytes()) for e in entries]
