"""A VersionDiff for people: one rich table per comparison, reasons spelled out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from curate.console import fold

if TYPE_CHECKING:
    from curate.diff import RecipeChange, SourceDiff, VersionDiff


def _reasons(counts: dict[str, int], details: dict[str, dict[str, int]]) -> str:
    parts = []
    for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        detail = details.get(reason)
        more = f" ({', '.join(f'{k} {v:,}' for k, v in detail.items())})" if detail else ""
        parts.append(f"{reason} {n:,}{more}")
    return "; ".join(parts) or "-"


def source_reasons(s: SourceDiff) -> tuple[str, str]:
    """The added and removed columns: reasons with counts, new batches and reject reasons."""
    return (_reasons(s.added, {"new_batch": s.new_batches}),
            _reasons(s.removed, {"newly_rejected": s.rejected_by_reason}))


def to_rich(diff: VersionDiff) -> Group:
    a, b = diff.a, diff.b
    table = fold(Table("source", a.label, b.label, "added", "removed", "moved split",
                       "added because", "removed because",
                       title=f"{a.label} -> {b.label}", title_justify="left"))
    for name, s in diff.sources.items():
        added, removed = source_reasons(s)
        table.add_row(name, f"{s.n_a:,}", f"{s.n_b:,}", f"+{s.n_added:,}", f"-{s.n_removed:,}",
                      f"{s.n_moved_split:,}", added, removed)
    table.add_section()
    table.add_row("total", f"{a.n_rows:,}", f"{b.n_rows:,}", f"+{diff.n_added:,}",
                  f"-{diff.n_removed:,}", f"{diff.n_moved_split:,}", "", "")
    parts: list = [table]
    if diff.recipe_changes:
        parts.append(_changes("recipe", diff.recipe_changes, diff))
    else:
        parts.append(Text("recipe: no change in sources, mix, seed, exclusions or split"))
    if diff.mapping_changes:
        parts.append(_changes("column mapping", diff.mapping_changes, diff))
    parts += [Text(f"note: {n}", style="yellow") for n in diff.notes]
    return Group(*parts)


def _changes(what: str, changes: list[RecipeChange], diff: VersionDiff) -> Table:
    table = fold(Table(f"{what} key", diff.a.label, diff.b.label, title=f"{what} changes",
                       title_justify="left"))
    for c in changes:
        table.add_row(c.key, _json(c.a), _json(c.b))
    return table


def _json(value) -> str:
    """The whole value: a long one wraps in its cell (paths included), none is cut."""
    import json

    return "-" if value is None else json.dumps(value, sort_keys=True)
