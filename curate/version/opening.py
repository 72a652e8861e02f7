"""Open a version wherever it lives: a build folder, the local registry, or a Hub endpoint.

A version is its manifest plus local paths of its files. From the local registry those paths
are the git-LFS objects the tag's pointers name (the pointer files themselves are not Parquet),
so nothing is exported or cached that could go stale. Rejects stay with the build and are never
published: a version from a registry or a Hub has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from curate.errors import InputError
from curate.io.git import git
from curate.version.layout import MANIFEST, REJECTS, is_published
from curate.version.manifest import Manifest, read_manifest
from curate.version.refs import BuiltRef, FolderRef, PublishedRef, parse_ref

_LFS_OID = re.compile(rb"^oid sha256:([0-9a-f]{64})$", re.M)


@dataclass(frozen=True)
class Version:
    """One built version: a label for people, its typed manifest, and its files on this machine.

    >>> import curate, tempfile
    >>> v = curate.build("sft_v1", out=tempfile.mkdtemp(), progress=False)  # doctest: +SKIP
    >>> v.tag, v.dataset["train"].num_rows == v.manifest.splits["train"]  # doctest: +SKIP
    ('v1', True)
    """

    label: str
    manifest: Manifest
    files: dict[str, Path] = field(repr=False)  # path in the version -> local file
    root: Path | None = None  # the folder, when the version is one (a build)
    unchanged: bool = False  # set by `curate.build` when the folder already held this build

    def __str__(self) -> str:
        return self.label

    @property
    def path(self) -> Path:
        """The version's folder; only builds (and Hub snapshots) have one."""
        if self.root is None:
            raise InputError(f"{self.label} is read from a registry's objects and has no folder; "
                             "use its files (Version.shards) or build it locally")
        return self.root

    @property
    def tag(self) -> str:
        return self.manifest.tag

    @property
    def fingerprint(self) -> str:
        return self.manifest.fingerprint

    @property
    def kind(self) -> str:
        return self.manifest.kind

    @property
    def rejects(self) -> Path | None:
        """rejects/records.parquet when the version carries it (local builds only)."""
        return self.files.get(REJECTS)

    def shards(self, split: str | None = None) -> list[tuple[str, Path]]:
        """(split, local file) of every data shard the manifest lists, in its order."""
        out = []
        for shard in self.manifest.outputs:
            if split is not None and shard.split != split:
                continue
            if shard.path not in self.files:
                raise InputError(f"{self.label}: {shard.path} is listed in its manifest but "
                                 "missing; the version is incomplete, rebuild or re-fetch it")
            out.append((shard.split, self.files[shard.path]))
        return out

    def split_files(self, split: str) -> list[Path]:
        return [path for _, path in self.shards(split)]

    @cached_property
    def dataset(self):
        """The version as a `datasets.DatasetDict`, one split per split of the manifest."""
        import datasets

        files: dict[str, list[str]] = {}
        for split, path in self.shards():
            files.setdefault(split, []).append(str(path))
        return datasets.load_dataset("parquet", data_files=files)

    def published_files(self) -> dict[str, Path]:
        """path in the repo -> local file: what a push uploads (data/**, the manifest, the card
        and its images; never rejects/ or hidden files)."""
        return {rel: path for rel, path in sorted(self.files.items()) if is_published(rel)}

    def push_to_hub(self, repo: str, **kwargs: Any):
        """Publish this version as `repo`@vN: to HF_ENDPOINT's Hub (default huggingface.co), or
        `endpoint=URL`, or the local registry with `local=True`; see curate.publish.push_to_hub.

        >>> version.push_to_hub("my-org/safety-rm", local=True)  # doctest: +SKIP
        """
        from curate.publish import push_to_hub

        return push_to_hub(self.path, repo=repo, **kwargs)


def from_folder(folder: str | Path, *, label: str | None = None,
                manifest: Manifest | None = None) -> Version:
    """The version in `folder`; `manifest` stands in for manifest.json (a build describing
    itself before it writes one)."""
    folder = Path(folder)
    if manifest is None:
        path = folder / MANIFEST
        if not path.is_file():
            raise InputError(f"{folder}: no built version here ({MANIFEST} missing); run "
                             "`curate build` first, or pass a version's folder")
        manifest = read_manifest(path.read_bytes(), where=str(path))
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}
    return Version(label or str(folder), manifest, files, root=folder)


