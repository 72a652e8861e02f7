"""The trainers' dataset: a version reference opened by curate.version, its rows as dicts.

`--dataset` takes what `curate.open_version` takes: a build folder (`out/safety_rm/v3`), NAME_vN
(under ./build), or ORG/NAME@vN / ORG/NAME@<commit>: from the Hub at $HF_ENDPOINT when that is
set, else from the local registry ($CURATE_HOME/hub, where `curate push` puts versions).

>>> resolve_dataset("not a dataset")
Traceback (most recent call last):
...
curate.errors.InputError: 'not a dataset': not a version; pass a build folder (holding manifest.json), NAME_vN (a folder under --out), ORG/NAME@vN or ORG/NAME@<commit> (the local registry, or a Hub)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from curate.errors import InputError
from curate.version import Version, open_version


def resolve_dataset(spec: str) -> Version:
    """The version `spec` names (see the module docstring)."""
    return open_version(spec, endpoint=os.environ.get("HF_ENDPOINT") or None,
                        token=os.environ.get("HF_TOKEN") or None)


def split_files(version: Version, *, split: str) -> list[Path]:
    """The Parquet shards of `split`, in the manifest's (shard) order."""
    return version.split_files(split)


def read_rows(version: Version, *, split: str, required: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """All rows of `split` as dicts; unknown columns are kept (and ignored by the trainers)."""
    files = split_files(version, split=split)
    if not files:
        raise InputError(f"dataset {version} has no {split!r} split (its manifest lists no "
                         f"{split} shard); build the version with a {split} split or pick "
                         "another dataset")
    table = pa.concat_tables([pq.read_table(f) for f in files], promote_options="permissive")
    missing = [c for c in required if c not in table.column_names]
    if missing:
        raise InputError(f"dataset {version} split {split!r} lacks columns {missing} (has "
                         f"{table.column_names}); this trainer needs {list(required)}: use a "
                         "version of the right kind (preference for reward/PPO, SFT for sft.py)")
    return table.to_pylist()
