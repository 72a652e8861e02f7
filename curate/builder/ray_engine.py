"""`curate build --engine ray`: the build's two passes as Ray tasks, with the local engine's
output byte for byte.

Pass 1 is one task per block (a file, or a run of row groups of a native Parquet file) running
curate.builder.index.scan_file; its pieces stay in Ray's object store, one object per bucket.
The driver gathers only the narrow index (~100 bytes a row), selects as the local engine
does, and pass 2 (curate.builder.ray_write) runs a task per shard, one per rejects bucket for
the dropped copies, and one for the rejects files. Tasks return
the files' bytes; the driver writes them under its scratch folder, so the version appears by
the same atomic rename. A worker that dies is replaced and its task retried by Ray; a task
that fails on bad input fails the build with the task's own error.
"""

from __future__ import annotations

import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from curate.builder.index import (BATCH_ROWS, FileBlock, Index, Keying, SourceCounts,
                                  bucket_bits_for, index_frame)
from curate.builder.ray_calls import TASK_RETRIES, completed, import_ray
from curate.builder.ray_tasks import BlockTask, reread_block, scan_block, versions
from curate.builder.ray_write import write  # noqa: F401  (pass 2, the engine's last step)
from curate.builder.sources import ResolvedSource
from curate.builder.spill import reject_bits
from curate.errors import InputError
from curate.io.digest import FileStamp, check_unchanged
from curate.reading import announce, splittable_rows


@contextmanager
def connected(address: str | None) -> Iterator[dict[str, int]]:
    """Ray joined at `address` ("auto": the running cluster; None: Ray's default, RAY_ADDRESS,
    a cluster started here, or a local instance), unless this process is connected; yields
    {nodes, cpus}. Usage statistics stay
    off unless asked for (they would reach the network)."""
    ray = import_ray()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    mine = not ray.is_initialized()
    if mine:
        _reachable(address)
        try:
            ray.init(address=address, log_to_driver=False, include_dashboard=False,
                     configure_logging=True, logging_level="ERROR")
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise _join_error(address, str(exc)) from exc
    try:
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        yield {"nodes": len(nodes), "cpus": int(sum(n["Resources"].get("CPU", 0)
                                                    for n in nodes))}
    finally:
        if mine:
            ray.shutdown()


def _reachable(address: str | None) -> None:
    """A HOST:PORT that nothing listens on fails here at once: Ray would retry for minutes."""
    if not address or address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=5).close()
    except (OSError, ValueError) as exc:
        raise _join_error(address, getattr(exc, "strerror", None) or str(exc)) from exc


def _join_error(address: str | None, cause: str) -> InputError:
    return InputError(f"cannot join the Ray cluster at {address}: {cause.rstrip('.')}; start "
                      "one (`ray start --head`), pass its HOST:PORT or auto, or leave --address "
                      "out to start a local one")


def plan_blocks(sources: list[ResolvedSource], *, kind: str, block_rows: int,
                endpoint: str | None = None) -> list[tuple[str, BlockTask]]:
    """[(source name, block)] in the recipe's file order: a native Parquet file in runs of
    whole row groups of about `block_rows` rows, any other file whole."""
    out, file_no = [], 0
    for source in sources:
        for path in source.files:
            groups = splittable_rows(path, format=source.format, kind=kind) or []
            blocks, start, first, n = [], 0, 0, 0
            for i, rows in enumerate(groups):
                n += rows
                if n >= block_rows and i + 1 < len(groups):
                    blocks.append(FileBlock(file_no, (start, i + 1), first))
                    start, first, n = i + 1, first + n, 0
            blocks.append(FileBlock(file_no, (start, len(groups)), first) if blocks
                          else FileBlock(file_no))
            st = path.stat()
            out += [(source.name, BlockTask(source, str(path), str(path.absolute()), b,
                                            endpoint, (st.st_size, st.st_mtime_ns)))
                    for b in blocks]
            file_no += 1
    return out


@dataclass
class Store:
    """Pass 1's pieces in the object store: per block, an object per bucket."""

    blocks: list[list[Any]]  # each block's object refs: data buckets, rejects buckets, problems
    n_buckets: int
    n_reject_buckets: int
    tasks: list[tuple[str, BlockTask]]  # what each block is (its source's name)
    sources: dict[str, Any]  # each source's object (sent to tasks once)
    reread: list[list[Any]] = field(default_factory=list)  # sampled sources' chosen rows

    def data(self, bucket: int) -> list[Any]:
        """After pass 1's pieces, those read again (the local spill's order)."""
        return [refs[bucket] for refs in self.blocks + self.reread]

    def rejects(self, bucket: int) -> list[Any]:
        return [refs[self.n_buckets + bucket] for refs in self.blocks]

    def problems(self) -> list[Any]:
        return [refs[-1] for refs in self.blocks]


