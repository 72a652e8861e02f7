"""A real two-node Ray cluster on 127.0.0.1 for tests, stopped by its own processes.

Each node is one `ray start --block` process started here: the head (GCS, raylet, log monitor)
and a second worker node that joins it (or more: `Cluster.start(workers=2)`, named worker,
worker2, ...; the benchmark's head runs no tasks: `head_cpus=0`). `--block` keeps each
`ray start` the parent of its node's processes, so a node's processes are that pid's descendants
and SIGTERM to it stops the node. Nothing here runs `ray stop`, which stops every Ray process
of the machine's user.

Every port Ray would otherwise take at a fixed number (6379, 10001, 52365, the 10002-19999
worker range) is picked free or left to the OS, so clusters of helpers and CI jobs sharing a
machine do not collide; all files go under one short temp dir (Unix socket paths are limited to
about 107 bytes).

    cluster = Cluster.start()                # about 5 s on 2 cores
    try:
        with cluster.connect() as ray:       # ray.init(address=cluster.address) ... shutdown()
            ref = slow_square.options(resources={WORKER_RESOURCE: 1}).remote(7)
            cluster.kill_task("slow_square")  # SIGKILLs the worker titled ray::slow_square
            ray.get(ref)                      # retried on a new worker (max_retries)
    finally:
        cluster.stop()                       # about 2 s
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

# The custom resource of the worker node: `.options(resources={WORKER_RESOURCE: 1})` pins a task
# there (the head has none of it).
WORKER_RESOURCE = "worker_node"
NODES = ("head", "worker")  # the default cluster's nodes; more workers: worker2, worker3, ...
# Ports each node binds; without an option Ray takes a fixed number (52365 for the agent) or
# one it picks itself, so all are picked here, free, per node.
NODE_PORT_OPTIONS = ("--node-manager-port", "--object-manager-port",
                     "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port",
                     "--runtime-env-agent-port", "--metrics-export-port")
OBJECT_STORE_BYTES = 256 * 2**20  # per node; Ray's default is 30% of RAM (shared machine)
# Set to the cluster's temp dir in every process of its nodes: how stop() finds stragglers.
MARKER = "CURATE_TEST_RAY_CLUSTER"
# Processes titled ray::... that are a node's agents, not workers that run tasks.
AGENT_TITLES = ("ray::DashboardAgent", "ray::RuntimeEnvAgent")


@dataclass(frozen=True)
class Process:
    """One live process under a node: its pid and its command line (a Ray worker's title)."""

    pid: int
    cmdline: str
    start_ticks: int  # /proc start time: tells a reused pid from the process we saw

    @property
    def title(self) -> str:
        """A Ray process's title (`ray::IDLE`, `ray::<task name>`), else the program run."""
        return self.cmdline if self.cmdline.startswith("ray::") else self.cmdline.split(" ")[0]


class Cluster:
    """A head and worker nodes, each a `ray start --block` process with a recorded pid."""

    def __init__(self, temp_dir: Path, port: int):
        self.temp_dir = temp_dir
        self.address = f"127.0.0.1:{port}"
        self._nodes: dict[str, subprocess.Popen] = {}
        self._seen: dict[int, Process] = {}  # every descendant seen, SIGKILLed at stop if alive
        self._stopped = False

    # --- start -------------------------------------------------------------------------------

    @classmethod
    def start(cls, *, timeout: float = 60, workers: int = 1, head_cpus: int = 1,
              object_store_bytes: int = OBJECT_STORE_BYTES) -> Cluster:
        """Start the head and `workers` worker nodes (1 CPU each) that join it; return once all
        are alive. Each node's object store holds `object_store_bytes`."""
        temp_dir = Path(tempfile.mkdtemp(prefix="cr", dir="/tmp"))
        n_node = len(NODE_PORT_OPTIONS)
        ports = free_ports(3 + (1 + workers) * n_node)  # GCS, dashboard, Ray Client, each node's
        cluster = cls(temp_dir, ports[0])
        # Without the dashboard's UI Ray still starts its head process (given port 8265).
        head_args = ["--head", "--port", str(ports[0]), "--include-dashboard=false",
                     "--dashboard-host", "127.0.0.1", "--dashboard-port", str(ports[1])]
        if importlib.util.find_spec("grpc") is not None:
            # With ray[client] installed the head serves Ray Client at 10001 by default.
            head_args += ["--ray-client-server-port", str(ports[2])]
        worker_args = ["--address", cluster.address,
                       "--resources", json.dumps({WORKER_RESOURCE: 1})]
        names = ["head", *(f"worker{i + 1 if i else ''}" for i in range(workers))]
        try:
            for i, node in enumerate(names):
                cluster._start_node(node, ports[3 + i * n_node:3 + (i + 1) * n_node],
                                    head_args if i == 0 else worker_args,
                                    cpus=head_cpus if i == 0 else 1,
                                    object_store_bytes=object_store_bytes)
            cluster._wait_alive(timeout)
        except BaseException:
            cluster.stop()
            raise
        cluster._record([proc for node in names for proc in cluster.processes(node)])
        return cluster

    def _start_node(self, node: str, ports: list[int], role_args: list[str], *, cpus: int,
                    object_store_bytes: int) -> None:
        node_dir = self.temp_dir / node
        node_dir.mkdir()
        args = [ray_executable(), "start", "--block", "--node-ip-address", "127.0.0.1",
                "--num-cpus", str(cpus), "--disable-usage-stats", "--temp-dir", str(node_dir),
                "--object-store-memory", str(object_store_bytes),
                # 0 and 0: each worker binds a port the OS chooses, not 10002 upwards.
                "--min-worker-port", "0", "--max-worker-port", "0", *role_args]
        for option, port in zip(NODE_PORT_OPTIONS, ports, strict=True):
            args += [option, str(port)]
        with open(node_dir / "ray_start.log", "wb") as log:
            self._nodes[node] = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=node_env(self.temp_dir), cwd=node_dir, start_new_session=True)

    def _wait_alive(self, timeout: float) -> None:
        """Poll from a driver subprocess until all nodes are alive, or raise with the logs."""
        driver = textwrap.dedent(f"""
            import time, ray
            ray.init(address={self.address!r}, logging_level="ERROR", log_to_driver=False)
            deadline = time.monotonic() + {timeout}
            while time.monotonic() < deadline:
                if sum(node["Alive"] for node in ray.nodes()) == {len(self._nodes)}:
                    break
                time.sleep(0.2)
            print(sum(node["Alive"] for node in ray.nodes()))
        """)
        with open(self.temp_dir / "wait_alive.log", "wb") as log:
            waiter = subprocess.Popen([sys.executable, "-c", driver], stdout=subprocess.PIPE,
                                      stderr=log, env=node_env(self.temp_dir))
        deadline = time.monotonic() + timeout + 10  # the driver's own import and connect
        try:
            while waiter.poll() is None and time.monotonic() < deadline:
                dead = [node for node, popen in self._nodes.items() if popen.poll() is not None]
                if dead:
                    raise RuntimeError(f"ray start of the {dead[0]} node exited (rc "
                                       f"{self._nodes[dead[0]].returncode})\n{self.logs()}")
                time.sleep(0.1)
        finally:
            if waiter.poll() is None:
                waiter.kill()
            answer = waiter.communicate()[0].decode().strip()
        if answer != str(len(self._nodes)):
            raise RuntimeError(f"the {len(self._nodes)} Ray nodes at {self.address} were not "
                               f"alive after {timeout:.0f} s (alive: {answer or 'no answer'})\n"
                               f"{self.logs()}")

    # --- processes ---------------------------------------------------------------------------

    @property
    def pids(self) -> list[int]:
        """The pids of the head's and the worker nodes' `ray start` processes."""
        return [popen.pid for popen in self._nodes.values()]

    @property
    def node_pids(self) -> dict[str, int]:
        """{node name: its `ray start` pid}: head, worker, worker2, ..."""
        return {node: popen.pid for node, popen in self._nodes.items()}

    def processes(self, node: str = "worker") -> list[Process]:
        """The live descendants of that node's `ray start` process (raylet, workers, agents)."""
        found = descendants(self._nodes[node].pid)
        self._record(found)
        return found

    def worker_processes(self, node: str = "worker") -> list[Process]:
        """The node's Ray workers: titled `ray::IDLE`, or `ray::<task function name>` running it."""
        return [proc for proc in self.processes(node)
                if proc.title.startswith("ray::") and proc.title not in AGENT_TITLES]

    def kill_task(self, name: str, *, node: str = "worker", timeout: float = 60) -> int:
        """SIGKILL the worker of `node` running task function `name` once it runs; its pid.

        Polls every 50 ms; TimeoutError (naming the workers seen) when none runs it in time.
        """
        deadline = time.monotonic() + timeout
        while True:
            workers = self.worker_processes(node)
            for proc in workers:
                if proc.title == f"ray::{name}":
                    os.kill(proc.pid, signal.SIGKILL)
                    return proc.pid
            if time.monotonic() > deadline:
                seen = ", ".join(f"{proc.pid} {proc.title}" for proc in workers) or "none"
                raise TimeoutError(f"no worker of the {node} node ran ray::{name} within "
                                   f"{timeout:.0f} s; its workers: {seen}")
            time.sleep(0.05)

    def _record(self, found: list[Process]) -> None:
        self._seen.update((proc.pid, proc) for proc in found)

    @contextmanager
    def connect(self) -> Iterator:
        """This process as a driver of the cluster: ray.init(address), ray.shutdown() after."""
        import ray  # only when asked: nothing else of the test session needs Ray

        ray.init(address=self.address, logging_level="ERROR")
        try:
            yield ray
        finally:
            ray.shutdown()

    # --- stop --------------------------------------------------------------------------------

    def stop(self, *, timeout: float = 20) -> None:
        """SIGTERM the worker nodes, then the head; SIGKILL whatever of theirs outlives `timeout`.

        A driver connected from this process must have called ray.shutdown() before.
        """
        if self._stopped:
            return
        self._stopped = True
        for node in self._nodes:
            self._record(descendants(self._nodes[node].pid))
        deadline = time.monotonic() + timeout
        for popen in reversed(self._nodes.values()):
            if popen.poll() is not None:
                continue
            popen.send_signal(signal.SIGTERM)
            try:
                popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
        while self.leftovers() and time.monotonic() < deadline:
            time.sleep(0.1)
        for proc in self.leftovers():
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while self.leftovers() and time.monotonic() < deadline + 5:
            time.sleep(0.1)
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def leftovers(self) -> list[Process]:
        """This cluster's processes still alive: those seen, and any carrying its MARKER."""
        alive = {}
        for proc in self._seen.values():
            now = read_process(proc.pid)
            if now is not None and now.start_ticks == proc.start_ticks:
                alive[now.pid] = now
        for pid in marked_pids(str(self.temp_dir)):
            if pid not in alive and (proc := read_process(pid)) is not None:
                alive[pid] = proc
        return sorted(alive.values(), key=lambda proc: proc.pid)

    def logs(self) -> str:
        """The tail of each node's `ray start` output and of its raylet's and GCS's errors."""
        parts = []
        paths = [*sorted(self.temp_dir.glob("*.log")), *sorted(self.temp_dir.glob("*/*.log")),
                 *sorted(self.temp_dir.glob("*/session_latest/logs/*.err"))]
        for path in paths:
            tail = path.read_text(errors="replace")[-3000:].strip()
            if tail:
                parts.append(f"--- {path.relative_to(self.temp_dir)}\n{tail}")
        return "\n".join(parts) or "(no logs)"


