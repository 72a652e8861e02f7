"""`curate lock RECIPE` from a shell: the lock file beside the recipe, what it pinned, and a
later `curate build` that says the branch moved and still builds the locked commit."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from tests.builder.conftest import write_jsonl, write_recipe
from tests.hub.conftest import REPO, commit, hh_rows, jsonl_gz
from tests.hub.recipes import hub_recipe

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def _curate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "curate", *map(str, args)], capture_output=True,
                          text=True)


def test_lock_writes_the_commit_beside_the_recipe_and_build_says_when_main_moved(
        tmp_path, api, hh_repo):
    recipe = hub_recipe(tmp_path / "r")
    done = _curate("lock", recipe)
    assert done.returncode == 0, done.stderr
    lock = tmp_path / "r" / "t_v1.lock"
    assert f"locked {lock}" in done.stdout and hh_repo in done.stdout and "new" in done.stdout
    data = yaml.safe_load(lock.read_text())
    assert data["hub"][0]["commit"] == hh_repo and data["hub"][0]["revision"] == "main"

    moved = commit(api, {"harmless-base/train.jsonl.gz": jsonl_gz(hh_rows(41))})
    built = _curate("build", recipe, "--out", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    assert (f"curate: {recipe}: source harmless: {REPO}@main moved since t_v1.lock (locked "
            f"{hh_repo[:12]}, now {moved[:12]}); building from the locked commit") in built.stderr

    relocked = _curate("lock", recipe)
    assert relocked.returncode == 0 and hh_repo in relocked.stdout and moved in relocked.stdout
    assert yaml.safe_load(lock.read_text())["hub"][0]["commit"] == moved


def test_lock_on_a_recipe_without_hub_sources_writes_nothing(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [])
    recipe = write_recipe(tmp_path, sources={"a": {"path": "a.jsonl"}},
                          mix=[{"group": "all", "from": ["a"], "take": "all"}])
    done = _curate("lock", recipe)
    assert done.returncode == 0 and "reads nothing from the Hub" in done.stdout
    assert not (tmp_path / "t_v1.lock").exists()


def test_lock_offline_is_refused_in_one_line(tmp_path, hub_env, hh_repo, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    done = _curate("lock", hub_recipe(tmp_path / "r"))
    assert done.returncode == 2
    assert "HF_HUB_OFFLINE is set; unset it to lock" in done.stderr
