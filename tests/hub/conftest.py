"""Hub sources against the test Hub on 127.0.0.1: a seeded dataset repo in the HH-RLHF layout
(harmless-base/train.jsonl.gz, as Anthropic/hh-rlhf publishes it), HF_ENDPOINT pointing there."""

from __future__ import annotations

import gzip
import json

import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

from tests.hub_server.fixtures import hub, isolated_hf_env  # noqa: F401  (pytest fixtures)

REPO = "org/hh"


def hh_rows(n: int, *, start: int = 0) -> list[dict]:
    """HH-RLHF rows: `chosen` and `rejected` transcripts sharing the human turns."""
    return [{"chosen": f"\n\nHuman: question {i}?\n\nAssistant: a careful answer {i}.",
             "rejected": f"\n\nHuman: question {i}?\n\nAssistant: a reckless answer {i}."}
            for i in range(start, start + n)]


def jsonl_gz(rows: list[dict]) -> bytes:
    return gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode(), mtime=0)


@pytest.fixture
def hub_env(hub, monkeypatch):  # noqa: F811  (the fixture imported above)
    """HF_ENDPOINT on the test Hub: what every Hugging Face tool, and curate, reads."""
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    return hub


@pytest.fixture
def api(hub_env) -> HfApi:
    return HfApi(endpoint=hub_env.url, token=hub_env.token)


def commit(api: HfApi, files: dict[str, bytes], *, deleted=(), message="update") -> str:
    """One commit on main of REPO (created when missing); returns its oid."""
    api.create_repo(REPO, repo_type="dataset", exist_ok=True)
    operations = [CommitOperationAdd(path, data) for path, data in files.items()]
    operations += [CommitOperationDelete(path) for path in deleted]
    return api.create_commit(REPO, operations, commit_message=message, repo_type="dataset").oid


@pytest.fixture
def hh_repo(api) -> str:
    """REPO with 40 harmless rows (LFS, .gz), 10 helpful rows and a README; the commit."""
    return commit(api, {"harmless-base/train.jsonl.gz": jsonl_gz(hh_rows(40)),
                        "helpful-base/train.jsonl.gz": jsonl_gz(hh_rows(10, start=100)),
                        "README.md": b"---\nlicense: mit\n---\n# hh\n"}, message="first")
