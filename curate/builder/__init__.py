"""`curate.build("safety_rm_v3")`: a recipe in, a reproducible dataset version out.

>>> import curate, tempfile
>>> v = curate.build("safety_rm_v3", out=tempfile.mkdtemp(), progress=False)  # doctest: +SKIP
>>> v.fingerprint, v.dataset["train"].num_rows  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


import polars as pl

from curate.builder.card import describe_version, render_card
from curate.builder.card_stats import resolve_tokenizer
from curate.builder.index import scan_sources, spill_deferred
from curate.builder.manifest import fingerprint, output_stats, shown_names, source_entries
from curate.builder.output import inside_out, install, output_error, scratch_folder
from curate.builder.row_stats import RowStats
from curate.builder.select import (Selection, assign_split, check_freshness, drop_duplicates,
                                   select)
from curate.builder.sources import ResolvedSource, resolve_sources, sampled_sources
from curate.builder.spill import Spill
from curate.builder.write import write_version
from curate.checks import reasons
from curate.progress import Stages
from curate.errors import InputError
from curate.recipe import Recipe, read_recipe
from curate.version import CARD, MANIFEST, Manifest, Version, from_folder, version_folder


ENGINES = ("local", "ray")
DEFAULT_BLOCK_ROWS = 100_000  # Ray: rows one pass-1 task reads (native Parquet row groups)


def build(recipe: str | Path, *, out: str | Path = "build", progress: bool = True,
          tokenizer: str | Path | Any | None = None, force: bool = False,
          engine: str = "local", address: str | None = None,
          block_rows: int = DEFAULT_BLOCK_ROWS) -> Version:
    """Build a recipe (NAME_vN or a path to a .yaml) into `<out>/<name>/v<version>/`.

    The version folder appears atomically: work happens in scratch under `<out>/.curate-scratch/`
    that is renamed into place at the end, so a crash never leaves a half-written version, and
    nothing is written outside `out`. Local versions are immutable: when the folder exists, a
    build with the same fingerprint is a no-op (`Version.unchanged`) and one with another
    fingerprint is refused (InputError) unless `force`. Disk full or a read-only `out` is an
    InputError, with nothing left behind.
    `tokenizer` (a spec for curate.stats.load_tokenizer, or $CURATE_TOKENIZER when None) gives
    the card's Table 6 its token counts; without one the card reports comparisons and turns.
    `engine="ray"` runs both passes as Ray tasks (`pip install "curate[ray]"`) on the cluster
    at `address` ("auto": the running one; None: Ray's default, which starts a local one
    when there is none), each task reading about `block_rows` rows; the version's bytes are
    the local engine's
    (docs/ray.md). The manifest records the engine and the cluster's size.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if block_rows < 1:
        raise InputError(f"block_rows must be a positive number of rows, not {block_rows}")
    if not str(out).strip():
        raise InputError("an empty --out was given; name the output folder (default: build)")
    recipe_obj, recipe_path = read_recipe(recipe)
    tokenizer = resolve_tokenizer(tokenizer)  # before the work: a bad spec fails at once
    sources = resolve_sources(recipe_obj, recipe_path, progress=progress)
    out_root = Path(out).resolve()
    target = inside_out(version_folder(out_root, recipe_obj.name, recipe_obj.version), out_root)
    try:
        with scratch_folder(out_root) as scratch:
            work = scratch / target.name
            work.mkdir()  # 0755 under the usual umask, like the files inside (mkdtemp: 0700)
            with _engine(engine, address, block_rows) as run:
                digest = _write(work, scratch, recipe_obj, recipe_path, sources,
                                progress=progress, tokenizer=tokenizer,
                                versions_dir=target.parent, run=run)
            installed = install(work, target, out_root=out_root, fingerprint=digest,
                                force=force, scratch=scratch, hint=f" in {recipe_path}")
    except OSError as exc:
        error = output_error(exc, out_root)
        if error is None:
            raise
        raise error from exc
    version = from_folder(target)
    return Version(version.label, version.manifest, version.files, root=target,
                   unchanged=not installed)


