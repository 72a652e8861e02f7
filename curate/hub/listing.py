"""What a dataset repo holds at a revision: the commit it resolves to and its files (size, and
the sha256 the Hub gives for LFS files), from the Hub, from a lock file, or from the HF cache.

Every failure is one InputError naming the repo, the revision and the fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from curate.errors import InputError
from curate.hub.refs import is_commit
from curate.io.atomic import write_atomic
from curate.publish.hub import _network_errors, _one_line
from curate.publish.names import Endpoint


@dataclass(frozen=True)
class RemoteFile:
    size: int | None
    sha256: str | None = None  # LFS files only: the Hub names them by the sha256 of the content


@dataclass
class Listing:
    """A repo at a revision as resolved for this job; `notes`: what a user should know about it
    (a branch that moved since the lock), one line each."""

    repo: str
    revision: str
    commit: str
    files: dict[str, RemoteFile]
    notes: list[str] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return f"{self.repo}@{self.revision}"


def list_online(endpoint: Endpoint, repo: str, revision: str, *, where: str) -> Listing:
    """The commit `revision` resolves to on the Hub, with every file of the repo there."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint.url)
    with hub_errors(endpoint, repo, revision, where=where):
        info = api.dataset_info(repo, revision=revision, files_metadata=True)
    files = {s.rfilename: RemoteFile(s.size, s.lfs.sha256 if s.lfs else None)
             for s in info.siblings or []}
    return Listing(repo, revision, info.sha, files)


def head_commit(endpoint: Endpoint, repo: str, revision: str, *, where: str) -> str:
    """The commit a branch or tag points at now (one small request)."""
    from huggingface_hub import HfApi

    if is_commit(revision):
        return revision
    with hub_errors(endpoint, repo, revision, where=where):
        return HfApi(endpoint=endpoint.url).dataset_info(repo, revision=revision).sha


def list_cached(cache: Path, repo: str, revision: str, *, where: str, fix: str) -> Listing:
    """Offline: the commit the cache last saw `revision` at, with the files downloaded there.
    The layout is huggingface_hub's documented cache: datasets--ORG--NAME/{refs,snapshots}.
    `fix`: what to do when the cache does not know the revision (it depends on the job)."""
    folder = repo_cache_folder(cache, repo)
    commit = revision if is_commit(revision) else _cached_ref(folder, revision)
    snapshot = folder / "snapshots" / (commit or "-")
    if commit is None or not snapshot.is_dir():
        raise InputError(f"{where}: HF_HUB_OFFLINE is set and the HF cache ({cache}) knows no "
                         f"commit of {repo}@{revision}; {fix}")
    files = {p.relative_to(snapshot).as_posix(): RemoteFile(p.stat().st_size)
             for p in sorted(snapshot.rglob("*")) if p.is_file()}
    return Listing(repo, revision, commit, files)


def remember_ref(cache: Path, repo: str, revision: str, commit: str) -> None:
    """Record in the HF cache that `revision` (a branch or tag) was at `commit`, as
    huggingface_hub does when it downloads by a revision's name: an offline job reads it."""
    if is_commit(revision):
        return
    ref = repo_cache_folder(cache, repo) / "refs" / revision
    ref.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(ref, commit.encode())


def repo_cache_folder(cache: Path, repo: str) -> Path:
    return cache / ("datasets--" + repo.replace("/", "--"))


def _cached_ref(folder: Path, revision: str) -> str | None:
    ref = folder / "refs" / revision
    return ref.read_text().strip() if ref.is_file() else None


@contextmanager
def hub_errors(endpoint: Endpoint, repo: str, revision: str, *, where: str,
               file: str | None = None) -> Iterator[None]:
    """Turn huggingface_hub's errors for `repo`@`revision` into one-line InputErrors."""
    try:
        yield
    except Exception as exc:
        message = _explained(exc, endpoint, repo, revision, file)
        if message is None:
            raise
        raise InputError(f"{where}: {message}") from exc


def _explained(exc: Exception, endpoint: Endpoint, repo: str, revision: str,
               file: str | None) -> str | None:
    from huggingface_hub.errors import (EntryNotFoundError, GatedRepoError, HfHubHTTPError,
                                        RepositoryNotFoundError, RevisionNotFoundError)

    hub = endpoint.shown
    # The first that applies: a gated repo is also "not found", and every one is an HTTP error.
    explained = [
        (GatedRepoError, (f"{repo} on {hub} is gated: accept its conditions on the dataset's "
                          "page, then set HF_TOKEN (or `hf auth login`)")),
        (RepositoryNotFoundError, (f"no dataset repo {repo} on {hub} (asked for revision "
                                   f"{revision!r}; or the repo is private and no token may read "
                                   "it); check `hub:` (ORG/NAME), HF_ENDPOINT, or set HF_TOKEN")),
        (RevisionNotFoundError, (f"{repo} on {hub} has no revision {revision!r}; check "
                                 "`revision:` (a branch, tag or commit of the repo) or re-run "
                                 "`curate lock`")),
        (EntryNotFoundError, (f"{repo}@{revision} on {hub} has no file {file!r}; check "
                              "`files:` or the path, and that the file exists at that revision")),
        ((HfHubHTTPError, *_network_errors()), (
            f"cannot read {repo}@{revision} from {hub} ({endpoint.redact(_one_line(exc))}); "
            "check the network and HF_ENDPOINT, or build from the HF cache with "
            "HF_HUB_OFFLINE=1")),
    ]
    return next((message for kinds, message in explained if isinstance(exc, kinds)), None)
