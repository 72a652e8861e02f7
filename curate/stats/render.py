"""Table 6 as Markdown (for cards and reports) and as a rich table (for the terminal).

>>> from curate.stats.table6 import Table6, Table6Row
>>> row = Table6Row(n_rows=43966, turns_per_dialogue=3.0, tokens_per_example=152.5,
...                 tokens_prompt=15.7, tokens_response=46.4)
>>> print(to_markdown(Table6(kind="preference", tokenizer="llama2", by="source",
...                          total=row, groups={"Anthropic Harmless": row})))
| source | Comparisons | Turns/dialogue | Tokens/example | Prompt tokens | Response tokens |
|---|---:|---:|---:|---:|---:|
| Anthropic Harmless | 43,966 | 3.0 | 152.5 | 15.7 | 46.4 |
| **Total** | **43,966** | **3.0** | **152.5** | **15.7** | **46.4** |
"""

from __future__ import annotations

from rich.table import Table

from curate.console import fold
from curate.stats.table6 import FIELDS, Table6, Table6Row

_HEADERS = ("Turns/dialogue", "Tokens/example", "Prompt tokens", "Response tokens")
_RICH_HEADERS = ("Turns per dialogue", "Tokens per example", "Prompt tokens", "Response tokens")


def _count_header(table: Table6) -> str:
    return table.spec.count_label


def _cells(row: Table6Row) -> list[str]:
    # One decimal, as Llama 2's Table 6 prints them.
    return [f"{row.n_rows:,}"] + [f"{getattr(row, k):,.1f}" for k in FIELDS]


def to_markdown(table: Table6, *, total: bool = True) -> str:
    """A GitHub Markdown table: one row per group, then the total (in bold)."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [line([table.by, _count_header(table), *_HEADERS]), "|---|" + "---:|" * 5]
    lines += [line([name, *_cells(row)]) for name, row in table.groups.items()]
    if total:
        lines.append(line(["**Total**", *(f"**{c}**" for c in _cells(table.total))]))
    return "\n".join(lines)


def to_rich(table: Table6, *, total: bool = True) -> Table:
    """A rich Table with the same rows as `to_markdown`, titled with the tokenizer."""
    out = Table(title=f"Table 6 statistics (tokenizer: {table.tokenizer})",
                caption=_caption(table), show_footer=False)
    out.add_column(table.by)
    for header in (_count_header(table), *_RICH_HEADERS):  # spaces: they wrap, not truncate
        out.add_column(header, justify="right")
    for name, row in table.groups.items():
        out.add_row(name, *_cells(row))
    if total:
        out.add_section()
        out.add_row("Total", *_cells(table.total), style="bold")
    return fold(out)  # a long source name folds onto the next line, never ends in "…"


def _caption(table: Table6) -> str:
    return (f"turns: user messages per {table.spec.dialogue_label}; tokens: message texts only; "
            "prompt / response: per user / assistant message")
