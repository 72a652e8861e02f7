"""Spill files: a build's rows on disk between pass 1 and pass 2, grouped by named bucket.

One uncompressed Arrow IPC stream file for all buckets; each piece of a bucket is one record
batch message whose offset is kept, so a bucket is read back zero-copy from a memory map. A
batch of pass 1 is sorted by bucket once and written in one call, a record batch per bucket:
writing each bucket's part with its own polars `write_ipc` cost ~1.3 ms of CPU per part, which
at 128 buckets doubled what the spill cost pass 1 (2.9M rows: +12 s). Strings are written as
offsets + data (`CompatLevel.oldest`): a slice of a string-view column would carry its whole
text buffers into every record batch.

>>> import tempfile, polars as pl
>>> spill = Spill(Path(tempfile.mkdtemp()))
>>> spill.append_buckets(pl.DataFrame({"x": [1, 2, 3], "_bucket": [1, 0, 1]}))
>>> spill.append("bucket-001", pl.DataFrame({"x": [4]}))
>>> spill.read("bucket-001")["x"].to_list(), spill.read("bucket-002")
([1, 3, 4], None)
>>> spill.close()
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc


# Rejects are a few percent of the rows: 4x coarser buckets, so a 25k-row batch does not
# write ~128 tiny rejects pieces at 2.9M rows.
REJECT_BUCKET_SHIFT = 2


def bucket_name(bucket: int) -> str:
    return f"bucket-{bucket:03d}"


def bucket_of(bits: int) -> pl.Expr:
    """The bucket of a row: the top `bits` bits of its 64-bit `_key`, so buckets in order are
    keys in order and each can be sorted alone."""
    if not bits:
        return pl.lit(0, dtype=pl.UInt64).alias("_bucket")
    return (pl.col("_key") // pl.lit(1 << (64 - bits), dtype=pl.UInt64)).alias("_bucket")


def reject_bits(bits: int) -> int:
    """Bucket bits of the rejects spill: rejects bucket r holds data buckets r << shift, ..."""
    return max(0, bits - REJECT_BUCKET_SHIFT)


@dataclass(frozen=True)
class _Piece:
    offset: int
    length: int
    schema: pa.Schema  # the same object for every piece of an equal schema


class Spill:
    """Named row sets appended in pieces and read back whole (zero-copy from a memory map)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "spill.arrows"
        self._sink = pa.OSFile(str(self.path), "wb")  # writes outside the GIL
        self._pieces: dict[str, list[_Piece]] = {}
        self._schemas: list[pa.Schema] = []  # one object per distinct schema (see read)
        self._lock = threading.Lock()  # pass 2 appends duplicates while rejects are read

    def append(self, name: str, frame: pl.DataFrame) -> None:
        if not frame.is_empty():
            self._write(_to_arrow(frame), [(name, 0, frame.height)])

    def append_buckets(self, frame: pl.DataFrame) -> None:
        """Rows to the buckets named by their `_bucket` column (an integer); rows keep their
        order within a bucket."""
        if frame.is_empty():
            return
        frame = frame.sort("_bucket", maintain_order=True)
        runs, start = [], 0
        for bucket, n in frame["_bucket"].rle().struct.unnest().select("value", "len").iter_rows():
            runs.append((bucket_name(bucket), start, n))
            start += n
        self._write(_to_arrow(frame.drop("_bucket")), runs)

    def _write(self, table: pa.Table, runs: list[tuple[str, int, int]]) -> None:
        with self._lock:
            schema = next((s for s in self._schemas if s.equals(table.schema)), None)
            if schema is None:
                self._schemas.append(schema := table.schema)
            writer = ipc.new_stream(self._sink, schema)
            for name, start, n in runs:
                offset = self._sink.tell()
                for batch in table.slice(start, n).to_batches():
                    writer.write_batch(batch)
                piece = _Piece(offset, self._sink.tell() - offset, schema)
                self._pieces.setdefault(name, []).append(piece)
            writer.close()
            self._sink.flush()

    def read(self, name: str) -> pl.DataFrame | None:
        with self._lock:
            pieces = list(self._pieces.get(name, ()))
        if not pieces:
            return None
        whole = pa.memory_map(str(self.path)).read_buffer()  # the frames keep the map alive
        tables = []
        for piece in pieces:
            reader = pa.BufferReader(whole.slice(piece.offset, piece.length))
            batches = []
            while reader.tell() < piece.length:  # a message per record batch of the piece
                message = ipc.read_message(reader)
                if message.type == "record batch":  # the first piece of a call has the schema
                    batches.append(ipc.read_record_batch(message, piece.schema))
            tables.append(pa.Table.from_batches(batches, piece.schema))
        return assemble(tables)

    def close(self) -> None:
        self._sink.close()


class MemorySpill:
    """A Spill kept in memory, its pieces Arrow tables: what a Ray task of pass 1 fills and
    returns (one object per bucket), and what a task of pass 2 reads from the pieces it
    fetched, so both engines spill and read through the same calls."""

    def __init__(self, pieces: dict[str, list[pa.Table]] | None = None) -> None:
        self.pieces: dict[str, list[pa.Table]] = pieces if pieces is not None else {}

    def read(self, name: str) -> pl.DataFrame | None:
        return assemble(self.pieces.get(name) or [])

    def append(self, name: str, frame: pl.DataFrame) -> None:
        if not frame.is_empty():
            self.pieces.setdefault(name, []).append(_to_arrow(frame))

    def append_buckets(self, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        for (bucket,), part in frame.partition_by("_bucket", as_dict=True,
                                                   include_key=False, maintain_order=True).items():
            self.append(bucket_name(bucket), part)


def assemble(tables: list[pa.Table]) -> pl.DataFrame | None:
    """A bucket's pieces, in the order they were appended, as one frame: pieces of one schema
    become one frame, and frames of different schemas are concatenated diagonally (a column
    one source lacks is null there), so column order and types follow the pieces' order."""
    if not tables:
        return None
    runs: list[list[pa.Table]] = []
    schema = None
    for table in tables:
        if schema is None or not table.schema.equals(schema):
            runs.append([])
            schema = table.schema
        runs[-1].append(table)
    frames = [pl.from_arrow(pa.concat_tables(run)) for run in runs]
    return pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]


def _to_arrow(frame: pl.DataFrame) -> pa.Table:
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())
