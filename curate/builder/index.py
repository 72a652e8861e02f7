"""Pass 1 of a build: read every source once, check it, index it, and spill the eligible rows.

The index holds only what selection needs (row id, uid, sampling key, split key, batch, model
iteration, reason). Eligible rows go to spill files bucketed by the top bits of their sampling
key, so pass 2 can emit them in key order one small bucket at a time (bounded memory). Rejected
rows go straight to the rejects spill with their reason. Each file's stamp (size, mtime, xxh3)
is taken as it is read: a file that changes before the build ends fails it (InputError).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import polars_hash  # noqa: F401  (registers the `nchash` namespace used for keys)

from curate.builder.sources import ResolvedSource
from curate.builder.spill import Spill, bucket_of, reject_bits
from curate.checks import CheckConfig, apply_checks
from curate.checks.duplicates import row_digest
from curate.io.background import Background
from curate.io.digest import FileStamp, changed_error, check_unchanged
from curate.io.prefetch import prefetch
from curate.kinds import kind_spec
from curate.reading import Problem, scan_batches

BATCH_ROWS = 25_000  # with one batch read ahead: peak RSS under 2 GiB on Table 6-sized rows


@dataclass
class SourceCounts:
    n_read: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    def reject(self, reason: str, n: int = 1) -> None:
        if n:
            self.rejected_by_reason[reason] = self.rejected_by_reason.get(reason, 0) + n


@dataclass
class Index:
    """What pass 1 learned about every record that became a record."""

    frame: pl.DataFrame  # rid, source, uid, key, split_key, batch, model_iteration, row_digest,
    #                      rejected (by a check)
    counts: dict[str, SourceCounts]
    files: dict[str, list[Path]]
    bucket_bits: int
    deferred: list[str] = field(default_factory=list)  # sources whose rows were not spilled
    stamps: dict[Path, FileStamp] = field(default_factory=dict)  # each file as pass 1 read it

    def check_unchanged(self) -> None:
        """InputError naming the first file that changed since pass 1 read it (cheap: stats)."""
        for path, stamp in self.stamps.items():
            check_unchanged(path, stamp)


def bucket_bits_for(total_bytes: int) -> int:
    """Enough buckets that each holds ~16 MB of input (1..256 buckets, a power of two): a
    bucket is what pass 2 holds in memory, ~4x that once decoded (2.9M rows: peak RSS
    1.88 GiB with 32 MB, 1.62 GiB with 16 MB). The output bytes do not depend on it."""
    buckets = max(1, total_bytes // (16 << 20))
    return min(8, max(0, (buckets - 1).bit_length()))


@dataclass(frozen=True)
class Keying:
    """How pass 1 and the re-read of deferred sources turn a batch into keyed, checked rows."""

    kind: str
    seed: int
    split_seed: int
    checks_on: list[str]
    batch_rows: int = BATCH_ROWS

    @classmethod
    def of(cls, kind: str, seed: int, split_seed: int, excluded: list[str],
           batch_rows: int = BATCH_ROWS) -> Keying:
        """`duplicate` is decided at selection, across sources, not per batch."""
        return cls(kind, seed, split_seed, [r for r in excluded if r != "duplicate"],
                   batch_rows)

    def batches(self, source: ResolvedSource, path: Path, *, notes: bool = True,
                row_groups: tuple[int, int] | None = None):
        """`notes` off for a second read of a file (its notes were said) or on a Ray worker
        (the driver says them); `row_groups`: of a Parquet file, a block of it."""
        return prefetch(scan_batches(path, format=source.format, kind=self.kind,
                                     batch_rows=self.batch_rows,
                                     set_fields={**source.set_fields, "source": source.name},
                                     notes=notes, row_groups=row_groups),
                        depth=1)

    def keyed(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (with `_rid`) checked, with its sampling key, split key and row digest."""
        checked = apply_checks(frame, self.kind, enabled=self.checks_on, config=CheckConfig())
        return checked.with_columns(
            pl.col("uid").nchash.xxh3_64(seed=self.seed).alias("_key"),
            pl.col("uid").nchash.xxh3_64(seed=self.split_seed).alias("_split_key"),
            row_digest(kind_spec(self.kind).metadata))


