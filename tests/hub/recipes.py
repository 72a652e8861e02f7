"""Recipes over the seeded Hub repo, written per test."""

from __future__ import annotations

from pathlib import Path

from tests.builder.conftest import write_recipe
from tests.hub.conftest import REPO

HARMLESS = {"hub": REPO, "files": "harmless-base/*.jsonl.gz", "format": "hh-rlhf",
            "set": {"criterion": "safety"}}


def hub_recipe(folder: Path, source: dict | None = None, **over) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_recipe(folder, sources={"harmless": source or HARMLESS},
                        mix=[{"group": "all", "from": ["harmless"], "take": "all"}],
                        split={"test": {"otherwise": 0.2}}, **over)
