"""Two pushes of the same version at the same time: both succeed, one commit, one tag."""

from __future__ import annotations

import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from curate.errors import VersionConflictError
from curate.publish import push_to_hub
from tests.publish.version_folders import preference_rows, write_build

REPO = "my-org/safety-rm"
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def two_at_once(push_a, push_b) -> list:
    """Run both pushes in threads released together; their results or exceptions, in order."""
    start = threading.Barrier(2, timeout=30)

    def run(push):
        start.wait()
        try:
            return push()
        except Exception as exc:  # reported, not raised: both outcomes are asserted
            return exc

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(run, [push_a, push_b]))


def both_commits_meet(hub) -> None:
    """Hold the first two commit requests until both have arrived, so both were built on the same
    parent and exactly one lands first: the race, every time (later commits pass straight on)."""
    real_commit, meeting = hub.store.commit, threading.Barrier(2, timeout=30)
    arrived = iter(range(2))

    def commit(*args, **kwargs):
        if next(arrived, None) is not None:
            meeting.wait()
        return real_commit(*args, **kwargs)

    hub.store.commit = commit


def build(tmp_path, n_train: int = 30):
    return write_build(tmp_path, version=3, train=preference_rows(n_train), test=preference_rows(5))


def test_hub_push_that_loses_a_race_to_the_same_build_reports_already_published(hub, tmp_path, capsys):
    version = build(tmp_path / "build")
    both_commits_meet(hub)
    results = two_at_once(lambda: push_to_hub(version, repo=REPO, endpoint=hub.url),
                          lambda: push_to_hub(version, repo=REPO, endpoint=hub.url))
    assert [type(r).__name__ for r in results] == ["PushResult", "PushResult"], results
    assert sorted(r.status for r in results) == ["pushed", "unchanged"]
    repo = hub.store.repos[REPO]
    assert len(repo.commits) == 2  # the Hub's initial commit and exactly one for v3
    assert repo.tags == {"v3": repo.branches["main"]} and {r.commit for r in results} == {repo.tags["v3"]}
    assert "is already published" in capsys.readouterr().err


def test_hub_push_racing_another_build_for_the_same_tag_still_conflicts(hub, tmp_path):
    ours, theirs = build(tmp_path / "a"), build(tmp_path / "b", n_train=31)
    both_commits_meet(hub)
    results = two_at_once(lambda: push_to_hub(ours, repo=REPO, endpoint=hub.url),
                          lambda: push_to_hub(theirs, repo=REPO, endpoint=hub.url))
    assert sorted(type(r).__name__ for r in results) == ["PushResult", "VersionConflictError"], results
    winner = next(r for r in results if not isinstance(r, Exception))
    repo = hub.store.repos[REPO]
    assert repo.tags == {"v3": winner.commit}
    assert len(repo.commits) == 2 and repo.branches["main"] == winner.commit  # no untagged build on main


def slow_ref_updates(tmp_path, monkeypatch) -> None:
    """git's reference-transaction hook sleeps once the refs are locked: a push that checked for the
    tag a moment after another one did is certain to arrive while the first still holds them."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    hook = hooks / "reference-transaction"
    hook.write_text('#!/bin/sh\nrefs=$(cat)\ncase "$1 $refs" in prepared*refs/tags/*) sleep 1;; esac\n')
    hook.chmod(0o755)
    for key, value in {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.hooksPath",
                       "GIT_CONFIG_VALUE_0": str(hooks)}.items():
        monkeypatch.setenv(key, value)


def git(repo_dir, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_registry_push_that_loses_a_race_to_the_same_build_reports_already_published(tmp_path, monkeypatch):
    version, registry = build(tmp_path / "build"), tmp_path / "registry"
    slow_ref_updates(tmp_path, monkeypatch)
    results = two_at_once(lambda: push_to_hub(version, repo=REPO, local=registry),
                          lambda: push_to_hub(version, repo=REPO, local=registry))
    assert [type(r).__name__ for r in results] == ["PushResult", "PushResult"], results
    assert sorted(r.status for r in results) == ["pushed", "unchanged"]
    repo_dir = registry / "datasets" / "my-org" / "safety-rm"
    assert git(repo_dir, "rev-list", "--count", "main") == "1" and git(repo_dir, "tag") == "v3"
    assert {r.commit for r in results} == {git(repo_dir, "rev-parse", "v3^{commit}")}


def test_registry_push_racing_another_build_for_the_same_tag_still_conflicts(tmp_path, monkeypatch):
    ours, theirs, registry = build(tmp_path / "a"), build(tmp_path / "b", n_train=31), tmp_path / "registry"
    slow_ref_updates(tmp_path, monkeypatch)
    results = two_at_once(lambda: push_to_hub(ours, repo=REPO, local=registry),
                          lambda: push_to_hub(theirs, repo=REPO, local=registry))
    assert sorted(type(r).__name__ for r in results) == ["PushResult", "VersionConflictError"], results
    conflict = next(r for r in results if isinstance(r, VersionConflictError))
    assert "bump the recipe's version" in str(conflict)
