"""Pass 2 of a build: emit the selected rows in key order into Hub-layout Parquet shards.

Byte-reproducible: rows are ordered by (key, uid), copies by source and metadata; shards hold
a fixed number of rows and row groups a fixed number of rows, each row group written from one
contiguous chunk (Arrow's Parquet writer cuts pages at chunk boundaries, so the bytes would
follow how the rows arrived: the spill's bucket count, which follows the input's size); one
writer configuration (zstd, statistics on) for every file.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curate.builder.shards import shard_name
from curate.builder.spill import Spill, bucket_name, bucket_of, reject_bits
from curate.checks.duplicates import KEEP_BY
from curate.io.background import Background
from curate.io.digest import sha256_file as sha256_of
from curate.io.prefetch import prefetch
from curate.errors import CurateError
from curate.kinds import DEFAULT_OUTPUT_FORMAT, kind_spec, output_schema
from curate.output_forms import to_output

ROW_GROUP_ROWS = 10_000
ZSTD_LEVEL = 1  # Arrow's default level: 3 cost +40% write time for ~5% smaller shards
# Llama 2, Table 27: margin by degree of preference.
MARGINS = {
    "large": {"significantly_better": 3.0, "better": 2.0, "slightly_better": 1.0,
              "negligibly_better": 0.0},
    "small": {"significantly_better": 1.0, "better": 2 / 3, "slightly_better": 1 / 3,
              "negligibly_better": 0.0},
}


def margin_expr(table: str) -> pl.Expr:
    """The reward margin of each comparison from its degree (0 where there is no degree)."""
    if table == "none":
        return pl.lit(0.0).alias("margin")
    by_degree = pl.col("degree").replace_strict(MARGINS[table], default=None,
                                                return_dtype=pl.Float64)
    return pl.coalesce(by_degree, pl.col("margin"), pl.lit(0.0)).alias("margin")


def parquet_writer(path: Path | pa.NativeFile, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(path, schema, compression="zstd", compression_level=ZSTD_LEVEL,
                            write_statistics=True)


class RowGroupCutter:
    """Cuts a stream of Arrow tables into row groups wherever their boundaries fall, each one
    contiguous chunk in `schema` (one copy): Arrow's writer cuts pages at chunk boundaries, so
    the bytes would otherwise follow how the rows arrived."""

    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema
        self.pending: list[pa.Table] = []
        self.n_pending = 0

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.n_pending += table.num_rows

    def cut(self, n: int) -> pa.Table:
        """The next `n` rows (at most those pending)."""
        data = pa.concat_tables(self.pending, promote_options="permissive")  # zero-copy
        rest = data.slice(n)
        self.pending, self.n_pending = [rest], rest.num_rows
        return data.slice(0, n).combine_chunks().cast(self.schema)


def row_groups(tables: Iterable[pa.Table], schema: pa.Schema) -> Iterator[pa.Table]:
    """`tables` as row groups of ROW_GROUP_ROWS rows (the last may be short)."""
    cutter = RowGroupCutter(schema)
    for table in tables:
        cutter.add(table)
        while cutter.n_pending >= ROW_GROUP_ROWS:
            yield cutter.cut(ROW_GROUP_ROWS)
    if cutter.n_pending:
        yield cutter.cut(cutter.n_pending)


def write_row_groups(path: Path | pa.NativeFile, schema: pa.Schema,
                     groups: Iterable[pa.Table]) -> int:
    """Each of `groups` as one row group, into a file or an Arrow output stream; a file
    without rows gets one empty row group, as pq.write_table writes. Returns the number of
    rows."""
    n_rows = 0
    with parquet_writer(path, schema) as writer:
        for group in groups:
            writer.write_table(group)
            n_rows += group.num_rows
        if not n_rows:
            writer.write_table(schema.empty_table())
    return n_rows


def write_parquet(table: pa.Table, path: Path) -> None:
    write_row_groups(path, table.schema, row_groups([table], table.schema))


@dataclass
class Output:
    split: str
    path: str
    n_rows: int
    sha256: str


def _encode_shard(groups: list[pa.Table], schema: pa.Schema, path: Path, split: str) -> Output:
    """Write a shard's row groups, releasing each once written (the shard's memory shrinks as
    it encodes)."""
    n_rows = write_row_groups(path, schema, (groups.pop(0) for _ in range(len(groups))))
    return Output(split, f"data/{path.name}", n_rows, sha256_of(path))


class ShardWriter:
    """Writes one split as `<split>-0000i-of-0000N.parquet`, `rows_per_shard` rows each, in row
    groups of ROW_GROUP_ROWS. Arriving rows (Arrow tables of string views) are cut into row
    groups, each one contiguous chunk in the output schema (one copy); a shard is encoded (in
    the pool) once all its row groups are cut."""

    def __init__(self, folder: Path, split: str, n_rows: int, rows_per_shard: int,
                 schema: pa.Schema, pool: Background) -> None:
        self.folder, self.split, self.schema, self.pool = folder, split, schema, pool
        self.rows_per_shard = rows_per_shard
        self.n_shards = max(1, -(-n_rows // rows_per_shard))
        self.cutter = RowGroupCutter(schema)  # rows not yet in a row group
        self.groups: list[pa.Table] = []  # the current shard's row groups
        self.n_grouped = 0
        self.futures: list[Future] = []

    def _path(self, shard: int) -> Path:
        return self.folder / shard_name(self.split, shard, self.n_shards)

    def _group_rows(self) -> int:
        return min(ROW_GROUP_ROWS, self.rows_per_shard - self.n_grouped)

    def write(self, rows: pa.Table) -> None:
        self.cutter.add(rows)
        while self.cutter.n_pending >= self._group_rows():
            self._cut(self._group_rows())

    def _cut(self, n: int) -> None:
        self.groups.append(self.cutter.cut(n))
        self.n_grouped += n
        if self.n_grouped == self.rows_per_shard:
            self._submit()

    def _submit(self) -> None:
        groups, self.groups, self.n_grouped = self.groups, [], 0
        self.futures.append(self.pool.submit(_encode_shard, groups, self.schema,
                                             self._path(len(self.futures)), self.split))

    def close(self) -> list[Output]:
        while self.cutter.n_pending:
            self._cut(min(self.cutter.n_pending, self._group_rows()))
        if self.groups or not self.futures:  # an empty split still gets one (empty) shard
            self._submit()
        return [f.result() for f in self.futures]


def write_version(spill: Spill, rejects: Spill, bits: int, chosen: pl.DataFrame,
                  duplicates: pl.DataFrame, *, kind: str, margin: str, data_dir: Path,
                  rejects_dir: Path, rows_per_shard: int, split_rows: dict[str, int],
                  on_rows: Callable[[pl.DataFrame], None] = lambda rows: None,
                  format: str = DEFAULT_OUTPUT_FORMAT, file_names: Mapping[str, str] | None = None,
                  ) -> tuple[list[Output], list[dict], dict[str, int]]:
    """Pass 2, bucket by bucket (key order), as three streams on two cores: a read-ahead thread
    prepares the next bucket, this thread encodes the shards, a second thread encodes the
    rejects of each bucket once this one is past it (duplicates join the rejects here).
    `on_rows` sees each bucket's chosen rows (with `split`, records' columns) before they are
    written in output `format`; `file_names` as for write_rejects. Returns the data outputs,
    the reject files and the duplicates per source."""
    schema = kind_spec(kind).output_schema_for(format)
    shift = bits - reject_bits(bits)  # rejects buckets are coarser (curate.builder.spill)
    data_dir.mkdir(parents=True, exist_ok=True)
    # zstd is the costliest step of a build and pyarrow encodes one file on one core: two
    # threads, at most two shards in flight (bounding memory).
    pool = Background(workers=2, limit=2)
    writers = {split: ShardWriter(data_dir, split, n, rows_per_shard, schema, pool)
               for split, n in split_rows.items() if n or split == "train"}
    n_duplicates: dict[str, int] = {}
    finished: queue.Queue = queue.Queue()
    result: dict = {}

    def encode_rejects() -> None:
        try:
            result["rejects"] = write_rejects(rejects, iter(finished.get, None), rejects_dir,
                                              kind=kind, format=format, file_names=file_names)
        except BaseException as exc:  # re-raised in the calling thread
            result["error"] = exc

    rejects_thread = threading.Thread(target=encode_rejects, daemon=True)
    rejects_thread.start()
    try:
        chosen_in, dropped_in = by_bucket(chosen, bits), by_bucket(duplicates, bits)
        prepared = (prepare_bucket(spill, b, chosen_in.get(b), dropped_in.get(b), margin,
                             (kind, format), writers, on_rows) for b in range(1 << bits))
        for bucket, parts, dropped in prefetch(prepared, depth=1):
            if dropped is not None and dropped.height:
                rejects.append(bucket_name(bucket >> shift), dropped)
                for source, n in dropped["source"].value_counts().iter_rows():
                    n_duplicates[source] = n_duplicates.get(source, 0) + n
            if (bucket + 1) % (1 << shift) == 0:  # the last data bucket of a rejects bucket
                finished.put(bucket >> shift)
            for split, table in parts.items():
                writers[split].write(table)
        outputs = [o for split in sorted(writers) for o in writers[split].close()]
        written = {split: sum(o.n_rows for o in outputs if o.split == split) for split in writers}
        if written != {split: split_rows[split] for split in writers}:
            raise CurateError(f"selected {split_rows} rows but wrote {written}: a chosen row "
                              "was missing from the spill; please report this curate bug")
    finally:
        finished.put(None)
        rejects_thread.join()
        pool.close()
    if "error" in result:
        raise result["error"]
    return outputs, result["rejects"], n_duplicates


def by_bucket(rows: pl.DataFrame, bits: int) -> dict[int, pl.DataFrame]:
    """Row ids (`_rid`, `_key`, ...) per bucket: each bucket then joins only its own."""
    return {b: part for (b,), part in rows.with_columns(bucket_of(bits)).partition_by(
        "_bucket", as_dict=True, include_key=False).items()}


# Output order. Copies of a record (kept when `duplicate` is not excluded) tie on (key, uid);
# source and metadata digest order them, so their order never follows the input's either.
_ORDER = ["_key", "uid", *KEEP_BY]


def prepare_bucket(spill: Spill, bucket: int, chosen: pl.DataFrame | None,
                   duplicates: pl.DataFrame | None, margin: str, output: tuple[str, str],
                   writers: dict, on_rows: Callable, window: tuple[int, int] | None = None):
    """One bucket's rows per split (output columns of `output`: kind and format) in (key, uid)
    order, and its duplicates; `window` (start, stop): only those rows of each split (a Ray
    shard task's part of the bucket).
    The order is found on the narrow key columns and each split's rows are gathered once:
    a join and a sort of the whole rows would copy every text twice more."""
    rows = spill.read(bucket_name(bucket))
    if rows is None:
        return bucket, {}, None
    names = output_schema(kind_spec(output[0]).model).names  # the records' output fields
    dropped = None if duplicates is None else rows.join(
        duplicates.select("_rid"), on="_rid", how="semi").with_columns(
        pl.lit("duplicate").alias("reason"))
    if chosen is None:
        return bucket, {}, dropped
    order = (rows.select("_rid", *_ORDER).with_row_index("_at")
             .join(chosen.select("_rid", "split"), on="_rid", how="inner").sort(_ORDER))
    parts = {}
    for split in writers:
        at = order.filter(pl.col("split") == split)["_at"]
        if window is not None:
            at = at.slice(window[0], window[1] - window[0])
        if at.is_empty():
            continue
        part = rows.select(pl.all().gather(at)).with_columns(pl.lit(split).alias("split"))
        if "margin" in part.columns:  # from the degree, by the recipe's margin table
            part = part.with_columns(margin_expr(margin))
        on_rows(part)
        parts[split] = to_output(part.select(names), *output).to_arrow()
    return bucket, parts, dropped


def _rejected_rows(rejects: Spill, buckets: Iterable[int], kind: str, format: str,
                   file_names: Mapping[str, str]) -> Iterator[pa.Table]:
    for bucket in buckets:
        rows = rejects.read(bucket_name(bucket))
        if rows is not None:
            keep = [c for c in rows.columns if not c.startswith("_") or c in ("_file", "_line")]
            rows = (rows.sort(*_ORDER, "_rid").select(keep)  # rejects keep their file and line
                    .rename({"_file": "file", "_line": "line"})
                    .with_columns(pl.col("file").replace(file_names)))
            yield to_output(rows, kind, format).to_arrow()


def write_rejects(rejects: Spill, buckets: Iterable[int], folder: Path, *, kind: str,
                  format: str = DEFAULT_OUTPUT_FORMAT,
                  file_names: Mapping[str, str] | None = None) -> list[dict]:
    """rejects/records.parquet: every record a check or the dedup excluded, with its reason,
    in key order, its fields written as the version's `format` writes them;
    rejects/unreadable.parquet: rows that never became records. `file_names`: each input file
    as the manifest names it (no machine paths, so the rejects' bytes match across machines)."""
    file_names = file_names or {}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    tables = _rejected_rows(rejects, buckets, kind, format, file_names)
    first = next(tables, None)
    if first is not None:  # row groups cut across buckets: the bytes follow the rows only
        path = folder / "records.parquet"
        n = write_row_groups(path, first.schema, row_groups(chain([first], tables),
                                                            first.schema))
        written.append({"path": "rejects/records.parquet", "n_rows": n, "sha256": sha256_of(path)})
    problems = rejects.read("problems")
    if problems is not None:
        path = folder / "unreadable.parquet"
        problems = problems.with_columns(pl.col("file").replace(file_names))
        write_parquet(problems.sort("source", "file", "line").to_arrow(), path)
        written.append({"path": "rejects/unreadable.parquet", "n_rows": problems.height,
                        "sha256": sha256_of(path)})
    return written
