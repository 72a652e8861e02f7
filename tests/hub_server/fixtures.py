"""pytest fixtures around the test Hub: an isolated HF environment and a running server.

A conftest imports them (`from tests.hub_server.fixtures import hub, isolated_hf_env`).
"""

from __future__ import annotations

import pytest

from tests.hub_server.server import HubServer


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
                 "HF_TOKEN", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def hub(monkeypatch):
    with HubServer(token="hf_curate_test_0123456789") as server:
        monkeypatch.setenv("HF_TOKEN", server.token)
        yield server
