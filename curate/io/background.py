"""Run calls on one background thread, in order, with a bounded backlog.

Pass 1 hands each batch's spill writes (a partition and an IPC write, both outside the GIL) to
this thread, so they overlap the checks of the next batch on the second core.

>>> done = []
>>> with Background(limit=1) as background:
...     for i in range(3):
...         background.submit(done.append, i)
>>> done
[0, 1, 2]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Background:
    """At most `limit` calls wait or run; `submit` blocks beyond that. An error raised by a
    call re-raises in the caller at a later `submit` or on leaving the `with` block."""

    def __init__(self, *, limit: int = 1) -> None:
        self.limit = limit
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
        self._pending: deque[Future] = deque()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        while len(self._pending) >= self.limit:
            self._pending.popleft().result()
        self._pending.append(self._executor.submit(fn, *args, **kwargs))

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._executor.shutdown(wait=True, cancel_futures=True)
