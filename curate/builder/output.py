"""Where a build writes: only under `--out`, in scratch that dead builds cannot leak, and into an
immutable version folder.

Scratch lives in one place per output root, `OUT/.curate-scratch/`, one folder per running build
(`<pid>-<random>/`) holding a `.lock` file that the build keeps locked (flock) for its whole life.
A build killed with SIGKILL leaves its folder unlocked, and the next build into the same OUT
removes it; a live build's folder is never touched. Folders are created and swept under the root's
own `.lock`, so a sweep never sees a new folder before its lock is taken. Scratch sits under OUT so
that the final rename into `OUT/NAME/vN` is atomic (one file system).

>>> import tempfile
>>> out = Path(tempfile.mkdtemp()).resolve()
>>> with scratch_folder(out) as scratch:
...     (scratch / "v1").mkdir()
...     install(scratch / "v1", out / "demo" / "v1", out_root=out, fingerprint="f",
...             force=False, scratch=scratch)
True
>>> scratch_left(out), sorted(p.name for p in (out / "demo").iterdir())
([], ['v1'])
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from curate.errors import InputError
from curate.version import MANIFEST, read_manifest

SCRATCH = ".curate-scratch"
_LOCK = ".lock"
# Errors that say the output cannot be written at all (as opposed to a bug or an unreadable input).
_FULL = {errno.ENOSPC: "free space there or choose another --out",
         errno.EDQUOT: "free space within your quota or choose another --out",
         errno.EFBIG: "raise the file size limit (ulimit -f) or choose another --out",
         errno.EROFS: "choose a writable --out"}
# ... and errors that say so only when they name a path under --out.
_INSIDE = {errno.EACCES: "choose a writable --out or fix its permissions",
           errno.EPERM: "choose a writable --out or fix its permissions",
           errno.ENOTDIR: "a file stands where a folder belongs: move it or choose another --out",
           errno.EEXIST: "a file stands where a folder belongs: move it or choose another --out"}


def inside_out(path: Path, out_root: Path) -> Path:
    """`path` if it resolves (symlinks followed) inside the resolved `out_root`; else InputError.

    The recipe model already keeps names plain; this holds whatever a name or a symlink says."""
    resolved = path.resolve()
    if not resolved.is_relative_to(out_root):
        raise InputError(f"{path}: resolves to {resolved}, outside --out {out_root}; a build "
                         "writes only under --out: remove the symlink or choose another --out")
    return path


@contextmanager
def scratch_folder(out_root: Path) -> Iterator[Path]:
    """A fresh folder under `out_root/.curate-scratch/`, locked while the block runs and removed
    after it, however it ends; stale folders of dead builds are removed first."""
    root = inside_out(out_root / SCRATCH, out_root)
    root.mkdir(parents=True, exist_ok=True)
    root_lock = _open_lock(root / _LOCK)
    try:
        fcntl.flock(root_lock, fcntl.LOCK_EX)  # held for a mkdtemp and a listing: milliseconds
        folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
        own_lock = _open_lock(folder / _LOCK)
        fcntl.flock(own_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else holds it
        stale = _claim_stale(root, into=folder)
    finally:
        os.close(root_lock)  # releases the root lock
    try:
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # still locked: no sweep races this
        os.close(own_lock)


def scratch_left(out_root: Path) -> list[Path]:
    """The build folders under `out_root/.curate-scratch/`: running builds' or dead ones' not yet
    swept (the root's lock file is not scratch)."""
    return sorted(p for p in (out_root / SCRATCH).glob("*") if p.name != _LOCK)


def install(work: Path, target: Path, *, out_root: Path, fingerprint: str, force: bool,
            scratch: Path, hint: str = "") -> bool:
    """Rename the finished version `work` to `target`, atomically. False (and `work` left to the
    scratch) when `target` already holds this fingerprint; InputError when it holds another one,
    unless `force`, which moves the old version into `scratch` (removed with it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    inside_out(target, out_root)  # again: a symlink may have appeared during the build
    for attempt in count():
        try:
            os.rename(work, target)  # fails on an existing non-empty folder: never replaces
            return True
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
                raise
        existing = _fingerprint_of(target)
        if existing == fingerprint:
            return False  # another build (or an earlier one) made the same version
        if not force:
            held = f"fingerprint {existing}" if existing else "no readable manifest"
            raise InputError(f"{target} already holds a version with {held}, and this build "
                             f"gives fingerprint {fingerprint}: local versions are immutable; "
                             f"bump `version:`{hint} to keep both, or pass --force "
                             "(force=True) to replace it")
        os.rename(target, scratch / f"replaced-{attempt}")
    raise AssertionError("unreachable")


def output_error(exc: OSError, out_root: Path) -> InputError | None:
    """The one-line InputError for an OSError that says `out_root` cannot be written (disk full,
    read-only, no permission, a file where a folder belongs), or None when the error is about something else (e.g. an input)."""
    fix = _FULL.get(exc.errno)
    if fix is None and exc.errno in _INSIDE and _names_inside(exc, out_root):
        fix = _INSIDE[exc.errno]
    if fix is None:
        return None
    where = f" ({exc.filename})" if exc.filename else ""
    return InputError(f"{out_root}: cannot write the build: {os.strerror(exc.errno)}{where}; "
                      f"{fix}. Nothing was written")


def _names_inside(exc: OSError, out_root: Path) -> bool:
    return any(name and Path(os.fsdecode(name)).resolve().is_relative_to(out_root)
               for name in (exc.filename, exc.filename2))


def _open_lock(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)


def _claim_stale(root: Path, *, into: Path) -> list[Path]:
    """Move the folders of dead builds (lock free, or never taken) into `into`; the caller
    removes them outside the root lock. Runs under the root lock."""
    claimed = []
    for folder in root.iterdir():
        if folder == into or not folder.is_dir() or folder.is_symlink():
            continue
        try:
            fd = os.open(folder / _LOCK, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = None  # died between mkdtemp and its lock, or is removing its own folder
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live build
        finally:
            if fd is not None:
                os.close(fd)
        claimed.append(into / f"stale-{folder.name}")
        try:
            os.rename(folder, claimed[-1])
        except FileNotFoundError:
            claimed.pop()  # its own build removed it meanwhile
    return claimed


def _fingerprint_of(version: Path) -> str | None:
    try:
        return read_manifest((version / MANIFEST).read_bytes(), where=str(version)).fingerprint
    except (OSError, InputError):  # missing, unreadable, or not a manifest this curate writes
        return None
