"""Per-process fan-out of live events to the browsers connected to this process.

Each backend process holds one hub. Events reach it once per process (from the one Redis
subscription, or straight from the committing code when there is no Redis); each open board or
tablet holds an asyncio queue here, fed by the hub, and nothing else. Duplicates (a relay that
republished an event the post-commit path already sent) are dropped by event id.
"""

import asyncio
import logging
import threading
from collections import OrderedDict

from ...domain.events import RESYNC

log = logging.getLogger(__name__)



class LiveHub:
    def __init__(self, remember: int = 10_000):
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: dict[int, set[asyncio.Queue]] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called once the web server's event loop runs; until then there is no one to deliver to."""
        self._loop = loop

    @property
    def bound(self) -> bool:
        return self._loop is not None and not self._loop.is_closed()

    def subscribe(self, store_id: int) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        with self._lock:
            self._queues.setdefault(store_id, set()).add(queue)
        return queue

    def unsubscribe(self, store_id: int, queue: asyncio.Queue) -> None:
        with self._lock:
            self._queues.get(store_id, set()).discard(queue)

    def listeners(self, store_id: int | None = None) -> int:
        with self._lock:
            if store_id is not None:
                return len(self._queues.get(store_id, ()))
            return sum(len(q) for q in self._queues.values())

    def deliver(self, event: dict) -> bool:
        """Hand one event to every listener of its store. Thread-safe. False if it was a duplicate."""
        with self._lock:
            event_id = event.get("id")
            if event_id:
                if event_id in self._seen:
                    return False
                self._seen[event_id] = None
                while len(self._seen) > self._remember:
                    self._seen.popitem(last=False)
        if self.bound:
            self._loop.call_soon_threadsafe(self._fan_out, event)
        return True

    def resync_all(self) -> None:
        with self._lock:
            stores = list(self._queues)
        for store_id in stores:
            self.deliver({"type": RESYNC, "store_id": store_id})

    def _fan_out(self, event: dict) -> None:
        with self._lock:
            queues = list(self._queues.get(event.get("store_id"), ()))
        for queue in queues:
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # A listener this far behind reloads from the read model instead.
                log.warning("live queue full; asking it to resync")
                queue.get_nowait()
                queue.put_nowait({"type": RESYNC, "store_id": event.get("store_id")})


hub = LiveHub()
