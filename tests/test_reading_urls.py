"""curate.read and curate validate over fsspec URLs: the files a URL or a URL glob names,
read from their copies in $CURATE_HOME/remote."""

from __future__ import annotations

import json

import fsspec
import pytest

import curate
from tests.test_cli_errors import run_main

RECORD = {"prompt": [{"role": "user", "content": "Hi"}], "chosen": "Hello!",
          "rejected": "Go away.", "criterion": "helpfulness", "source": "x"}


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_HOME", str(tmp_path / "home"))


def test_read_takes_a_url_glob_as_it_takes_a_local_one(tmp_path):
    memory = fsspec.filesystem("memory")
    for i in range(3):
        memory.pipe_file(f"/reading/part-{i}.jsonl", json.dumps(
            RECORD | {"chosen": f"Hello {i}!"}).encode() + b"\n")
        (tmp_path / f"part-{i}.jsonl").write_bytes(memory.cat_file(f"/reading/part-{i}.jsonl"))
    frame = curate.read("memory://reading/*.jsonl", format="curate")
    assert frame["chosen"].to_list() == ["Hello 0!", "Hello 1!", "Hello 2!"]
    assert frame.equals(curate.read(str(tmp_path / "part-*.jsonl"), format="curate"))


def test_validate_of_a_missing_url_is_exit_2_naming_it(monkeypatch, capsys):
    code, _, err = run_main(monkeypatch, capsys, "validate", "memory://reading/none.jsonl")
    assert (code, err) == (2, "error: memory://reading/none.jsonl: no such file; check the URL\n")


def test_the_remote_modules_docstring_example_holds():
    import doctest

    import curate.io.remote

    result = doctest.testmod(curate.io.remote)
    assert result.attempted > 0 and result.failed == 0
