"""Digests of whole files, read in 1 MiB blocks (shards and inputs can be GBs), and stamps
that tell whether an input changed between the build's reads of it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import xxhash

from curate.errors import InputError


def _digest(path: Path, hasher) -> str:
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of a file: what the manifest records for outputs and the Hub shows for LFS files."""
    return _digest(path, hashlib.sha256())


def xxh3_file(path: Path) -> str:
    """xxh3-64 of a file: a fast fingerprint of inputs."""
    return _digest(path, xxhash.xxh3_64())


@dataclass(frozen=True)
class FileStamp:
    """A file as the build read it: size, mtime and inode (cheap to compare again), xxh3."""

    size: int
    mtime_ns: int
    inode: tuple[int, int]  # (device, inode): a file renamed over this one has another
    xxh3: str = ""

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        """Size and mtime now (no digest)."""
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns, (st.st_dev, st.st_ino))

    @classmethod
    def after_reading(cls, path: Path, before: FileStamp) -> FileStamp:
        """The stamp of a file just read, `before` being taken before the read: its digest,
        which is of the bytes read when the file has not changed since (checked here)."""
        digest = xxh3_file(path)
        check_unchanged(path, before)
        return cls(before.size, before.mtime_ns, before.inode, digest)

    def changes(self, now: FileStamp) -> str:
        """How `now` differs from this stamp, in words ("" when it does not)."""
        if now.size != self.size:
            return f"size {self.size:,} -> {now.size:,} bytes"
        if now.mtime_ns != self.mtime_ns:
            return f"modified again (mtime {self.mtime_ns} -> {now.mtime_ns} ns, same size)"
        if now.inode != self.inode:
            return "replaced by another file of the same size and mtime"
        return ""


def check_unchanged(path: Path, stamp: FileStamp) -> None:
    """InputError when `path` is not the file `stamp` describes any more."""
    try:
        change = stamp.changes(FileStamp.of(path))
    except OSError as exc:
        change = f"it cannot be read any more ({exc.strerror})"
    if change:
        raise changed_error(path, change)


def changed_error(path: Path, change: str) -> InputError:
    return InputError(f"{path}: changed while the build was reading it: {change}; rebuild once "
                      "it is stable (nothing was written)")
