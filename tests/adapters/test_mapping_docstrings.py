"""The examples in the column mapping's docstrings run and print what they show."""

import doctest
import importlib

import pytest

MODULES = ["curate.adapters.mapping", "curate.adapters.mapping.paths",
           "curate.adapters.mapping.specs", "curate.adapters.mapping.template",
           "curate.adapters.mapping.turns"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
