"""The local registry: one git repository per dataset at DIR/datasets/ORG/NAME, in the Hub layout.

Each version is one commit on `main` whose tree is exactly the version (plus .gitattributes), and a
tag vN. Parquet shards and images are stored as git-lfs pointers with their bytes under
.git/lfs/objects, as on the Hub, so a read-only Hub mirror (olah, mirrors-path = DIR) serves them
to `load_dataset` unchanged. Objects are written first (unreferenced until the end); then one git
ref transaction moves `main` and creates the tag together, so a failed push leaves neither.
Pushes to one repository take turns (a lock file under DIR/.locks): the second of two identical
concurrent pushes finds the tag and reports "already published".
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from curate.home import curate_home
from curate.io.git import git
from curate.errors import InputError, PublishError
from curate.publish.names import check_repo_id
from curate.publish.result import PushResult, Say, check_same_build
from curate.publish.version import changed_file
from curate.version import MANIFEST, Version, read_manifest

LFS_SUFFIXES = (".parquet", ".png")
GITATTRIBUTES = "".join(f"*{s} filter=lfs diff=lfs merge=lfs -text\n" for s in LFS_SUFFIXES)
LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"
ZERO_OID = "0" * 40
# Fixed identity: a registry commit records a build, not whoever ran the push.
GIT_ENV = {"GIT_AUTHOR_NAME": "curate", "GIT_AUTHOR_EMAIL": "curate@localhost",
           "GIT_COMMITTER_NAME": "curate", "GIT_COMMITTER_EMAIL": "curate@localhost"}
LOCK_WAIT_S = 600  # a push of a GB-sized version copies its shards while holding the lock


def default_registry() -> Path:
    """$CURATE_HOME/hub, CURATE_HOME defaulting to ~/.cache/curate."""
    return curate_home() / "hub"


def _git(repo_dir: Path, *args: str, stdin: str | None = None, env: dict | None = None,
         check: bool = True) -> str:
    return git(repo_dir, *args, stdin=stdin, env={**GIT_ENV, **(env or {})}, check=check,
               error=PublishError, fix="nothing was tagged, fix the cause and run the same push "
               "again").decode().strip()


def _store_lfs_object(repo_dir: Path, local: Path) -> tuple[str, int]:
    """Copy `local` into .git/lfs/objects, hashing the bytes as they are copied (content-addressed,
    atomic rename): the object's sha256 and size."""
    objects = repo_dir / ".git" / "lfs" / "objects"
    objects.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with local.open("rb") as f, tempfile.NamedTemporaryFile(dir=objects, prefix=".incoming-",
                                                             delete=False) as out:
        try:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
                size += len(block)
        except BaseException:
            os.unlink(out.name)
            raise
    oid = digest.hexdigest()
    target = objects / oid[:2] / oid[2:4] / oid
    if target.exists():  # the same bytes, stored by an earlier version
        os.unlink(out.name)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(out.name, target)
    return oid, size


def _write_tree(repo_dir: Path, version: Version) -> str:
    """Hash every file of the version into the object store; the id of the resulting tree."""
    expected = version.manifest.digests
    with tempfile.TemporaryDirectory(prefix="curate-registry-") as tmp:
        staged = {".gitattributes": Path(tmp) / ".gitattributes"}
        staged[".gitattributes"].write_text(GITATTRIBUTES)
        for i, (rel, local) in enumerate(version.published_files().items()):
            if rel.endswith(LFS_SUFFIXES):
                oid, size = _store_lfs_object(repo_dir, local)
                if rel in expected and oid != expected[rel]:  # changed since check_files read it
                    raise changed_file(version, rel, expected=expected[rel], actual=oid)
                pointer = Path(tmp) / f"pointer-{i}"
                pointer.write_text(LFS_POINTER.format(oid=oid, size=size))
                local = pointer
            staged[rel] = local
        paths = list(staged)
        blobs = _git(repo_dir, "hash-object", "-w", "--stdin-paths",
                     stdin="\n".join(str(staged[p]) for p in paths) + "\n").split("\n")
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}  # never touches the repo's own index
        _git(repo_dir, "update-index", "--add", "--index-info", env=index,
             stdin="".join(f"100644 {blob}\t{path}\n" for blob, path in zip(blobs, paths)))
        return _git(repo_dir, "write-tree", env=index)


