"""A batch of records read from one file, and the rows of it that could not become records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curate.io.encoding import printable

BATCH_ROWS = 50_000


@dataclass(frozen=True)
class Problem:
    """A raw row that could not become a record, and why."""

    file: str
    line: int | None
    field: str | None
    reason: str
    message: str
    skipped: bool = False  # left out by a rule (adapters.Skip), not invalid

    def __post_init__(self) -> None:
        # Reports, rejects files and JUnit are UTF-8: a field name or message quoting bytes
        # that are not Unicode is written with escapes.
        for name in ("field", "message"):
            value = getattr(self, name)
            if value is not None and not value.isascii():
                object.__setattr__(self, name, printable(value))

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field,
                "reason": self.reason, "message": self.message}


@dataclass
class Batch:
    kind: str
    frame: pl.DataFrame  # the record columns, then _file and _line
    problems: list[Problem] = field(default_factory=list)
    source_format: str = ""
    # raw columns of the file (so far) that its adapter does not read: validate lists them once
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def n_read(self) -> int:
        return self.frame.height + len(self.problems)
