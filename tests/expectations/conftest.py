"""A planted bad batch and a clean one, as a vendor would deliver them (native JSON Lines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builder.conftest import comparisons

pytest.importorskip("great_expectations", reason="the [gx] extra is part of the test install")

# Lines (1-based) of the planted problems in bad_batch; every other line is valid.
PLANTED = {4: "safety_category_4", 7: "unknown_degree", 9: "empty_response", 12: "duplicate"}


def valid_rows(n: int, seed: int) -> list[dict]:
    rows = comparisons(n, source="vendor", seed=seed)
    for row in rows:  # the fixture cycles safety bins through category 4: make them all valid
        row["chosen_safe"], row["rejected_safe"] = True, False
    return rows


@pytest.fixture
def bad_batch(tmp_path) -> Path:
    rows = valid_rows(14, seed=1)
    rows[3]["chosen_safe"], rows[3]["rejected_safe"] = False, True
    rows[6]["degree"] = "much_better"
    rows[8]["rejected"] = "  \n"
    rows[11] = dict(rows[1])  # a copy of line 2
    path = tmp_path / "vendor-2023-W14.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def clean_batch(tmp_path) -> Path:
    path = tmp_path / "vendor-2023-W15.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in valid_rows(14, seed=2)))
    return path
