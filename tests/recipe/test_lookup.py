"""A recipe name is looked up in $CURATE_RECIPES, then ./recipes, then the shipped recipes."""

from __future__ import annotations

import pytest

from curate.recipe import SHIPPED_RECIPES, RecipeError, list_recipes, read_recipe, recipe_dirs

SHIPPED = {"safety_rm_v3", "helpfulness_rm_v3", "sft_v1", "safety_rm_open_v1"}


def _write(folder, description: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sft_v1.yaml").write_text(
        f"name: sft\nversion: 1\nkind: sft\ndescription: {description}\n"
        "sources: {a: {path: a.jsonl}}\nmix: [{group: all, from: [a], take: all}]\n")


def test_from_any_folder_the_shipped_recipes_are_found_in_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CURATE_RECIPES", raising=False)
    assert recipe_dirs() == [SHIPPED_RECIPES]
    assert set(list_recipes()) == SHIPPED
    recipe, path = read_recipe("safety_rm_v3")
    assert recipe.id == "safety_rm_v3" and path == SHIPPED_RECIPES / "safety_rm_v3.yaml"
    assert (SHIPPED_RECIPES / "catalog.yaml").is_file()


def test_curate_recipes_wins_over_dot_recipes_which_wins_over_the_shipped_ones(tmp_path,
                                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "recipes", "from ./recipes")
    monkeypatch.delenv("CURATE_RECIPES", raising=False)
    assert read_recipe("sft_v1")[0].description == "from ./recipes"
    assert read_recipe("safety_rm_v3")[1].parent == SHIPPED_RECIPES  # the others still found
    _write(tmp_path / "mine", "from CURATE_RECIPES")
    monkeypatch.setenv("CURATE_RECIPES", str(tmp_path / "mine"))
    assert read_recipe("sft_v1")[0].description == "from CURATE_RECIPES"
    assert recipe_dirs() == [tmp_path / "mine", tmp_path / "recipes", SHIPPED_RECIPES]


def test_an_unknown_name_lists_the_known_ones_and_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CURATE_RECIPES", raising=False)
    with pytest.raises(RecipeError, match=r"unknown recipe 'safety_rm_v9'; known: .*safety_rm_v3"
                                          r".*looked in .*shipped; set CURATE_RECIPES"):
        read_recipe("safety_rm_v9")


def test_curate_recipes_lists_the_others_when_one_recipe_is_invalid(tmp_path, monkeypatch):
    import subprocess
    import sys

    _write(tmp_path / "recipes", "fine")
    (tmp_path / "recipes" / "broken_v1.yaml").write_text("name: broken\nversion: one\n")
    monkeypatch.delenv("CURATE_RECIPES", raising=False)
    done = subprocess.run([sys.executable, "-c", "from curate.cli import main; main()", "recipes"],
                          cwd=tmp_path, capture_output=True, text=True, env={
                              **__import__("os").environ, "COLUMNS": "200"})
    assert done.returncode == 2
    assert "sft_v1" in done.stdout and "safety_rm_v3" in done.stdout  # the others still listed
    assert "broken_v1" in done.stdout and "invalid" in done.stdout
    assert "broken_v1.yaml" in done.stderr and "Traceback" not in done.stderr
