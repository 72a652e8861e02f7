"""Shared test helpers: where the real data and the project's fixtures are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"
EXAMPLES = ROOT / "curate" / "examples"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data; CI always has it, a bare checkout may not."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the repository")
    return SHARED_DATA


@pytest.fixture(scope="session")
def ray_cluster():
    """One real two-node Ray cluster on 127.0.0.1 for the session (tests/ray/cluster.py): a
    head and a worker node of 1 CPU each; the worker node has the `worker_node` resource.

    A test that connects with `ray.init(address=ray_cluster.address)` must `ray.shutdown()`
    before it ends (or use `with ray_cluster.connect() as ray:`).
    """
    pytest.importorskip("ray")
    from tests.ray.cluster import Cluster

    cluster = Cluster.start()
    yield cluster
    cluster.stop()
    left = cluster.leftovers()
    assert not left, f"Ray processes outlived the cluster's stop: {left}"
