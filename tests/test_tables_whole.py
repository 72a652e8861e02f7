"""Tables keep names and paths whole: folded onto more lines in a narrow terminal, one line each
in a log; no cell ends in "…" (`curate recipes`, `curate diff`, `curate stats`)."""

from __future__ import annotations

import doctest
import io
import os
import re
import subprocess
import sys
from pathlib import Path

from rich.console import Console

import curate
import curate.console
from curate.console import print_out
from curate.stats.render import to_rich
from curate.stats.table6 import Table6, Table6Row
from tests.builder.conftest import comparisons, write_jsonl, write_recipe
from tests.conftest import ROOT

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LONG_SOURCES = ("anthropic_harmless_base_of_a_long_name", "stanford_shp_askscience_long_name")


def curate_cli(*args, terminal_columns: int | None = None) -> str:
    """stdout of `curate`: a log (a pipe) by default, else a terminal that wide."""
    env = {k: v for k, v in os.environ.items() if k not in ("TTY_COMPATIBLE", "FORCE_COLOR")}
    env.update(PYTHONPATH=str(ROOT), COLUMNS="80")  # a log's COLUMNS must not narrow tables
    if terminal_columns:
        env.update(TTY_COMPATIBLE="1", COLUMNS=str(terminal_columns), NO_COLOR="1")
    result = subprocess.run([sys.executable, "-m", "curate", *map(str, args)],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return ANSI.sub("", result.stdout)


def column(text: str, i: int) -> str:
    """Column i's cells, top to bottom, joined: what a folded cell was before folding."""
    cells = [re.split("[│┃]", line) for line in text.splitlines()]
    return "".join(c[i + 1].strip() for c in cells if len(c) > i + 2)


def assert_whole_in_log(text: str, names: list[str]) -> None:
    assert "…" not in text
    for name in names:
        assert any(name in line for line in text.splitlines()), name


def assert_whole_in_narrow_terminal(text: str, i: int, names: list[str]) -> None:
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 60
    for name in names:
        assert name in column(text, i), name


def test_console_docstring_example_holds():
    result = doctest.testmod(curate.console)
    assert result.attempted > 0 and result.failed == 0


def test_recipes_shows_whole_paths(tmp_path, monkeypatch):
    folder = tmp_path / "a_folder_of_recipes_with_a_rather_long_name"
    folder.mkdir()
    path = write_recipe(folder, name="a_long_recipe_name_for_the_table", version=12,
                        sources={"a": {"path": "a.jsonl"}},
                        mix=[{"group": "all", "from": ["a"], "take": "all"}])
    monkeypatch.setenv("CURATE_RECIPES", str(folder))
    assert_whole_in_log(curate_cli("recipes"), [str(path), path.stem])
    narrow = curate_cli("recipes", terminal_columns=60)
    assert_whole_in_narrow_terminal(narrow, 3, [str(path)])
    assert_whole_in_narrow_terminal(narrow, 0, [path.stem])


def _version(folder: Path, seed: int):
    for i, source in enumerate(LONG_SOURCES):
        write_jsonl(folder / f"{i}.jsonl", comparisons(60, source=source, start=1000 * i))
    recipe = write_recipe(folder, version=seed, seed=seed,
                          sources={s: {"path": f"{i}.jsonl"} for i, s in enumerate(LONG_SOURCES)},
                          mix=[{"group": "all", "from": list(LONG_SOURCES), "n_rows": 80}],
                          split={"test": {"otherwise": 0.1}})
    return curate.build(recipe, out=folder / "out", progress=False)


def test_diff_shows_whole_source_names(tmp_path):
    a, b = _version(tmp_path, 1), _version(tmp_path, 2)
    assert_whole_in_log(curate_cli("diff", a.path, b.path), list(LONG_SOURCES))
    narrow = curate_cli("diff", a.path, b.path, terminal_columns=60)
    assert_whole_in_narrow_terminal(narrow, 0, list(LONG_SOURCES))


def _table6() -> Table6:
    row = Table6Row(n_rows=43966, turns_per_dialogue=3.0, tokens_per_example=152.5,
                    tokens_prompt=15.7, tokens_response=46.4)
    return Table6(kind="preference", tokenizer="llama2", by="source", total=row,
                  groups={name: row for name in LONG_SOURCES})


def test_stats_shows_whole_source_names(capsys):
    print_out(to_rich(_table6()))  # what `curate stats` prints, here into a pipe
    assert_whole_in_log(capsys.readouterr().out, list(LONG_SOURCES))
    screen = io.StringIO()
    Console(file=screen, width=60, force_terminal=True).print(to_rich(_table6()))
    assert_whole_in_narrow_terminal(ANSI.sub("", screen.getvalue()), 0, list(LONG_SOURCES))
