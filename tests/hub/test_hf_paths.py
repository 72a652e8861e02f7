"""`hf://datasets/ORG/NAME@REV/PATH` wherever a path is: a recipe's `path:`, curate.read and
`curate validate`; read from the HF cache, recorded at the commit it resolved to."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import curate
from tests.hub.conftest import REPO
from tests.hub.recipes import hub_recipe

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def test_an_hf_path_in_a_recipe_builds_and_is_recorded_at_its_commit(tmp_path, api, hh_repo):
    api.create_tag(REPO, tag="v1.0", revision=hh_repo, repo_type="dataset")
    source = {"path": [f"hf://datasets/{REPO}@v1.0/harmless-base"], "format": "hh-rlhf",
              "set": {"criterion": "safety"}}
    built = curate.build(hub_recipe(tmp_path / "r", source), out=tmp_path / "out", progress=False)
    [file] = built.manifest.sources["harmless"].files
    assert file.path == f"hf://datasets/{REPO}@{hh_repo}/harmless-base/train.jsonl.gz"
    assert (file.hub.revision, file.hub.commit) == ("v1.0", hh_repo)
    assert built.manifest.sources["harmless"].n_read == 40


def test_curate_read_takes_an_hf_path_with_a_glob(api, hh_repo):
    frame = curate.read(f"hf://datasets/{REPO}@main/*-base/*.jsonl.gz", format="hh-rlhf",
                        set_fields={"criterion": "helpfulness"})
    assert frame.height == 50 and frame["chosen"][0] == "a careful answer 0."


def test_curate_validate_takes_an_hf_path(tmp_path, hub_env, hh_repo):
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "curate", "validate",
                           f"hf://datasets/{REPO}/helpful-base/train.jsonl.gz", "--format",
                           "hh-rlhf", "--set", "criterion=helpfulness", "--report", str(report)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(report.read_text())["n_valid"] == 10


def test_curate_stats_reads_an_hf_path(api, hh_repo):
    from curate.stats.inputs import read_dataset

    assert read_dataset(f"hf://datasets/{REPO}@main/helpful-base", format="hh-rlhf").height == 10
