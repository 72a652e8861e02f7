"""The records as columns: Arrow schemas derived from the pydantic models, and derived columns.

The native storage (JSONL or Parquet, format `curate`) holds exactly these columns; adapters
produce them; checks and the build read them. Derived from `records.py` so the two cannot drift.
"""

from __future__ import annotations

from functools import cache

import polars as pl
import pyarrow as pa

from curate.identity import derive_uids
from curate.kinds import MESSAGE_TYPE, kind_spec
from curate.records import DEGREE_ALIASES

__all__ = ["MESSAGE_TYPE", "arrow_schema", "conform", "polars_schema", "required_fields",
           "with_derived"]


def arrow_schema(kind: str) -> pa.Schema:
    """The stored columns of a record kind, in the model's field order."""
    return kind_spec(kind).stored_schema


@cache
def polars_schema(kind: str) -> pl.Schema:
    return pl.Schema(pl.from_arrow(arrow_schema(kind).empty_table()).schema)


def required_fields(kind: str) -> list[str]:
    return [n for n, f in kind_spec(kind).model.model_fields.items() if f.is_required()]


def conform(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Give a frame exactly the record columns, in order; missing optional columns are null.

    Extra columns whose names start with "_" (provenance such as `_file`, `_line`) are kept.
    """
    schema = polars_schema(kind)
    defaults = {"is_user_data": pl.lit(False)}
    cols = []
    for name, dtype in schema.items():
        if name in frame.columns:
            cols.append(pl.col(name).cast(dtype))
        else:
            cols.append(defaults.get(name, pl.lit(None)).cast(dtype).alias(name))
    extra = [pl.col(c) for c in frame.columns if c.startswith("_")]
    frame = frame.select(cols + extra).with_columns(pl.col("is_user_data").fill_null(False))
    return frame.with_columns(degree_expr()) if "degree" in schema else frame


def degree_expr() -> pl.Expr:
    """Canonical degree spelling ("Slightly Better" -> slightly_better; unsure folds in)."""
    folded = pl.col("degree").str.strip_chars().str.to_lowercase().str.replace_all(r"[ \-]", "_")
    return folded.replace(DEGREE_ALIASES).alias("degree")


def safety_category_expr() -> pl.Expr:
    """Llama 2's safety bins, vectorised (see records.safety_category)."""
    c, r = pl.col("chosen_safe"), pl.col("rejected_safe")
    return (pl.when(c.is_null() | r.is_null()).then(None)
            .when(c & ~r).then(1).when(c & r).then(2).when(~c & ~r).then(3).otherwise(4)
            .cast(pl.Int8).alias("safety_category"))


def with_derived(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Add `uid` (and `safety_category`, `_identical` for comparisons) to a conformed frame."""
    frame = pl.concat([frame, derive_uids(frame, kind)], how="horizontal")
    computed = kind_spec(kind).model.model_computed_fields
    return frame.with_columns(safety_category_expr()) if "safety_category" in computed else frame
