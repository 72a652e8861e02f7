"""Where curate's output goes: results on stdout, progress and notes on stderr, tables whole.

On a terminal a table takes the terminal's width and folds a long name or path onto the next
line of its cell; in a file or pipe (a CI log) a table is as wide as it needs, so each
row stays on one line, its names and paths whole, to be read and grepped. No cell ends in "…".

>>> from rich.table import Table
>>> table = fold(Table("file"))
>>> table.add_row("/tmp/pytest-of-someone/pytest-7/recipes0/a_long_recipe_name_v12_and_then_some_more.yaml")
>>> print_out(table)  # a pipe: 89 columns, the path whole
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ file                                                                                    ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ /tmp/pytest-of-someone/pytest-7/recipes0/a_long_recipe_name_v12_and_then_some_more.yaml │
└─────────────────────────────────────────────────────────────────────────────────────────┘
"""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.table import Table

# Wide enough for any table curate prints; only used to measure what a table needs.
_UNBOUNDED = 100_000


def fold(table: Table) -> Table:
    """Let every column fold a cell that does not fit onto more lines, instead of cutting it."""
    for column in table.columns:
        column.overflow = "fold"
    return table


def print_out(*renderables: RenderableType) -> None:
    """Print results to stdout: a terminal's width there, the width they need elsewhere."""
    console = Console()
    if not console.is_terminal and not console.is_jupyter:
        measuring = Console(width=_UNBOUNDED, file=console.file)
        needed = max(measuring.measure(r).maximum for r in renderables)
        console = Console(width=max(console.width, needed))
    console.print(*renderables)


def print_note(message: str) -> None:
    """One plain line to stderr (progress, a notice): never wrapped, so a log keeps it whole."""
    Console(stderr=True).print(message, soft_wrap=True, markup=False, highlight=False)
