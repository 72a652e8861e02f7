"""Trainers read a version published with `curate push` to the local registry (git + LFS).

Until curate.version, the trainers exported the registry tag with `git archive`, which yields
the LFS pointer files instead of Parquet: reward.py then died with a raw ArrowInvalid, and the
broken export was cached by commit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from curate.errors import InputError
from tests.publish.conftest import hub, isolated_hf_env  # noqa: F401  (fixtures)
from tests.trainers.conftest import PREFERENCE_SCHEMA, toy_preference_rows, write_version
from trainers.data import load_split, resolve_dataset

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _push(folder, repo: str, home) -> None:
    env = {**os.environ, "CURATE_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "curate", "push", "x_v1", "--from", str(folder),
                           "--repo", repo, "--local"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def published(tmp_path):
    folder = write_version(tmp_path / "toy_rm" / "v3", schema=PREFERENCE_SCHEMA,
                           train=toy_preference_rows(32, seed=1), test=toy_preference_rows(16, seed=2))
    home = tmp_path / "home"
    _push(folder, "org/toy-rm", home)
    return folder, home


def test_reward_trains_on_a_pushed_version(published, tmp_path):
    folder, home = published
    objects = home / "hub" / "datasets" / "org" / "toy-rm" / ".git" / "lfs" / "objects"
    assert any(objects.rglob("*")), "the shards were pushed as LFS objects"
    out = tmp_path / "rm"
    env = {k: v for k, v in os.environ.items() if k != "HF_ENDPOINT"}
    done = subprocess.run([sys.executable, "trainers/reward.py", "--dataset", "org/toy-rm@v3",
                           "--model", "tiny", "--max-steps", "2", "--batch-size", "8",
                           "--output-dir", str(out)],
                          cwd=REPO, env={**env, "CURATE_HOME": str(home)}, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_test"] == 16 and metrics["dataset"] == "org/toy-rm@v3"


def test_a_tag_and_its_commit_give_the_rows_of_the_folder(published, monkeypatch):
    folder, home = published
    monkeypatch.setenv("CURATE_HOME", str(home))
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    by_tag = resolve_dataset("org/toy-rm@v3")
    repo_dir = home / "hub" / "datasets" / "org" / "toy-rm"
    commit = subprocess.run(["git", "-C", str(repo_dir), "rev-parse", "v3"], capture_output=True,
                            text=True, check=True).stdout.strip()
    by_commit = resolve_dataset(f"org/toy-rm@{commit}")
    local = resolve_dataset(str(folder))
    for split in ("train", "test"):
        rows = load_split(local, split).to_list()
        assert load_split(by_tag, split).to_list() == rows == load_split(by_commit, split).to_list()
    assert by_tag.fingerprint == local.fingerprint
    with pytest.raises(InputError, match=r"no tag or commit v9 .* \(tags: v3\)"):
        resolve_dataset("org/toy-rm@v9")


def test_with_hf_endpoint_the_trainers_read_the_version_from_the_hub(tmp_path, monkeypatch,
                                                                     isolated_hf_env, hub):
    """HF_ENDPOINT set: ORG/NAME@vN comes from that Hub (the test Hub on 127.0.0.1), as every
    HF tool reads it; the local registry (empty here) is not consulted."""
    folder = write_version(tmp_path / "toy_rm" / "v3", schema=PREFERENCE_SCHEMA,
                           train=toy_preference_rows(8, seed=1), test=toy_preference_rows(4, seed=2))
    local = resolve_dataset(str(folder))
    local.push_to_hub("org/toy-rm", endpoint=hub.url, token=hub.token, progress=False)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    remote = resolve_dataset("org/toy-rm@v3")
    assert remote.label == "org/toy-rm@v3" and remote.fingerprint == local.fingerprint
    assert load_split(remote, "train").to_list() == load_split(local, "train").to_list()
    assert not hub.unrouted
