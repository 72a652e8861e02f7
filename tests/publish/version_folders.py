"""Write a built version folder the way `curate build` lays it out, small enough for tests.

<root>/<name>/v<N>/ data/train-*.parquet, data/test-*.parquet (Hub layout), rejects/*.parquet,
manifest.json (fingerprint = sha256 over the data shards; the sha256 of every shard, rejects file
and image, as the build writes them), README.md (a card with Hub YAML) and a PNG.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.version_fixtures import write_manifest

CARD = """---
license: mit
language:
- en
task_categories:
- text-classification
size_categories:
- {size}
pretty_name: {name} v{version}
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
  - split: test
    path: data/test-*.parquet
---
# {name} v{version}

![composition](composition.png)

    ds = load_dataset("ORG/NAME", revision="v{version}")
"""


def preference_rows(n: int, *, start: int = 0, source: str = "hh_rlhf") -> list[dict]:
    return [{"uid": f"{i:032x}",
             "prompt": [{"role": "user", "content": f"How do I fix bug number {i}?"}],
             "chosen": f"Read the traceback of bug {i} first.",
             "rejected": "No idea.",
             "source": source,
             "safety_category": 1 + i % 3}
            for i in range(start, start + n)]


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG (a stand-in for the card's composition chart)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) \
        + chunk(b"IEND", b"")


def write_build(out: Path, *, name: str = "safety_rm", version: int = 3, train: list[dict],
                test: list[dict], n_train_shards: int = 1, card: str | None = None) -> Path:
    """Write the version folder out/name/vN and return it."""
    root = out / name / f"v{version}"
    (root / "data").mkdir(parents=True)
    (root / "rejects").mkdir()
    shards = [(f"train-{i:05d}-of-{n_train_shards:05d}.parquet", train[i::n_train_shards])
              for i in range(n_train_shards)] + [("test-00000-of-00001.parquet", test)]
    for filename, rows in shards:
        pq.write_table(pa.Table.from_pylist(rows), root / "data" / filename)
    pq.write_table(pa.Table.from_pylist([{"uid": "f" * 32, "reason": "safety_category_4"}]),
                   root / "rejects" / "rejects-00000-of-00001.parquet")
    (root / "composition.png").write_bytes(tiny_png())
    write_manifest(root, name=name, version=version)
    size = "n<1K" if len(train) + len(test) < 1000 else "1K<n<10K"
    (root / "README.md").write_text(card or CARD.format(name=name, version=version, size=size))
    return root


def read_split(root: Path, split: str) -> list[dict]:
    """The rows of one split as written, in shard order."""
    files = sorted((root / "data").glob(f"{split}-*.parquet"))
    return pa.concat_tables([pq.read_table(f) for f in files]).to_pylist()
