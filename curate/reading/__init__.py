"""From files to record batches: adapters, provenance (`_file`, `_line`) and contract problems.

Every raw row ends up either in a batch's frame or in its `problems` (with file, line, field,
reason and message): nothing read is lost. Native files take a vectorised fast path; the
row-by-row path runs only for other formats and for blocks that fail the fast path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from curate.adapters import Adapter, Native, detect, get_adapter, needs_row
from curate.columns import polars_schema, with_derived
from curate.console import print_note
from curate.errors import InputError, RecordError
from curate.io.files import expand_paths, storage_of
from curate.io.raw import iter_raw
from curate.reading.batch import BATCH_ROWS, Batch, Problem
from curate.reading.native import native_jsonl, native_parquet
from curate.reading.rows import explain, row_batches
from curate.typecheck import type_error

__all__ = ["BATCH_ROWS", "Batch", "Problem", "explain", "read", "read_unchecked", "scan_batches"]


def scan_batches(paths: str | Path | Sequence[str | Path], *, format: str | None = None,
                 kind: str | None = None, set_fields: Mapping[str, Any] | None = None,
                 batch_rows: int = BATCH_ROWS, base: Path | None = None,
                 allow_empty: bool = False, notes: bool = True,
                 row_groups: tuple[int, int] | None = None) -> Iterator[Batch]:
    """Stream record batches from files (a path, a glob, a folder or a list of them).

    Every raw row ends in a batch's frame or its `problems`; the frames are NOT checked (see
    curate.checks / curate.validate). A file with no record at all is an InputError unless
    `allow_empty`. `notes`: say on stderr what a file's path implies (off for a second read
    of files already announced). `row_groups` (start, stop): read only those row groups of a
    native Parquet file (see splittable_rows), as a block of it; an empty block is no error.
    """
    for path in expand_paths(paths, base=base):
        adapter, defaults = _opened(path, format, kind, allow_empty)
        if notes:
            _say_defaults(path, adapter.name, defaults, set_fields or {})
        fill = _fill_values(adapter.kind, defaults, set_fields or {})
        n_read = 0
        allow_empty = allow_empty or row_groups is not None
        for batch in _batches_of(path, adapter, batch_rows, row_groups):
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
    valid record. Rows a rule leaves out on purpose (adapters.Skip: a mapping's `where:`, a
    deleted message) are not records and not errors: they are left out. The quality checks
    (duplicates, empty responses, safety category 4, ...) are not applied: `curate.validate`
    reports them, `curate build` excludes them. An empty file raises InputError unless
    `allow_empty`, which gives a frame with no rows.

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
        invalid = [p for p in batch.problems if not p.skipped]
        if invalid:
            p = invalid[0]
            raise RecordError(p.message, file=p.file, line=p.line, field=p.field, reason=p.reason)
        checked = apply_checks(batch.frame, batch.kind,
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


def _opened(path: Path, format: str | None, kind: str | None, allow_empty: bool,
            ) -> tuple[Adapter, Mapping[str, Any]]:
    adapter = _adapter_for(path, format, kind, allow_empty)
    if kind and adapter.kind != kind:
        raise InputError(f"{path}: format {adapter.name} holds {adapter.kind} records, "
                         f"not {kind}; pass the matching --schema")
    return adapter, adapter.defaults_for(path)


def announce(path: Path, *, format: str | None, kind: str | None,
             set_fields: Mapping[str, Any] | None = None) -> None:
    """Check that `format` reads `path` as `kind` records and say its notes (what its path
    implies), as scan_batches does first: for a reader whose workers read with notes off."""
    adapter, defaults = _opened(path, format, kind, True)
    _say_defaults(path, adapter.name, defaults, set_fields or {})
    _fill_values(adapter.kind, defaults, set_fields or {})


def splittable_rows(path: Path, *, format: str | None, kind: str | None) -> list[int] | None:
    """The row counts of a native Parquet file's row groups, which scan_batches can read
    apart (`row_groups`); None for any other file (read whole)."""
    adapter = _adapter_for(path, format, kind, True)
    if not isinstance(adapter, Native) or storage_of(path) != "parquet":
        return None
    try:
        metadata = pq.read_metadata(path)
    except Exception:  # not readable: the whole-file read reports it as every reader does
        return None
    return [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]


def _batches_of(path: Path, adapter: Adapter, batch_rows: int,
                row_groups: tuple[int, int] | None = None) -> Iterator[Batch]:
    if isinstance(adapter, Native) and storage_of(path) == "parquet":
        yield from native_parquet(path, adapter.kind, batch_rows, row_groups)
        return
    if row_groups is not None:
        raise ValueError(f"{path}: only native Parquet files are read by row groups")
    if isinstance(adapter, Native) and storage_of(path) == "jsonl":
        yield from native_jsonl(path, adapter.kind)
        return
    yield from row_batches(path, adapter, iter_raw(path), batch_rows)


def _say_defaults(path: Path, format_name: str, defaults: Mapping[str, Any],
                  overrides: Mapping[str, Any]) -> None:
    """A field taken from the file's path (HH-RLHF's criterion) is never taken silently: a
    note on stderr says so, or, for a default of None, that this path does not tell it."""
    for key, value in defaults.items():
        if key in overrides:
            continue
        how = f"--set {key}=... or `set: {{{key}: ...}}` in a recipe"
        print_note(f"note: {path}: {key} {value}, from the file's path ({format_name}); {how} "
                   "chooses another" if value is not None else
                   f"note: {path}: no {key}: {format_name} takes it from the file's path, which "
                   f"does not tell; give it with {how}, or its records lack it (bad_field)")


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
