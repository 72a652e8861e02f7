"""`hf://datasets/ORG/NAME@REV/PATH` wherever a path is: a recipe's `path:`, curate.read and
`curate validate`; read from the HF cache, recorded at the commit it resolved to."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import curate
from tests.hub.conftest import REPO, commit, hh_rows, jsonl_gz
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


def _validate(path: str, **env) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "curate", "validate", path, "--format",
                           "hh-rlhf", "--set", "criterion=helpfulness"],
                          capture_output=True, text=True, env={**os.environ, **env}, check=False)


def test_offline_an_hf_path_the_cache_does_not_know_says_the_fix_for_a_path(hub_env, hh_repo):
    path = f"hf://datasets/{REPO}/helpful-base/train.jsonl.gz"
    done = _validate(path, HF_HUB_OFFLINE="1")
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert f"{path}: HF_HUB_OFFLINE is set and the HF cache" in line
    assert "run it once online to fill the HF cache" in line
    assert f"hf://datasets/{REPO}@COMMIT/helpful-base/train.jsonl.gz" in line
    assert "recipe" not in line and "curate lock" not in line  # no recipe is involved


def test_an_hf_path_read_once_online_reads_offline_from_the_cache(hub_env, hh_repo, api):
    path = f"hf://datasets/{REPO}/helpful-base/train.jsonl.gz"
    assert _validate(path).returncode == 0  # online: fills the HF cache
    commit(api, {"helpful-base/train.jsonl.gz": jsonl_gz(hh_rows(3))})  # main moves on
    n_requests = len(hub_env.calls) + len(hub_env.unrouted)
    offline = _validate(path, HF_HUB_OFFLINE="1")
    assert offline.returncode == 0, offline.stderr
    assert "10 valid" in offline.stdout + offline.stderr  # the commit main was at, from the cache
    assert f"hf://datasets/{REPO}@{hh_repo}/helpful-base/train.jsonl.gz" in offline.stderr  # pin
    pinned = _validate(f"hf://datasets/{REPO}@{hh_repo}/helpful-base", HF_HUB_OFFLINE="1")
    assert pinned.returncode == 0, pinned.stderr
    assert len(hub_env.calls) + len(hub_env.unrouted) == n_requests  # offline asked nothing