# --- helpers -----------------------------------------------------------------------------------

def free_ports(n: int) -> list[int]:
    """n distinct ports free on 127.0.0.1 now (each socket is held until all are picked)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(n)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def ray_executable() -> str:
    """The `ray` script of the running interpreter's environment (not another one on PATH)."""
    beside = Path(sys.executable).with_name("ray")
    return str(beside) if beside.exists() else shutil.which("ray") or "ray"


def node_env(temp_dir: Path) -> dict[str, str]:
    """The environment of the nodes and drivers: no usage stats, files under temp_dir only."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAY_")}
    env.update(RAY_USAGE_STATS_ENABLED="0", RAY_TMPDIR=str(temp_dir), TMPDIR=str(temp_dir),
               # Unset, a head turns token auth on when ~/.ray/auth_token exists (any local
               # ray.init() writes one) and a worker node then fails to join it.
               RAY_AUTH_MODE="disabled", **{MARKER: str(temp_dir)},
               # SIGTERM would otherwise drain the node for up to 30 s before stopping it.
               RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S="0")
    return env


def all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def descendants(root: int) -> list[Process]:
    """The live processes below pid `root`, found by walking /proc's parent links."""
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        if (fields := _stat_fields(pid)) is not None:
            children.setdefault(int(fields[1]), []).append(pid)
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        proc = read_process(pid)
        if proc is not None:
            found.append(proc)
        todo.extend(children.get(pid, []))
    return sorted(found, key=lambda proc: proc.pid)


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (which may hold spaces and parentheses)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else fields  # a zombie is not alive


def marked_pids(temp_dir: str) -> list[int]:
    """The pids whose environment has MARKER=temp_dir (readable: this user's processes)."""
    marker = f"{MARKER}={temp_dir}".encode()
    pids = []
    for pid in all_pids():
        try:
            if marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                pids.append(pid)
        except OSError:
            continue
    return pids


def read_process(pid: int) -> Process | None:
    """The process `pid` if it is alive, else None."""
    fields = _stat_fields(pid)
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if fields is None:
        return None
    cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return Process(pid=pid, cmdline=cmdline, start_ticks=int(fields[19]))
