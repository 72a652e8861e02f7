"""A Hub source that cannot be read is one line naming the repo, the revision, the file or glob,
and the fix (InputError: `curate build` exits 2)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import curate
from curate.errors import InputError
from tests.hub.conftest import REPO
from tests.hub.recipes import HARMLESS, hub_recipe

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def _build(tmp_path, source: dict):
    return curate.build(hub_recipe(tmp_path / "r", {**HARMLESS, **source}), out=tmp_path / "out",
                        progress=False)


def test_a_missing_repo_names_it_and_the_endpoint(tmp_path, hub_env, hh_repo):
    with pytest.raises(InputError, match=rf"source harmless: no dataset repo org/nope on "
                       rf"{hub_env.url} \(asked for revision 'main'; .*check `hub:` \(ORG/NAME\), HF_ENDPOINT, "
                       r"or set HF_TOKEN"):
        _build(tmp_path, {"hub": "org/nope"})


def test_a_missing_revision_names_repo_and_revision(tmp_path, hub_env, hh_repo):
    with pytest.raises(InputError, match=rf"{REPO} on {hub_env.url} has no revision 'v9'; check "
                       r"`revision:` \(a branch, tag or commit of the repo\)"):
        _build(tmp_path, {"revision": "v9"})


def test_a_glob_matching_no_file_names_repo_revision_glob_and_what_is_there(
        tmp_path, hub_env, hh_repo):
    with pytest.raises(InputError, match=rf"no file of {REPO}@main \(commit {hh_repo[:12]}\) "
                       r"matches files \['red-team/\*.jsonl.gz'\]; its data files: harmless-base/"
                       r"train.jsonl.gz, helpful-base/train.jsonl.gz; fix `files:`"):
        _build(tmp_path, {"files": "red-team/*.jsonl.gz"})


def test_a_file_missing_at_that_revision_names_the_file(tmp_path, api, hh_repo):
    api.create_tag(REPO, tag="v1.0", revision=hh_repo, repo_type="dataset")
    source = {"path": f"hf://datasets/{REPO}@v1.0/red-team/train.jsonl.gz", "format": "hh-rlhf",
              "set": {"criterion": "safety"}}
    with pytest.raises(InputError, match=rf"{REPO}@v1.0 \(commit {hh_repo[:12]}\) has no file "
                       r"or folder red-team/train.jsonl.gz at that revision; its data files: "
                       r"harmless-base/train.jsonl.gz, .*; fix the path"):
        curate.build(hub_recipe(tmp_path / "r", source), out=tmp_path / "out", progress=False)


def test_the_cli_says_it_in_one_line_and_exits_2(tmp_path, hub_env, hh_repo):
    recipe = hub_recipe(tmp_path / "r", {**HARMLESS, "revision": "no-such-branch"})
    done = subprocess.run([sys.executable, "-m", "curate", "build", str(recipe), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {recipe}: source harmless: {REPO} on {hub_env.url} has no "
                           "revision 'no-such-branch'")
