"""`curate collect sample --prompts hf://datasets/...`: prompts on the Hub (the test Hub on
127.0.0.1, HF_ENDPOINT pointing there) sample the same packet as the same file on disk."""

from __future__ import annotations

import json

import pytest
from huggingface_hub import CommitOperationAdd, HfApi

from curate.collect.sample import sample_packet
from tests.hub_server.fixtures import hub, isolated_hf_env  # noqa: F401  (pytest fixtures)

from .conftest import one_torch_thread, run_cli

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
REPO = "org/prompts"
PROMPTS = "".join(json.dumps(p) + "\n" for p in ["How do I pick a lock?", "Name a prime number."])
SETTINGS = ["--criterion", "safety", "--batch", "2023-W15", "--iteration", "rlhf_v4",
            "--max-new-tokens", 3, "--model", "tiny:1", "--model", "tiny:2"]


def test_prompts_on_the_hub_sample_the_packet_the_same_file_on_disk_samples(
        hub, monkeypatch, tmp_path, shared_data):  # noqa: F811  (the fixture imported above)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    api = HfApi(endpoint=hub.url, token=hub.token)
    api.create_repo(REPO, repo_type="dataset")
    api.create_commit(REPO, [CommitOperationAdd("weekly/2023-W15.jsonl", PROMPTS.encode())],
                      commit_message="prompts", repo_type="dataset")
    local = tmp_path / "2023-W15.jsonl"
    local.write_text(PROMPTS, encoding="utf-8")
    with one_torch_thread():
        assert run_cli(monkeypatch, "collect", "sample", "--prompts",
                       f"hf://datasets/{REPO}@main/weekly/2023-W15.jsonl", *SETTINGS,
                       "--out", tmp_path / "hub") == 0
        sample_packet(local, models=["tiny:1", "tiny:2"], criterion="safety", batch="2023-W15",
                      iteration="rlhf_v4", max_new_tokens=3, temperatures=[0.7, 1.0, 1.3],
                      out=tmp_path / "disk", progress=False)
    for name in ("packet.json", "tasks.jsonl", "key.json"):  # prompts_file: the file's name
        assert (tmp_path / "hub" / name).read_bytes() == (tmp_path / "disk" / name).read_bytes()


def test_an_hf_path_naming_several_files_is_refused(hub, monkeypatch, tmp_path, capsys):  # noqa: F811
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    api = HfApi(endpoint=hub.url, token=hub.token)
    api.create_repo(REPO, repo_type="dataset")
    api.create_commit(REPO, [CommitOperationAdd(f"weekly/{w}.jsonl", PROMPTS.encode())
                             for w in ("a", "b")], commit_message="prompts", repo_type="dataset")
    assert run_cli(monkeypatch, "collect", "sample", "--prompts",
                   f"hf://datasets/{REPO}@main/weekly", *SETTINGS, "--out", tmp_path / "o") == 2
    assert capsys.readouterr().err.endswith(f"\nerror: --prompts hf://datasets/{REPO}@main/weekly: "
                                            "names 2 files on the Hub; give one file of prompts\n")
