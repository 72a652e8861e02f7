"""One real two-node Ray cluster on 127.0.0.1 for the whole test session (tests/ray/cluster.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ray.cluster import Cluster


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Cluster]:
    """A head and a worker node of 1 CPU each; the worker node has the `worker_node` resource.

    A test that connects with `ray.init(address=ray_cluster.address)` must `ray.shutdown()`
    before it ends (or use `with ray_cluster.connect() as ray:`).
    """
    pytest.importorskip("ray")
    cluster = Cluster.start()
    yield cluster
    cluster.stop()
    left = cluster.leftovers()
    assert not left, f"Ray processes outlived the cluster's stop: {left}"
