"""Files named by fsspec URLs (`s3://`, `gs://`, `file://`, `memory://`, any protocol fsspec
has installed): each copied once into `$CURATE_HOME/remote/<protocol>/<path>` and read from
there, so everything downstream reads a local file. A copy is re-used while fs.info of the URL
still gives the size and version (mtime, ETag, generation, ...) it was copied at.

>>> import fsspec
>>> fsspec.filesystem("memory").pipe_file("/demo/a.jsonl", b'{"prompt": "hi"}\\n')
>>> [f.url for f in url_files(["memory://demo/*.jsonl"], progress=False)]
['memory:///demo/a.jsonl']
"""

from __future__ import annotations

import glob
import json
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from curate.errors import InputError
from curate.home import curate_home
from curate.io.digest import xxh3_file

_URL = re.compile(r"(?P<protocol>[A-Za-z][A-Za-z0-9+.-]*)://")
# fs.info keys that change when a remote file does (local and memory, S3, GCS, Azure, HTTP)
VERSION_KEYS = ("mtime", "created", "LastModified", "last_modified", "updated", "ETag", "etag",
                "generation", "VersionId", "version_id", "md5Hash", "crc32c", "checksum")
INFO_FOLDER = ".info"  # beside the protocols' folders: no URL protocol starts with a dot


@dataclass(frozen=True)
class UrlFile:
    """A file named by a URL: this machine's copy, and what the manifest and workers know of it."""

    local: Path
    url: str  # canonical (fs.unstrip_protocol): what the manifest and rejects name
    size: int
    xxh3: str  # of the copy the driver read: a worker's own copy must have the same


def is_url(text: object) -> bool:
    """True for `PROTOCOL://...` other than hf:// (the Hub's, resolved by curate.hub)."""
    if not isinstance(text, str):
        return False
    match = _URL.match(text)
    return match is not None and match["protocol"] != "hf"


def url_files(urls: Sequence[str], *, job: str = "curate", progress: bool = True,
              where: str | None = None) -> list[UrlFile]:
    """The files each URL names (a file, a folder's data files, or a glob's matches, sorted),
    copied into the cache when it lacks them; one stage line on stderr when something is
    downloaded."""
    from curate.progress import Stages

    out = []
    stages = Stages(job, enabled=progress)
    for url in urls:
        with stages.stage("download", f"getting {url}", counted=False) as stage:
            matched = _matched(url, where=where)
            n_fetched = n_bytes = 0
            for name, info in matched:
                local, fetched = _copied(name, info, where=where)
                out.append(UrlFile(local, name, local.stat().st_size, xxh3_file(local)))
                n_fetched += fetched
                n_bytes += out[-1].size if fetched else 0
            if n_fetched:
                n_cached = len(matched) - n_fetched
                stage.summary = (f"downloaded {n_fetched} file{'s' if n_fetched != 1 else ''} "
                                 f"({n_bytes / 1e6:,.1f} MB) of {url}"
                                 + (f", {n_cached} in the cache" if n_cached else ""))
    return out


def on_this_node(file: UrlFile) -> Path:
    """`file` on this machine (a Ray worker's node): the driver's copy when it is here (a shared
    folder), else this node's cached copy, fetched when missing or stale; checked to be the
    bytes the driver read."""
    for candidate in dict.fromkeys([file.local, cache_path(file.url)]):
        if _same_bytes(candidate, file):
            return candidate
    [(name, info)] = _matched(file.url, where=None)
    local, fetched = _copied(name, info, where=None)
    if not fetched and not _same_bytes(local, file):  # a stale copy with a current record
        local.unlink()
        local, _ = _copied(name, info, where=None)
    if not _same_bytes(local, file):
        raise InputError(f"{file.url}: the copy fetched on a Ray node ({local}) is not the file "
                         f"the driver read ({file.size:,} bytes, xxh3 {file.xxh3}); the URL "
                         "changed during the build; build again")
    return local


def cache_path(url: str) -> Path:
    """Where this machine keeps its copy of `url`: $CURATE_HOME/remote/<protocol>/<path>."""
    return curate_home().absolute() / "remote" / _key(url)


def _key(url: str) -> Path:
    """<protocol>/<path> of `url`, its `.` and `..` kept inside the cache as names."""
    protocol, rest = url.split("://", 1)
    parts = [p if p not in (".", "..") else p.replace(".", "%2E")
             for p in PurePosixPath(rest).parts if p != "/"]
    if not parts:
        raise InputError(f"{url}: names no file; add the file's path to the URL")
    return Path(protocol, *parts)


def _same_bytes(path: Path, file: UrlFile) -> bool:
    if not path.is_file():
        return False
    st = path.stat()
    seen = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    if seen not in _DIGESTS:  # a Ray worker reads one file once per block: hash it once
        _DIGESTS[seen] = xxh3_file(path)
    return st.st_size == file.size and _DIGESTS[seen] == file.xxh3


_DIGESTS: dict[tuple[str, int, int, int], str] = {}  # (path, size, mtime, inode) -> xxh3


