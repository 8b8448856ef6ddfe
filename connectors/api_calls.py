"""What every API connector (Google's and Microsoft Graph's) does the same way: pacing calls to a
quota, backing off, and sending the failed parts of a batch again in the next batch.

Nothing here knows an API: `RateLimiter` counts abstract units, `backoff_delay` is the schedule both
Google and Microsoft ask for (exponential, with jitter, never shorter than the server's
Retry-After), and `retry_in_batches` drives any batch endpoint through a `send(chunk)` function.
"""
from __future__ import annotations

import collections
import heapq
import itertools
import random
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar

RETRY_TRIES = 8  # delays of about 1, 2, 4 ... 64 s: some 2 minutes before giving up
MAX_DELAY = 64.0

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class RateLimiter:
    """A token bucket in quota units: `acquire(units)` returns once the call may be made.

    Tokens accrue at `units_per_second` (Gmail: 250 units/s is its 15,000 units per user per
    minute) up to `burst` (default: one second's worth), starting empty so the first second is not
    a burst on top of the previous run. A request larger than the bucket waits for its whole cost.
    """

    def __init__(self, units_per_second: float, *, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        if units_per_second <= 0:
            raise ValueError("units_per_second must be positive")
        self.rate = float(units_per_second)
        self.burst = float(burst if burst is not None else units_per_second)
        self._clock = clock
        self._sleep = sleep
        self._tokens = 0.0
        self._last = clock()

    def acquire(self, units: float) -> None:
        """Waits (sleeps) until `units` of quota are available, and takes them."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate) - units
        self._last = now
        if self._tokens < 0:
            wait = -self._tokens / self.rate
            self._sleep(wait)
            self._tokens = 0.0
            self._last = now + wait


def backoff_delay(attempt: int, *, retry_after: float | None = None,
                  jitter: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt` (0-based): 2**attempt plus up to a second of
    jitter, capped at `MAX_DELAY`; never less than the server's Retry-After."""
    delay = min(MAX_DELAY, 2.0 ** attempt + jitter())
    return max(delay, retry_after) if retry_after else delay


def with_backoff(call: Callable[[], T], *, retry_after: Callable[[BaseException], float | None | bool],
                 sleep: Callable[[float], None] = time.sleep, tries: int | None = None,
                 jitter: Callable[[], float] = random.random) -> T:
    """`call()`, retried with `backoff_delay` while `retry_after(error)` says to: False for an error
    not worth another try (raised as it is), else the server's Retry-After in seconds or None. After
    `tries` attempts the last error is raised."""
    tries = tries or RETRY_TRIES
    for attempt in range(tries):
        try:
            return call()
        except Exception as error:  # `retry_after` decides; anything else is raised
            told = retry_after(error)
            if told is False or attempt == tries - 1:
                raise
            sleep(backoff_delay(attempt, retry_after=None if told is True else told, jitter=jitter))
    raise AssertionError("unreachable")


class Retry(NamedTuple):
    """A batch part that failed in a way worth another try (429, 5xx, a dropped part)."""

    error: BaseException  # raised as it is once the part has failed `tries` times
    retry_after: float | None = None  # the server's Retry-After, seconds


def retry_in_batches(work: Iterable[K], send: Callable[[list[K]], dict[K, Any]], *, batch_size: int,
                     sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                     tries: int | None = None, jitter: Callable[[], float] = random.random) -> Iterator[tuple[K, Any]]:
    """Yields `(key, answer)` for every key of `work`, sending them `batch_size` at a time.

    `send(chunk)` makes one batch request and returns each key's answer, or a `Retry` for a part
    that failed transiently. Failed parts go into a later batch instead of being retried one by one,
    and none of them holds up the others: a part that failed once goes into the very next batch (the
    batches are paced like any other request), one that failed again waits out its own backoff
    (`backoff_delay`) while the batches go on with other work. The whole run pauses only when the
    server says so (Retry-After), or when most of a batch failed, which says the server is
    struggling rather than unlucky (longer with each such batch in a row), or when nothing is left
    but parts waiting. A part that failed `tries` times raises its error.

    `work` is read lazily, between batches: when it is a `collections.deque`, keys appended to it
    while the answers are consumed (the next page of a listing, say) are sent in a later batch.
    Answers come in the order they arrive, not in the order of `work`.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    tries = tries or RETRY_TRIES
    source = work if isinstance(work, collections.deque) else iter(work)
    failures: collections.Counter = collections.Counter()
    waiting: list[tuple[float, int, K]] = []  # failed parts: (when they may go again, order, key)
    order = itertools.count()
    struggling = 0  # batches in a row most of whose parts failed
    while True:
        now = clock()
        chunk = [heapq.heappop(waiting)[2] for _ in range(batch_size) if waiting and waiting[0][0] <= now]
        while len(chunk) < batch_size:
            key = _next(source)
            if key is _DONE:
                break
            chunk.append(key)
        if not chunk:
            if not waiting:
                return
            ready = waiting[0][0]
            sleep(max(0.0, ready - now))
            chunk = [heapq.heappop(waiting)[2] for _ in range(batch_size) if waiting and waiting[0][0] <= ready]
        answers = send(chunk)
        failed: list[tuple[K, Retry]] = []
        for key in chunk:
            answer = answers[key]
            if isinstance(answer, Retry):
                failures[key] += 1
                if failures[key] >= tries:
                    raise answer.error
                failed.append((key, answer))
            else:
                failures.pop(key, None)
                yield key, answer
        struggling = struggling + 1 if 2 * len(failed) > len(chunk) else 0
        told = max((answer.retry_after or 0.0 for _, answer in failed), default=0.0)
        if told or struggling:
            sleep(backoff_delay(max(struggling - 1, 0), retry_after=told or None, jitter=jitter))
        now = clock()
        for key, _ in failed:
            delay = 0.0 if failures[key] == 1 else backoff_delay(failures[key] - 2, jitter=jitter)
            heapq.heappush(waiting, (now + delay, next(order), key))


_DONE = object()


def _next(source) -> Any:
    if isinstance(source, collections.deque):
        return source.popleft() if source else _DONE
    return next(source, _DONE)
