"""The trainers' docstring examples hold (the chat template's answer mask, flags from a model,
the data formats, the seeded order, tiny models, PPO's pieces, the margin loss)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["trainers.chat", "trainers.config", "trainers.data", "trainers.loop", "trainers.models",
           "trainers.policy", "trainers.ppo", "trainers.reward"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