@dataclass
class _Run:
    """The engine a build runs on: None for the local one, else its module and facts."""

    ray: Any = None
    block_rows: int = DEFAULT_BLOCK_ROWS
    info: dict[str, Any] | None = None  # the manifest's `engine`


@contextmanager
def _engine(engine: str, address: str | None, block_rows: int) -> Iterator[_Run]:
    if engine == "local":
        yield _Run()
        return
    from curate.builder import ray_engine

    with ray_engine.connected(address) as cluster:
        yield _Run(ray_engine, block_rows, {"name": "ray", **cluster})


def _write(work: Path, scratch: Path, recipe_obj: Recipe, recipe_path: Path,
           sources: list[ResolvedSource], *, progress: bool, tokenizer: Any,
           versions_dir: Path, run: _Run) -> str:
    """Write the version into `work` (spill in `scratch`); returns its fingerprint."""
    kind = recipe_obj.kind
    excluded = recipe_obj.excluded_reasons(reasons(kind))
    spill, rejects = Spill(scratch / "_spill"), Spill(scratch / "_rejects")
    threading.Thread(target=_import_card_libraries, daemon=True).start()
    stages = Stages("curate build", enabled=progress)
    with stages.stage("read, check, index", f"reading {len(sources)} sources of "
                      f"{recipe_obj.id}") as stage:
        if run.ray:
            index, store = run.ray.scan(sources, kind=kind, seed=recipe_obj.seed,
                                        split_seed=recipe_obj.split.seed, excluded=excluded,
                                        block_rows=run.block_rows, on_batch=stage.advance,
                                        deferred=sampled_sources(recipe_obj))
        else:
            index = scan_sources(sources, kind=kind, seed=recipe_obj.seed,
                                 split_seed=recipe_obj.split.seed, excluded=excluded,
                                 spill=spill, rejects=rejects, on_batch=stage.advance,
                                 deferred=sampled_sources(recipe_obj))
        stage.summary = f"read {stage.n_done:,} records from {_sources(len(sources))}"
    check_freshness(index.frame, recipe_obj)
    with stages.stage("select", "selecting", counted=False) as stage:
        selection, duplicates = _select(index.frame, recipe_obj, excluded)
        index.frame = index.frame.clear()  # pass 2 needs only the selection: ~150 bytes a row
        split_rows = dict(selection.chosen["split"].value_counts().iter_rows())
        split_rows = {s: split_rows.get(s, 0) for s in ("train", "test")}
        stage.summary = (f"selected {selection.chosen.height:,} records ("
                         f"{', '.join(f'{s} {n:,}' for s, n in split_rows.items())}), "
                         f"{duplicates.height:,} duplicates dropped")
    if index.deferred:
        wanted = pl.concat([selection.chosen.select("_rid", "_key"),
                            duplicates.select("_rid", "_key")])
        with stages.stage("read sampled rows", f"re-reading the sampled rows of "
                          f"{_sources(len(index.deferred))}") as stage:
            if run.ray:
                run.ray.reread(store, index, wanted, kind=kind, seed=recipe_obj.seed,
                               split_seed=recipe_obj.split.seed, excluded=excluded,
                               on_rows=stage.advance)
            else:
                spill_deferred(sources, index, wanted, kind=kind, seed=recipe_obj.seed,
                               split_seed=recipe_obj.split.seed, excluded=excluded,
                               spill=spill, on_rows=stage.advance)
            stage.summary = (f"re-read {stage.n_done:,} sampled records from "
                             f"{_sources(len(index.deferred))}")
    with stages.stage("write shards", "writing shards",
                      total=selection.chosen.height) as stage:
        file_names = shown_names(sources, recipe_path.parent)
        if run.ray:
            outputs, reject_files, n_duplicates, rows = run.ray.write(
                store, selection.chosen, duplicates, kind=kind, margin=recipe_obj.margin,
                data_dir=work / "data", rejects_dir=work / "rejects",
                rows_per_shard=recipe_obj.rows_per_shard, split_rows=split_rows,
                format=recipe_obj.output.format, file_names=file_names,
                on_rows=stage.advance)
            del store  # frees pass 1's pieces in the object store
        else:
            row_stats = RowStats(kind)
            outputs, reject_files, n_duplicates = write_version(
                spill, rejects, index.bucket_bits, selection.chosen, duplicates, kind=kind,
                margin=recipe_obj.margin, data_dir=work / "data", rejects_dir=work / "rejects",
                rows_per_shard=recipe_obj.rows_per_shard, split_rows=split_rows,
                on_rows=lambda part: (row_stats.add(part), stage.advance(part.height)),
                format=recipe_obj.output.format, file_names=file_names)
            rows = row_stats.frame()
        stage.summary = (f"wrote {stage.n_done:,} records in {len(outputs)} shards and "
                         f"{sum(r['n_rows'] for r in reject_files):,} rejects")
    with stages.stage("manifest, card", "writing the manifest and the card",
                      counted=False) as stage:
        spill.close()
        rejects.close()
        cleanup = _remove_in_background([spill.folder, rejects.folder])
        manifest = Manifest(
            curate_version=_version(), fingerprint=fingerprint(recipe_obj, outputs, sources),
            recipe=recipe_obj, recipe_file=recipe_path.name,
            sources=source_entries(sources, index, selection, n_duplicates,
                                   recipe_folder=recipe_path.parent),
            groups={g: {"n_rows": n, "sources": selection.group_sources[g]}
                    for g, n in selection.group_rows.items()},
            splits={s: n for s, n in split_rows.items() if n or s == "train"},
            outputs=[o.__dict__ for o in outputs], rejects=reject_files,
            stats=output_stats(rows, kind), engine=run.info)
        written = manifest.model_dump(mode="json")  # the card's facts come from the JSON form
        written.update(describe_version(work, recipe_obj, written, tokenizer=tokenizer,
                                        rows=rows, versions_dir=versions_dir))
        manifest = Manifest.model_validate(written)
        (work / MANIFEST).write_bytes(manifest.to_json())
        (work / CARD).write_text(render_card(recipe_obj, manifest.model_dump(mode="json")))
        cleanup.join()
        stage.summary = f"wrote {MANIFEST} and the card ({CARD})"
    stages.timer.report()
    return manifest.fingerprint


