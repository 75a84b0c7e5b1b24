"""The simulated tablets' server-side calls, run the way the app runs them.

The app serves tablets from --workers backend processes, each running blocking service calls on its
asyncio.to_thread pool. Running all of them on one pool in the bench process instead put every call,
and the diners' own checkout pages, under one GIL: in the 100-tablet burst the bench process used 3.6
CPU-seconds, against 2.9 for the same burst with the calls in two processes (measured on this machine),
contention no deployment has. So the calls go to `workers` child processes with `threads` threads each,
a tablet always to the same one (a tablet's socket stays on one worker).

Each call returns (result, stamps): stamps are epoch times taken in the child, which shares this
machine's clock: when the PAID transaction's COMMIT returned, and when confirm returned.
"""

import itertools
import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor


class Busy(Exception):
    """OrderingBusy from the app, carried across the process boundary (its retry hint)."""

    def __init__(self, retry_after: float):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _child(requests, results, threads: int) -> None:
    from sqlalchemy import event as sa_event
    from sqlalchemy.orm import Session as SaSession

    from hiorder_app.services.events.outbox import PENDING_KEY
    from hiorder_app.services.ordering.overload import OrderingBusy
    from hiorder_app.services.payments import checkout as payments

    committed: dict[int, float] = {}

    # Inserted before the app's own after_commit listener, which publishes the event.
    @sa_event.listens_for(SaSession, "after_commit", insert=True)
    def _stamp(session) -> None:
        at = time.time()
        for event in session.info.get(PENDING_KEY) or ():
            if event["type"] == "OrderPaid":
                committed[event["payload"]["order_id"]] = at

    def start_checkout(principal, lines, success_url, fail_url):
        try:
            return payments.start_checkout(principal, lines, success_url, fail_url), {}
        except OrderingBusy as exc:
            raise Busy(exc.retry_after) from None

    def confirm(principal, payment_key, payment_ref, amount):
        outcome = payments.confirm(principal, payment_key, payment_ref, amount)
        returned = time.time()
        return outcome, {"confirmed": returned, "committed": committed.pop(outcome.order_id, None)}

    calls = {"start_checkout": start_checkout, "confirm": confirm}

    def run(call_id, name, args):
        try:
            results.put((call_id, True, calls[name](*args)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's future
            results.put((call_id, False, exc if isinstance(exc, Busy) else RuntimeError(f"{name}: {exc!r}")))

    pool = ThreadPoolExecutor(threads, thread_name_prefix="server")
    while (request := requests.get()) is not None:
        pool.submit(run, *request)
    pool.shutdown(wait=True)


class TabletServer:
    def __init__(self, workers: int, threads: int):
        """Starts the children; os.environ (DATABASE_URL, PAYMENT_API_BASE, ...) must be set already."""
        ctx = mp.get_context("spawn")
        self.workers, self.threads = workers, threads
        self._results = ctx.Queue()
        self._requests = [ctx.Queue() for _ in range(workers)]
        self._procs = [ctx.Process(target=_child, args=(q, self._results, threads), daemon=True, name=f"server-{i}")
                       for i, q in enumerate(self._requests)]
        for proc in self._procs:
            proc.start()
        self._ids = itertools.count()
        self._futures: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._collector = threading.Thread(target=self._collect, name="server-results", daemon=True)
        self._collector.start()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]

    def submit(self, tablet: int, name: str, *args) -> Future:
        future: Future = Future()
        call_id = next(self._ids)
        with self._lock:
            self._futures[call_id] = future
        self._requests[tablet % self.workers].put((call_id, name, args))
        return future

    def _collect(self) -> None:
        while (item := self._results.get()) is not None:
            call_id, ok, value = item
            with self._lock:
                future = self._futures.pop(call_id)
            future.set_result(value) if ok else future.set_exception(value)

    def close(self) -> None:
        for q in self._requests:
            q.put(None)
        for proc in self._procs:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
        self._results.put(None)
        self._collector.join(2)
        with self._lock:
            for future in self._futures.values():
                future.cancel()


def default_threads() -> int:
    """asyncio.to_thread's default pool size, as in each backend worker."""
    return min(32, (os.cpu_count() or 1) + 4)
