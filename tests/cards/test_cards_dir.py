"""The card templates are package data; $CURATE_CARDS replaces them with a folder of one's own."""

from __future__ import annotations

from pathlib import Path

import pytest

import curate
from curate.builder.card import cards_dir
from curate.errors import CurateError


def test_the_shipped_templates_are_used_from_any_folder_unless_curate_cards_is_set(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CURATE_CARDS", raising=False)
    shipped = Path(curate.__file__).parent / "cards"
    assert cards_dir() == shipped
    assert {p.name for p in shipped.glob("*.j2")} >= {"_base.md.j2", "preference.md.j2",
                                                       "sft.md.j2"}
    monkeypatch.setenv("CURATE_CARDS", str(tmp_path))
    assert cards_dir() == tmp_path


def test_a_curate_cards_that_is_not_a_folder_is_named_in_the_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_CARDS", str(tmp_path / "missing"))
    with pytest.raises(CurateError, match=r"missing: no card templates folder; set CURATE_CARDS"):
        cards_dir()
