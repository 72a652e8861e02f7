"""The Hub of the usual environment, read when the work starts (a notebook may set the
variables after importing curate): the endpoint as `curate push` resolves it (HF_ENDPOINT, else
huggingface.co), the HF cache (HF_HUB_CACHE, else HF_HOME/hub, else huggingface_hub's default),
and offline mode (HF_HUB_OFFLINE)."""

from __future__ import annotations

import os
from pathlib import Path

from curate.publish.names import Endpoint

_TRUE = ("1", "true", "yes", "on")


def hub_endpoint() -> Endpoint:
    from curate.publish.target import push_target

    return push_target()  # type: ignore[return-value]  # never the local registry here


def hub_cache() -> Path:
    from huggingface_hub import constants

    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    return Path(constants.HF_HUB_CACHE)


def hub_offline() -> bool:
    from huggingface_hub import constants

    value = os.environ.get("HF_HUB_OFFLINE")
    return value.strip().lower() in _TRUE if value is not None else bool(constants.HF_HUB_OFFLINE)
