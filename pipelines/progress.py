"""Progress for long work: a live bar on a terminal, periodic log lines elsewhere (cron, CI, pipes)."""
from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator

log = logging.getLogger("tiekeeper")

LOG_EVERY_SECONDS = 10.0


@contextlib.contextmanager
def byte_progress(description: str, total_bytes: int, *, stream=None) -> Iterator[Callable[[int], None]]:
    """Yields `advance(nbytes)`. On a terminal: a bar with bytes, rate and ETA. Otherwise: a log
    line every LOG_EVERY_SECONDS with the same figures, so a scheduled run's log shows it is alive."""
    stream = stream or sys.stderr
    if stream.isatty():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                   TextColumn("ETA"), TimeRemainingColumn())
        with Progress(*columns, console=Console(file=stream), transient=True) as bar:
            task = bar.add_task(description, total=total_bytes)
            yield lambda nbytes: bar.advance(task, nbytes)
        return
    yield _LogLines(description, total_bytes).advance


class _LogLines:
    def __init__(self, description: str, total: int, amount: Callable[[float], str] = None):
        self.description, self.total, self.done = description, total, 0
        self.amount = amount or _size
        self.started = self.last = time.monotonic()

    def advance(self, nbytes: int) -> None:
        self.set(self.done + nbytes, self.total)

    def set(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total or self.total
        now = time.monotonic()
        if now - self.last < LOG_EVERY_SECONDS:
            return
        self.last = now
        rate = self.done / max(now - self.started, 1e-9)
        eta = (self.total - self.done) / rate if rate else float("inf")
        # slow work (a backtest's cuts) is told in seconds each: "0/s" says nothing
        pace = f"{self.amount(rate)}/s" if rate >= 1 or not rate else f"{1 / rate:.1f} s each"
        log.info("%s: %s of %s (%.0f%%), %s, about %.0f s left", self.description, self.amount(self.done),
                 self.amount(self.total), 100 * self.done / max(self.total, 1), pace, eta)


def _size(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if nbytes < 1000 or unit == "GB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1000
    raise AssertionError("unreachable")


@contextlib.contextmanager
def count_progress(description: str, noun: str, *, stream=None) -> Iterator[_Counts]:
    """Progress for API sources, counted in items: `update(done, total)` where the total is known
    (Gmail lists every id first), `advance(n)` where it is not. A bar on a terminal (count, rate,
    ETA), log lines every LOG_EVERY_SECONDS otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task) -> Text:
                return Text(f"{task.speed:,.0f}/s" if task.speed else "")

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
                   TextColumn("ETA"), TimeRemainingColumn())
        with Progress(*columns, console=Console(file=stream), transient=True) as bar:
            task = bar.add_task(f"{description} ({noun})", total=None)
            yield _Counts(lambda done, total: bar.update(task, completed=done, total=total))
        return
    lines = _LogLines(f"{description} ({noun})", 0, amount=lambda n: f"{n:,.0f}")
    yield _Counts(lambda done, total: lines.set(done, total))


class _Counts:
    def __init__(self, show: Callable[[int, int | None], None]):
        self.show, self.done = show, 0

    def update(self, done: int, total: int | None) -> None:
        self.done = done
        self.show(done, total)

    def advance(self, n: int) -> None:
        self.update(self.done + n, None)
