"""Load shedding for order placement: when too many placements are in flight, when they turn slow,
or when they keep failing, new ones are refused at once with a retry hint instead of piling up.

The breaker is purgatory's; slow successes count as failures, business refusals (DomainError) as
healthy answers. It closes by itself: after `order_breaker_reset_seconds` it half-opens and lets ONE
trial placement through (purgatory would let every caller through; a service that just recovered
should not get the whole queue at once); the others are told to retry in a second. A healthy trial
closes it, a failing or slow one opens it for another period.
"""

import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from purgatory import SyncCircuitBreakerFactory
from purgatory.domain.model import HALF_OPENED, OpenedState

from ...domain.errors import DomainError
from ...settings import get_settings

T = TypeVar("T")
CIRCUIT = "order-placement"


class OrderingBusy(DomainError):
    def __init__(self, retry_after: int):
        super().__init__("order.busy")
        self.retry_after = retry_after


class _SlowSuccess(Exception):
    """Reported to the breaker as the outcome of a slow call, so it counts as a failure."""

    def __init__(self):
        super().__init__("slow order placement")


class OverloadGuard:
    def __init__(self, failure_threshold: int, reset_seconds: int):
        self.reset_seconds = reset_seconds
        self._factory = SyncCircuitBreakerFactory(default_threshold=failure_threshold, default_ttl=reset_seconds,
                                                  exclude=[DomainError])
        self._lock = threading.Lock()
        # purgatory's in-memory state (the context and its shared message list) is not thread-safe and
        # placements run on many threads: its bookkeeping runs under this lock, never the placement itself.
        self._breaker_lock = threading.Lock()
        self.in_flight = 0
        self._trial_running = False  # guarded by _breaker_lock

    def run(self, fn: Callable[[], T]) -> T:
        settings = get_settings()
        with self._lock:
            if self.in_flight >= settings.order_max_in_flight:
                raise OrderingBusy(retry_after=3)
            self.in_flight += 1
        try:
            with self._breaker_lock:
                breaker = self._factory.get_breaker(CIRCUIT)
                try:
                    breaker.__enter__()
                except OpenedState as opened:
                    left = opened.opened_at + self.reset_seconds - time.time()
                    raise OrderingBusy(retry_after=max(1, round(left))) from None
                trial = breaker.context.state == HALF_OPENED
                if trial:
                    if self._trial_running:  # entering a half-open breaker changes nothing: no exit owed
                        raise OrderingBusy(retry_after=1)
                    self._trial_running = True
            try:
                started = time.monotonic()
                try:
                    result = fn()
                except BaseException as exc:
                    with self._breaker_lock:
                        breaker.__exit__(type(exc), exc, exc.__traceback__)
                    raise
                slow = _SlowSuccess() if (time.monotonic() - started) * 1000 > settings.order_slow_ms else None
                with self._breaker_lock:
                    breaker.__exit__(type(slow) if slow else None, slow, None)
                return result
            finally:
                if trial:
                    with self._breaker_lock:
                        self._trial_running = False
        finally:
            with self._lock:
                self.in_flight -= 1

    def is_open(self) -> bool:
        return self._factory.get_breaker(CIRCUIT).context.state == "opened"


@lru_cache
def ordering_guard() -> OverloadGuard:
    settings = get_settings()
    return OverloadGuard(settings.order_failure_threshold, settings.order_breaker_reset_seconds)
