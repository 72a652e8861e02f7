"""Resolving Hub refs to local files: each repo@revision to one commit (the lock's when the
recipe has one), the files that match, downloaded into the HF cache with progress.

>>> resolver = HubResolver(progress=False)  # endpoint, cache and offline mode: the environment's
>>> files = resolver.files(HubRef("org/name", "v1.0", ("data/*.jsonl",)),
...                        where="demo")  # doctest: +SKIP
>>> files[0].path, files[0].commit  # doctest: +SKIP
('data/train.jsonl', '4a1c...')
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from curate.console import print_note
from curate.errors import InputError
from curate.hub.env import hub_cache, hub_endpoint, hub_offline
from curate.hub.listing import (Listing, RemoteFile, head_commit, hub_errors, list_cached,
                                list_online, remember_ref)
from curate.hub.refs import HubRef, hf_path, is_commit, match_files
from curate.io.digest import sha256_file
from curate.progress import Stages
from curate.recipe.lock import Lock, lock_path


@dataclass(frozen=True)
class HubFile:
    """One downloaded file: where it lies in the cache, and what the manifest records of it."""

    local: Path
    repo: str
    revision: str  # as requested
    commit: str  # what it resolved to
    path: str  # in the repo
    size: int
    sha256: str

    @property
    def shown(self) -> str:
        return hf_path(self.repo, self.commit, self.path)


def _pinned(ref: HubRef, commit: str) -> str:
    """`ref` as an hf:// path at one commit (a path names at most one file, folder or glob)."""
    return hf_path(ref.repo, commit, ref.patterns[0] if ref.patterns else "").rstrip("/")


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


class _Quiet(tqdm):
    """huggingface_hub's per-file bars off: curate shows one stage line for the downloads."""

    def __init__(self, *args, **kwargs):
        kwargs["disable"] = True
        super().__init__(*args, **kwargs)


