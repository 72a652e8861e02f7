"""`curate build --engine ray`: the build's two passes as Ray tasks, with the local engine's
output byte for byte.

Pass 1 is one task per block (a file, or a run of row groups of a native Parquet file) running
curate.builder.index.scan_file; its pieces stay in Ray's object store, one object per bucket.
The driver gathers only the narrow index (~100 bytes a row), selects as the local engine
does, plans the shards from the selection (curate.builder.shards) and runs a task per shard,
one per rejects bucket for the dropped copies, and one for the rejects files. Tasks return
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
from curate.builder.ray_tasks import (BlockTask, ShardInputs, dropped_rows, reread_block,
                                      scan_block, unpacked, versions, write_rejects_files,
                                      write_shard)
from curate.builder.row_stats import RowStats
from curate.builder.shards import plan_shards
from curate.builder.sources import ResolvedSource
from curate.builder.spill import MemorySpill, bucket_name, bucket_of, reject_bits
from curate.builder.write import Output, by_bucket
from curate.errors import CurateError, InputError
from curate.io.digest import FileStamp, check_unchanged
from curate.reading import announce, splittable_rows

TASK_RETRIES = 3  # a task whose worker or node died runs again, up to this many times


def _ray():
    try:
        import ray
    except ImportError as exc:
        raise InputError('--engine ray needs Ray: pip install "curate[ray]"') from exc
    return ray


@contextmanager
def connected(address: str | None) -> Iterator[dict[str, int]]:
    """Ray joined at `address` ("auto": the running cluster; None: Ray's default, RAY_ADDRESS,
    a cluster started here, or a local instance), unless this process is connected; yields
    {nodes, cpus}. Usage statistics stay
    off unless asked for (they would reach the network)."""
    ray = _ray()
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
    ray = _ray()
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
            for i, result in _completed(ray, [r[0] for r in refs]):
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
    return index, Store([r[1:] for r in refs], n_buckets, n_rejects, blocks)


def reread(store: Store, index: Index, wanted: pl.DataFrame, *, kind: str, seed: int,
           split_seed: int, excluded: list[str], batch_rows: int = BATCH_ROWS,
           on_rows: Callable[[int], None] = lambda n: None) -> None:
    """The sampled sources' selected rows and dropped copies (`wanted`: `_rid`, `_key`) read
    again, a task per block that holds some (the local engine's spill_deferred)."""
    ray = _ray()
    keying = Keying.of(kind, seed, split_seed, excluded, batch_rows)
    wanted = wanted.select("_rid", "_key").sort("_rid")
    rids = wanted["_rid"]
    task = ray.remote(_reread).options(num_returns=store.n_buckets + 1,
                                       max_retries=TASK_RETRIES, name="curate_reread")
    shared: dict[str, Any] = {}
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
        if name not in shared:
            shared[name] = ray.put(block.source)
        pieces = task.remote(replace(block, source=None), shared[name], keying,
                             index.bucket_bits, store.n_buckets, here)
        refs.append(pieces)
    for _, n_rows in _completed(ray, [r[0] for r in refs]):  # rows found (its error, if any)
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


def _completed(ray, refs: list[Any]) -> Iterator[tuple[int, Any]]:
    """(position, value) of each of `refs` as its task finishes; a task's own error
    (CurateError: bad input) is raised as itself. Values are not kept here: a shard's bytes
    are written and dropped one at a time."""
    at = {ref: i for i, ref in enumerate(refs)}
    pending = list(refs)
    refs.clear()  # the caller's list lets go: each object is freed once its value is used
    try:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                yield at.pop(ref), _get(ray, ref)
    except BaseException:  # on a cluster the build does not own, stop its other tasks too
        for ref in pending:
            ray.cancel(ref)
        raise


def _get(ray, ref: Any) -> Any:
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, Exception):  # bad input says so (exit 2); a bug is reported
            raise cause from None  # as the local engine reports it (exit 1)
        raise CurateError(f"a Ray task of the build failed: {exc}") from exc
    except ray.exceptions.RayError as exc:  # retries spent: a node lost for good, ...
        raise CurateError(f"the build could not finish on Ray ({type(exc).__name__}: {exc}); "
                          "nothing was written; check the cluster and build again") from exc


