"""Publish built versions: to a Hub endpoint (HfApi) or to the local git registry (the default).

A version is immutable: pushing the same fingerprint under an existing tag is a no-op that says so;
another fingerprint under that tag is refused (VersionConflictError). Before anything is written,
the repo id is checked as the Hub checks it and every file the manifest lists against its sha256.

>>> from curate.publish import push_to_hub
>>> push_to_hub("no/such/v3", repo="my-org/safety-rm")
Traceback (most recent call last):
...
curate.errors.InputError: no/such/v3: no built version here (manifest.json missing); run `curate build` first or pass --from DIR
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from curate.publish.names import Endpoint, check_repo_id
from curate.publish.result import PushResult
from curate.publish.version import check_files, read_version, resolve_build_dir

__all__ = ["PushResult", "push_to_hub", "read_version", "resolve_build_dir"]


def push_to_hub(build_dir: str | Path, *, repo: str, endpoint: str | None = None,
                token: str | None = None, private: bool = True, registry: str | Path | None = None,
                progress: bool = True) -> PushResult:
    """Publish the built version in `build_dir` as ORG/NAME@vN in one commit, then tag it.

    repo: ORG/NAME, checked as the Hub checks repo ids.
    endpoint: a Hub URL (e.g. https://huggingface.co); the token then comes from `token`, or HF_TOKEN,
        or `hf auth login`, and is never printed, nor is a password in the URL. Without an endpoint
        the version goes to the local registry `registry` (default $CURATE_HOME/hub), served
        read-only by a Hub mirror such as olah.
    private: new Hub repos are private unless False (an existing repo keeps its visibility).
    """
    check_repo_id(repo)
    version = read_version(build_dir)
    check_files(version)  # an edited shard would be published as the manifest's; refuse it
    console = Console(stderr=True, quiet=not progress)
    say = lambda message: console.print(f"[dim]push:[/] {message}")  # noqa: E731
    if endpoint is not None:
        from curate.publish.hub import push_to_endpoint

        result = push_to_endpoint(version, repo=repo, endpoint=Endpoint(endpoint.rstrip("/")),
                                  token=token, private=private, say=say)
    else:
        from curate.publish.registry import default_registry, push_to_registry

        result = push_to_registry(version, repo=repo, say=say,
                                  registry=Path(registry) if registry else default_registry())
    say(result.describe())
    return result
