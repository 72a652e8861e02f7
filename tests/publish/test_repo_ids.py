"""Repo ids are checked as the Hub checks them, before a push writes or sends anything."""

from __future__ import annotations

import os

import pytest

from curate.errors import InputError
from curate.publish import push_to_hub
from tests.publish.test_cli_push import run_cli
from tests.publish.version_folders import preference_rows, write_build

BAD_IDS = ["../..", "org/..", "..", ".", "./x", "org/.", "/abs/path", "/abs", "org\\name",
           "..\\..\\x", "org/name/extra", "name", "org/", "/name", "a--b/c", "org/a..b",
           "org/name.git", "-org/name", "org/name-", "org/na me", "org/caf\u00e9", "o" * 97 + "/x",
           "org/name\n"]


def build_v3(tmp_path):
    return write_build(tmp_path / "build", version=3, train=preference_rows(10), test=preference_rows(2))


@pytest.mark.parametrize("repo", ["my-org/safety-rm", "Org_1/Foo-BAR_foo.bar123", "a/b"])
def test_hub_style_repo_ids_pass(tmp_path, repo):
    registry = tmp_path / "registry"
    assert push_to_hub(build_v3(tmp_path), repo=repo, local=registry, progress=False).status == "pushed"
    assert (registry / "datasets" / repo / ".git").is_dir()


@pytest.mark.parametrize("repo", BAD_IDS)
def test_repo_id_outside_the_hub_rules_is_refused_before_anything_is_written(tmp_path, repo):
    registry = tmp_path / "home" / "hub"
    with pytest.raises(InputError, match=r"--repo .*a dataset repo id is ORG/NAME.*e\.g\. my-org/safety-rm"):
        push_to_hub(build_v3(tmp_path), repo=repo, local=registry, progress=False)
    assert not (tmp_path / "home").exists() and not (tmp_path / "abs").exists()


def test_repo_dotdot_dotdot_does_not_create_a_git_repository_in_curate_home(tmp_path, monkeypatch, capsys):
    version = build_v3(tmp_path)
    home = tmp_path / "curate_home"  # CURATE_HOME of every publish test
    home.mkdir()
    assert run_cli(monkeypatch, "push", "safety_rm_v3", "--repo", "../..", "--from", str(version)) == 2
    assert "--repo '../..'" in capsys.readouterr().err
    assert list(home.iterdir()) == []  # on main: home/.git, a repository made of $CURATE_HOME


def test_repo_org_dotdot_does_not_create_a_git_repository_in_hub_datasets(tmp_path):
    version = build_v3(tmp_path)
    registry = tmp_path / "registry"
    with pytest.raises(InputError, match="--repo 'org/..'"):
        push_to_hub(version, repo="org/..", local=registry)
    assert not registry.exists()  # on main: registry/datasets/.git


@pytest.mark.parametrize("repo", ["../..", "org/..", "/abs/path", "org\\name"])
def test_bad_repo_id_sends_nothing_to_the_hub(tmp_path, hub, repo):
    with pytest.raises(InputError, match="a dataset repo id is ORG/NAME"):
        push_to_hub(build_v3(tmp_path), repo=repo, endpoint=hub.url)
    assert hub.calls == [] and hub.store.repos == {}


def test_registry_folder_linked_outside_the_registry_is_refused(tmp_path):
    registry, elsewhere = tmp_path / "registry", tmp_path / "elsewhere"
    (registry / "datasets").mkdir(parents=True)
    elsewhere.mkdir()
    os.symlink(elsewhere, registry / "datasets" / "my-org")
    with pytest.raises(InputError, match="resolves to .*elsewhere.*outside"):
        push_to_hub(build_v3(tmp_path), repo="my-org/safety-rm", local=registry)
    assert list(elsewhere.iterdir()) == []