def _sources(n: int) -> str:
    return f"{n} source{'s' if n != 1 else ''}"


def _select(index: pl.DataFrame, recipe: Recipe, excluded: list[str],
            ) -> tuple[Selection, pl.DataFrame]:
    """The chosen rows (row id, split, key) and the dropped duplicates (row id, key); the
    copies of the index made on the way are freed on return."""
    eligible = assign_split(index, recipe).lazy().filter(~pl.col("_rejected")).select(
        "_rid", "source", "uid", "_key", "_row_digest", "split").collect()  # what select reads
    if "duplicate" not in excluded:
        return select(eligible, recipe), eligible.clear().select("_rid", "_key")
    unique, duplicates = drop_duplicates(eligible)
    return select(unique, recipe), duplicates


def _import_card_libraries() -> None:
    """The card needs `datasets` and matplotlib (~2 s of imports): import them while pass 1
    leaves the second core partly idle, not after pass 2. A failure shows where they are used."""
    try:
        import datasets.features  # noqa: F401
        import matplotlib.backends.backend_agg  # noqa: F401
        import matplotlib.figure  # noqa: F401
    except ImportError:
        pass


def _remove_in_background(folders: list[Path]) -> threading.Thread:
    """Deleting GBs of spill takes seconds of unlinking: do it while the card renders."""
    thread = threading.Thread(target=lambda: [shutil.rmtree(f, ignore_errors=True)
                                              for f in folders])
    thread.start()
    return thread


def _version() -> str:
    from curate import __version__

    return __version__


__all__ = ["build"]
