"""Run the checks over record batches, vectorised. `duplicate` is not decided per batch: it
needs every copy of a record (curate.checks.duplicates), so validate and the build apply it
once they have seen all rows.

>>> import polars as pl
>>> from curate.columns import conform
>>> frame = conform(pl.DataFrame({
...     "prompt": [[{"role": "user", "content": "Hi"}]] * 2,
...     "chosen": ["Hello!", "Same"], "rejected": ["Go away.", "Same"],
...     "criterion": ["helpfulness"] * 2, "source": ["demo"] * 2}), "preference")
>>> apply_checks(frame, "preference")["reason"].to_list()
[None, 'identical_pair']
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from curate.checks.base import Check, CheckConfig, Expect

# curate.kinds and curate.columns import this package's check modules: they are imported
# where used, so that any of them can be imported first.


def checks_for(kind: str) -> tuple[Check, ...]:
    from curate.kinds import kind_spec

    return kind_spec(kind).checks


def reasons(kind: str, *, severity: str | None = None) -> list[str]:
    """The check reasons of `kind` in check order: those of one severity, or all (what a
    recipe's `exclude:` may name: a warning it names excludes its records too)."""
    return [c.reason for c in checks_for(kind) if severity in (None, c.severity)]


def check_by_reason(kind: str) -> dict[str, Check]:
    return {c.reason: c for c in checks_for(kind)}


def apply_checks(frame: pl.DataFrame, kind: str, *, config: CheckConfig = CheckConfig(),
                 enabled: Iterable[str] | None = None) -> pl.DataFrame:
    """Add `uid` (+ `safety_category`), `reason` (the first failing error check, else null) and
    `warning` (the first failing warning). `enabled` limits the error checks to those reasons;
    a warning it names becomes an error (a recipe that excludes it). Duplicates span all
    rows, so they are found after the checks, over everything read (curate.checks.duplicates).
    """
    from curate.columns import with_derived

    wanted = set(enabled) if enabled is not None else None
    errors = [c for c in checks_for(kind) if c.reason != "duplicate" and (
        c.severity == "error" if wanted is None else c.reason in wanted)]
    warnings = [c for c in checks_for(kind) if c.severity == "warning"
                and (wanted is None or c.reason not in wanted)]
    return with_derived(frame, kind).with_columns(
        _first_reason(errors, config).alias("reason"),
        _first_reason(warnings, config).alias("warning"))


def _first_reason(checks: list[Check], config: CheckConfig) -> pl.Expr:
    if not checks:
        return pl.lit(None, dtype=pl.String)
    expr = pl.when(checks[0].fails(config).fill_null(False)).then(pl.lit(checks[0].reason))
    for check in checks[1:]:
        expr = expr.when(check.fails(config).fill_null(False)).then(pl.lit(check.reason))
    return expr.otherwise(pl.lit(None, dtype=pl.String))


__all__ = ["Check", "CheckConfig", "Expect", "apply_checks", "check_by_reason", "checks_for", "reasons"]
