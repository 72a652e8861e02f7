"""From files to record batches: adapters, provenance (`_file`, `_line`) and contract problems.

Every raw row ends up either in a batch's frame or in its `problems` (with file, line, field,
reason and message): nothing read is lost. Native files take a vectorised fast path; the
row-by-row path runs only for other formats and for blocks that fail the fast path.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from pydantic import ValidationError

from curate.adapters import Adapter, Native, Reject, detect, get_adapter, needs_row
from curate.columns import arrow_schema, conform, polars_schema, with_derived
from curate.errors import InputError, RecordError
from curate.io.encoding import invalid_utf8_rows
from curate.io.files import expand_paths, read_blocks, storage_of
from curate.io.raw import BadLine, iter_raw, line_index, parquet_batches, parse_line, split_lines
from curate.records import RECORD_MODELS
from curate.typecheck import type_error

BATCH_ROWS = 50_000


@dataclass(frozen=True)
class Problem:
    """A raw row that could not become a record, and why."""

    file: str
    line: int | None
    field: str | None
    reason: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field,
                "reason": self.reason, "message": self.message}


@dataclass
class Batch:
    kind: str
    frame: pl.DataFrame  # the record columns, then _file and _line
    problems: list[Problem] = field(default_factory=list)
    source_format: str = ""

    @property
    def n_read(self) -> int:
        return self.frame.height + len(self.problems)


def scan_batches(paths: str | Path | Sequence[str | Path], *, format: str | None = None,
                 kind: str | None = None, set_fields: Mapping[str, Any] | None = None,
                 batch_rows: int = BATCH_ROWS, base: Path | None = None,
                 allow_empty: bool = False) -> Iterator[Batch]:
    """Stream record batches from files (a path, a glob, a folder or a list of them).

    Every raw row ends in a batch's frame or its `problems`; the frames are NOT checked (see
    curate.checks / curate.validate). A file with no record at all is an InputError unless
    `allow_empty`.
    """
    for path in expand_paths(paths, base=base):
        adapter = _adapter_for(path, format, kind, allow_empty)
        if kind and adapter.kind != kind:
            raise InputError(f"{path}: format {adapter.name} holds {adapter.kind} records, "
                             f"not {kind}; pass the matching --schema")
        defaults = getattr(adapter, "defaults_for", lambda _p: {})(path)
        fill = _fill_values(adapter.kind, defaults, set_fields or {})
        n_read = 0
        for batch in _batches_of(path, adapter, batch_rows):
            batch.frame = _fill(batch.frame, adapter.kind, *fill)
            batch.source_format = adapter.name
            n_read += batch.n_read
            yield batch
        if n_read == 0 and not allow_empty:
            raise InputError(f"{path}: empty file (no record in it); remove it, or allow empty "
                             "files (--allow-empty)")


# What the records' contract says (types, required fields, the literals); the other checks
# (duplicates, safety category 4, ...) judge quality and are curate.validate's business.
CONTRACT_REASONS = ("bad_field", "unknown_degree")


def read(paths: str | Path | Sequence[str | Path], *, format: str | None = None,
         kind: str | None = None, set_fields: Mapping[str, Any] | None = None,
         allow_empty: bool = False) -> pl.DataFrame:
    """Read records into one polars DataFrame with the schema's columns plus `uid` (and
    `safety_category` for comparisons).

    Every row is checked against the records' contract (the types, the required fields and
    the allowed values of `PreferenceRecord` / `SFTRecord`): the first row that breaks it
    raises RecordError with its file, line, field and reason, so every row returned is a
    valid record. The quality checks (duplicates, empty responses, safety category 4, ...)
    are not applied: `curate.validate` reports them, `curate build` excludes them. An empty
    file raises InputError unless `allow_empty`, which gives a frame with no rows.

    >>> import curate, tempfile, pathlib, json
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "hh.jsonl"
    >>> _ = p.write_text(json.dumps({"chosen": "\\n\\nHuman: Hi\\n\\nAssistant: Hello!",
    ...                              "rejected": "\\n\\nHuman: Hi\\n\\nAssistant: Go away."}) + "\\n")
    >>> df = curate.read(p, format="hh-rlhf", set_fields={"criterion": "helpfulness"})
    >>> df.select("chosen", "rejected", "criterion").row(0)
    ('Hello!', 'Go away.', 'helpfulness')
    """
    return _read(paths, format=format, kind=kind, set_fields=set_fields,
                 allow_empty=allow_empty, contract=True)


def read_unchecked(paths: str | Path | Sequence[str | Path], *, format: str | None = None,
                   kind: str | None = None, set_fields: Mapping[str, Any] | None = None,
                   allow_empty: bool = False) -> pl.DataFrame:
    """`read` WITHOUT the contract's value checks, for describing data (`curate stats`):
    rows may lack required fields (an HH-RLHF file has no `criterion`) or hold values
    outside the allowed ones. Rows that cannot be read at all, or hold values of the wrong
    type, still raise RecordError."""
    return _read(paths, format=format, kind=kind, set_fields=set_fields,
                 allow_empty=allow_empty, contract=False)


def _read(paths, *, format, kind, set_fields, allow_empty: bool, contract: bool) -> pl.DataFrame:
    from curate.checks import apply_checks, check_by_reason

    frames, record_kind = [], kind
    for batch in scan_batches(paths, format=format, kind=kind, set_fields=set_fields,
                              allow_empty=allow_empty):
        if batch.problems:
            p = batch.problems[0]
            raise RecordError(p.message, file=p.file, line=p.line, field=p.field, reason=p.reason)
        checked = apply_checks(batch.frame, batch.kind, seen=set(),
                               enabled=CONTRACT_REASONS if contract else ())
        broken = checked.filter(pl.col("reason").is_not_null())
        if broken.height:
            row = broken.row(0, named=True)
            check = check_by_reason(batch.kind)[row["reason"]]
            record = {k: v for k, v in row.items() if k in batch.frame.columns
                      and not k.startswith("_")}
            field_name, message = (explain(record, batch.kind)
                                   or [(check.field_in(row), check.message)])[0]
            raise RecordError(message, file=row["_file"], line=row["_line"], field=field_name,
                              reason=row["reason"])
        frames.append(checked.drop("reason", "warning", "_identical", strict=False))
        record_kind = batch.kind
    if not frames:
        record_kind = record_kind or (get_adapter(format, kind=kind).kind if format else
                                      "preference")
        empty = pl.DataFrame(schema=polars_schema(record_kind))
        return with_derived(empty, record_kind).drop("_identical", strict=False)
    return pl.concat(frames, how="vertical").drop("_file", "_line")


# --- choosing the adapter -------------------------------------------------------------

def _adapter_for(path: Path, format: str | None, kind: str | None,
                 allow_empty: bool = False) -> Adapter:
    if format:  # a name or a ColumnMapping; a name shared by two kinds (`trl`) needs a row
        row = _first_row(path) if kind is None and needs_row(format) else None
        return get_adapter(format, kind=kind, row=row)
    row = _first_row(path)
    if row is None:
        if _is_empty(path):
            if allow_empty:
                return Native(kind or "preference")
            raise InputError(f"{path}: empty file (no record in it); remove it, or allow empty "
                             "files (--allow-empty)")
        raise InputError(f"{path}: holds no JSON object to tell the format from; pass --format")
    return detect(row, where=str(path))


def _first_row(path: Path) -> dict | None:
    """The first raw object (for Parquet: its column names), or None when there is none."""
    if storage_of(path) == "parquet":
        try:
            names = pq.read_schema(path).names
        except Exception as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
        return dict.fromkeys(names, "")
    for _, row in iter_raw(path):
        if isinstance(row, dict):
            return row
    return None


def _is_empty(path: Path) -> bool:
    return next(iter_raw(path), None) is None


def _batches_of(path: Path, adapter: Adapter, batch_rows: int) -> Iterator[Batch]:
    if isinstance(adapter, Native):
        if storage_of(path) == "parquet":
            yield from _native_parquet(path, adapter.kind, batch_rows)
            return
        if storage_of(path) == "jsonl":
            yield from _native_jsonl(path, adapter.kind)
            return
    yield from _row_batches(path, adapter, iter_raw(path), batch_rows)


def _fill_values(kind: str, defaults: Mapping[str, Any], overrides: Mapping[str, Any],
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """`defaults` (e.g. a criterion from the file name) and `set` values, checked once: each
    must be a field of the records and of its type."""
    schema = polars_schema(kind)
    unknown = [k for k in {**defaults, **overrides} if k not in schema]
    if unknown:
        raise InputError(f"cannot set {unknown}: not fields of {kind} records "
                         f"(fields: {', '.join(schema)})")
    for key, value in overrides.items():
        problem = type_error({key: value}, kind)
        if problem or key in ("prompt", "messages"):
            raise InputError(f"cannot set `{key}` to {value!r}: "
                             f"{problem[1] if problem else 'set fills scalar fields only'}; "
                             "give a value of the field's type")
    return dict(defaults), dict(overrides)


def _fill(frame: pl.DataFrame, kind: str, defaults: Mapping[str, Any],
          overrides: Mapping[str, Any]) -> pl.DataFrame:
    """`defaults` fill nulls; `set` overrides."""
    schema = polars_schema(kind)
    exprs = [pl.col(k).fill_null(pl.lit(v, dtype=schema[k])) for k, v in defaults.items()
             if k not in overrides]
    exprs += [pl.lit(v, dtype=schema[k]).alias(k) for k, v in overrides.items()]
    return frame.with_columns(exprs) if exprs else frame


# --- the row-by-row path --------------------------------------------------------------

def _row_batches(path: Path, adapter: Adapter, rows: Iterator[tuple[int, dict | BadLine]],
                 batch_rows: int) -> Iterator[Batch]:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for line, raw in rows:
        if isinstance(raw, BadLine):
            problems.append(Problem(str(path), line, raw.field, raw.reason, raw.message))
            continue
        try:
            out = _convert(adapter, raw)
        except Reject as exc:
            problems.append(Problem(str(path), line, exc.field, exc.reason, exc.message))
            continue
        records.extend(out)
        lines.extend([line] * len(out))
        if len(records) >= batch_rows:
            yield _to_batch(path, adapter.kind, records, lines, problems)
            records, lines, problems = [], [], []
    if records or problems:
        yield _to_batch(path, adapter.kind, records, lines, problems)


def _convert(adapter: Adapter, raw: dict) -> list[dict[str, Any]]:
    """The adapter's records for one raw row, each of exactly the records' types."""
    try:
        out = adapter.convert(raw)
    except Reject:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        # An adapter that did not foresee a shape (a list where a string belongs, ...):
        # the row is rejected, never the whole run.
        raise Reject(f"format {adapter.name} cannot map this row ({type(exc).__name__}: "
                     f"{str(exc)[:80]}); check its fields against the format") from exc
    for record in out:
        problem = type_error(record, adapter.kind)
        if problem:
            raise Reject(problem[1], field=problem[0])
    return out


def _to_batch(path: Path, kind: str, records: list[dict[str, Any]], lines: list[int],
              problems: list[Problem]) -> Batch:
    # Types were checked row by row (curate.typecheck): building the frame coerces nothing
    # but integers into float columns.
    frame = pl.DataFrame(records, schema=polars_schema(kind), strict=False)
    frame = conform(frame, kind).with_columns(pl.lit(str(path)).alias("_file"),
                                              pl.Series("_line", lines, dtype=pl.Int64))
    return Batch(kind, frame, problems)


def explain(record: Mapping[str, Any], kind: str) -> list[tuple[str, str]]:
    """The contract errors of one record in words: [(field, message)], empty when it fits."""
    try:
        RECORD_MODELS[kind].model_validate(dict(record))
    except ValidationError as exc:
        return [_in_words(err) for err in exc.errors()]
    return []


def _in_words(err: Mapping[str, Any]) -> tuple[str, str]:
    field_name = ".".join(str(p) for p in err["loc"]) or "(record)"
    if err.get("input") is None and len(err["loc"]) == 1:
        return field_name, (f"missing required field `{field_name}`; write it in the data or fill "
                            f"it for the whole file (--set {field_name}=..., or `set:` in a recipe)")
    return field_name, f"{err['msg']} (got {str(err.get('input'))[:60]!r})"


# --- the native fast path -------------------------------------------------------------

def _native_jsonl(path: Path, kind: str) -> Iterator[Batch]:
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
            yield from _row_batches(path, Native(kind), rows, BATCH_ROWS)
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


def _native_parquet(path: Path, kind: str, batch_rows: int) -> Iterator[Batch]:
    schema = arrow_schema(kind)
    try:
        parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
    except Exception as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    columns = check_parquet_columns(path, parquet.schema_arrow, kind)
    row = 0
    for record_batch in parquet_batches(parquet, path, batch_size=batch_rows, columns=columns):
        bad = invalid_utf8_rows(record_batch)
        n = record_batch.num_rows
        keep = np.array([i for i in range(n) if i not in bad], dtype=np.int64) if bad else None
        if keep is not None:
            record_batch = record_batch.take(pa.array(keep))
        frame = conform(pl.from_arrow(record_batch), kind)  # type: ignore[arg-type]
        positions = np.arange(row, row + n) if keep is None else row + keep
        frame = frame.with_columns(pl.lit(str(path)).alias("_file"),
                                   pl.Series("_line", positions, dtype=pl.Int64))
        problems = [Problem(str(path), row + i, column, "bad_encoding",
                            f"invalid UTF-8 in column `{column}`; write it as UTF-8 text")
                    for i, column in sorted(bad.items())]
        row += n
        yield Batch(kind, frame, problems)


def check_parquet_columns(path: Path, have: pa.Schema, kind: str) -> list[str]:
    """The record columns a native Parquet file holds, after checking each has the records'
    type (nulls, wider ints and large strings are fine; "0.7" in a float column is not)."""
    schema = arrow_schema(kind)
    unknown = [n for n in have.names if n not in schema.names and n not in ("uid", "safety_category")]
    if unknown:
        raise InputError(f"{path}: column(s) {unknown} are not fields of {kind} records; "
                         "rename or drop them, or read the file with a column mapping")
    for name in have.names:
        if name in schema.names and not _compatible(have.field(name).type, schema.field(name).type):
            raise InputError(f"{path}: column `{name}` is {have.field(name).type}, but {kind} "
                             f"records need {schema.field(name).type}; convert the column")
    return [n for n in schema.names if n in have.names]


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
