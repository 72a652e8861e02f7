"""Where a push goes, resolved as every Hugging Face tool resolves it, before anything is sent.

An endpoint given by the caller, else HF_ENDPOINT (read when the push starts, so a notebook that
sets it after importing works), else huggingface_hub's own default (https://huggingface.co).
The local registry only when asked for (`--local`, `local=True` or a folder).

>>> push_target(local="/srv/registry")
LocalRegistry(folder=PosixPath('/srv/registry'))
>>> push_target("https://hub.example/").url
'https://hub.example'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from curate.errors import InputError
from curate.publish.names import Endpoint


@dataclass(frozen=True)
class LocalRegistry:
    """The local registry folder (git repositories in the Hub layout, curate.publish.registry)."""

    folder: Path

    @property
    def shown(self) -> str:
        return f"the local registry {self.folder}"


def push_target(endpoint: str | None = None,
                local: bool | str | Path = False) -> Endpoint | LocalRegistry:
    """The Hub endpoint or the local registry a push with these arguments goes to."""
    if local is True or (local and not isinstance(local, bool)):
        if endpoint:
            raise InputError(f"both an endpoint ({Endpoint(endpoint).shown}) and the local registry "
                             "were asked for; push to one of them: drop --endpoint or --local")
        from curate.publish.registry import default_registry

        return LocalRegistry(default_registry() if local is True else Path(local))
    from huggingface_hub import constants

    return Endpoint((endpoint or os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/"))


def check_can_send(endpoint: Endpoint, token: str | bool | None) -> None:
    """Refuse, in one line and before any request, a push the Hub would refuse for want of a
    token, or huggingface_hub for offline mode (it would surface as an interrupted upload)."""
    from huggingface_hub import get_token, is_offline_mode

    if is_offline_mode():
        raise InputError(f"HF_HUB_OFFLINE is set, so nothing can be sent to {endpoint.shown}; "
                         "unset it, or push to the local registry with --local")
    if token is None and not endpoint.has_password and get_token() is None:
        raise InputError(f"no Hugging Face token to push to {endpoint.shown}: set HF_TOKEN or run "
                         "`hf auth login` with a token that may write to the repo's org, or push "
                         "to the local registry with --local")
