"""`curate.validate`: read files, run every check, and report counts and the first errors.

>>> import curate, pathlib
>>> data = pathlib.Path(curate.__file__).parent / "examples" / "preference_sample.jsonl"
>>> report = curate.validate(data)
>>> report.n_read == report.n_valid + report.n_rejected + report.n_skipped
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from curate.checks import CheckConfig, apply_checks, check_by_reason
from curate.checks.duplicates import DUPLICATE, CopyIndex
from curate.io.prefetch import prefetch
from curate.errors import InputError
from curate.kinds import kind_spec
from curate.reading import Batch, Problem, explain, scan_batches

MAX_ERRORS = 100


class ValidationError_(BaseModel):
    file: str
    line: int | None = Field(description="1-based line (JSON Lines), record index (JSON array) "
                                         "or 0-based row (Parquet)")
    field: str | None
    reason: str
    message: str


class ValidationReport(BaseModel):
    """What `curate validate` found; `n_read = n_valid + n_rejected + n_skipped` always holds."""

    files: list[str] = []
    formats: list[str] = []
    schema_: str | None = Field(None, alias="schema")
    n_read: int = 0
    n_valid: int = 0
    n_rejected: int = 0
    n_skipped: int = Field(0, description="rows a format's or a mapping's rule left out on "
                                          "purpose (a `where:` filter): counted, not invalid")
    rejected_by_reason: dict[str, int] = {}
    skipped_by_reason: dict[str, int] = {}
    warnings_by_reason: dict[str, int] = {}
    by_safety_category: dict[str, int] = {}
    by_criterion: dict[str, int] = {}
    kinds: list[str] = Field([], description="record kinds read (preference, sft)")
    ignored_columns: list[str] = Field(
        [], description="raw columns present in the files that their format does not read")
    rejected_by_file: dict[str, dict[str, int]] = Field(
        {}, description="file -> reason -> records rejected (for JUnit: a test per check and file)")
    engine: str = "native"
    data_docs: str | None = Field(None, description="GX Data Docs index (--engine gx --data-docs)")
    errors: list[ValidationError_] = []

    model_config = {"populate_by_name": True}

    @property
    def ok(self) -> bool:
        return self.n_rejected == 0


def validate(paths: str | Path | Sequence[str | Path], *, format: str | None = None,
             schema: str | None = None, set_fields: Mapping[str, Any] | None = None,
             config: CheckConfig = CheckConfig(),
             on_batch: Callable[[int], None] | None = None, engine: str = "native",
             data_docs: str | Path | None = None, allow_empty: bool = False) -> ValidationReport:
    """Validate files against the record contract and every check; never raises for bad
    records (they are counted and reported), only for unusable input (InputError).
    `engine="gx"` runs the checks as their Great Expectations suite (curate[gx]), writing GX's
    Data Docs to `data_docs` when given; both engines give the same report. A file with no
    record is unusable (InputError) unless `allow_empty`. Duplicates are decided once every
    row is read (curate.checks.duplicates), so no verdict depends on file or row order."""
    tally = _Tally()
    copies = CopyIndex()
    check = _engine(engine, config, data_docs)
    batches = scan_batches(paths, format=format, kind=schema, set_fields=set_fields,
                           allow_empty=allow_empty)
    for batch in prefetch(batches):
        checked = check(batch.frame, batch.kind)
        tally.add(batch, checked)
        copies.add(checked, kind_spec(batch.kind).metadata)
        if on_batch:
            on_batch(batch.n_read)
    tally.add_duplicates(copies.dropped())
    report = tally.report(schema)
    report.engine = engine
    if engine == "gx" and data_docs is not None:
        report.data_docs = str(check.build_data_docs())  # type: ignore[attr-defined]
    return report


def _engine(name: str, config: CheckConfig, data_docs: str | Path | None):
    """`check(frame, kind)` -> the frame with uid, reason and warning."""
    if name == "native":
        return lambda frame, kind: apply_checks(frame, kind, config=config)
    if name != "gx":
        raise InputError(f"unknown engine {name!r}; use native or gx")
    from curate.expectations.engine import GXChecks

    return GXChecks(config, Path(data_docs) if data_docs else None)


class _Tally:
    def __init__(self) -> None:
        self.files: dict[str, None] = {}
        self.formats: dict[str, None] = {}
        self.n_read = self.n_valid = 0
        self.rejected: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()  # adapters.Skip: left out by a rule, not invalid
        self.warnings: Counter[str] = Counter()
        self.values: dict[str, Counter[str]] = {}  # KindSpec.report_values: column -> counts
        self.errors: list[dict[str, Any]] = []
        self.kinds: dict[str, None] = {}
        self.ignored: set[str] = set()
        self.by_file: dict[str, Counter[str]] = {}

    def add(self, batch: Batch, checked: pl.DataFrame) -> None:
        kind = batch.kind
        self.kinds[kind] = None
        self.formats[batch.source_format] = None
        self.ignored.update(batch.ignored_columns)
        bad = checked.filter(pl.col("reason").is_not_null())
        for file, reason, n in bad.group_by("_file", "reason").len().iter_rows():
            self.by_file.setdefault(file, Counter())[reason] += n
        for f in checked["_file"].unique(maintain_order=True).to_list():
            self.files[f] = None
        self.n_read += batch.n_read
        self.n_valid += checked["reason"].null_count()
        for problem in batch.problems:
            self.files[problem.file] = None
            if problem.skipped:
                self.skipped[problem.reason] += 1
                continue
            self.rejected[problem.reason] += 1
            self.by_file.setdefault(problem.file, Counter())[problem.reason] += 1
            self._error(problem)
        self.rejected.update(_counts(checked["reason"]))
        self.warnings.update(_counts(checked["warning"]))
        for column, allowed in kind_spec(kind).report_values.items():
            counts = self.values.setdefault(column, Counter())
            values = checked.select(  # a value outside the allowed ones ("harm") is unknown
                pl.when(pl.col(column).cast(pl.String).is_in(allowed))
                .then(pl.col(column).cast(pl.String)).otherwise(pl.lit("unknown"))).to_series()
            counts.update(_counts(values))
            counts["unknown"] += len(batch.problems)  # an unreadable row has no value
        if len(self.errors) < MAX_ERRORS:
            self._check_errors(checked, kind)

    def add_duplicates(self, dropped: pl.DataFrame) -> None:
        """The copies not kept (`_file`, `_line`), found once every row was read: valid rows
        so far, now rejected as `duplicate`."""
        if dropped.is_empty():
            return
        self.n_valid -= dropped.height
        self.rejected["duplicate"] += dropped.height
        for file, n in dropped.group_by("_file").len().iter_rows():
            self.by_file.setdefault(file, Counter())["duplicate"] += n
        # The first MAX_ERRORS by position; report() keeps the first MAX_ERRORS of all errors.
        at = {file: i for i, file in enumerate(self.files)}
        first = (dropped.with_columns(pl.col("_file").replace_strict(at, return_dtype=pl.Int64)
                                      .alias("_at")).sort("_at", "_line").head(MAX_ERRORS))
        self.errors += [{"file": file, "line": line, "field": DUPLICATE.field,
                         "reason": DUPLICATE.reason, "message": DUPLICATE.message}
                        for file, line in first.select("_file", "_line").iter_rows()]

    def _error(self, problem: Problem) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(problem.as_dict())

    def _check_errors(self, checked: pl.DataFrame, kind: str) -> None:
        failing = checked.filter(pl.col("reason").is_not_null()).head(MAX_ERRORS - len(self.errors))
        checks = check_by_reason(kind)
        derived = {*kind_spec(kind).model.model_computed_fields, "reason", "warning"}
        for row in failing.iter_rows(named=True):
            check = checks[row["reason"]]
            field, message = check.field_in(row), check.message
            if row["reason"] == "bad_field":  # pydantic says which field and why
                record = {k: v for k, v in row.items()
                          if not k.startswith("_") and k not in derived}
                field, message = (explain(record, kind) or [(field, message)])[0]
            self.errors.append({"file": row["_file"], "line": row["_line"], "field": field,
                                "reason": row["reason"], "message": message})

    def report(self, schema: str | None) -> ValidationReport:
        for kind in {*self.kinds, *([schema] if schema else [])}:
            for column, allowed in kind_spec(kind).report_values.items():
                counts = self.values.get(column, Counter())  # every value, 0 when absent
                self.values[column] = Counter({k: counts.get(k, 0) for k in (*allowed, "unknown")})
        n_rejected = sum(self.rejected.values())
        return ValidationReport(
            files=list(self.files), formats=list(self.formats), schema=schema,
            n_read=self.n_read, n_valid=self.n_valid, n_rejected=n_rejected,
            n_skipped=sum(self.skipped.values()),
            rejected_by_reason=dict(sorted(self.rejected.items())),
            skipped_by_reason=dict(sorted(self.skipped.items())),
            warnings_by_reason=dict(sorted(self.warnings.items())),
            **{f"by_{column}": dict(counts) for column, counts in self.values.items()},
            kinds=list(self.kinds), ignored_columns=sorted(self.ignored),
            rejected_by_file={f: dict(sorted(self.by_file[f].items())) for f in self.files
                              if f in self.by_file},
            errors=[ValidationError_(**e)
                    for e in sorted(self.errors, key=self._position)[:MAX_ERRORS]])

    def _position(self, error: dict[str, Any]) -> tuple[int, int]:
        return list(self.files).index(error["file"]), error["line"] or 0


def _counts(series: pl.Series) -> dict[str, int]:
    counts = series.drop_nulls().value_counts()
    return dict(zip(counts[series.name].to_list(), counts["count"].to_list()))
