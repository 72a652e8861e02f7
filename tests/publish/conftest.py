"""Fixtures for publishing tests: the test Hub on 127.0.0.1 and an isolated HF environment."""

from tests.hub_server.fixtures import hub, isolated_hf_env  # noqa: F401  (pytest fixtures)
