"""Workarounds for Reflex 0.10.1's Redis state manager, where an event cancelled while it takes a
browser's state lock makes that browser's next event wait up to the lock's whole expiry (10 s).

The lock is a `SET key id NX PX 10000`. Reflex cancels events on its own: a navigation, or a reconnect's
hydrate, cancels the previous page's unfinished on_load chain, background tasks included (a tablet's
`follow` takes the lock for every live update it shows). When the cancellation lands while the SET is on
its way, Redis has set the lock, but the cancelled task never learns it holds it, so nothing releases it:
that browser's next event (the new page's on_load, the payment return's hydrate) waits the whole 10 s
for the lock to expire. Measured with bench/tablets.py: navigations and payment returns of 10-13 s from
50 tablets on, locks whose owner had long gone held until their expiry.

Here the SET always runs to its end; when the task asking for it was cancelled meanwhile and the lock
was taken, it is given back at once (deleted only if it still holds this task's id), and the next waiter
in this process is woken, as Reflex does on a normal release (other processes see the key's deletion).

The same holds for the line of events of one process waiting for a lock: a release wakes only the
first of them, and one cancelled after its wake-up took that wake-up with it, so the next one in line
slept until its 10 s timeout before looking again. A waiter leaving the line without the lock now
passes the wake-up on (a spare one costs a waiter one more look at the lock).
"""

import asyncio
import logging

from reflex.istate.manager.redis import StateManagerRedis

log = logging.getLogger(__name__)

# Delete the lock only while it is still the one this task took.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_pending: set[asyncio.Task] = set()  # give-backs in flight, kept referenced until they finish


async def _give_back(manager: StateManagerRedis, attempt: asyncio.Future, lock_key: bytes, lock_id: bytes) -> None:
    try:
        if await attempt:
            await manager.redis.eval(_RELEASE, 1, lock_key, lock_id)
            manager._notify_next_waiter(lock_key)
    except Exception as exc:  # the lock then expires as it would have without this
        log.warning("could not give back a state lock taken by a cancelled event: %s", type(exc).__name__)


def install() -> None:
    original = StateManagerRedis._try_get_lock
    if getattr(original, "gives_back_on_cancel", False):
        return
    original_wait = StateManagerRedis._wait_lock

    async def _try_get_lock(self, lock_key: bytes, lock_id: bytes) -> bool | None:
        attempt = asyncio.ensure_future(original(self, lock_key, lock_id))
        try:
            return await asyncio.shield(attempt)
        except asyncio.CancelledError:
            task = asyncio.ensure_future(_give_back(self, attempt, lock_key, lock_id))
            _pending.add(task)
            task.add_done_callback(_pending.discard)
            raise

    async def _wait_lock(self, lock_key: bytes, lock_id: bytes) -> None:
        try:
            await original_wait(self, lock_key, lock_id)
        except BaseException:
            self._notify_next_waiter(lock_key)
            raise

    _try_get_lock.gives_back_on_cancel = True
    StateManagerRedis._try_get_lock = _try_get_lock
    StateManagerRedis._wait_lock = _wait_lock
