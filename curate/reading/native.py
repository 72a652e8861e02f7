"""The vectorised path for curate's own files: pyarrow parses a whole block of JSON Lines (or
Parquet batches are taken as they are) when every row is a clean record of exactly the
records' types; anything else in a block sends that block down the row-by-row path."""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from curate.adapters import Native
from curate.columns import arrow_schema, conform
from curate.errors import InputError
from curate.kinds import OUTPUT_FORMATS, kind_spec
from curate.output_forms import as_records, not_one_assistant_message
from curate.io.encoding import invalid_utf8_rows
from curate.io.files import read_blocks
from curate.io.raw import line_index, parquet_batches, parse_line, split_lines
from curate.reading.batch import BATCH_ROWS, Batch, Problem
from curate.reading.rows import row_batches


def native_jsonl(path: Path, kind: str) -> Iterator[Batch]:
    schema = arrow_schema(kind)
    derived = [("uid", pa.string()), ("safety_category", pa.int64())]
    tolerant = pa.schema(list(schema) + derived)
    options = pa_json.ParseOptions(explicit_schema=tolerant, unexpected_field_behavior="error")
    first_line = 1
    for block in read_blocks(path):
        numbers, all_objects = line_index(block, first_line)
        start, first_line = first_line, first_line + block.count(b"\n")
        table = _parse_block(block, options, len(numbers)) if all_objects else None
        if table is None:  # something in the block is not a clean record: row by row
            rows = ((line, parse_line(text)) for line, text in split_lines(block, start))
            yield from row_batches(path, Native(kind), rows, BATCH_ROWS)
            continue
        frame = pl.from_arrow(table.select(schema.names))
        frame = conform(frame, kind).with_columns(  # type: ignore[arg-type]
            pl.lit(str(path)).alias("_file"), pl.Series("_line", numbers, dtype=pl.Int64))
        yield Batch(kind, frame)


def _parse_block(block: bytes, options: pa_json.ParseOptions, n_lines: int) -> pa.Table | None:
    """The block as a table when pyarrow reads every line as one record of exactly the
    records' types (it does not check UTF-8: that is checked here), else None."""
    try:
        table = pa_json.read_json(io.BytesIO(block), parse_options=options)
        if table.num_rows != n_lines:
            return None
        table.validate(full=True)  # invalid UTF-8 inside a string
    except pa.ArrowInvalid:
        return None
    return table


def native_parquet(path: Path, kind: str, batch_rows: int,
                   row_groups: tuple[int, int] | None = None) -> Iterator[Batch]:
    """`row_groups` (start, stop): only those, their rows numbered as in the whole file."""
    try:
        parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
    except Exception as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    columns = check_parquet_columns(path, parquet.schema_arrow, kind)
    row, which = 0, {}
    if row_groups is not None:
        row = sum(parquet.metadata.row_group(i).num_rows for i in range(row_groups[0]))
        which = {"row_groups": list(range(*row_groups))}
    for record_batch in parquet_batches(parquet, path, batch_size=batch_rows, columns=columns,
                                        **which):
        bad = invalid_utf8_rows(record_batch)
        n = record_batch.num_rows
        keep = np.array([i for i in range(n) if i not in bad], dtype=np.int64) if bad else None
        if keep is not None:
            record_batch = record_batch.take(pa.array(keep))
        positions = np.arange(row, row + n) if keep is None else row + keep
        frame = pl.from_arrow(record_batch).with_columns(  # type: ignore[union-attr]
            pl.lit(str(path)).alias("_file"), pl.Series("_line", positions, dtype=pl.Int64))
        problems = [Problem(str(path), row + i, column, "bad_encoding",
                            f"invalid UTF-8 in column `{column}`; write it as UTF-8 text")
                    for i, column in sorted(bad.items())]
        frame, odd = _responses_as_text(frame, kind, path)
        frame = conform(frame, kind)
        problems = sorted(problems + odd, key=lambda p: p.line or 0)
        row += n
        yield Batch(kind, frame, problems)


def check_parquet_columns(path: Path, have: pa.Schema, kind: str) -> list[str]:
    """The record columns a native Parquet file holds, after checking each has the records'
    type (nulls, wider ints and large strings are fine; "0.7" in a float column is not) or
    the type a version's output format writes it in (a built shard reads back as records)."""
    types = _column_types(kind)
    unknown = [n for n in have.names if n not in types and n not in ("uid", "safety_category")]
    if unknown:
        raise InputError(f"{path}: column(s) {unknown} are not fields of {kind} records; "
                         "rename or drop them, or read the file with a column mapping")
    for name in have.names:
        got = have.field(name).type
        if name in types and not any(_compatible(got, want) for want in types[name]):
            raise InputError(f"{path}: column `{name}` is {got}, but {kind} "
                             f"records need {types[name][0]}; convert the column")
    return [n for n in types if n in have.names]


@cache
def _column_types(kind: str) -> dict[str, list[pa.DataType]]:
    """Each record field's type, then the types the output formats write a column in (an SFT
    version's standard `prompt` and `completion` are columns of no record field)."""
    types = {f.name: [f.type] for f in arrow_schema(kind)}
    computed = kind_spec(kind).model.model_computed_fields
    for format in OUTPUT_FORMATS:
        for f in kind_spec(kind).output_schema_for(format):
            if f.name not in computed and f.type not in types.setdefault(f.name, []):
                types[f.name].append(f.type)
    return types


def _responses_as_text(frame: pl.DataFrame, kind: str,
                       path: Path) -> tuple[pl.DataFrame, list[Problem]]:
    """A shard's rows with the records' columns (curate.output_forms.as_records); a response
    that is not one assistant message is a problem row, as the `trl` format rejects it."""
    problems = []
    for column in kind_spec(kind).responses:
        if column in frame.columns and isinstance(frame.schema[column], pl.List):
            odd = frame.filter(not_one_assistant_message(column).fill_null(False))
            problems += [Problem(str(path), line, column, "multi_message_response",
                                 f"`{column}` should hold exactly one assistant message; a "
                                 "comparison is between two single assistant answers")
                         for line in odd["_line"]]
            frame = frame.filter(~not_one_assistant_message(column).fill_null(False))
    return as_records(frame, kind), problems


def _compatible(got: pa.DataType, want: pa.DataType) -> bool:
    if got == want or pa.types.is_null(got):
        return True
    if pa.types.is_string(want):
        return pa.types.is_large_string(got) or pa.types.is_string_view(got)
    if pa.types.is_floating(want):
        return pa.types.is_floating(got) or pa.types.is_integer(got)
    if pa.types.is_integer(want):
        return pa.types.is_integer(got)
    if pa.types.is_list(want):
        if not (pa.types.is_list(got) or pa.types.is_large_list(got)
                or pa.types.is_list_view(got) or pa.types.is_large_list_view(got)):
            return False
        inner, need = got.value_type, want.value_type
        return (pa.types.is_struct(inner) and sorted(inner.names) == sorted(need.names)
                and all(_compatible(inner.field(n).type, need.field(n).type) for n in need.names))
    return False
