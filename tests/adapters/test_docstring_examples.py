"""The examples in the adapters' docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["curate.adapters.base", "curate.adapters.ranked", "curate.adapters.alpaca_eval",
           "curate.adapters.helpsteer2", "curate.adapters.nectar"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
