"""Progress on long work: a rich bar on a terminal, silent otherwise (CI logs stay readable)."""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn)


@contextmanager
def progress_bar(description: str, *, total: int | None = None,
                 enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """Yields `advance(n)`; shows records done (and of how many, when `total` is known)."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda n: None
        return
    columns = [SpinnerColumn(), TextColumn(description), MofNCompleteColumn() if total
               else TextColumn("{task.completed:,} records"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


class StageTimer:
    """Per stage of a long job: wall time, CPU time (user + system, all threads), minor page
    faults, and the peak RSS so far; printed to stderr when CURATE_TIMINGS is set. Faults
    matter: on VMs each costs microseconds of system time, paid page by page for fresh memory."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}
        self._current: tuple[str, tuple[float, float, int, int]] | None = None

    @staticmethod
    def _now() -> tuple[float, float, int, int]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return (time.perf_counter(), usage.ru_utime + usage.ru_stime, usage.ru_minflt,
                usage.ru_maxrss)

    def start(self, name: str) -> None:
        self.stop()
        self._current = (name, self._now())

    def stop(self) -> None:
        if self._current:
            name, before = self._current
            after = self._now()
            total = self.totals.setdefault(name, [0.0, 0.0, 0, 0])
            for i in range(3):
                total[i] += after[i] - before[i]
            total[3] = after[3]  # the process's peak RSS so far (KiB)
            self._current = None

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.start(name)
        try:
            yield
        finally:
            self.stop()

    def report(self) -> None:
        if os.environ.get("CURATE_TIMINGS"):
            for name, (wall, cpu, faults, peak) in self.totals.items():
                print(f"{name:<20} {wall:8.2f} s  cpu {cpu:7.2f} s  {faults:>10,} page faults"
                      f"  peak RSS {peak // 1024:,} MiB", file=sys.stderr)
