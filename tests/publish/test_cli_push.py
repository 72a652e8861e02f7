"""`curate push` from a shell: where it goes (--endpoint, else HF_ENDPOINT, else huggingface.co;
--local for the registry), NAME_vN resolution, the token from the environment, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import PurePosixPath

import pytest
from huggingface_hub import HfApi

from curate.cli import main
from tests.publish.version_folders import preference_rows, write_build

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def run_cli(monkeypatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["curate", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    return exit_.value.code


def test_cli_push_local_resolves_name_vn_under_build_into_the_default_registry(tmp_path, monkeypatch,
                                                                               capsys):
    write_build(tmp_path / "build", version=3, train=preference_rows(10), test=preference_rows(2))
    monkeypatch.chdir(tmp_path)
    assert run_cli(monkeypatch, "push", "safety_rm_v3", "--repo", "my-org/safety-rm", "--local") == 0
    registry = tmp_path / "curate_home" / "hub"
    tags = subprocess.run(["git", "-C", str(registry / "datasets" / "my-org" / "safety-rm"), "tag"],
                          capture_output=True, text=True).stdout
    assert tags.split() == ["v3"]
    assert f"pushed my-org/safety-rm@v3 to the local registry {registry}: commit" in capsys.readouterr().err
    assert run_cli(monkeypatch, "push", "safety_rm_v3", "--repo", "my-org/safety-rm", "--local") == 0
    assert "nothing to do" in capsys.readouterr().err


def test_cli_push_registry_dir_is_the_local_registry_there(tmp_path, monkeypatch, hub):
    version = write_build(tmp_path / "build", version=3, train=preference_rows(10), test=preference_rows(2))
    monkeypatch.setenv("HF_ENDPOINT", hub.url)  # --registry wins: nothing goes to the Hub
    assert run_cli(monkeypatch, "push", "x_v3", "--from", str(version), "--repo", "my-org/safety-rm",
                   "--registry", str(tmp_path / "reg")) == 0
    assert (tmp_path / "reg" / "datasets" / "my-org" / "safety-rm" / ".git").is_dir()
    assert hub.calls == []


def strings(value) -> list[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def test_cli_push_with_only_hf_endpoint_set_lands_on_that_hub_without_machine_paths(
        tmp_path, monkeypatch, capsys, hub):
    from tests.diff.builds import build_v1  # a real build: recipe and sources under tmp_path

    build = build_v1(tmp_path / "work")
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    assert run_cli(monkeypatch, "push", "t_v1", "--from", str(build.path), "--repo", "my-org/t") == 0
    assert f"pushed my-org/t@v1 to {hub.url}/datasets/my-org/t: commit" in capsys.readouterr().err
    repo = hub.store.repos["my-org/t"]
    assert list(repo.tags) == ["v1"] and repo.private is False  # the Hub's default visibility
    api = HfApi(endpoint=hub.url, token=hub.token)
    received = open(api.hf_hub_download("my-org/t", "manifest.json", repo_type="dataset",
                                        revision="v1", cache_dir=tmp_path / "dl"), "rb").read()
    assert received == (build.path / "manifest.json").read_bytes()
    text = received.decode()
    for machine_path in ("/tmp", "/work", str(tmp_path), os.environ["CURATE_HOME"], str(os.getcwd())):
        assert machine_path not in text
    assert not [s for s in strings(json.loads(text)) if PurePosixPath(s).is_absolute()]
    card = open(api.hf_hub_download("my-org/t", "README.md", repo_type="dataset", revision="v1",
                                    cache_dir=tmp_path / "dl"), encoding="utf-8").read()
    assert 'load_dataset("my-org/t", revision="v1")' in card and "ORG/NAME" not in card
    assert 'load_dataset("my-org/t"' not in (build.path / "README.md").read_text()  # as built


def test_cli_push_without_endpoint_targets_huggingface_co_and_without_a_token_stops_offline(tmp_path):
    """No --endpoint, no HF_ENDPOINT: huggingface_hub's default, https://huggingface.co. With no
    token, one line before any request (a dead proxy makes sure nothing could leave anyway)."""
    version = write_build(tmp_path / "build", version=3, train=preference_rows(10), test=preference_rows(2))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_") and "PROXY" not in k.upper()}
    env |= {"HF_HOME": str(tmp_path / "hf_home"), "CURATE_HOME": str(tmp_path / "home"),
            "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-m", "curate", "push", "safety_rm_v3", "--from",
                           str(version), "--repo", "my-org/safety-rm"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: no Hugging Face token to push to https://huggingface.co: set HF_TOKEN or run "
        "`hf auth login` with a token that may write to the repo's org, or push to the local "
        "registry with --local"]
    assert not (tmp_path / "home").exists()


def test_cli_push_takes_the_token_from_the_environment_and_never_prints_it(hub, tmp_path, monkeypatch, capsys):
    version = write_build(tmp_path / "build", version=3, train=preference_rows(10), test=preference_rows(2))
    args = ["push", "safety_rm_v3", "--repo", "my-org/safety-rm", "--from", str(version),
            "--endpoint", hub.url, "--private"]
    monkeypatch.setenv("HF_TOKEN", "hf_wrong_secret_4242")
    assert run_cli(monkeypatch, *args) == 2
    refused = capsys.readouterr()
    assert "error:" in refused.err and "hf_wrong_secret_4242" not in refused.out + refused.err
    monkeypatch.setenv("HF_TOKEN", hub.token)
    assert run_cli(monkeypatch, *args) == 0
    pushed = capsys.readouterr()
    assert hub.token not in pushed.out + pushed.err
    assert hub.store.repos["my-org/safety-rm"].private is True  # --private
    assert list(hub.store.repos["my-org/safety-rm"].tags) == ["v3"]


def test_cli_push_to_an_endpoint_and_the_local_registry_at_once_is_refused(tmp_path, monkeypatch, capsys):
    version = write_build(tmp_path / "build", version=3, train=preference_rows(10), test=preference_rows(2))
    assert run_cli(monkeypatch, "push", "x_v3", "--from", str(version), "--repo", "my-org/x",
                   "--endpoint", "http://127.0.0.1:9", "--local") == 2
    assert "push to one of them: drop --endpoint or --local" in capsys.readouterr().err


def test_cli_push_of_a_missing_build_says_how_to_make_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run_cli(monkeypatch, "push", "safety_rm_v9", "--repo", "my-org/safety-rm") == 2
    assert "build/safety_rm/v9: no built version here" in capsys.readouterr().err
