"""Where a push goes, resolved before anything is sent: --endpoint, else HF_ENDPOINT, else
huggingface_hub's default; the local registry only when asked for."""

from __future__ import annotations

import pytest

from curate.errors import InputError
from curate.publish import push_target, push_to_hub
from curate.publish.names import Endpoint
from curate.publish.target import LocalRegistry, check_can_send
from tests.publish.version_folders import preference_rows, write_build


def test_an_explicit_endpoint_wins_over_hf_endpoint(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example")
    assert push_target("https://hub.example/") == Endpoint("https://hub.example")


def test_hf_endpoint_is_read_when_the_push_starts(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example/")
    assert push_target() == Endpoint("http://mirror.example")


def test_without_either_it_is_huggingface_hubs_own_default(monkeypatch):
    import huggingface_hub.constants as constants

    assert push_target() == Endpoint(constants.ENDPOINT)  # HF_ENDPOINT unset (conftest)
    monkeypatch.setattr(constants, "ENDPOINT", "https://hub-ci.example")  # read, not hard-coded
    assert push_target() == Endpoint("https://hub-ci.example")


def test_local_is_the_registry_in_curate_home_or_the_folder_given(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example")  # --local ignores it
    assert push_target(local=True) == LocalRegistry(tmp_path / "curate_home" / "hub")
    assert push_target(local=tmp_path / "reg") == LocalRegistry(tmp_path / "reg")
    assert push_target(local=str(tmp_path / "reg")) == LocalRegistry(tmp_path / "reg")
    with pytest.raises(InputError, match=r"both an endpoint \(http://a:\*\*\*@hub.example\) and the "
                                         "local registry"):
        push_target("http://a:secret@hub.example", local=True)


def test_no_token_is_one_line_before_any_request(hub, tmp_path, monkeypatch):
    version = write_build(tmp_path / "build", version=3, train=preference_rows(10), test=preference_rows(2))
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(InputError, match=rf"no Hugging Face token to push to {hub.url}: set HF_TOKEN"):
        push_to_hub(version, repo="my-org/safety-rm", endpoint=hub.url)
    assert hub.calls == []
    check_can_send(Endpoint(hub.url.replace("http://", "http://alice:pw@")), None)  # sent instead
    check_can_send(Endpoint(hub.url), "hf_given")


def test_offline_mode_is_refused_naming_the_variable_and_local(monkeypatch):
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(InputError, match="HF_HUB_OFFLINE is set, so nothing can be sent to "
                                         "https://hub.example; unset it, or push to the local "
                                         "registry with --local"):
        check_can_send(Endpoint("https://hub.example"), "hf_given")
