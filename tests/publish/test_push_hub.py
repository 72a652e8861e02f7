"""Pushing built versions to a Hub endpoint over real HTTP (the test Hub in tests/hub_server)."""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi

from curate.errors import PublishError, VersionConflictError
from curate.publish import push_to_hub
from tests.publish.hub_loading import load_with_datasets
from tests.publish.version_folders import CARD, preference_rows, read_split, write_build

REPO = "my-org/safety-rm"
# huggingface_hub 2.4's own LFS upload passes a file as `data=`, which httpx2 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def build_v3(tmp_path, **kwargs):
    return write_build(tmp_path / "build", version=3, train=preference_rows(40),
                       test=preference_rows(8, start=1000), **kwargs)


def files_at(hub, revision: str) -> list[str]:
    api = HfApi(endpoint=hub.url, token=hub.token)
    return sorted(f.path for f in api.list_repo_tree(REPO, repo_type="dataset", revision=revision,
                                                     recursive=True) if hasattr(f, "lfs"))


def test_push_makes_one_commit_and_tags_it_in_a_repo_of_the_hubs_default_visibility(hub, tmp_path):
    version = build_v3(tmp_path, n_train_shards=2)
    result = push_to_hub(version, repo=REPO, endpoint=hub.url)
    repo = hub.store.repos[REPO]
    assert result.status == "pushed" and result.tag == "v3"
    assert repo.private is False  # create_repo(private=None): the Hub decides, public here
    assert repo.tags == {"v3": result.commit} and repo.branches["main"] == result.commit
    assert len(repo.commits) == 2  # the Hub's initial commit, then exactly one for the version
    assert files_at(hub, "v3") == [".gitattributes", "README.md", "composition.png",
                                   "data/test-00000-of-00001.parquet", "data/train-00000-of-00002.parquet",
                                   "data/train-00001-of-00002.parquet", "manifest.json"]
    assert hub.count("commit") == 1 and hub.count("validate_yaml") == 1


def test_private_true_creates_a_private_repo_and_an_existing_one_keeps_its_visibility(hub, tmp_path):
    push_to_hub(build_v3(tmp_path / "a"), repo=REPO, endpoint=hub.url, private=True)
    assert hub.store.repos[REPO].private is True
    v4 = write_build(tmp_path / "b", version=4, train=preference_rows(9), test=preference_rows(3))
    push_to_hub(v4, repo=REPO, endpoint=hub.url)
    assert hub.store.repos[REPO].private is True and set(hub.store.repos[REPO].tags) == {"v3", "v4"}


def test_pushed_version_loads_back_with_identical_rows(hub, tmp_path):
    version = build_v3(tmp_path, n_train_shards=2)
    push_to_hub(version, repo=REPO, endpoint=hub.url)
    loaded = load_with_datasets(hub.url, REPO, "v3", cache=tmp_path / "cache", token=hub.token)
    assert loaded == {"train": read_split(version, "train"), "test": read_split(version, "test")}
    assert hub.unrouted == []  # every request the client made has a route here


def test_second_push_of_the_same_build_is_a_noop_that_says_so(hub, tmp_path, capsys):
    version = build_v3(tmp_path)
    first = push_to_hub(version, repo=REPO, endpoint=hub.url)
    second = push_to_hub(version, repo=REPO, endpoint=hub.url)
    assert second.status == "unchanged" and second.commit == first.commit
    assert hub.count("commit") == 1 and len(hub.store.repos[REPO].commits) == 2
    assert "nothing to do" in capsys.readouterr().err


def test_changed_build_under_a_published_tag_is_refused_naming_both_fingerprints(hub, tmp_path):
    published = push_to_hub(build_v3(tmp_path / "a"), repo=REPO, endpoint=hub.url)
    changed = write_build(tmp_path / "b", version=3, train=preference_rows(41), test=preference_rows(8))
    new_fingerprint = changed.joinpath("manifest.json").read_text().split('"fingerprint": "')[1][:64]
    with pytest.raises(VersionConflictError, match=f"{published.fingerprint}.*{new_fingerprint}"):
        push_to_hub(changed, repo=REPO, endpoint=hub.url)
    assert hub.store.repos[REPO].tags == {"v3": published.commit}
    assert hub.count("commit") == 1