def scan(sources: list[ResolvedSource], *, kind: str, seed: int, split_seed: int,
         excluded: list[str], block_rows: int, batch_rows: int = BATCH_ROWS,
         deferred: set[str] = frozenset(),
         on_batch: Callable[[int], None] | None = None) -> tuple[Index, Store]:
    """Pass 1 on the cluster: the Index the local engine's scan_sources gives, and the pieces
    in the object store; the eligible rows of `deferred` sources are left out, as locally
    (reread gets the selected ones)."""
    ray = import_ray()
    for source in sources:  # the notes of each file once, here, and a wrong format at once
        for path in source.files:
            announce(path, format=source.format, kind=kind,
                     set_fields={**source.set_fields, "source": source.name})
    bits = bucket_bits_for(sum(p.stat().st_size for s in sources for p in s.files))
    n_buckets, n_rejects = 1 << bits, 1 << reject_bits(bits)
    keying = Keying.of(kind, seed, split_seed, excluded, batch_rows)
    endpoint = _endpoint(sources)
    blocks = plan_blocks(sources, kind=kind, block_rows=block_rows, endpoint=endpoint)
    befores = {p: FileStamp.of(p) for s in sources for p in s.files}
    task = ray.remote(_scan).options(num_returns=n_buckets + n_rejects + 2,
                                     max_retries=TASK_RETRIES, name="curate_scan")
    shared = {s.name: ray.put(s) for s in sources}  # each source sent once, not per block
    refs = [task.remote(replace(b, source=None), shared[name], keying, bits, n_buckets,
                        n_rejects, spilled=name not in deferred) for name, b in blocks]
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:  # the driver's own digest of each file,
        digests = pool.submit(_digests, befores, stop)  # while the workers read
        results: list[Any] = [None] * len(refs)
        try:
            for i, result in completed(ray, [r[0] for r in refs]):
                results[i] = result
                if on_batch:
                    on_batch(result[0].n_read)
        finally:
            stop.set()  # a failed or interrupted build does not wait for the digests
        stamps = digests.result()  # a file changed meanwhile: its InputError, raised here
    for path, stamp in stamps.items():  # and after the last block read it
        check_unchanged(path, stamp)
    _check_versions([v for _, _, v in results])
    counts = {s.name: SourceCounts() for s in sources}
    for (name, _), (tally, _, _) in zip(blocks, results, strict=True):
        counts[name].n_read += tally.n_read
        for reason, n in tally.rejected_by_reason.items():
            counts[name].reject(reason, n)
    frame = index_frame([frame for _, frame, _ in results])
    del results
    index = Index(frame, counts, {s.name: s.files for s in sources}, bits,
                  [s.name for s in sources if s.name in deferred], stamps)
    return index, Store([r[1:] for r in refs], n_buckets, n_rejects, blocks, shared)


def reread(store: Store, index: Index, wanted: pl.DataFrame, *, kind: str, seed: int,
           split_seed: int, excluded: list[str], batch_rows: int = BATCH_ROWS,
           on_rows: Callable[[int], None] = lambda n: None) -> None:
    """The sampled sources' selected rows and dropped copies (`wanted`: `_rid`, `_key`) read
    again, a task per block that holds some (the local engine's spill_deferred)."""
    ray = import_ray()
    keying = Keying.of(kind, seed, split_seed, excluded, batch_rows)
    wanted = wanted.select("_rid", "_key").sort("_rid")
    rids = wanted["_rid"]
    task = ray.remote(_reread).options(num_returns=store.n_buckets + 1,
                                       max_retries=TASK_RETRIES, name="curate_reread")
    refs = []
    for i, (name, block) in enumerate(store.tasks):
        if name not in index.deferred:
            continue
        lo = (block.block.file_no << 40) + block.block.first_row
        following = store.tasks[i + 1][1].block if i + 1 < len(store.tasks) else None
        hi = ((following.file_no << 40) + following.first_row
              if following and following.file_no == block.block.file_no
              else (block.block.file_no + 1) << 40)
        here = wanted.slice(a := rids.search_sorted(lo), rids.search_sorted(hi) - a)
        if here.is_empty():
            continue
        pieces = task.remote(replace(block, source=None), store.sources[name], keying,
                             index.bucket_bits, store.n_buckets, here)
        refs.append(pieces)
    for _, n_rows in completed(ray, [r[0] for r in refs]):  # rows found (its error, if any)
        on_rows(n_rows)
    store.reread = [r[1:] for r in refs]


def _scan(task: BlockTask, source: ResolvedSource, *args: Any, **options: Any) -> list:
    """The pass-1 task: the block's source comes as its own object (see scan)."""
    return scan_block(replace(task, source=source), *args, **options)


def _reread(task: BlockTask, source: ResolvedSource, *args: Any) -> list:
    return reread_block(replace(task, source=source), *args)


def _digests(befores: dict[Path, FileStamp], stop: threading.Event) -> dict[Path, FileStamp]:
    stamps = {}
    for path, before in befores.items():
        if stop.is_set():
            break
        stamps[path] = FileStamp.after_reading(path, before)
    return stamps


def _check_versions(seen: list[dict[str, str]]) -> None:
    """A worker with another curate, polars or pyarrow than the driver's would write other
    bytes: refused, naming both."""
    mine = versions()
    for theirs in seen:
        if theirs != mine:
            raise InputError(f"a Ray worker runs {_named(theirs)}, the driver {_named(mine)}: "
                             "the bytes depend on them; install the same versions on every node")


def _named(packages: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in packages.items())


def _endpoint(sources: list[ResolvedSource]) -> str | None:
    if not any(s.hub_files for s in sources):
        return None
    from curate.hub.env import hub_endpoint

    return hub_endpoint().url
