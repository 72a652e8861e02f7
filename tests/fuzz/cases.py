"""A fuzz case: the files of one format in one storage, mutated, with what must hold of them;
and running it in the child (tests/fuzz/child.py)."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.formats import Format, format_argument
from tests.fuzz.mutate import chance, mutate_rows
from tests.fuzz.oracle import must_reject
from tests.fuzz.storage import STORAGES, Expect, encode
from tests.fuzz.worker import SURVEY, TALLY, describe

MAPPING_FILE = "mapping.yaml"
_numbers = itertools.count()


@st.composite
def cases(draw, spec: Format, *, storages=STORAGES, detect: bool = True) -> dict[str, Any]:
    rows, set_fields, stem, shape = draw(spec.rows)
    storage = draw(st.sampled_from(storages))
    rows = draw(mutate_rows(rows, raw_ok=storage != "parquet"))
    encoded = draw(encode(rows, storage, spec.per_row))
    expect = encoded.expect
    detected = detect and chance(draw, 15)
    positions = expect.positions
    reject = {} if detected else {
        positions[i]: why for i, row in enumerate(encoded.rows_seen) if i in positions
        and (why := must_reject(spec, row, text_storage=storage != "parquet"))}
    if detected:
        expect.may_fail = expect.may_fail or "the format is detected, and may not be"
    first = next((r for r in encoded.rows_seen if isinstance(r, dict)), {})
    if spec.name == "trl" and set_fields and not {"chosen", "rejected"} & set(first):
        # TRL's first row picks the record kind (documented); --set criterion is for comparisons
        expect.may_fail = expect.may_fail or "a TRL file whose first row is not a comparison"
    return {"data": encoded.data, "storage": storage, "name": f"{stem}.{storage}",
            "format": None if detected else format_argument(spec, MAPPING_FILE),
            "schema": "sft" if spec.name == "curate-sft" and not detected else None,
            "set": set_fields, "shape": shape, "notes": encoded.notes,
            "extra": {MAPPING_FILE: spec.mapping.encode()} if spec.mapping else {},
            "expect": as_request(expect, reject)}


def as_request(expect: Expect, must_reject: dict[int, str]) -> dict[str, Any]:
    """What the child checks, as JSON: the storage's expectations and the rows to reject."""
    return {"must_fail": expect.must_fail, "may_fail": expect.may_fail,
            "readings": [asdict(r) for r in expect.readings], "must_reject": must_reject}


def run_case(worker, case_dir: Path, case: dict[str, Any], *, test: str, fmt: str,
             cli: bool = False) -> dict[str, Any]:
    folder = case_dir / f"c{next(_numbers)}"
    folder.mkdir()
    try:
        path = folder / case["name"]
        path.write_bytes(case["data"])
        for name, data in case["extra"].items():
            (folder / name).write_bytes(data)
        fmt_arg = case["format"]
        if fmt_arg == MAPPING_FILE:
            fmt_arg = str(folder / MAPPING_FILE)
        result = worker.ask({"op": "validate", "path": str(path), "format": fmt_arg,
                             "schema": case["schema"], "set": case["set"],
                             "expect": case["expect"], "cli": cli})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    TALLY.add(test, fmt, case["storage"], result, case)
    return result


def check(case: dict[str, Any], result: dict[str, Any]) -> None:
    if result["violations"] and not SURVEY:
        raise AssertionError(describe(case, result))
