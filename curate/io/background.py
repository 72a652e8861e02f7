"""Run calls on background threads with a bounded backlog.

Pass 1 hands each batch's spill writes (a sort by bucket and an IPC write, both outside the
GIL) to one thread, so they overlap the checks of the next batch on the second core; pass 2
encodes finished shards on two.

>>> done = []
>>> with Background(limit=1) as background:
...     for i in range(3):
...         _ = background.submit(done.append, i)
>>> done
[0, 1, 2]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Background:
    """`workers` threads; at most `limit` calls wait or run, and `submit` blocks beyond that
    (bounding the memory their arguments hold). With one worker calls run in order. An error
    raised by a call re-raises from its future, at a later `submit`, or on leaving `with`."""

    def __init__(self, *, workers: int = 1, limit: int = 1) -> None:
        self.limit = limit
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="background")
        self._pending: deque[Future] = deque()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        while len(self._pending) >= self.limit:
            self._pending.popleft().result()
        future = self._executor.submit(fn, *args, **kwargs)
        self._pending.append(future)
        return future

    def close(self) -> None:
        """Stop without waiting for the result of calls not yet started (they are dropped)."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self.close()