def open_version(ref: str | Path | Version, *, out: str | Path = "build",
                 registry: str | Path | None = None, endpoint: str | None = None,
                 token: str | None = None) -> Version:
    """Open `ref`: a build folder, NAME_vN (under `out`), or ORG/NAME@vN / ORG/NAME@<commit>
    (from `endpoint`, a Hub URL, when given; else the local registry, $CURATE_HOME/hub by
    default).

    >>> open_version("no_such_v9", out="/nonexistent")
    Traceback (most recent call last):
    ...
    curate.errors.InputError: no_such_v9: no built version at /nonexistent/no_such/v9 (manifest.json missing); build it with `curate build no_such_v9 --out /nonexistent`, or pass the version's folder
    """
    if isinstance(ref, Version):
        return ref
    parsed = parse_ref(ref, out=out)
    if isinstance(parsed, FolderRef):
        return from_folder(parsed.folder)
    if isinstance(parsed, BuiltRef):
        if not (parsed.folder / MANIFEST).is_file():
            raise InputError(f"{ref}: no built version at {parsed.folder} ({MANIFEST} missing); "
                             f"build it with `curate build {ref} --out {out}`, or pass the "
                             "version's folder")
        return from_folder(parsed.folder, label=str(ref))
    if endpoint:
        return _from_hub(parsed, endpoint=endpoint, token=token)
    from curate.publish.registry import default_registry

    return _from_registry(parsed, Path(registry) if registry else default_registry())


def _from_registry(ref: PublishedRef, registry: Path) -> Version:
    """A tag (or commit) of the local registry; its shards are LFS objects in .git/lfs."""
    label = f"{ref.repo}@{ref.revision}"
    repo_dir = registry / "datasets" / ref.repo
    if not (repo_dir / ".git").is_dir():
        raise InputError(f"{label}: no such dataset in the registry {registry}; push it first "
                         "(`curate push --local`), set CURATE_HOME or pass --registry DIR, or give "
                         "a Hub endpoint")
    fix = "compare build folders instead"
    commit = git(repo_dir, "rev-parse", "-q", "--verify", f"{ref.revision}^{{commit}}",
                 check=False, fix=fix).decode().strip()
    if not commit:
        tags = git(repo_dir, "tag", "--list", fix=fix).decode().split()
        raise InputError(f"{label}: no tag or commit {ref.revision} in {repo_dir} (tags: "
                         f"{', '.join(tags) or 'none'}); pick one of them")
    show = lambda rel: git(repo_dir, "show", f"{commit}:{rel}", fix=fix)  # noqa: E731
    manifest = read_manifest(show(MANIFEST), where=f"{label}/{MANIFEST}")
    objects = repo_dir / ".git" / "lfs" / "objects"
    files = {}
    for shard in manifest.outputs:
        oid = _LFS_OID.search(show(shard.path))
        if oid is None:
            raise InputError(f"{label}: {shard.path} is not a git-LFS pointer, so the registry "
                             "was not written by `curate push`; push the version again")
        local = objects / oid[1][:2].decode() / oid[1][2:4].decode() / oid[1].decode()
        if not local.is_file():
            raise InputError(f"{label}: {shard.path} points at LFS object {oid[1].decode()}, "
                             f"missing from {objects}; push the version again")
        files[shard.path] = local
    return Version(label, manifest, files)


def _from_hub(ref: PublishedRef, *, endpoint: str, token: str | None) -> Version:
    """A tag or commit on a Hub endpoint: manifest.json and data/ into the HF cache."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError

    from curate.publish.names import Endpoint

    label = f"{ref.repo}@{ref.revision}"
    try:
        folder = snapshot_download(ref.repo, repo_type="dataset", revision=ref.revision,
                                   endpoint=endpoint, token=token,
                                   allow_patterns=[MANIFEST, "data/*"])
    except (HfHubHTTPError, OSError) as exc:
        shown = Endpoint(endpoint)  # a password in the URL is never printed
        raise InputError(f"{label} on {shown.shown}: {shown.redact(str(exc).splitlines()[0])}; "
                         "check the name, the revision and the token (HF_TOKEN)") from exc
    return from_folder(folder, label=label)
