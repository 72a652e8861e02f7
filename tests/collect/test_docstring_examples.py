"""The examples in curate.collect's docstrings (and curate.lm's) run and show what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

from .conftest import one_torch_thread

MODULES = ["curate.collect.packet", "curate.collect.prompts", "curate.collect.sample",
           "curate.collect.label_studio", "curate.collect.report", "curate.collect.generate",
           "curate.lm"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    with one_torch_thread():
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
