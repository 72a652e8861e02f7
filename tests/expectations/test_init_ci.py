"""`curate init-ci`: valid YAML, and the commands it runs work here, on a real git history."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.expectations.test_suite import _cli

ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
       "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@t"}


def _git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True,
                          text=True).stdout.strip()


def _validate_step(repo):
    workflow = yaml.safe_load((repo / ".github/workflows/validate-data.yml").read_text())
    steps = workflow["jobs"]["validate"]["steps"]
    return workflow, next(s for s in steps if s.get("name") == "Validate changed data files")


def test_workflow_validates_only_changed_data_files_and_fails_on_a_bad_batch(
        tmp_path, bad_batch, clean_batch):
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    result = _cli("init-ci", "--root", str(repo), "--schema", "preference")
    assert result.returncode == 0, result.stderr
    workflow, step = _validate_step(repo)
    assert workflow["on"]["pull_request"]["paths"] == ["data/**"]
    shutil.copy(clean_batch, repo / "data" / clean_batch.name)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "clean batch")
    base = _git(repo, "rev-parse", "HEAD")

    def run_step(base_sha):
        return subprocess.run(["bash", "-c", step["run"]], cwd=repo, capture_output=True,
                              text=True, env={**ENV, "BASE": base_sha})

    nothing = run_step(base)
    assert nothing.returncode == 0 and "no data files changed" in nothing.stdout
    first_push = run_step("0" * 40)  # a branch's first push: every data file
    assert first_push.returncode == 0, first_push.stdout + first_push.stderr
    (repo / "data" / "w14").mkdir()
    shutil.copy(bad_batch, repo / "data" / "w14" / bad_batch.name)
    (repo / "notes.jsonl").write_text("not data, not validated\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "bad batch")
    failing = run_step(base)
    assert failing.returncode == 1
    assert f"validating data/w14/{bad_batch.name}" in failing.stdout
    assert clean_batch.name not in failing.stdout and "notes.jsonl" not in failing.stdout
    assert "safety_category_4" in failing.stdout and (repo / "curate-validate.xml").is_file()


def test_pre_commit_hook_runs_curate_validate_on_matching_files(tmp_path, bad_batch,
                                                                clean_batch):
    assert _cli("init-ci", "--root", str(tmp_path)).returncode == 0
    again = _cli("init-ci", "--root", str(tmp_path))
    assert again.returncode == 2 and "--force" in again.stderr
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    hook = config["repos"][0]["hooks"][0]
    assert hook["language"] == "system" and hook["pass_filenames"] is True
    assert re.search(hook["files"], "data/vendor/w14.jsonl.gz")
    assert not re.search(hook["files"], "docs/readme.md")
    for path, code in ((clean_batch, 0), (bad_batch, 1)):
        run = subprocess.run(f"{hook['entry']} {path}", shell=True, capture_output=True,
                             text=True, env=ENV)
        assert run.returncode == code, run.stdout + run.stderr
