"""The app logs when its event loop is blocked for more than 100 ms, and stays quiet when it is not."""

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from hiorder_app.lifespan import watch_event_loop_lag_forever

LOG = "hiorder_app.lifespan"


def _watch(blocker, seconds: float = 1.2) -> None:
    async def main():
        watcher = asyncio.create_task(watch_event_loop_lag_forever(interval=0.05, threshold=0.1))
        await asyncio.sleep(0.1)
        await blocker()
        await asyncio.sleep(seconds)
        watcher.cancel()

    with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever loop this thread may hold
        pool.submit(asyncio.run, main()).result()


def test_a_blocking_call_on_the_loop_is_logged_with_its_length(caplog):
    caplog.set_level(logging.WARNING, logger=LOG)

    async def block():
        time.sleep(0.35)  # noqa: ASYNC251  (the point: what a bcrypt hash or a query on the loop does)

    _watch(block, seconds=0.3)
    warnings = [r.getMessage() for r in caplog.records if r.name == LOG]
    assert len(warnings) == 1, warnings
    lag_ms = float(warnings[0].split("blocked for ")[1].split(" ms")[0])
    assert 250 <= lag_ms <= 600


def test_work_moved_to_a_thread_is_not(caplog):
    caplog.set_level(logging.WARNING, logger=LOG)

    async def in_thread():
        await asyncio.to_thread(time.sleep, 0.35)

    _watch(in_thread, seconds=0.3)
    assert not [r for r in caplog.records if r.name == LOG]
