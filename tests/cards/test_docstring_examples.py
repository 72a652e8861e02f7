"""The examples in the card, build-stats and diff docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["curate.builder.card_stats", "curate.builder.row_stats", "curate.builder.spill", "curate.builder.card_images", "curate.builder.lineage",
           "curate.builder.card_license", "curate.builder.card_text", "curate.diff"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
