"""docs/adapters.md's example runs as written and prints what the doc says it prints."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import curate

REPO = Path(curate.__file__).resolve().parents[1]
DOC = (REPO / "docs" / "adapters.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC, flags=re.S | re.M)


def test_the_docs_example_prints_what_the_doc_shows(tmp_path):
    code = "\n".join(blocks("python"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    (shown,) = blocks("text")
    assert result.stdout == shown
    assert (tmp_path / "safety" / "dump.jsonl").is_file()  # it ran in the tmp folder


def test_the_docs_entry_point_stanza_names_the_examples_class():
    (stanza,) = blocks("toml")
    (value,) = tomllib.loads(stanza)["project"]["entry-points"]["curate.adapters"].values()
    module, _, attr = value.partition(":")
    assert re.search(rf"^class {attr}\(Adapter\):", blocks("python")[0], flags=re.M)
    assert module.isidentifier()
