"""The local registry: git repositories in the Hub layout, served to `load_dataset` by olah."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from curate.errors import PublishError, VersionConflictError
from curate.publish import push_to_hub
from tests.publish.hub_loading import load_with_datasets
from tests.publish.version_folders import preference_rows, read_split, write_build

REPO = "my-org/safety-rm"


def git(repo_dir: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def versions(tmp_path):
    """v1 with three train shards, v3 with one and other rows."""
    out = tmp_path / "build"
    return {1: write_build(out, version=1, train=preference_rows(30), test=preference_rows(5, start=500),
                           n_train_shards=3),
            3: write_build(out, version=3, train=preference_rows(20, start=7),
                           test=preference_rows(5, start=500))}


def test_each_version_is_one_commit_and_a_tag_in_the_hub_layout(versions, tmp_path):
    registry = tmp_path / "hub"
    for number in (1, 3):
        push_to_hub(versions[number], repo=REPO, local=registry)
    repo_dir = registry / "datasets" / "my-org" / "safety-rm"
    assert git(repo_dir, "log", "--format=%s", "main").splitlines() == ["safety_rm v3", "safety_rm v1"]
    assert git(repo_dir, "tag").splitlines() == ["v1", "v3"]
    assert git(repo_dir, "ls-tree", "-r", "--name-only", "v3").splitlines() == [
        ".gitattributes", "README.md", "composition.png", "data/test-00000-of-00001.parquet",
        "data/train-00000-of-00001.parquet", "manifest.json"]
    # Parquet is an LFS pointer whose object holds the exact bytes, as on the Hub.
    shard = versions[3] / "data" / "train-00000-of-00001.parquet"
    oid = hashlib.sha256(shard.read_bytes()).hexdigest()
    assert git(repo_dir, "show", "v3:data/train-00000-of-00001.parquet").splitlines()[1] == f"oid sha256:{oid}"
    assert (repo_dir / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid).read_bytes() == shard.read_bytes()
    assert git(repo_dir, "show", "v3:manifest.json") == (versions[3] / "manifest.json").read_text().strip()
    # The card names the repo it was pushed to; the build folder keeps the one it was built with.
    assert 'load_dataset("my-org/safety-rm", revision="v3")' in git(repo_dir, "show", "v3:README.md")
    assert 'load_dataset("ORG/NAME", revision="v3")' in (versions[3] / "README.md").read_text()


def test_registry_push_of_the_same_build_is_a_noop_and_a_changed_one_is_refused(versions, tmp_path):
    registry = tmp_path / "hub"
    first = push_to_hub(versions[3], repo=REPO, local=registry)
    assert push_to_hub(versions[3], repo=REPO, local=registry).status == "unchanged"
    changed = write_build(tmp_path / "other", version=3, train=preference_rows(21), test=preference_rows(5))
    with pytest.raises(VersionConflictError, match=first.fingerprint):
        push_to_hub(changed, repo=REPO, local=registry)
    repo_dir = registry / "datasets" / "my-org" / "safety-rm"
    assert git(repo_dir, "rev-list", "--count", "main") == "1"


def test_registry_push_that_fails_at_the_ref_update_leaves_no_tag_and_a_retry_succeeds(versions, tmp_path):
    registry = tmp_path / "hub"
    push_to_hub(versions[1], repo=REPO, local=registry)
    repo_dir = registry / "datasets" / "my-org" / "safety-rm"
    before = git(repo_dir, "rev-parse", "main")
    lock = repo_dir / ".git" / "refs" / "heads" / "main.lock"  # as a crashed or concurrent git leaves it
    lock.write_text("")
    with pytest.raises(PublishError, match="nothing was tagged"):
        push_to_hub(versions[3], repo=REPO, local=registry)
    assert git(repo_dir, "tag").splitlines() == ["v1"] and git(repo_dir, "rev-parse", "main") == before
    lock.unlink()
    result = push_to_hub(versions[3], repo=REPO, local=registry)
    assert result.status == "pushed" and git(repo_dir, "rev-parse", "v3") == result.commit


def test_local_true_is_the_registry_in_curate_home(versions, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_HOME", str(tmp_path / "home"))
    push_to_hub(versions[3], repo=REPO, local=True)
    assert git(tmp_path / "home" / "hub" / "datasets" / "my-org" / "safety-rm", "tag") == "v3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def olah(tmp_path):
    """olah, the read-only Hub mirror, in offline mode over the registry at tmp_path/hub."""
    port = free_port()
    config = tmp_path / "olah.toml"
    config.write_text(f"""[basic]
host = "127.0.0.1"
port = {port}
mirror-netloc = "127.0.0.1:{port}"
mirror-lfs-netloc = "127.0.0.1:{port}"
repos-path = "{tmp_path / 'olah-cache'}"
mirrors-path = ["{tmp_path / 'hub'}"]

[accessibility]
offline = true
""")
    log = (tmp_path / "olah.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "olah.server", "-c", str(config),
                                "--log-path", str(tmp_path / "olah-logs")], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/datasets/none/none/refs", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answered (a 404 for a repo it does not have)
            except OSError:
                assert process.poll() is None, (tmp_path / "olah.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "olah did not answer within 60 s"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_olah_serves_registry_versions_to_load_dataset(versions, tmp_path, olah):
    for number in (1, 3):
        push_to_hub(versions[number], repo=REPO, local=tmp_path / "hub")
    for revision, version in (("v3", versions[3]), ("v1", versions[1])):
        loaded = load_with_datasets(olah, REPO, revision, cache=tmp_path / f"cache-{revision}")
        assert loaded == {"train": read_split(version, "train"), "test": read_split(version, "test")}