def _ref(repo_dir: Path, ref: str) -> str | None:
    out = _git(repo_dir, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}", check=False)
    return out or None


def _published_fingerprint(repo_dir: Path, commit: str) -> str | None:
    data = git(repo_dir, "show", f"{commit}:{MANIFEST}", check=False)
    try:
        return read_manifest(data, where=f"{repo_dir}@{commit}").fingerprint if data else None
    except InputError:
        return None


def repo_folder(registry: Path, repo: str) -> Path:
    """DIR/datasets/ORG/NAME for a valid id, checked to stay under DIR/datasets once resolved."""
    org, name = check_repo_id(repo).split("/")
    root = (Path(registry) / "datasets").resolve()
    repo_dir = (root / org / name).resolve()
    if repo_dir.parent.parent != root:  # e.g. DIR/datasets/ORG is a link to elsewhere
        raise InputError(f"--repo {repo!r}: its registry folder resolves to {repo_dir}, outside "
                         f"{root}; remove the link or push to another registry folder")
    return repo_dir


@contextmanager
def _locked(registry: Path, repo: str, say: Say) -> Iterator[None]:
    """Hold the repository's lock (flock: released by the OS if the push dies)."""
    locks = Path(registry) / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{repo.replace('/', '--')}.lock", "a") as lock:  # "--" is in no repo id
        deadline, waiting = time.monotonic() + LOCK_WAIT_S, False
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting:
                    say(f"waiting for another push to {repo} to finish")
                    waiting = True
                if time.monotonic() > deadline:
                    raise PublishError(f"another push to {repo} in {registry} held its lock for "
                                       f"{LOCK_WAIT_S} s; nothing was written, run the same push "
                                       "again once it is done") from None
                time.sleep(0.05)
        yield


def push_to_registry(version: Version, *, repo: str, registry: Path, say: Say) -> PushResult:
    """Commit the version to DIR/datasets/ORG/NAME and tag it vN; see the module doc."""
    repo_dir = repo_folder(registry, repo)
    with _locked(registry, repo, say):
        if not (repo_dir / ".git").is_dir():
            repo_dir.mkdir(parents=True, exist_ok=True)
            _git(repo_dir, "init", "-q", "-b", "main")
        tag, fingerprint = version.tag, version.fingerprint
        tagged = _ref(repo_dir, f"refs/tags/{tag}")
        if tagged is not None:
            check_same_build(repo=repo, tag=tag, local=fingerprint,
                             published=_published_fingerprint(repo_dir, tagged))
            return PushResult(repo, tag, tagged, fingerprint, "unchanged", str(registry), local=True)
        say(f"writing {len(version.published_files())} files to {repo_dir}")
        tree = _write_tree(repo_dir, version)
        parent = _ref(repo_dir, "refs/heads/main")
        message = (f"{version.manifest.recipe.name} {tag}\n\nfingerprint {fingerprint}\n"
                   f"curate {version.manifest.curate_version}\n")
        commit = _git(repo_dir, "commit-tree", tree, *(["-p", parent] if parent else []), "-m", message)
        # One transaction: main moves (only from the parent we built on) and the tag appears, or neither.
        _git(repo_dir, "update-ref", "--stdin", stdin=(
            f"start\nupdate refs/heads/main {commit} {parent or ZERO_OID}\n"
            f"create refs/tags/{tag} {commit}\nprepare\ncommit\n"))
    return PushResult(repo, tag, commit, fingerprint, "pushed", str(registry), local=True)
