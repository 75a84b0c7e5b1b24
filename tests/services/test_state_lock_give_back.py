"""states/redis_lock.py against the real Redis (127.0.0.1:6379, HIORDER_TEST_REDIS_URL to change it):
a state lock taken for an event that is cancelled while the SET is on its way is given back at once,
instead of blocking that browser's next event until the lock expires.

The cancellation must land after Redis has set the lock and before its answer is read: the Redis
client here answers 300 ms late (the SET itself goes to the real server), as a busy event loop or
network does."""

import asyncio
import os
import uuid

import pytest
import redis.asyncio as aioredis
from reflex.istate.manager.redis import StateManagerRedis

from hiorder_app.states import redis_lock

REDIS_URL = os.environ.get("HIORDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class LateAnswers:
    """The real client, its SET's answer read 300 ms after Redis applied it."""

    def __init__(self, client):
        self._client = client

    async def set(self, *args, **kwargs):
        answer = await self._client.set(*args, **kwargs)
        await asyncio.sleep(0.3)
        return answer

    def __getattr__(self, name):
        return getattr(self._client, name)


async def _cancel_while_taking(client, lock_key: bytes) -> None:
    manager = StateManagerRedis(redis=LateAnswers(client))
    taking = asyncio.create_task(manager._try_get_lock(lock_key, b"event-1"))
    for _ in range(100):  # until Redis holds the lock: the SET reached it
        if await client.exists(lock_key):
            break
        await asyncio.sleep(0.01)
    assert await client.exists(lock_key), "the SET never reached Redis"
    taking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await taking


async def _scenario() -> tuple[bool, int]:
    client = aioredis.from_url(REDIS_URL)
    lock_key = f"hiorder-test-{uuid.uuid4()}_lock".encode()
    try:
        await _cancel_while_taking(client, lock_key)
        await asyncio.sleep(0.6)  # the answer has come by now
        return bool(await client.exists(lock_key)), await client.pttl(lock_key)
    finally:
        await client.delete(lock_key)
        await client.aclose()


def test_a_lock_taken_for_a_cancelled_event_is_given_back():
    redis_lock.install()
    still_locked, _ = asyncio.run(_scenario())
    assert not still_locked


def test_a_lock_taken_normally_is_kept_and_another_holders_lock_is_never_deleted():
    redis_lock.install()

    async def run():
        client = aioredis.from_url(REDIS_URL)
        mine, theirs = (f"hiorder-test-{uuid.uuid4()}_lock".encode() for _ in range(2))
        try:
            manager = StateManagerRedis(redis=client)
            assert await manager._try_get_lock(mine, b"event-1")
            assert await client.get(mine) == b"event-1"
            # Someone else holds `theirs`: a cancelled attempt at it takes nothing and deletes nothing.
            await client.set(theirs, b"someone-else", px=10_000)
            slow = StateManagerRedis(redis=LateAnswers(client))
            attempt = asyncio.create_task(slow._try_get_lock(theirs, b"event-2"))
            await asyncio.sleep(0.1)
            attempt.cancel()
            with pytest.raises(asyncio.CancelledError):
                await attempt
            await asyncio.sleep(0.5)
            assert await client.get(theirs) == b"someone-else"
        finally:
            await client.delete(mine, theirs)
            await client.aclose()

    asyncio.run(run())
