"""What `curate stats` reads: any file `curate.read` understands, a built version (its folder,
NAME_vN under ./build, or ORG/NAME@vN from the local registry: curate.version), or a folder in
the Hub layout (`data/*.parquet`, e.g. a downloaded dataset snapshot).

All shards are read, every split together, as Table 6 describes a dataset.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curate.errors import InputError
from curate.output_forms import as_records
from curate.version import DATA, MANIFEST, Version, open_version, parse_ref


def is_build(path: Path) -> bool:
    """True for a folder in the Hub layout: it holds a data/ folder of Parquet shards."""
    return path.is_dir() and (path / DATA).is_dir()


def _version_named(path: Path) -> Version | None:
    """The version `path` names: a folder with a manifest, or a reference that is no file."""
    if path.is_dir() and (path / MANIFEST).is_file():
        return open_version(path)
    if path.exists():
        return None
    try:
        parse_ref(str(path))
    except InputError:
        return None  # a missing file: reading it says so
    return open_version(str(path))


def read_dataset(path: str | Path, *, format: str | None = None) -> pl.DataFrame:
    """Records of a built version folder or of data files (format detected when omitted).

    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "hh.jsonl"
    >>> chosen, rejected = "Hello!", "Go away."
    >>> _ = p.write_text(json.dumps({"chosen": "\\n\\nHuman: Hi\\n\\nAssistant: " + chosen,
    ...                              "rejected": "\\n\\nHuman: Hi\\n\\nAssistant: " + rejected}))
    >>> read_dataset(p, format="hh-rlhf").select("chosen", "source").row(0)
    ('Hello!', 'hh-rlhf')
    """
    path = Path(path)
    version = _version_named(path)
    if version is not None or is_build(path):
        if format:
            raise InputError(f"{path} is a built version (data/*.parquet); --format {format} "
                             "applies to raw files only: drop it, or point at the raw files")
        shards = ([p for _, p in version.shards()] if version is not None
                  else sorted((path / DATA).glob("*.parquet")))
        return _read_shards(path, shards)
    from curate.reading import read_unchecked

    return read_unchecked(path, format=format)  # statistics describe data; they judge nothing


def _read_shards(folder: Path, shards: list[Path]) -> pl.DataFrame:
    if not shards:
        raise InputError(f"{folder}/data holds no .parquet shard; a built version has "
                         "data/train-*.parquet (and data/test-*.parquet); build it again")
    try:
        frame = pl.read_parquet(shards)
    except Exception as exc:  # polars raises several kinds on a corrupt or mismatched shard
        raise InputError(f"{folder}/data: the shards cannot be read together ({exc}); "
                         "are they all from one build?") from exc
    if "source" not in frame.columns:
        raise InputError(f"{folder}/data: the shards have no `source` column (columns: "
                         f"{', '.join(frame.columns[:12])}); is this a curate build?")
    return as_records(frame)  # responses as text, whichever output format the shards are in
