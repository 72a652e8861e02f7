"""The files of a built version, as `curate build` writes them and the Hub serves them.

    <out>/<name>/v<N>/
      data/<split>-0000K-of-0000N.parquet   the rows (Hub layout: load_dataset reads it as is)
      rejects/records.parquet               every excluded record with its reason (never published)
      manifest.json                         what was built from what (curate.version.manifest)
      README.md, *.png                      the dataset card and its charts

>>> version_folder("build", "safety_rm", 3).as_posix()
'build/safety_rm/v3'
>>> is_published("data/train-00000-of-00001.parquet"), is_published("rejects/records.parquet")
(True, False)
"""

from __future__ import annotations

import re
from pathlib import Path

MANIFEST, CARD, DATA, REJECTS = "manifest.json", "README.md", "data", "rejects/records.parquet"
NOT_PUBLISHED = ("rejects",)  # every excluded record stays with the build, never on a Hub
VERSION_DIR = re.compile(r"v(?P<number>\d+)")  # the folder <out>/<name>/v<N>, the tag vN


def tag_of(number: int) -> str:
    return f"v{number}"


def version_folder(out: str | Path, name: str, number: int) -> Path:
    return Path(out) / name / tag_of(number)


def is_published(rel: str) -> bool:
    """True for the files a push uploads: data/**, the manifest, the card and its images."""
    parts = rel.split("/")
    if parts[0] in NOT_PUBLISHED or any(p.startswith(".") for p in parts):
        return False
    return parts[0] == DATA or rel in (MANIFEST, CARD) or rel.endswith(".png")
