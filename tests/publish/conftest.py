"""Fixtures for publishing tests: the test Hub on 127.0.0.1 and an isolated HF environment."""

from __future__ import annotations

import pytest

from tests.hub_server import HubServer


@pytest.fixture(autouse=True)
def isolated_hf_env(tmp_path, monkeypatch):
    """No real Hub, no user cache or token, no Xet (the test Hub speaks the LFS protocol only)."""
    import huggingface_hub.constants as constants

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)  # in case it was imported earlier
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("CURATE_HOME", str(tmp_path / "curate_home"))
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT",
                 "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def hub(monkeypatch):
    with HubServer(token="hf_curate_test_0123456789") as server:
        monkeypatch.setenv("HF_TOKEN", server.token)
        yield server
