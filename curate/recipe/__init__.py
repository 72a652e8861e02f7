"""Recipes: one YAML file per dataset version (data, not code).

- model.py: the pydantic models (Recipe, SourceSpec, MixGroup, Split, ...);
- load.py: reading a recipe file and the catalog.yaml beside it;
- lookup.py: finding a recipe by name ($CURATE_RECIPES, ./recipes, then shipped/);
- meaning.py: which fields can change the output (what the fingerprint covers);
- shipped/: the recipes curate ships, their catalog and the bundled samples (package data).

>>> recipe, path = read_recipe("safety_rm_v3")
>>> recipe.kind, path.parent.name
('preference', 'shipped')
"""

from curate.recipe.load import CATALOG_FILE, load_catalog, load_recipe, parse_yaml
from curate.recipe.lookup import (SHIPPED_RECIPES, find_recipe, list_recipes, read_recipe,
                                  recipe_dirs)
from curate.recipe.meaning import recipe_meaning
from curate.recipe.model import (DEFAULT_EXCLUSIONS, MANDATORY_EXCLUSIONS, MixGroup, Recipe,
                                 RecipeError, Requires, SourceSpec, Split, TestSplit)

__all__ = ["CATALOG_FILE", "DEFAULT_EXCLUSIONS", "MANDATORY_EXCLUSIONS", "SHIPPED_RECIPES",
           "MixGroup", "Recipe", "RecipeError", "Requires", "SourceSpec", "Split", "TestSplit",
           "find_recipe", "list_recipes", "load_catalog", "load_recipe", "parse_yaml",
           "read_recipe", "recipe_dirs", "recipe_meaning"]
