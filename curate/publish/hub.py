"""Push a built version to a Hugging Face Hub endpoint with `huggingface_hub.HfApi`.

One commit holds the whole version (and deletes what the previous version had but this one has
not), then the tag vN points at it. The Hub applies a commit atomically, and the tag comes last,
so an interrupted push leaves no tag; running it again either re-uses the landed commit (the
client sees no change and makes none) or commits afresh, then tags. A push that loses a race (its
commit refused with 412 because main moved, or its tag with 409) looks again: when the winner
pushed the same build, it re-uses that commit or tag and reports "already published".
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from curate.errors import InputError, PublishError, VersionConflictError
from curate.publish.names import Endpoint
from curate.publish.result import PushResult, Say, check_same_build
from curate.publish.version import changed_file
from curate.version import MANIFEST, Manifest, Version, read_manifest

KEEP_ON_HUB = (".gitattributes",)  # created by the Hub with the repo; not part of a version
RACE_ATTEMPTS = 5  # each lost race means another push landed; five in a row is not a race


def _network_errors() -> tuple[type[BaseException], ...]:
    try:  # huggingface_hub 2.x speaks httpx2; 1.x spoke httpx
        import httpx2 as httpx
    except ImportError:  # pragma: no cover
        import httpx
    return (httpx.HTTPError, OSError)


def _one_line(exc: BaseException) -> str:
    """huggingface_hub's messages span lines; the CLI prints one."""
    return " ".join(str(exc).split())


def _published_manifest(api, repo: str, commit: str) -> Manifest | None:
    """The manifest.json at `commit`, or None when there is no readable one."""
    from huggingface_hub.errors import EntryNotFoundError

    with tempfile.TemporaryDirectory(prefix="curate-push-") as tmp:
        try:
            path = api.hf_hub_download(repo, MANIFEST, repo_type="dataset", revision=commit,
                                       cache_dir=tmp)
        except EntryNotFoundError:
            return None
        try:
            return read_manifest(Path(path).read_bytes(), where=f"{repo}@{commit}/{MANIFEST}")
        except InputError:  # a foreign manifest.json: not a curate version
            return None


def _won_by_the_same_build(api, repo: str, version: Version, head: str) -> str | None:
    """After a lost race, with the tag not there yet: `head` when the push that moved main to it
    committed this very build (it only remains to tag it); None when it committed another
    version. Another build for our tag is a conflict: committing on top of it would move main
    to a build its tag will never name."""
    manifest = _published_manifest(api, repo, head)
    if manifest is None or manifest.tag != version.tag:
        return None
    if manifest.fingerprint != version.fingerprint:
        raise VersionConflictError(
            f"{repo}@{version.tag} is being published by another push with fingerprint "
            f"{manifest.fingerprint} (commit {head[:12]}), and this build has fingerprint "
            f"{version.fingerprint}; versions never change: bump the recipe's version (e.g. "
            f"v{version.manifest.recipe.version + 1}) to publish the new build")
    return head


def _operations(api, repo: str, version: Version, head: str | None) -> list:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete
    from huggingface_hub.hf_api import RepoFile

    files, expected = version.published_files(), version.manifest.digests
    tree = api.list_repo_tree(repo, repo_type="dataset", revision=head, recursive=True) if head else []
    on_hub = [entry.path for entry in tree if isinstance(entry, RepoFile)]
    stale = sorted(p for p in on_hub if p not in files and p not in KEEP_ON_HUB)
    adds = [CommitOperationAdd(path_in_repo=rel, path_or_fileobj=str(local)) for rel, local in files.items()]
    for add in adds:  # the client hashes each file again here: what it uploads is what we checked
        actual = add.upload_info.sha256.hex()
        if add.path_in_repo in expected and actual != expected[add.path_in_repo]:
            raise changed_file(version, add.path_in_repo, expected=expected[add.path_in_repo],
                               actual=actual)
    return adds + [CommitOperationDelete(path_in_repo=p) for p in stale]


def _status(exc) -> int | None:
    return exc.response.status_code if exc.response is not None else None