def _with_rids(frame: pl.DataFrame, file_no: int, ordinal: int) -> pl.DataFrame:
    """Row id: the file's number in the recipe's file order, then the record's ordinal in it."""
    return frame.with_columns((pl.lit(file_no << 40, dtype=pl.Int64) + pl.int_range(
        ordinal, ordinal + frame.height, dtype=pl.Int64)).alias("_rid"))


INDEX_SCHEMA = {"_rid": pl.Int64, "source": pl.String, "uid": pl.String, "_key": pl.UInt64,
                "_split_key": pl.UInt64, "batch": pl.String, "model_iteration": pl.String,
                "_row_digest": pl.UInt64, "_rejected": pl.Boolean}


def scan_sources(sources: list[ResolvedSource], *, kind: str, seed: int, split_seed: int,
                 excluded: list[str], spill: Spill, rejects: Spill,
                 deferred: set[str] = frozenset(), on_batch=None) -> Index:
    """Pass 1. The eligible rows of `deferred` sources (read by sampled groups only) are not
    spilled: most are not selected, and reading the few that are once more (spill_deferred)
    costs less than writing and reading back all of them."""
    total_bytes = sum(p.stat().st_size for s in sources for p in s.files)
    bits = bucket_bits_for(total_bytes)
    keying = Keying.of(kind, seed, split_seed, excluded)
    frames, counts, stamps = [], {}, {}
    file_no = 0
    with Background(limit=1) as writes:  # a batch's spill writes overlap the next one's checks
        for source in sources:
            counts[source.name] = tally = SourceCounts()
            for path in source.files:
                before = FileStamp.of(path)
                frames += scan_file(source, path, FileBlock(file_no), keying, bits,
                                    spill=None if source.name in deferred else spill,
                                    rejects=rejects, tally=tally, writes=writes.submit,
                                    on_batch=on_batch)
                stamps[path] = FileStamp.after_reading(path, before)
                file_no += 1
    return Index(index_frame(frames), counts, {s.name: s.files for s in sources}, bits,
                 [s.name for s in sources if s.name in deferred], stamps)


def index_frame(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames) if frames else pl.DataFrame(schema=INDEX_SCHEMA)


@dataclass(frozen=True)
class FileBlock:
    """What of a file one read covers: all of it, or (Parquet) row groups [start, stop), whose
    first row has ordinal `first_row` in the file (so row ids keep the file's order whatever
    the blocks)."""

    file_no: int
    row_groups: tuple[int, int] | None = None
    first_row: int = 0


def scan_file(source: ResolvedSource, path: Path, block: FileBlock, keying: Keying, bits: int,
              *, spill, rejects, tally: SourceCounts, writes=lambda fn, *a, **k: fn(*a, **k),
              on_batch=None, notes: bool = True) -> list[pl.DataFrame]:
    """Pass 1 over one file or block of it: every batch read, checked, keyed; its problems
    and rejected rows into `rejects`, its eligible rows into `spill` (None: not spilled),
    both by bucket; returns the batches' index rows. `writes(fn, *args)` runs the spill
    writes (in the background for the local engine); both engines call this."""
    ordinal, frames = block.first_row, []
    for batch in keying.batches(source, path, row_groups=block.row_groups, notes=notes):
        tally.n_read += batch.n_read
        _spill_problems(batch.problems, source.name, rejects, tally)
        checked = keying.keyed(_with_rids(batch.frame, block.file_no, ordinal))
        ordinal += batch.frame.height
        bad = checked.filter(pl.col("reason").is_not_null())
        for reason, k in bad["reason"].value_counts().iter_rows():
            tally.reject(reason, k)
        writes(_spill_by_bucket, bad, reject_bits(bits), rejects, keep_reason=True)
        if spill is not None:
            writes(_spill_by_bucket, checked.filter(pl.col("reason").is_null()), bits, spill)
        frames.append(checked.select(  # rejected rows too: the split counts them
            "_rid", pl.col("source"), "uid", "_key", "_split_key", "batch",
            pl.col("model_iteration") if "model_iteration" in checked.columns
            else pl.lit(None, pl.String).alias("model_iteration"), "_row_digest",
            pl.col("reason").is_not_null().alias("_rejected")))
        if on_batch:
            on_batch(batch.n_read)
    return frames


