"""A tiny recipe over a fuzzed native file: the build fails with one CurateError or writes shards
that pyarrow reads and validates in full (valid UTF-8 included), leaves no scratch, and writes
nothing outside `--out`."""

from __future__ import annotations

import itertools
import shutil

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.formats import FORMATS
from tests.fuzz.mutate import mutate_rows
from tests.fuzz.storage import encode
from tests.fuzz.test_fuzz_corpus import LINE
from tests.fuzz.worker import SURVEY, TALLY, describe

N = settings.default.max_examples
_numbers = itertools.count()


def recipe(data_file: str) -> str:
    return yaml.safe_dump({
        "name": "fuzz", "version": 1, "kind": "preference", "seed": 3,
        "sources": {"fuzzed": {"path": data_file, "format": "curate"}},
        "mix": [{"group": "all", "from": ["fuzzed"], "take": "all"}],
        "split": {"test": {"otherwise": 0.2}}}, sort_keys=False)


def build(worker, case_dir, data: bytes, storage: str, notes: list[str]) -> None:
    folder = case_dir / f"b{next(_numbers)}"
    folder.mkdir()
    name = f"native.{storage}"
    (folder / name).write_bytes(data)
    (folder / "fuzz_v1.yaml").write_text(recipe(name))
    try:
        result = worker.ask({"op": "build", "dir": str(folder), "recipe": str(folder / "fuzz_v1.yaml"),
                             "out": str(folder / "out"), "timeout": 240})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    case = {"data": data, "storage": storage, "format": "curate (build)", "notes": notes}
    TALLY.add("build", "build", storage, result, case)
    if result["violations"] and not SURVEY:
        raise AssertionError(describe(case, result))


@settings(max_examples=max(6, N // 10))
@given(data=st.data(), storage=st.sampled_from(["jsonl", "jsonl", "parquet", "jsonl.gz"]))
def test_a_build_over_fuzzed_records_writes_valid_parquet_or_fails_cleanly(
        data, storage, worker, case_dir):
    rows, _, _, _ = data.draw(FORMATS["curate"].rows)
    rows = data.draw(mutate_rows(rows, raw_ok=storage != "parquet"))
    encoded = data.draw(encode(rows, storage, 1))
    build(worker, case_dir, encoded.data, storage, encoded.notes)


@pytest.mark.parametrize("data", [
    b"null\n" + LINE + b"\n",
    LINE[:-1] + b', "annotator": "a\xff"}\n' + LINE.replace(b"Hi", b"Hey") + b"\n",
    LINE.replace(b'"Hi"', b'"H\xc3"') + b"\n" + LINE.replace(b"Hi", b"Ho") + b"\n",
], ids=["null_first_line", "bad_utf8_annotator", "bad_utf8_prompt"])
def test_build_seed_corpus(data, worker, case_dir):
    build(worker, case_dir, data, "jsonl", ["corpus"])
