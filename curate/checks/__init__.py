"""Run the checks over record batches, vectorised; `duplicate` keeps state across batches.

>>> import polars as pl
>>> from curate.columns import conform
>>> frame = conform(pl.DataFrame({
...     "prompt": [[{"role": "user", "content": "Hi"}]] * 3,
...     "chosen": ["Hello!", "Hello!", "Same"], "rejected": ["Go away.", "Go away.", "Same"],
...     "criterion": ["helpfulness"] * 3, "source": ["demo"] * 3}), "preference")
>>> apply_checks(frame, "preference", seen=set())["reason"].to_list()
[None, 'duplicate', 'identical_pair']
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from curate.checks.base import Check, CheckConfig, Expect

# curate.kinds and curate.columns import this package's check modules: they are imported
# where used, so that any of them can be imported first.

DUPLICATE = Check("duplicate", "uid", "the same content (uid) appeared earlier; the first "
                  "copy is kept", fails=lambda c: pl.lit(False),  # stateful: _mark_duplicates
                  expects=lambda c: [Expect("expect_column_values_to_be_unique",
                                            {"column": "uid"})])


def checks_for(kind: str) -> tuple[Check, ...]:
    from curate.kinds import kind_spec

    return kind_spec(kind).checks


def reasons(kind: str, *, severity: str = "error") -> list[str]:
    return [c.reason for c in checks_for(kind) if c.severity == severity]


def check_by_reason(kind: str) -> dict[str, Check]:
    return {c.reason: c for c in checks_for(kind)}


def apply_checks(frame: pl.DataFrame, kind: str, *, seen: set[str],
                 config: CheckConfig = CheckConfig(),
                 enabled: Iterable[str] | None = None) -> pl.DataFrame:
    """Add `uid` (+ `safety_category`), `reason` (the first failing error check, else null) and
    `warning` (the first failing warning). `seen` holds the uids kept so far (updated in place),
    so `duplicate` spans batches and files: the first valid copy wins.
    """
    from curate.columns import with_derived

    wanted = set(enabled) if enabled is not None else None
    errors = [c for c in checks_for(kind) if c.severity == "error" and c.reason != "duplicate"
              and (wanted is None or c.reason in wanted)]
    warnings = [c for c in checks_for(kind) if c.severity == "warning"]
    frame = with_derived(frame, kind).with_columns(
        _first_reason(errors, config).alias("reason"),
        _first_reason(warnings, config).alias("warning"))
    if wanted is None or "duplicate" in wanted:
        frame = _mark_duplicates(frame, seen)
    return frame


def _first_reason(checks: list[Check], config: CheckConfig) -> pl.Expr:
    if not checks:
        return pl.lit(None, dtype=pl.String)
    expr = pl.when(checks[0].fails(config).fill_null(False)).then(pl.lit(checks[0].reason))
    for check in checks[1:]:
        expr = expr.when(check.fails(config).fill_null(False)).then(pl.lit(check.reason))
    return expr.otherwise(pl.lit(None, dtype=pl.String))


def _mark_duplicates(frame: pl.DataFrame, seen: set[str]) -> pl.DataFrame:
    uids = frame["uid"].to_list()
    ok = frame["reason"].is_null().to_list()
    duplicate = []
    for uid, passes in zip(uids, ok):
        if passes and uid in seen:
            duplicate.append(True)
        else:
            if passes:
                seen.add(uid)
            duplicate.append(False)
    return frame.with_columns(
        pl.when(pl.Series(duplicate, dtype=pl.Boolean)).then(pl.lit("duplicate"))
        .otherwise(pl.col("reason")).alias("reason"))


__all__ = ["Check", "CheckConfig", "Expect", "apply_checks", "check_by_reason", "checks_for", "reasons"]