def push_to_endpoint(version: Version, *, repo: str, endpoint: Endpoint, token: str | None,
                     private: bool | None, say: Say) -> PushResult:
    """Create the repo if needed (`private` None: the Hub's default visibility), commit the
    version in one commit, tag it; see the module doc."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=endpoint.url, token=token, library_name="curate")
    where = f"{repo}@{version.tag} to {endpoint.shown}"
    try:
        with endpoint.masking_logs():
            api.create_repo(repo, repo_type="dataset", private=private, exist_ok=True)
            for attempt in range(RACE_ATTEMPTS):  # the next attempt only follows a lost race
                result = _push_once(api, version, repo=repo, target=endpoint.shown, say=say,
                                    raced=attempt > 0)
                if result is not None:
                    return result
    except HfHubHTTPError as exc:
        hint = ("check that the token (HF_TOKEN or `hf auth login`) may write to it"
                if _status(exc) in (401, 403) else "run the same push again")
        if _status(exc) == 401 and endpoint.has_password:
            hint = "check the user and password in the endpoint URL (they are sent instead of the token)"
        raise _failed(endpoint, f"push of {where} failed: {_one_line(exc)}. Nothing was tagged; "
                      f"{hint}") from _cause(endpoint, exc)
    except ValueError as exc:  # huggingface_hub raises it when validate-yaml refuses the card
        raise _failed(endpoint, f"{endpoint.shown} refused {repo}@{version.tag}: {_one_line(exc)}. "
                      "Fix the card template (curate/cards/, or $CURATE_CARDS) and rebuild the version"
                      ) from _cause(endpoint, exc)
    except (RuntimeError, *_network_errors()) as exc:
        raise _failed(endpoint, f"push of {where} was interrupted ({exc!r}); nothing was tagged, "
                      "run the same push again") from _cause(endpoint, exc)
    raise PublishError(f"push of {where}: other pushes kept moving main during {RACE_ATTEMPTS} "
                       "attempts; nothing was tagged, run the same push again")


def _push_once(api, version: Version, *, repo: str, target: str, say: Say,
               raced: bool) -> PushResult | None:
    """One attempt; None when another push got in between (main moved, or the tag appeared)."""
    from huggingface_hub.errors import HfHubHTTPError

    tag, fingerprint = version.tag, version.fingerprint
    refs = api.list_repo_refs(repo, repo_type="dataset")
    tags = {ref.name: ref.target_commit for ref in refs.tags}
    if tag in tags:
        published = _published_manifest(api, repo, tags[tag])
        check_same_build(repo=repo, tag=tag, local=fingerprint,
                         published=published.fingerprint if published else None)
        return PushResult(repo, tag, tags[tag], fingerprint, "unchanged", target)
    head = next((ref.target_commit for ref in refs.branches if ref.name == "main"), None)
    commit = _won_by_the_same_build(api, repo, version, head) if raced and head else None
    if commit is None:
        operations = _operations(api, repo, version, head)
        say(f"uploading {len(version.published_files())} files to {repo} in one commit")
        try:
            commit = api.create_commit(
                repo, operations, repo_type="dataset", parent_commit=head,
                commit_message=f"{version.manifest.recipe.name} {tag}",
                commit_description=f"fingerprint {fingerprint}\ncurate {version.manifest.curate_version}").oid
        except HfHubHTTPError as exc:
            if _status(exc) == 412:  # main moved since we read it: maybe the same build, look again
                return None
            raise
    say(f"tagging {tag} at {commit[:12]}")
    try:
        api.create_tag(repo, tag=tag, revision=commit, repo_type="dataset",
                       tag_message=f"{version.manifest.recipe.name} {tag} fingerprint {fingerprint}")
    except HfHubHTTPError as exc:
        if _status(exc) == 409:  # another push tagged first: the next attempt reads what it holds
            return None
        raise
    return PushResult(repo, tag, commit, fingerprint, "pushed", target)


def _failed(endpoint: Endpoint, message: str) -> PublishError:
    return PublishError(endpoint.redact(message))


def _cause(endpoint: Endpoint, exc: BaseException) -> BaseException | None:
    """The error behind ours, kept for CURATE_DEBUG=1 unless its text may hold the password."""
    return None if endpoint.has_password else exc
