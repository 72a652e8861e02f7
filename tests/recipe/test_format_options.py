"""`format_options:` (recipes) and `--format-option` (validate) set what a format declares:
OpenAssistant's language filter, on the hand-written oasst trees."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import curate
from curate.errors import InputError
from curate.recipe import RecipeError
from tests.conftest import ROOT

TREES = ROOT / "tests" / "fixtures" / "oasst" / "trees.jsonl"


def _recipe(folder: Path, options: str = "") -> Path:
    shutil.copy(TREES, folder / "trees.jsonl")
    path = folder / "oasst_v1.yaml"
    path.write_text(f"""name: oasst
version: 1
kind: preference
sources:
  trees: {{path: trees.jsonl, format: oasst{options}}}
mix:
  - {{group: all, from: [trees], take: all}}
""")
    return path


def _langs(version: curate.Version) -> dict[str, int]:
    source = version.manifest.sources["trees"]
    return {"kept": source.n_kept, "lang": source.rejected_by_reason.get("lang", 0)}


def test_a_recipe_filters_oasst_trees_by_language(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    every = curate.build(_recipe(tmp_path / "a"), out=tmp_path / "out_a", progress=False)
    english = curate.build(_recipe(tmp_path / "b", ", format_options: {lang: en}"),
                           out=tmp_path / "out_b", progress=False)
    assert _langs(every)["lang"] == 0
    assert _langs(english)["lang"] > 0 and _langs(english)["kept"] < _langs(every)["kept"]
    assert english.manifest.sources["trees"].format_options == {"lang": "en"}
    assert every.manifest.sources["trees"].format_options is None
    assert english.fingerprint != every.fingerprint


def test_an_unknown_option_or_a_format_without_options_is_a_recipe_error(tmp_path: Path):
    with pytest.raises(RecipeError, match=r"source trees: format oasst: bad option .*lan.*its "
                                          r"options: lang"):
        curate.build(_recipe(tmp_path, ", format_options: {lan: en}"), out=tmp_path / "o",
                     progress=False)
    path = _recipe(tmp_path, ", format_options: {lang: en}")
    path.write_text(path.read_text().replace("format: oasst", "format: alpaca"))
    with pytest.raises(RecipeError, match="format alpaca takes no options"):
        curate.build(path, out=tmp_path / "o", progress=False)


def test_validate_takes_format_options(tmp_path: Path):
    def run(*args: str):
        out = subprocess.run([sys.executable, "-c", "from curate.cli import main; main()",
                              "validate", str(TREES), *args], capture_output=True, text=True)
        out.output = out.stdout + out.stderr  # type: ignore[attr-defined]
        out.exit_code = out.returncode  # type: ignore[attr-defined]
        return out

    every, english = run("--format", "oasst"), run("--format", "oasst",
                                                    "--format-option", "lang=en")
    assert every.exit_code == english.exit_code == 0
    assert "lang" not in every.output and "lang" in english.output
    both = run("--format", "oasst", "--format-option", "lang=en", "--format-option", "lang=de")
    assert "lang" not in both.output  # every tree of the fixture is en or de
    missing = run("--format-option", "lang=en")
    assert missing.exit_code == 2 and "--format-option needs --format" in missing.output


def test_options_are_validated_by_the_format():
    from curate.adapters import get_adapter

    assert get_adapter("oasst").configured({"lang": ["en", "de"]}).langs == {"en", "de"}
    with pytest.raises(InputError, match="takes no options"):
        get_adapter("nectar").configured({"lang": "en"})
