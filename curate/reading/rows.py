"""The row-by-row path: an adapter maps each raw row; each record's types are checked exactly.

Used for every format but the native one, and for native blocks the vectorised reader cannot
take as they are (a bad line, invalid UTF-8, a value of the wrong type). A `whole_file` adapter
(OpenAssistant's flat message lists, whose trees span rows) maps all of a file's rows at once.
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


Outcome = tuple[int, "list[dict[str, Any]] | Reject | BadLine"]


def row_batches(path: Path, adapter: Adapter, rows: Iterator[tuple[int, dict | BadLine]],
                 batch_rows: int) -> Iterator[Batch]:
    """Batches of the adapter's records for each raw row, and a Problem for every row that
    gives none; a `whole_file` adapter gets all of the file's rows at once (convert_file)."""
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    names: set[str] = set()  # every raw column name so far: the adapter says which it ignores
    convert = _file_outcomes if adapter.whole_file else _row_outcomes
    named = rows if adapter.columns is None else _naming(rows, names)  # None: lists nothing
    for line, out in convert(adapter, named):
        if isinstance(out, BadLine):
            problems.append(Problem(str(path), line, out.field, out.reason, out.message))
            continue
        if isinstance(out, Reject):
            problems.append(Problem(str(path), line, out.field, out.reason, out.message,
                                    skipped=isinstance(out, Skip)))
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


def _naming(rows: Iterator[tuple[int, dict | BadLine]], names: set[str],
            ) -> Iterator[tuple[int, dict | BadLine]]:
    for line, raw in rows:
        if not isinstance(raw, BadLine):
            names.update(raw)
        yield line, raw


def _row_outcomes(adapter: Adapter, rows: Iterator[tuple[int, dict | BadLine]],
                  ) -> Iterator[Outcome]:
    for line, raw in rows:
        if isinstance(raw, BadLine):
            yield line, raw
            continue
        try:
            yield line, _convert(adapter, raw)
        except Reject as exc:
            yield line, exc


def _file_outcomes(adapter: Adapter, rows: Iterator[tuple[int, dict | BadLine]],
                   ) -> Iterator[Outcome]:
    """The adapter sees the JSON objects; lines that are none are reported as they come."""
    bad: list[Outcome] = []

    def objects() -> Iterator[tuple[int, dict]]:
        for line, raw in rows:
            if isinstance(raw, BadLine):
                bad.append((line, raw))
            else:
                yield line, raw

    for line, out in adapter.convert_file(objects()):
        yield from bad
        bad.clear()
        if not isinstance(out, Reject):
            try:
                out = _typed(adapter, out)
            except Reject as exc:
                out = exc
        yield line, out
    yield from bad


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
    return _typed(adapter, out)


def _typed(adapter: Adapter, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