def spill_deferred(sources: list[ResolvedSource], index: Index, wanted: pl.DataFrame, *,
                   kind: str, seed: int, split_seed: int, excluded: list[str],
                   spill: Spill, on_rows: Callable[[int], None] = lambda n: None) -> None:
    """Read the deferred sources again and spill the rows in `wanted` (`_rid`, `_key`: the
    chosen rows and the dropped duplicates, pass 2 writes both). A file none of them is in is
    skipped, and reading stops after its last wanted row. A file that changed since pass 1
    (its stamp, or a wanted row with another key) fails the build. `on_rows(n)` after each
    batch that had n wanted rows."""
    keying = Keying.of(kind, seed, split_seed, excluded)
    wanted = wanted.select("_rid", "_key").sort("_rid")
    rids = wanted["_rid"]
    file_no = 0
    with Background(limit=1) as writes:
        for source in sources:
            for path in source.files:
                lo, hi = file_no << 40, (file_no + 1) << 40
                file_no += 1
                if source.name not in index.deferred:
                    continue
                here = wanted.slice(a := rids.search_sorted(lo), rids.search_sorted(hi) - a)
                if not here.is_empty():
                    check_unchanged(path, index.stamps[path])
                    spill_wanted(path, keying.batches(source, path, notes=False), here, lo, keying,
                                 index.bucket_bits, spill, writes, on_rows)


def spill_wanted(path: Path, batches, wanted: pl.DataFrame, lo: int, keying: Keying, bits: int,
                 spill: Spill, writes: Background, on_rows: Callable[[int], None], *,
                 first_row: int = 0) -> None:
    """Spill the rows of one file in `wanted` (sorted by id; the file's ids start at `lo`),
    and stop reading after the last of them. Each must have the key pass 1 gave it.
    `batches` may start at row `first_row` of the file (a block of it, read on Ray)."""
    rids = wanted["_rid"]
    ordinal, last, n_found = first_row, rids[-1], 0
    for batch in batches:
        start, ordinal = ordinal, ordinal + batch.frame.height
        here = wanted.slice(a := rids.search_sorted(lo + start),
                            rids.search_sorted(lo + ordinal) - a)
        if not here.is_empty():
            frame = _with_rids(batch.frame, lo >> 40, start)
            rows = keying.keyed(frame.filter(pl.col("_rid").is_in(here["_rid"].implode())))
            if not rows["_key"].equals(here["_key"]):  # both in row id order
                moved = rows.join(here, on="_rid", suffix="_first").filter(
                    pl.col("_key") != pl.col("_key_first"))["_rid"]
                raise changed_error(path, f"its record {moved[0] - lo + 1} differs from the "
                                    "one read first" if len(moved) else "its records moved")
            n_found += here.height
            writes.submit(_spill_by_bucket, rows, bits, spill)
            on_rows(here.height)
        if lo + ordinal > last:
            break
    if n_found < len(rids):
        raise changed_error(path, f"it now ends before record {last - lo + 1}")


def _spill_by_bucket(frame: pl.DataFrame, bits: int, spill: Spill, *,
                     keep_reason: bool = False) -> None:
    """Rows go to the bucket of their key (curate.builder.spill.bucket_of)."""
    frame = frame.drop("_identical", "warning", *([] if keep_reason else ["reason"]),
                       strict=False)
    spill.append_buckets(frame.with_columns(bucket_of(bits)))


def _spill_problems(problems: list[Problem], source: str, rejects: Spill,
                    tally: SourceCounts) -> None:
    if not problems:
        return
    for p in problems:
        tally.reject(p.reason)
    rejects.append("problems", pl.DataFrame(
        [{**p.as_dict(), "source": source} for p in problems],
        schema={"file": pl.String, "line": pl.Int64, "field": pl.String, "reason": pl.String,
                "message": pl.String, "source": pl.String}))