def test_connection_dropped_during_the_commit_leaves_no_tag_no_commit_and_a_retry_succeeds(hub, tmp_path):
    version = build_v3(tmp_path)
    hub.drop_connection("commit")
    with pytest.raises(PublishError, match="interrupted.*run the same push again"):
        push_to_hub(version, repo=REPO, endpoint=hub.url)
    repo = hub.store.repos[REPO]
    assert repo.tags == {} and len(repo.commits) == 1  # only the Hub's initial commit
    assert files_at(hub, "main") == [".gitattributes"]
    result = push_to_hub(version, repo=REPO, endpoint=hub.url)
    assert result.status == "pushed" and repo.tags == {"v3": result.commit}
    assert hub.count("lfs_upload") == 3  # 2 shards + 1 image, uploaded once: the retry reuses them


def test_lost_commit_response_is_retried_into_a_tag_without_a_second_commit(hub, tmp_path):
    version = build_v3(tmp_path)
    hub.drop_connection("commit", after=True)  # the commit lands, its answer never arrives
    with pytest.raises(PublishError):
        push_to_hub(version, repo=REPO, endpoint=hub.url)
    repo = hub.store.repos[REPO]
    assert repo.tags == {}
    landed = repo.branches["main"]
    result = push_to_hub(version, repo=REPO, endpoint=hub.url)
    assert result.commit == landed and repo.tags == {"v3": landed} and len(repo.commits) == 2


def test_lfs_upload_dropped_half_way_is_retried_and_stored_intact(hub, tmp_path):
    version = build_v3(tmp_path)
    hub.drop_connection("lfs_upload")
    result = push_to_hub(version, repo=REPO, endpoint=hub.url)
    assert result.status == "pushed"
    api = HfApi(endpoint=hub.url, token=hub.token)
    path = api.hf_hub_download(REPO, "data/train-00000-of-00001.parquet", repo_type="dataset",
                               revision="v3", cache_dir=tmp_path / "dl")
    assert open(path, "rb").read() == (version / "data/train-00000-of-00001.parquet").read_bytes()


def test_next_version_drops_shards_the_previous_version_had(hub, tmp_path):
    v1 = write_build(tmp_path / "build", version=1, train=preference_rows(30), test=preference_rows(5),
                     n_train_shards=3)
    v2 = write_build(tmp_path / "build", version=2, train=preference_rows(20, start=7),
                     test=preference_rows(5))
    push_to_hub(v1, repo=REPO, endpoint=hub.url)
    push_to_hub(v2, repo=REPO, endpoint=hub.url)
    assert [p for p in files_at(hub, "v1") if p.startswith("data/train")] == [
        f"data/train-0000{i}-of-00003.parquet" for i in range(3)]
    assert [p for p in files_at(hub, "v2") if p.startswith("data/train")] == [
        "data/train-00000-of-00001.parquet"]


def test_card_yaml_refused_by_validate_yaml_stops_the_push_before_any_upload(hub, tmp_path):
    bad_card = CARD.format(name="safety_rm", version=3, size="huge")
    version = build_v3(tmp_path, card=bad_card)
    with pytest.raises(PublishError, match="size_categories"):
        push_to_hub(version, repo=REPO, endpoint=hub.url)
    assert hub.count("validate_yaml") == 1 and hub.count("lfs_upload") == 0
    assert hub.store.repos[REPO].tags == {} and len(hub.store.repos[REPO].commits) == 1


def test_card_yaml_passes_huggingface_hub_dataset_card_validation(hub, tmp_path, monkeypatch):
    import huggingface_hub.constants as constants
    from huggingface_hub import DatasetCard

    monkeypatch.setattr(constants, "ENDPOINT", hub.url)  # DatasetCard.validate() posts there
    card = DatasetCard((build_v3(tmp_path) / "README.md").read_text())
    card.validate(repo_type="dataset")  # huggingface_hub's own check, answered by validate-yaml
    assert card.data.configs[0]["data_files"][0]["split"] == "train"
    with pytest.raises(ValueError, match="size_categories"):
        DatasetCard(CARD.format(name="x", version=1, size="huge")).validate(repo_type="dataset")
    assert hub.count("validate_yaml") == 2
