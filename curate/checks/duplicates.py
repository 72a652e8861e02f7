"""`duplicate`: which copy of a record is kept, one rule for `curate validate` and the build.

Copies are records with the same uid (the same content once normalised, curate.identity).
Among the copies that pass the other checks, the one kept has the smallest (source name, row
digest); the row digest is xxh3_64 of the kind's metadata columns (KindSpec.metadata). So
neither file order, row order nor the order a recipe declares its sources changes which copy
is kept. Copies equal in both (exact re-deliveries) are told apart by position, which then
only decides the line a report names.

>>> import polars as pl
>>> rows = pl.DataFrame({"uid": ["u", "u", "v"], "source": ["web", "vendor", "web"],
...                      "_row_digest": [1, 9, 5], "_line": [1, 2, 3]})
>>> dropped_copies(rows, identity=["uid"], position=["_line"])["_line"].to_list()
[1]
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import polars_hash  # noqa: F401  (registers the `nchash` namespace)

from curate.checks.base import Check, Expect

DUPLICATE = Check(
    "duplicate", "uid", "the same content (uid) appears more than once; the copy kept is the "
    "one with the smallest (source name, metadata digest), whatever the file or row order",
    fails=lambda c: pl.lit(False),  # decided over all rows: dropped_copies, not per batch
    expects=lambda c: [Expect("expect_column_values_to_be_unique", {"column": "uid"})])

KEEP_BY = ("source", "_row_digest")  # the copy with the smallest of these is kept


def row_digest(metadata: Sequence[str]) -> pl.Expr:
    """`_row_digest`: xxh3_64 of the metadata columns (nulls distinct from any text)."""
    parts = [pl.col(c).cast(pl.String).fill_null("\x00") for c in metadata]
    return pl.concat_str(parts, separator="\x1e").nchash.xxh3_64().alias("_row_digest")


def dropped_copies(copies: pl.DataFrame, *, identity: Sequence[str],
                   position: Sequence[str]) -> pl.DataFrame:
    """The rows of `copies` that are not the kept copy of their record. `identity`: the
    columns holding the uid; `position`: where a row is (the last tie-break)."""
    ranked = copies.sort(*identity, *KEEP_BY, *position)
    first = (pl.struct(identity) if len(identity) > 1 else pl.col(identity[0])).is_first_distinct()
    return ranked.filter(~first)


def copied(column: pl.Series) -> pl.Series:
    """The values that occur more than once (a sort of the one column: no hash table)."""
    values = column.sort()
    return values.filter(values == values.shift(1)).unique()


class CopyIndex:
    """The valid rows of a streamed validation, 40 bytes each (uid as two u64, row digest,
    source and file as codes, line), so that `dropped` can apply the rule to all of them."""

    def __init__(self) -> None:
        self.parts: list[pl.DataFrame] = []
        self.sources: dict[str, int] = {}
        self.files: dict[str, int] = {}

    def add(self, checked: pl.DataFrame, metadata: Sequence[str]) -> None:
        """The rows of `checked` (uid, reason, source, _file, _line, metadata) without a reason."""
        codes = [self._codes(checked, c, names) for c, names in (("source", self.sources),
                                                                 ("_file", self.files))]
        # Narrow columns first, then the filter: filtering `checked` would copy every text (and
        # a lazy filter before replace_strict kept ~0.5 KB a row alive).
        valid = checked.select(
            pl.col("uid").str.slice(0, 16).str.to_integer(base=16, dtype=pl.UInt64).alias("_hi"),
            pl.col("uid").str.slice(16).str.to_integer(base=16, dtype=pl.UInt64).alias("_lo"),
            row_digest(metadata), *codes, pl.col("_line").cast(pl.Int64),
            pl.col("reason").is_null().alias("_valid")).filter("_valid").drop("_valid")
        if valid.height:
            self.parts.append(valid)

    @staticmethod
    def _codes(frame: pl.DataFrame, column: str, codes: dict[str, int]) -> pl.Expr:
        for value in frame[column].unique().to_list():
            codes.setdefault(value, len(codes))
        return pl.col(column).replace_strict(codes, return_dtype=pl.UInt32)

    def dropped(self) -> pl.DataFrame:
        """`_file`, `_line` of every copy that is not kept, sorted by file name and line."""
        if not self.parts:
            return pl.DataFrame(schema={"_file": pl.String, "_line": pl.Int64})
        rows = pl.concat(self.parts)
        copies = rows.filter(pl.col("_hi").is_in(copied(rows["_hi"]).implode()))
        names = {"source": self.sources, "_file": self.files}
        copies = copies.with_columns(  # the few copies get their names back: order by name
            pl.col(c).replace_strict({v: k for k, v in names[c].items()}, return_dtype=pl.String)
            for c in names)
        dropped = dropped_copies(copies, identity=["_hi", "_lo"], position=["_file", "_line"])
        return dropped.select("_file", "_line").sort("_file", "_line")
