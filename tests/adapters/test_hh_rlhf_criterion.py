"""HH-RLHF's criterion is never guessed silently: `set:` / --set gives it; a file named by an HH
subset takes that subset's, and reading says so; any other file gets none, and is told how."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import curate
from curate.adapters.hh_rlhf import criterion_of
from tests.builder.conftest import write_recipe
from tests.conftest import FIXTURES

HH = FIXTURES / "hh-rlhf" / "harmless-sample.jsonl"


@pytest.mark.parametrize("path, criterion", [
    # the subsets as Anthropic/hh-rlhf lays them out (folder/split.jsonl.gz)
    ("hh-rlhf/harmless-base/train.jsonl.gz", "safety"),
    ("hh-rlhf/red-team-attempts/red_team_attempts.jsonl.gz", "safety"),
    ("hh-rlhf/helpful-base/test.jsonl.gz", "helpfulness"),
    ("hh-rlhf/helpful-online/train.jsonl.gz", "helpfulness"),
    ("hh-rlhf/helpful-rejection-sampled/train.jsonl.gz", "helpfulness"),
    ("downloads/harmless-base-train.jsonl.gz", "safety"),  # flattened into the file name
    ("samples/anthropic_helpful/train.jsonl.gz", "helpfulness"),  # the bundled sample
    ("renamed/pairs.jsonl.gz", None),  # renamed: nothing says
    ("helpful/harmless-base.jsonl", None),  # both: unclear
    ("mine/unhelpful.jsonl", None),  # not the word
    ("runs/helpfulness_rm/train.jsonl", None),
    ("harmless-base/2023/pairs.jsonl", None),  # only the file's name and its folder count
])
def test_only_a_clear_subset_name_in_the_files_name_or_folder_gives_a_criterion(path, criterion):
    assert criterion_of(Path(path)) == criterion


def _validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from curate.cli import main; main()",
                           "validate", *args], capture_output=True, text=True, check=False)


def test_a_renamed_harmless_file_is_told_how_to_set_it_and_is_valid_once_set(shared_data,
                                                                             tmp_path):
    renamed = tmp_path / "renamed" / "pairs.jsonl.gz"  # (tmp_path's own name says "harmless")
    renamed.parent.mkdir()
    shutil.copy(shared_data / "hh-rlhf/harmless-base/test-first500.jsonl.gz", renamed)
    report = tmp_path / "report.json"
    unset = _validate(str(renamed), "--format", "hh-rlhf", "--report", str(report))
    assert unset.returncode == 1
    assert f"note: {renamed}: no criterion" in unset.stderr
    assert "--set criterion=" in unset.stderr and "Traceback" not in unset.stderr
    result = json.loads(report.read_text())
    assert result["rejected_by_reason"] == {"bad_field": 500}
    first = result["errors"][0]
    assert first["field"] == "criterion"
    assert ("--set criterion=helpfulness, or `set: {criterion: helpfulness}` in a recipe (one of "
            "helpfulness, safety)") in first["message"]

    given = _validate(str(renamed), "--format", "hh-rlhf", "--set", "criterion=safety",
                      "--report", str(report))
    assert "note:" not in given.stderr  # the user said it: nothing to announce
    result = json.loads(report.read_text())
    assert result["rejected_by_reason"] == {"empty_response": 1}  # line 87, as in harmless-base
    assert result["by_criterion"] == {"helpfulness": 0, "safety": 500, "unknown": 0}


def test_a_criterion_from_the_subset_folder_is_used_and_said(tmp_path, capsys):
    path = tmp_path / "harmless-base" / "train.jsonl"
    path.parent.mkdir()
    shutil.copy(HH, path)
    assert set(curate.read(path, format="hh-rlhf")["criterion"]) == {"safety"}
    assert (f"note: {path}: criterion safety, from the file's path (hh-rlhf)"
            in capsys.readouterr().err)
    chosen = curate.read(path, format="hh-rlhf", set_fields={"criterion": "helpfulness"})
    assert set(chosen["criterion"]) == {"helpfulness"} and capsys.readouterr().err == ""


def test_read_refuses_a_file_that_names_no_subset_saying_how_to_set_it(tmp_path):
    path = tmp_path / "pairs.jsonl"
    shutil.copy(HH, path)
    with pytest.raises(curate.RecordError, match=r"pairs.jsonl:1: .*criterion.*--set criterion="):
        curate.read(path, format="hh-rlhf")


def test_a_build_over_a_renamed_file_rejects_it_all_unless_the_recipe_sets_it(tmp_path, capfd):
    shutil.copy(HH, tmp_path / "pairs.jsonl")
    source = {"path": "pairs.jsonl", "format": "hh-rlhf"}
    mix = [{"group": "all", "from": ["hh"], "take": "all"}]
    unset = curate.build(write_recipe(tmp_path, sources={"hh": source}, mix=mix),
                         out=tmp_path / "out", progress=False)
    assert unset.manifest.sources["hh"].rejected_by_reason == {"bad_field": 4}
    assert "no criterion: hh-rlhf takes it from the file's path" in capfd.readouterr().err
    given = curate.build(write_recipe(tmp_path, version=2, sources={"hh": {
        **source, "set": {"criterion": "safety"}}}, mix=mix), out=tmp_path / "out",
        progress=False)
    assert given.manifest.sources["hh"].n_kept == 4
    assert "note:" not in capfd.readouterr().err


def test_a_sampled_source_read_twice_by_the_build_says_its_criterion_once(tmp_path, capfd):
    (tmp_path / "harmless-base").mkdir()
    shutil.copy(HH, tmp_path / "harmless-base" / "train.jsonl")
    source = {"path": "harmless-base/train.jsonl", "format": "hh-rlhf"}
    curate.build(write_recipe(tmp_path, sources={"hh": source},  # sampled: pass 2 re-reads it
                              mix=[{"group": "all", "from": ["hh"], "fraction": 0.2}]),
                 out=tmp_path / "out", progress=False)
    assert capfd.readouterr().err.count("criterion safety, from the file's path") == 1
