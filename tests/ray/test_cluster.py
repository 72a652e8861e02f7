"""The two-node Ray cluster fixture: real nodes, a task pinned to the worker node, a killed
worker retried, and a stop that leaves no process behind."""

from __future__ import annotations

import os
import time

import pytest

from tests.ray.cluster import (
    MARKER,
    WORKER_RESOURCE,
    Cluster,
    marked_pids,
    read_process,
)

ray = pytest.importorskip("ray")


@ray.remote(max_retries=0)
def where_am_i() -> dict:
    return {"node_id": ray.get_runtime_context().get_node_id(), "pid": os.getpid(),
            "marker": os.environ.get(MARKER)}


@ray.remote(max_retries=1)
def slow_square(x: int) -> tuple[int, int]:
    time.sleep(2)  # long enough for kill_task to find it running
    return os.getpid(), x * x


def test_two_nodes_of_one_cpu_and_a_pinned_task_runs_on_the_worker_node(ray_cluster):
    with ray_cluster.connect():
        nodes = [node for node in ray.nodes() if node["Alive"]]
        ran = ray.get(where_am_i.options(resources={WORKER_RESOURCE: 1}).remote(), timeout=60)
        # Asked while this driver is connected: its job's workers end with it.
        on_worker_node = {proc.pid for proc in ray_cluster.worker_processes("worker")}
        on_head = {proc.pid for proc in ray_cluster.worker_processes("head")}
    assert [node["Resources"]["CPU"] for node in nodes] == [1.0, 1.0]
    worker_node = [node for node in nodes if WORKER_RESOURCE in node["Resources"]]
    assert len(worker_node) == 1 and ran["node_id"] == worker_node[0]["NodeID"]
    # The task's process is a descendant of the worker node's `ray start`, not of the head's.
    assert ran["pid"] in on_worker_node and ran["pid"] not in on_head
    assert ran["marker"] == str(ray_cluster.temp_dir)


def test_kill_task_kills_the_running_worker_and_ray_retries_the_task(ray_cluster):
    with ray_cluster.connect():
        ref = slow_square.options(resources={WORKER_RESOURCE: 1}).remote(7)
        killed = ray_cluster.kill_task("slow_square", timeout=60)
        retried_pid, square = ray.get(ref, timeout=60)
    assert square == 49
    assert retried_pid != killed and read_process(killed) is None


def test_kill_task_names_the_workers_it_saw_when_the_task_never_runs(ray_cluster):
    with pytest.raises(TimeoutError, match=r"ray::no_such_task .*its workers: "):
        ray_cluster.kill_task("no_such_task", timeout=0.3)


def test_stop_ends_every_process_of_both_nodes_and_removes_the_temp_dir():
    cluster = Cluster.start()
    try:
        with cluster.connect():
            ray.get(where_am_i.options(resources={WORKER_RESOURCE: 1}).remote(), timeout=60)
        ours = cluster.processes("head") + cluster.processes("worker")
    finally:
        cluster.stop()
    assert {"raylet", "ray::IDLE"} <= {os.path.basename(proc.title) for proc in ours}
    assert all(read_process(pid) is None for pid in cluster.pids)
    assert all(read_process(proc.pid) is None for proc in ours)
    assert marked_pids(str(cluster.temp_dir)) == []
    assert not cluster.temp_dir.exists()
