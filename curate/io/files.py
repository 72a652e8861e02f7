"""Finding and opening input files: globs, gzip, and one clear error when a file is unusable."""

from __future__ import annotations

import glob
import gzip
import io
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from curate.errors import InputError
from curate.io.remote import is_url, url_files

GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"  # written by some Windows tools; not part of the first record
JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")
HF_SCHEME = "hf:/"  # hf://datasets/...; also once pathlib has folded the `//`


def expand_paths(paths: str | Path | Sequence[str | Path], *, base: Path | None = None) -> list[Path]:
    """Files named by a path, a glob or a list of them, in the order given (globs sorted).
    `hf://datasets/ORG/NAME@REV/PATH` names files on the Hub: they are downloaded into the HF
    cache (curate.hub) and read from there; other fsspec URLs (`s3://b/pairs/*.jsonl.gz`,
    `file:///abs/x.jsonl`) into $CURATE_HOME/remote (curate.io.remote)."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    found: list[Path] = []
    for item in items:
        text = str(item)
        if not text.strip():
            raise InputError("an empty path was given; name a file, a folder or a glob")
        if text.startswith(HF_SCHEME):
            found.extend(_hub_files(text))
            continue
        if is_url(text):
            found.extend(f.local for f in url_files([text]))
            continue
        if base is not None and not Path(text).is_absolute():
            text = str(base / text)
        if glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not matches:
                raise InputError(f"{text}: the glob matches no file; check the pattern")
            found.extend(matches)
        else:
            path = Path(text)
            if path.is_dir():
                found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_data_file(p)))
            elif path.is_file():
                found.append(path)
            elif path.exists():
                raise InputError(f"{path}: not a regular file (a device, a pipe or a socket); "
                                 "name a data file")
            else:
                raise InputError(f"{path}: no such file; check the path")
    for path in found:
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:  # the name travels into reports, rejects and manifests
            raise InputError(f"{ascii(str(path))}: the file name is not valid UTF-8; rename "
                             "the file") from None
    return found


def _hub_files(text: str) -> list[Path]:
    from curate.hub import HubResolver, parse_hf_path

    ref = parse_hf_path(text)
    return [f.local for f in HubResolver(job="curate").files(ref, where=text)]


def is_data_file(path: Path) -> bool:
    """A file a folder listing should read: JSON, JSON Lines or Parquet (maybe gzip'd)."""
    name = path.name.lower().removesuffix(".gz")
    return not name.startswith(".") and name.endswith(JSON_SUFFIXES + (".parquet",))


def is_gzip(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == GZIP_MAGIC
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror}); check permissions") from exc


def storage_of(path: Path) -> str:
    """'parquet', 'json' (one document) or 'jsonl', from the name with any .gz removed."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".json"):
        return "json"
    return "jsonl"


def open_binary(path: Path) -> io.BufferedIOBase:
    """Open for reading, decompressing gzip (by magic bytes, not by name)."""
    try:
        if is_gzip(path):
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc}); check the file") from exc


def read_blocks(path: Path, block_size: int = 16 << 20) -> Iterator[bytes]:
    """Yield the file's bytes in blocks that end on a line break (the last may not), without
    a leading byte order mark."""
    pending, first = b"", True
    with open_binary(path) as fh:
        while True:
            block = read_chunk(fh, path, block_size)
            if not block:
                break
            if first:
                block, first = block.removeprefix(BOM), False
            block = pending + block
            cut = block.rfind(b"\n")
            if cut < 0:
                pending = block
                continue
            pending = block[cut + 1:]
            yield block[:cut + 1]
    if pending:
        yield pending


def read_chunk(fh: io.BufferedIOBase, path: Path, size: int = -1) -> bytes:
    """fh.read(size), with a truncated or corrupt compressed file as one InputError."""
    try:
        return fh.read(size)
    except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
        raise InputError(f"{path}: the compressed file is truncated or corrupt ({exc}); "
                         "re-download or re-compress it") from exc