def _matched(url: str, *, where: str | None) -> list[tuple[str, dict[str, Any]]]:
    """[(canonical URL, fs.info)] of the files `url` names, sorted when a glob or a folder."""
    from curate.io.files import is_data_file

    fs, path = _filesystem(url, where=where)
    at = f"{where}: {url}" if where else url
    with _remote_errors(at, url):
        if glob.has_magic(path):
            found = {p: i for p, i in fs.glob(path, detail=True).items() if i["type"] == "file"}
            if not found:
                raise InputError(f"{at}: the glob matches no file; check the pattern")
        else:
            info = fs.info(path)
            if info["type"] != "directory":
                return [(fs.unstrip_protocol(path), info)]
            found = {p: i for p, i in fs.find(path, detail=True).items()
                     if i["type"] == "file" and is_data_file(Path(PurePosixPath(p).name))}
            if not found:
                raise InputError(f"{at}: the folder holds no data file (.jsonl, .json, "
                                 ".parquet, maybe .gz); name the files or a glob")
    return [(fs.unstrip_protocol(p), found[p]) for p in sorted(found)]


def _filesystem(url: str, *, where: str | None):
    """fsspec's filesystem for `url` and the path in it; a protocol fsspec lacks said so."""
    import fsspec
    from fsspec.registry import known_implementations

    at = f"{where}: {url}" if where else url
    protocol = url.split("://", 1)[0]
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:  # a known protocol whose package is not installed
        known = known_implementations.get(protocol, {})
        package = known.get("class", "fsspec").split(".")[0]
        if package == "fsspec":  # fsspec's own (http, sftp, ...) and their requirements
            raise InputError(f"{at}: {protocol}:// needs a package not installed here "
                             f"({known.get('err') or exc}); install it") from None
        raise InputError(f"{at}: reading {protocol}:// needs the {package} package; "
                         f"`pip install {package}` (and its credentials set up)") from None
    except ValueError as exc:
        if "Protocol not known" not in str(exc):
            raise InputError(f"{at}: not a URL fsspec can open ({exc}); check it") from None
        raise InputError(f"{at}: unknown protocol {protocol}://; use a local path, hf://, or a "
                         "protocol fsspec has (s3://, gs://, az://, file://, https://, ... with "
                         "its package installed)") from None


@contextmanager
def _remote_errors(at: str, url: str) -> Iterator[None]:
    """A filesystem's errors (each package raises its own kinds) as one line naming the URL."""
    protocol = url.split("://", 1)[0]
    try:
        yield
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(f"{at}: no such file; check the URL") from None
    except PermissionError as exc:
        raise InputError(f"{at}: permission denied ({exc}); check the credentials {protocol}:// "
                         "uses (e.g. AWS_PROFILE or ~/.aws for s3://, GOOGLE_APPLICATION_"
                         "CREDENTIALS for gs://) and the file's access") from None
    except Exception as exc:  # noqa: BLE001 (credentials, network: every package its own type)
        raise InputError(f"{at}: cannot read it ({type(exc).__name__}: {exc}); check the URL, "
                         f"the network and the credentials {protocol}:// uses") from None


def _copied(url: str, info: dict[str, Any], *, where: str | None) -> tuple[Path, bool]:
    """This machine's copy of `url` and whether it had to be downloaded: the cached copy while
    fs.info gives the size and version it was copied at, else a fresh one (written under a
    temporary name and renamed, so a copy is whole or absent)."""
    local, version = cache_path(url), _version(info)
    record = curate_home() / "remote" / INFO_FOLDER / f"{_key(url)}.json"
    if local.is_file() and record.is_file() and _read_record(record) == version and (
            version["size"] is None or local.stat().st_size == version["size"]):
        return local, False
    fs, path = _filesystem(url, where=where)
    at = f"{where}: {url}" if where else url
    with _written(local) as part, _remote_errors(at, url):
        fs.get_file(path, str(part))
        size = part.stat().st_size
        if version["size"] is not None and size != version["size"]:
            raise InputError(f"{at}: the download has {size:,} bytes, the URL {version['size']:,};"
                             " the file changed while it was read, or the connection broke; "
                             "build again")
    with _written(record) as part:
        part.write_text(json.dumps(version, sort_keys=True))
    return local, True


def _version(info: dict[str, Any]) -> dict[str, Any]:
    """What of fs.info tells this version of a file from another: its size and any of
    VERSION_KEYS the filesystem gives (as text: some are datetimes)."""
    return {"size": info.get("size"),
            **{key: str(info[key]) for key in VERSION_KEYS if info.get(key) is not None}}


def _read_record(record: Path) -> dict[str, Any] | None:
    try:
        return json.loads(record.read_text())
    except (OSError, ValueError):
        return None  # unreadable: copy again


@contextmanager
def _written(path: Path) -> Iterator[Path]:
    """A temporary name beside `path` to write; renamed to `path` when the block succeeds, so
    `path` is whole or absent (two processes writing it: the last rename wins, whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        yield part
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
