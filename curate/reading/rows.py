"""The row-by-row path: an adapter maps each raw row; each record's types are checked exactly.

Used for every format but the native one, and for native blocks the vectorised reader cannot
take as they are (a bad line, invalid UTF-8, a value of the wrong type).
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from curate.adapters import Adapter, Reject, Skip
from curate.columns import conform, polars_schema
from curate.io.raw import BadLine
from curate.reading.batch import Batch, Problem
from curate.kinds import kind_spec
from curate.typecheck import type_error
from curate.preview import preview


def row_batches(path: Path, adapter: Adapter, rows: Iterator[tuple[int, dict | BadLine]],
                 batch_rows: int) -> Iterator[Batch]:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    names: set[str] = set()  # every raw column name so far: the adapter says which it ignores
    for line, raw in rows:
        if isinstance(raw, BadLine):
            problems.append(Problem(str(path), line, raw.field, raw.reason, raw.message))
            continue
        names.update(raw)
        try:
            out = _convert(adapter, raw)
        except Reject as exc:
            problems.append(Problem(str(path), line, exc.field, exc.reason, exc.message,
                                    skipped=isinstance(exc, Skip)))
            continue
        records.extend(out)
        lines.extend([line] * len(out))
        if len(records) >= batch_rows:
            yield to_batch(path, adapter.kind, records, lines, problems,
                           ignored=adapter.ignored_columns(names))
            records, lines, problems = [], [], []
    if records or problems:
        yield to_batch(path, adapter.kind, records, lines, problems,
                       ignored=adapter.ignored_columns(names))


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
    if not out:  # a row that vanished would break n_read = valid + rejected
        raise Reject(f"format {adapter.name} gives no record for this row; check its fields "
                     "against the format")
    for record in out:
        problem = type_error(record, adapter.kind)
        if problem:
            raise Reject(problem[1], field=problem[0])
    return out


def to_batch(path: Path, kind: str, records: list[dict[str, Any]], lines: list[int],
              problems: list[Problem], *, ignored: list[str] | None = None) -> Batch:
    # Types were checked row by row (curate.typecheck): building the frame coerces nothing
    # but integers into float columns.
    frame = pl.DataFrame(records, schema=polars_schema(kind), strict=False)
    frame = conform(frame, kind).with_columns(pl.lit(str(path)).alias("_file"),
                                              pl.Series("_line", lines, dtype=pl.Int64))
    return Batch(kind, frame, problems, ignored_columns=ignored or [])


def explain(record: Mapping[str, Any], kind: str) -> list[tuple[str, str]]:
    """The contract errors of one record in words: [(field, message)], empty when it fits."""
    try:
        kind_spec(kind).model.model_validate(dict(record))
    except ValidationError as exc:
        return [_in_words(err, kind) for err in exc.errors()]
    return []


def _in_words(err: Mapping[str, Any], kind: str) -> tuple[str, str]:
    field_name = ".".join(str(p) for p in err["loc"]) or "(record)"
    if err.get("input") is None and len(err["loc"]) == 1:
        return field_name, f"missing required field `{field_name}`; " + _how_to_set(field_name,
                                                                                    kind)
    return field_name, f"{err['msg']} (got {preview(err.get('input'), 60)})"


def _how_to_set(field_name: str, kind: str) -> str:
    """How to fill a field for a whole file, with a value it takes when it has a fixed set
    (criterion: `--set criterion=helpfulness` or `set: {criterion: helpfulness}`)."""
    field_info = kind_spec(kind).model.model_fields.get(field_name)
    values = typing.get_args(field_info.annotation) if field_info else ()
    if not values or not all(isinstance(v, str) for v in values):
        return (f"write it in the data or fill it for the whole file (--set {field_name}=..., "
                "or `set:` in a recipe)")
    return (f"write it in the data or fill it for the whole file: --set {field_name}={values[0]}"
            f", or `set: {{{field_name}: {values[0]}}}` in a recipe (one of {', '.join(values)})")