def write(store: Store, chosen: pl.DataFrame, duplicates: pl.DataFrame, *, kind: str,
          margin: str, data_dir: Path, rejects_dir: Path, rows_per_shard: int,
          split_rows: dict[str, int], format: str, file_names: dict[str, str],
          on_rows: Callable[[int], None] = lambda n: None,
          ) -> tuple[list[Output], list[dict], dict[str, int], pl.DataFrame]:
    """Pass 2 on the cluster: what write_version returns, and the rows' stats (RowStats)."""
    ray = _ray()
    bits = store.n_buckets.bit_length() - 1
    splits = sorted(s for s, n in split_rows.items() if n or s == "train")
    chosen_in = {b: ray.put(part) for b, part in by_bucket(chosen, bits).items()}
    counts = {s: [0] * store.n_buckets for s in splits}
    for bucket, split, n in chosen.select(bucket_of(bits), "split").group_by(
            "_bucket", "split").len().iter_rows():
        counts[split][bucket] = n
    shard = ray.remote(_write_shard).options(max_retries=TASK_RETRIES, name="curate_shard")
    plans = plan_shards({s: counts[s] for s in splits}, rows_per_shard=rows_per_shard)
    shard_refs = [shard.remote(plan, kind, margin, format,
                               *[ref for b, _, _ in plan.pieces
                                 for ref in (chosen_in[b], *store.data(b))])
                  for plan in plans]
    rejects_ref = _rejects(ray, store, duplicates, bits, kind=kind, format=format,
                           file_names=file_names)
    data_dir.mkdir(parents=True, exist_ok=True)
    outputs, stats = [], []

    def save(result: tuple[dict, Any, pl.DataFrame]) -> None:
        entry, data, rows = result
        (data_dir / Path(entry["path"]).name).write_bytes(data)
        outputs.append(Output(**entry))
        stats.append((entry["path"], rows))
        on_rows(entry["n_rows"])

    for _, result in _completed(ray, shard_refs):
        save(result)
    rejects_files, n_duplicates = _get(ray, rejects_ref)
    rejects_dir.mkdir(parents=True, exist_ok=True)
    for entry, data in rejects_files:
        (rejects_dir / Path(entry["path"]).name).write_bytes(data)
    order = {p.name: i for i, p in enumerate(plans)}
    outputs.sort(key=lambda o: order[Path(o.path).name])
    stats.sort(key=lambda s: order[Path(s[0]).name])
    written = {s: sum(o.n_rows for o in outputs if o.split == s) for s in splits}
    if written != {s: split_rows[s] for s in splits}:
        raise CurateError(f"selected {split_rows} rows but wrote {written}: a chosen row was "
                          "missing from pass 1's pieces; please report this curate bug")
    rows = [r for _, r in stats if r.height] or [RowStats(kind).frame()]  # an empty shard's
    return outputs, [e for e, _ in rejects_files], n_duplicates, pl.concat(  # lack columns
        rows, how="vertical_relaxed")


def _pieces(refs: list[Any]) -> list:
    """A bucket's pieces from every block, in block order (a block without any gave None)."""
    import ray

    return unpacked(ray.get(refs))


def _write_shard(plan, kind, margin, format, *values):
    """The shard task. Its buckets' objects (chosen rows, then each block's pieces) are its
    arguments, not refs inside one: Ray fetches them before the task starts and runs it on
    the node that holds most of them."""
    per_bucket = len(values) // max(1, len(plan.pieces))
    inputs = []
    for i, (bucket, _, _) in enumerate(plan.pieces):
        chosen, *parts = values[i * per_bucket:(i + 1) * per_bucket]
        inputs.append(ShardInputs(bucket, unpacked(parts), chosen))
    return write_shard(plan, inputs, kind=kind, margin=margin, format=format)


def _rejects(ray, store: Store, duplicates: pl.DataFrame, bits: int, *, kind: str, format: str,
             file_names: dict[str, str]) -> Any:
    """The rejects files' task, after a task per rejects bucket that finds the dropped
    copies' rows in its data buckets (the local writer adds them to that bucket)."""
    dropped = ray.remote(_dropped).options(max_retries=TASK_RETRIES, name="curate_dropped")
    shift = bits - reject_bits(bits)
    by_data = by_bucket(duplicates, bits)
    dropped_refs = {}
    for r in range(store.n_reject_buckets):
        mine = [(b, ray.put(by_data[b]), *store.data(b))
                for b in range(r << shift, (r + 1) << shift) if b in by_data]
        if mine:
            dropped_refs[r] = dropped.remote(mine, kind, format)
    files = ray.remote(_rejects_files).options(max_retries=TASK_RETRIES, name="curate_rejects")
    return files.remote([(r, dropped_refs.get(r), *store.rejects(r))
                         for r in range(store.n_reject_buckets)], store.problems(), kind,
                        format, file_names)


def _dropped(buckets, kind, format):
    import ray

    inputs = [(b, _pieces(refs), ray.get(dups)) for b, dups, *refs in buckets]
    return dropped_rows(inputs, kind=kind, format=format)


def _rejects_files(buckets, problem_refs, kind, format, file_names):
    """Returns (the files, the dropped copies per source)."""
    import ray

    spill = MemorySpill()  # pass 1's pieces of each bucket, then its dropped copies
    n_duplicates: dict[str, int] = {}
    for r, dropped_ref, *refs in buckets:
        spill.pieces[bucket_name(r)] = _pieces(refs)
        for _, frame in (ray.get(dropped_ref) if dropped_ref is not None else []):
            spill.append(bucket_name(r), frame)
            for source, n in frame["source"].value_counts().iter_rows():
                n_duplicates[source] = n_duplicates.get(source, 0) + n
    spill.pieces["problems"] = _pieces(problem_refs)
    files = write_rejects_files(spill.pieces, len(buckets), kind=kind, format=format,
                                file_names=file_names)
    return files, n_duplicates