class HubResolver:
    """Resolves refs for one job: each repo@revision once, its notes printed once on stderr
    (never in the manifest: they depend on when and where the job runs), downloads counted in
    one stage line per repo.

    `recipe`: the recipe whose sources these are (its `lock`, when it has one, pins them), or
    None for a job that reads an hf:// path as given; such a job records the commit a branch
    was read at in the HF cache (as huggingface_hub does), so the same path reads offline."""

    def __init__(self, *, lock: Lock | None = None, progress: bool = True,
                 job: str = "curate build", recipe: Path | None = None) -> None:
        self.endpoint, self.cache, self.offline = hub_endpoint(), hub_cache(), hub_offline()
        self.lock, self.recipe = lock, recipe
        self.lock_name = lock_path(recipe).name if recipe else "the lock file"
        self.stages = Stages(job, enabled=progress)
        self._listings: dict[tuple[str, str], Listing] = {}

    def listing(self, ref: HubRef, *, where: str) -> Listing:
        """`ref`'s repo at its revision: the lock's commit when it has one, else what it is
        now (offline: what the HF cache last saw)."""
        key = (ref.repo, ref.rev)
        if key not in self._listings:
            self._listings[key] = listing = self._resolve(ref, where=where)
            for note in listing.notes:
                print_note(f"curate: {note}")
        return self._listings[key]

    def _resolve(self, ref: HubRef, *, where: str) -> Listing:
        repo, revision = ref.repo, ref.rev
        locked = self.lock.find(repo, revision) if self.lock else None
        if self.offline:
            if locked is None:
                return self._cached(ref, where=where)
            files = {p: RemoteFile(f.bytes, f.sha256) for p, f in locked.files.items()}
            return Listing(repo, revision, locked.commit, files)
        if locked is None:
            return list_online(self.endpoint, repo, revision, where=where)
        listing = list_online(self.endpoint, repo, locked.commit, where=where)
        listing.revision = revision  # as asked for: the manifest records both
        now = head_commit(self.endpoint, repo, revision, where=where)
        if now != locked.commit:
            listing.notes.append(
                f"{where}: {repo}@{revision} moved since {self.lock_name} (locked "
                f"{locked.commit[:12]}, now {now[:12]}); building from the locked commit; "
                "run `curate lock` on the recipe to move to the new one")
        return listing

    def _cached(self, ref: HubRef, *, where: str) -> Listing:
        """Offline, without a lock entry: the commit the HF cache last saw the revision at.
        A recipe is pinned by its lock; a path by a commit in it."""
        if self.recipe is not None:
            fix = ("run `curate lock` on the recipe and build once online (offline builds read "
                   "the locked commits), or unset HF_HUB_OFFLINE")
        else:
            fix = (f"run it once online to fill the HF cache, or name a commit the cache holds "
                   f"in the path ({_pinned(ref, 'COMMIT')}), or unset HF_HUB_OFFLINE")
        listing = list_cached(self.cache, ref.repo, ref.rev, where=where, fix=fix)
        if self.recipe is not None:
            listing.notes.append(
                f"{where}: HF_HUB_OFFLINE is set and there is no lock entry for {ref.shown}: "
                f"reading the files of commit {listing.commit[:12]} found in the HF cache; "
                "`curate lock` the recipe (online) to pin its file list")
        elif not is_commit(ref.rev):
            listing.notes.append(
                f"{where}: HF_HUB_OFFLINE is set: reading commit {listing.commit[:12]}, where "
                f"the HF cache last saw {ref.shown}; to keep reading it, name it in the path: "
                f"{_pinned(ref, listing.commit)}")
        return listing

    def matched(self, ref: HubRef, *, where: str) -> tuple[Listing, list[str]]:
        """The listing of `ref`'s repo@revision and the repo paths `ref` takes from it."""
        listing = self.listing(ref, where=where)
        paths = match_files(sorted(listing.files), ref.patterns)
        if not paths:
            data = match_files(sorted(listing.files), None)
            there = f"{', '.join(data[:8]) or 'none'}{' ...' if len(data) > 8 else ''}"
            at = f"{ref.repo}@{ref.rev} (commit {listing.commit[:12]})"
            if ref.patterns and not any(map(glob.has_magic, ref.patterns)):
                raise InputError(f"{where}: {at} has no file or folder "
                                 f"{', '.join(ref.patterns)} at that revision; its data files: "
                                 f"{there}; fix the path, or name a revision that has it")
            raise InputError(f"{where}: no file of {at} matches {ref.wanted()}; its data files: "
                             f"{there}; fix `files:` (globs inside the repo, e.g. data/*.jsonl)")
        return listing, paths

    def files(self, ref: HubRef, *, where: str) -> list[HubFile]:
        """The files `ref` names, in the HF cache (downloaded when they are not), verified."""
        listing, paths = self.matched(ref, where=where)
        out = []
        with self.stages.stage("download", f"getting {len(paths)} files of {listing.repo}@"
                               f"{listing.commit[:12]}", counted=False) as stage:
            n_fetched = n_bytes = 0
            for path in paths:
                local, fetched = self._fetch(listing, path, where=where)
                out.append(self._checked(listing, path, local, where=where))
                n_fetched += fetched
                n_bytes += out[-1].size if fetched else 0
            at, n_cached = f"{listing.repo}@{listing.commit[:12]}", len(paths) - n_fetched
            stage.summary = f"found {_files(n_cached)} of {at} in the HF cache"
            if n_fetched:
                stage.summary = (f"downloaded {_files(n_fetched)} ({n_bytes / 1e6:,.1f} MB) of "
                                 f"{at}" + (f", {n_cached} in the HF cache" if n_cached else ""))
        if self.recipe is None and not self.offline:
            remember_ref(self.cache, listing.repo, listing.revision, listing.commit)
        return out

    def _fetch(self, listing: Listing, path: str, *, where: str) -> tuple[Path, bool]:
        """The file's path in the cache, and whether it had to be downloaded."""
        from huggingface_hub import hf_hub_download, try_to_load_from_cache

        cached = try_to_load_from_cache(listing.repo, path, cache_dir=self.cache,
                                        revision=listing.commit, repo_type="dataset")
        if isinstance(cached, str):
            return Path(cached), False
        if self.offline:
            raise InputError(f"{where}: HF_HUB_OFFLINE is set and {path} of {listing.repo}@"
                             f"{listing.commit[:12]} is not in the HF cache ({self.cache}); "
                             "build once online to download it, or unset HF_HUB_OFFLINE")
        with hub_errors(self.endpoint, listing.repo, listing.commit, where=where, file=path):
            local = hf_hub_download(listing.repo, path, repo_type="dataset",
                                    revision=listing.commit, cache_dir=self.cache,
                                    endpoint=self.endpoint.url, tqdm_class=_Quiet)
        return Path(local), True

    def _checked(self, listing: Listing, path: str, local: Path, *, where: str) -> HubFile:
        """The file as read from the cache; a size or sha256 other than the Hub's (or the
        lock's) means a corrupt or tampered cache: an InputError, not a silent build."""
        expected = listing.files.get(path, RemoteFile(None))
        size, digest = local.stat().st_size, sha256_file(local)
        if (expected.size is not None and size != expected.size) or (
                expected.sha256 is not None and digest != expected.sha256):
            raise InputError(f"{where}: {local} ({path} of {listing.repo}@{listing.commit[:12]})"
                             f" is not the file the Hub lists ({size:,} bytes, sha256 "
                             f"{digest[:12]}, expected {expected.size} bytes, sha256 "
                             f"{(expected.sha256 or '?')[:12]}); delete it from the HF cache "
                             "and build again")
        return HubFile(local, listing.repo, listing.revision, listing.commit, path, size, digest)
