"""What `curate stats` reads: any file `curate.read` understands, or a built version folder.

A built version is a folder holding `data/*.parquet` (the Hub layout: train-*, test-* shards) in
the record columns; all its shards are read, every split together, as Table 6 describes a dataset.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curate.errors import InputError


def is_build(path: Path) -> bool:
    """True for a built version folder: it holds a data/ folder of Parquet shards."""
    return path.is_dir() and (path / "data").is_dir()


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
    if is_build(path):
        if format:
            raise InputError(f"{path} is a built version (data/*.parquet); --format {format} "
                             "applies to raw files only: drop it, or point at the raw files")
        return _read_build(path)
    from curate.reading import read_unchecked

    return read_unchecked(path, format=format)  # statistics describe data; they judge nothing


def _read_build(folder: Path) -> pl.DataFrame:
    shards = sorted((folder / "data").glob("*.parquet"))
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
    return frame
