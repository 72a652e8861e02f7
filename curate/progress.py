"""Progress on long work: a rich bar on a terminal, one plain line per stage elsewhere.

`Stages` shows each stage of a job while it runs (records done, of how many when known, the
rate, the time) and ends it with one line on stderr, e.g.
`curate build: read 46,338 records from 7 sources in 3.1 s (15,000/s)`. A CI log or a notebook
gets only those lines; `enabled=False` (the Python API's quiet mode) prints nothing.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                           SpinnerColumn, Task, TextColumn, TimeElapsedColumn)
from rich.text import Text

from curate.console import print_note


class Stage:
    """The stage running: `advance(n)` as records are done; set `summary` (what was done, e.g.
    "read 46,338 records from 7 sources") before it ends, for its line."""

    def __init__(self, progress: Progress | None = None, task: int | None = None) -> None:
        self.n_done = 0
        self.summary = ""
        self._progress, self._task = progress, task

    def advance(self, n: int) -> None:
        self.n_done += n  # per batch or bucket, never per row: the build's speed stays
        if self._progress is not None:
            self._progress.advance(self._task, n)


class Stages:
    """The stages of one job (`job` starts each line); each is timed by `timer` too."""

    def __init__(self, job: str, *, enabled: bool = True, timer: StageTimer | None = None):
        self.job, self.enabled, self.timer = job, enabled, timer or StageTimer()

    @contextmanager
    def stage(self, name: str, doing: str, *, total: int | None = None,
              counted: bool = True) -> Iterator[Stage]:
        """`name` for CURATE_TIMINGS, `doing` for the bar ("reading 7 sources"), `total` the
        records expected, when known; `counted=False` for a stage that has no records to count."""
        self.timer.start(name)
        started = time.perf_counter()
        console = Console(stderr=True)
        shown = self.enabled and console.is_terminal
        with _bar(console, doing, total, counted=counted, shown=shown) as stage:
            yield stage
        seconds = time.perf_counter() - started
        self.timer.stop()
        if self.enabled and stage.summary:
            print_note(f"{self.job}: {stage.summary} in {seconds:.1f} s"
                       + (f" ({stage.n_done / seconds:,.0f}/s)" if stage.n_done and seconds else ""))


@contextmanager
def _bar(console: Console, doing: str, total: int | None, *, counted: bool,
         shown: bool) -> Iterator[Stage]:
    if not shown:
        yield Stage()
        return
    counts = ([BarColumn(), MofNCompleteColumn(), _Rate()] if total else
              [TextColumn("{task.completed:,} records"), _Rate()] if counted else [])
    columns = [SpinnerColumn(), TextColumn("{task.description}"), *counts, TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        yield Stage(progress, progress.add_task(doing, total=total))


class _Rate(ProgressColumn):
    """Records per second, as the stage's line gives it."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")


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
