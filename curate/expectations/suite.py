"""The Great Expectations suite of a record kind, generated from the check definitions.

Every check (curate.checks) carries the GX expectations that fail exactly where it does, so the
suite cannot drift from what `curate validate` and the build enforce. A few expectations read
columns curate derives from the records (the roles of a dialogue, its length in characters, the
uid): `check_frame` adds them, and the suite's meta lists them.

>>> suite = expectation_suite("preference")
>>> suite["name"], len(suite["expectations"]) > 10
('curate_preference', True)
>>> sorted({e["meta"]["curate_reason"] for e in suite["expectations"]})[:3]
['bad_field', 'bad_role_order', 'duplicate']
"""

from __future__ import annotations

from typing import Any

import polars as pl

from curate.checks import CheckConfig, Expect, checks_for
from curate.columns import with_derived
from curate.output_forms import as_records
from curate.recipe import Recipe

SHARE_TOLERANCE = 0.005  # half a point, what the build promises for a recipe's shares


def expectations_of(kind: str, config: CheckConfig = CheckConfig()) -> list[tuple[str, Expect]]:
    """(reason, expectation) for every check of `kind`, in check order."""
    return [(check.reason, e) for check in checks_for(kind) for e in check.expects(config)]


def recipe_expectations(recipe: Recipe, tolerance: float = SHARE_TOLERANCE) -> list[Expect]:
    """Over a built version: only the recipe's sources, and each group with a `share` within
    `tolerance` of it (the mean of a 0/1 column is the group's share of the rows)."""
    out = [Expect("expect_column_distinct_values_to_be_in_set",
                  {"column": "source", "value_set": sorted(recipe.sources)})]
    for group in recipe.mix:
        if group.share is None:
            continue
        column = f"in_group_{group.group}"
        out.append(Expect("expect_column_mean_to_be_between", {
            "column": column, "min_value": round(group.share - tolerance, 6),
            "max_value": round(group.share + tolerance, 6)},
            {column: pl.col("source").is_in(group.from_).cast(pl.Float64)}))
    return out


def expectation_suite(kind: str, *, recipe: Recipe | None = None,
                      config: CheckConfig = CheckConfig(),
                      tolerance: float = SHARE_TOLERANCE) -> dict[str, Any]:
    """The suite as GX 1.x ExpectationSuite JSON (load it with `gx.ExpectationSuite(**suite)`)."""
    from curate import __version__

    checks = {c.reason: c for c in checks_for(kind)}
    expectations = [{"type": e.type, "kwargs": e.kwargs, "meta": {
        "curate_reason": reason, "curate_severity": checks[reason].severity,
        "notes": checks[reason].message}} for reason, e in expectations_of(kind, config)]
    if recipe is not None:
        expectations += [{"type": e.type, "kwargs": e.kwargs, "meta": {
            "curate_reason": "recipe_share", "curate_severity": "error",
            "notes": f"{recipe.id}: rows come from its sources, in its shares"}}
            for e in recipe_expectations(recipe, tolerance)]
    derived = sorted(derived_columns(kind, config, recipe))
    name = f"curate_{kind}" + (f"_{recipe.id}" if recipe is not None else "")
    return {"name": name, "expectations": expectations, "meta": {
        "curate_version": __version__, "schema": kind, "max_chars": config.max_chars,
        "derived_columns": derived,
        "notes": "Columns in derived_columns (and uid, safety_category) are computed by curate "
                 "from the records: curate.expectations.check_frame, or `curate validate "
                 "--engine gx`."}}


def derived_columns(kind: str, config: CheckConfig = CheckConfig(),
                    recipe: Recipe | None = None) -> dict[str, pl.Expr]:
    columns: dict[str, pl.Expr] = {}
    for _, e in expectations_of(kind, config):
        columns.update(e.derived)
    for e in recipe_expectations(recipe) if recipe is not None else []:
        columns.update(e.derived)
    return columns


def check_frame(frame: pl.DataFrame, kind: str, config: CheckConfig = CheckConfig(),
                recipe: Recipe | None = None) -> pl.DataFrame:
    """Records with the columns the suite reads: uid, safety_category and the derived ones
    (computed afresh: a built version's rows already carry uid and safety_category). A
    version's rows are read as records first, whichever output format they are in."""
    frame = as_records(frame, kind)
    frame = with_derived(frame.drop("uid", "safety_category", "_identical", strict=False), kind)
    return frame.with_columns(**derived_columns(kind, config, recipe))
