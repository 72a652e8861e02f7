"""Calling Ray for a build: importing it (only when asked), and gathering tasks' results, a
task's own error raised as itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from curate.errors import CurateError, InputError

TASK_RETRIES = 3  # a task whose worker or node died runs again, up to this many times


def import_ray():
    try:
        import ray
    except ImportError as exc:
        raise InputError('--engine ray needs Ray: pip install "curate[ray]"') from exc
    return ray


def completed(ray, refs: list[Any]) -> Iterator[tuple[int, Any]]:
    """(position, value) of each of `refs` as its task finishes; a task's own error
    (CurateError: bad input) is raised as itself. Values are not kept here: a shard's bytes
    are written and dropped one at a time."""
    at = {ref: i for i, ref in enumerate(refs)}
    pending = list(refs)
    refs.clear()  # the caller's list lets go: each object is freed once its value is used
    try:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                yield at.pop(ref), get(ray, ref)
    except BaseException:  # on a cluster the build does not own, stop its other tasks too
        for ref in pending:
            ray.cancel(ref)
        raise


def get(ray, ref: Any) -> Any:
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, Exception):  # bad input says so (exit 2); a bug is reported
            raise cause from None  # as the local engine reports it (exit 1)
        raise CurateError(f"a Ray task of the build failed: {exc}") from exc
    except ray.exceptions.RayError as exc:  # retries spent: a node lost for good, ...
        raise CurateError(f"the build could not finish on Ray ({type(exc).__name__}: {exc}); "
                          "nothing was written; check the cluster and build again") from exc
