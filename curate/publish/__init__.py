"""Publish built versions: to a Hugging Face Hub endpoint (HfApi) or to the local git registry.

A push goes where every Hugging Face tool goes: `endpoint=`, else HF_ENDPOINT, else
https://huggingface.co (huggingface_hub's default), with the usual token (HF_TOKEN or
`hf auth login`); `local=True` (or a folder) sends it to the local registry instead.

A version is immutable: pushing the same fingerprint under an existing tag is a no-op that says so;
another fingerprint under that tag is refused (VersionConflictError). Before anything is written,
the repo id is checked as the Hub checks it and every file the manifest lists against its sha256.

>>> from curate.publish import push_to_hub
>>> push_to_hub("no/such/v3", repo="my-org/safety-rm", local=True)
Traceback (most recent call last):
...
curate.errors.InputError: no/such/v3: no built version here (manifest.json missing); run `curate build` first or pass --from DIR
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from curate.publish.names import check_repo_id
from curate.publish.result import PushResult
from curate.publish.target import LocalRegistry, check_can_send, push_target
from curate.publish.version import card_naming, check_files, read_version, resolve_build_dir

__all__ = ["PushResult", "push_target", "push_to_hub", "read_version", "resolve_build_dir"]


def push_to_hub(build_dir: str | Path, *, repo: str, endpoint: str | None = None,
                local: bool | str | Path = False, token: str | None = None,
                private: bool | None = None, progress: bool = True) -> PushResult:
    """Publish the built version in `build_dir` as ORG/NAME@vN in one commit, then tag it.

    repo: ORG/NAME, checked as the Hub checks repo ids.
    endpoint: a Hub URL; default HF_ENDPOINT, else https://huggingface.co. The token comes from
        `token`, or HF_TOKEN, or `hf auth login`; it is never printed, nor is a password in the URL.
    local: True for the local registry ($CURATE_HOME/hub), or its folder; served read-only by a
        Hub mirror such as olah.
    private: visibility of a repo the push creates; None leaves it to the Hub (public on
        huggingface.co). An existing repo keeps its visibility.

    >>> push_to_hub("build/safety_rm/v3", repo="my-org/safety-rm")  # doctest: +SKIP
    push: pushed my-org/safety-rm@v3 to https://huggingface.co/datasets/my-org/safety-rm: commit ...
    >>> push_to_hub("build/safety_rm/v3", repo="my-org/safety-rm", local=True)  # doctest: +SKIP
    push: pushed my-org/safety-rm@v3 to the local registry /root/.cache/curate/hub: commit ...
    """
    check_repo_id(repo)
    target = push_target(endpoint, local)
    version = read_version(build_dir)
    if not isinstance(target, LocalRegistry):
        check_can_send(target, token)
    check_files(version)  # an edited shard would be published as the manifest's; refuse it
    console = Console(stderr=True, quiet=not progress)
    say = lambda message: console.print(f"[dim]push:[/] {escape(message)}", soft_wrap=True)  # noqa: E731
    with card_naming(version, repo) as published:  # its load snippet names the repo
        if isinstance(target, LocalRegistry):
            from curate.publish.registry import push_to_registry

            result = push_to_registry(published, repo=repo, registry=target.folder, say=say)
        else:
            from curate.publish.hub import push_to_endpoint

            result = push_to_endpoint(published, repo=repo, endpoint=target, token=token,
                                      private=private, say=say)
    say(result.describe())
    return result
