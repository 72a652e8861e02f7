"""The few per-row values the manifest's stats and the card need, collected while pass 2 writes
the rows, so that neither reads the shards back (that re-read was ~10% of a build).

>>> import polars as pl
>>> rows = pl.DataFrame({"split": ["train"], "source": ["x"], "criterion": ["safety"],
...     "degree": ["better"], "safety_category": [2],
...     "prompt": [[{"role": "user", "content": "hi there"}]], "chosen": ["hello"],
...     "rejected": ["no"]})
>>> stats = RowStats("preference")
>>> stats.add(rows)
>>> stats.frame().row(0)
('train', 'x', 'safety', 'better', '2', 1, [8], [], 5, 2)
"""

from __future__ import annotations

import polars as pl

from curate.kinds import kind_spec


def length_columns(kind: str) -> list[pl.Expr]:
    """User turns per dialogue, character lengths of its user and assistant messages, and of
    the responses beside it (both responses of a comparison)."""
    spec = kind_spec(kind)
    dialogue = spec.dialogue
    role = pl.element().struct.field("role")
    chars = pl.element().struct.field("content").str.len_chars()

    def lens(who: str) -> pl.Expr:
        return pl.col(dialogue).list.eval(chars.filter(role == who)).alias(who)

    columns = [pl.col(dialogue).list.eval((role == "user").cast(pl.Int64)).list.sum()
               .fill_null(0).alias("turns"), lens("user"), lens("assistant")]
    return columns + [pl.col(c).fill_null("").str.len_chars().alias(c) for c in spec.responses]


class RowStats:
    """Accumulates `split`, the categorical columns and length_columns of every written row."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.columns = ("split", *kind_spec(kind).categories)
        self.parts: list[pl.DataFrame] = []

    def add(self, rows: pl.DataFrame) -> None:
        # Categorical: a string column would hold views into the spill's memory map and keep
        # every bucket's pages resident until the build ends.
        categorical = [pl.col(c).cast(pl.String).cast(pl.Categorical) for c in self.columns]
        self.parts.append(rows.select(*categorical, *length_columns(self.kind)))

    def frame(self) -> pl.DataFrame:
        if self.parts:
            return pl.concat(self.parts)
        return pl.DataFrame(schema={c: pl.Categorical for c in self.columns})
