"""Live event delivery end to end: outbox -> post-commit publish / relay -> Redis -> per-process hub.

Against the real PostgreSQL (and SQLite where the backend does not matter) and the real Redis on
127.0.0.1:6379 (HIORDER_TEST_REDIS_URL to change it). That Redis is shared with other people's test
runs, so this file never stops or flushes it:
  * "Redis down" is an unreachable REDIS_URL (a port nobody listens on, or a socket that never
    answers), "Redis returns" is switching REDIS_URL back;
  * the sub-test that needs a live subscriber's connection to drop uses its own throwaway
    `redis-server --save ""` on a free port, which it kills and restarts;
  * every store here gets a random, large id, so the channel `hiorder:store:<id>` is ours alone and
    our events never reach another run's boards (test databases all start their ids at 1);
  * assertions only count event ids this test wrote.

The per-process hub is tested on a LiveHub of our own (event_bus.hub patched to it), its asyncio
loop running in a worker thread: pytest-playwright may already run a loop in the main thread.
"""

import asyncio
import json
import os
import queue
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import select

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.models import Order, OutboxEvent
from hiorder_app.services.db import get_engine, session_scope
from hiorder_app.services.events import bus as event_bus
from hiorder_app.services.events.bus import channel, relay_once
from hiorder_app.services.events.live_hub import RESYNC, LiveHub
from hiorder_app.services.ordering import table_sessions
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.principal import Principal
from hiorder_app.services.read_models import order_views
from hiorder_app.services.read_models import staff_calls as calls
from hiorder_app.services.read_models.board_feed import Board, board_from, fold
from hiorder_app.settings import get_settings
from tests.conftest import PROJECT_ROOT, _free_port
from tests.services.conftest import build_store

REAL_REDIS_URL = os.environ.get("HIORDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_ONLY = pytest.mark.parametrize("db", ["postgresql"], indirect=True)


# --- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_redis() -> str:
    client = redis.Redis.from_url(REAL_REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        # A failure, not a skip: these tests are the proof that events survive Redis, and .ci/run starts it.
        pytest.fail(f"Redis not reachable at {REAL_REDIS_URL}: {exc}")
    finally:
        client.close()
    return REAL_REDIS_URL


@pytest.fixture
def set_redis_url():
    """set_redis_url(url or None) points get_settings().redis_url there; restored after the test.
    Starts unset (one process, in-memory delivery)."""
    before = os.environ.get("REDIS_URL")

    def set_(url: str | None) -> None:
        if url is None:
            os.environ.pop("REDIS_URL", None)
        else:
            os.environ["REDIS_URL"] = url
        get_settings.cache_clear()

    set_(None)
    yield set_
    set_(before)


def reserve_store_id(db) -> int:
    """Make the next store created in `db` get a random large id (so a channel of its own)."""
    store_id = random.randint(10**8, 2 * 10**9)
    if db.is_postgres:
        db.scalar("SELECT setval(pg_get_serial_sequence('store', 'id'), :v)", v=store_id - 1)
    else:  # SQLite hands out max(id) + 1: a placeholder row just below
        db.execute("INSERT INTO store (id, code, name_ko, name_en, created_at) "
                   "VALUES (:id, :code, 'pad', 'pad', CURRENT_TIMESTAMP)",
                   id=store_id - 1, code=f"pad-{store_id}")
    return store_id


@pytest.fixture
def store(db):
    """Overrides the services `store`: the same store, with an id (so a channel) of its own."""
    store_id = reserve_store_id(db)
    made = build_store()
    assert made.id == store_id
    return made


def admin_of(store) -> Principal:
    return Principal(account_id=store.admin_id, store_id=store.id, role="ADMIN", username=store.admin_username)


def order(store, table: int = 1) -> int:
    """Table `table` places an order (OrderPlaced); returns its id."""
    return place_order(store.table_principal(table), [(store.items["main"], 2), (store.items["drink"], 1)]).id


def move(order_id: int, status: OrderStatus) -> None:
    """One step of the status machine in its own transaction, as the services take it."""
    with session_scope() as s:
        transition(s, lock_order(s, id=order_id), status, reason="test")


def pay(order_id: int) -> None:
    move(order_id, OrderStatus.PAID)


def outbox(order_id: int | None = None) -> list[OutboxEvent]:
    with session_scope() as s:
        rows = s.exec(select(OutboxEvent).order_by(OutboxEvent.created_at)).all()
    return [r for r in rows if order_id is None or json.loads(r.payload).get("order_id") == order_id]


def event_id(order_id: int, event_type: str) -> str:
    (row,) = [r for r in outbox(order_id) if r.type == event_type]
    return row.id


def sentinel(url: str, store_id: int) -> str:
    """Publish a marker on the store's channel. Redis delivers one channel's messages in the order it
    took them, so once a subscriber has the marker, it has everything published before it."""
    marker = f"sentinel-{uuid.uuid4()}"
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        assert client.publish(channel(store_id), json.dumps({"id": marker, "type": "Sentinel",
                                                             "store_id": store_id, "payload": {}})) >= 1
    finally:
        client.close()
    return marker


class ChannelListener:
    """A plain redis-py subscriber on one store's channel, read from the test thread."""

    def __init__(self, url: str, store_id: int):
        self.url, self.store_id = url, store_id
        self.client = redis.Redis.from_url(url, socket_timeout=5)
        self.pubsub = self.client.pubsub()
        self.pubsub.subscribe(channel(store_id))
        confirmed = self.pubsub.get_message(timeout=5)  # subscribed before anything is published
        assert confirmed and confirmed["type"] == "subscribe", confirmed
        self.received: list[tuple[float, dict]] = []

    def until(self, predicate, timeout: float = 5.0) -> dict:
        """Read until a message matches; everything read is kept in `received`."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            msg = self.pubsub.get_message(ignore_subscribe_messages=True, timeout=min(left, 0.5))
            if msg and msg["type"] == "message":
                event = json.loads(msg["data"])
                self.received.append((time.monotonic(), event))
                if predicate(event):
                    return event
        pytest.fail(f"no matching message on {channel(self.store_id)} within {timeout} s; got {self.ids()}")

    def flush(self) -> None:
        """Read everything published so far (up to a marker we publish now)."""
        marker = sentinel(self.url, self.store_id)
        self.until(lambda e: e["id"] == marker)

    def ids(self) -> list[str]:
        return [e["id"] for _, e in self.received if not e["id"].startswith("sentinel-")]

    def close(self) -> None:
        self.pubsub.close()
        self.client.close()


@pytest.fixture
def listen():
    made: list[ChannelListener] = []

    def make(url: str, store_id: int) -> ChannelListener:
        made.append(ChannelListener(url, store_id))
        return made[-1]

    yield make
    for listener in made:
        listener.close()


class LoopThread:
    """An asyncio event loop running in a worker thread; run(coro) executes a coroutine on it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="hub-loop", daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 5.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


async def _drain(q: asyncio.Queue) -> list[dict]:
    """Everything in the queue now. Deliveries are scheduled with call_soon_threadsafe, as this
    coroutine is, so any deliver() that returned before run() was called has been fanned out."""
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    return out


@pytest.fixture
def live_hub(monkeypatch):
    """A fresh LiveHub bound to a loop in a worker thread, used by the post-commit publisher and
    the relay (event_bus.hub) when REDIS_URL is unset. Yields (hub, loop)."""
    loop = LoopThread()
    hub = LiveHub()
    hub.bind(loop.loop)
    monkeypatch.setattr(event_bus, "hub", hub)
    yield hub, loop
    loop.close()


def unreachable_redis_url(kind: str):
    """A Redis URL that does not work: `refused` (nothing listens: connection refused at once) or
    `silent` (a socket that accepts connections and never answers: only timeouts end the wait)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    if kind == "silent":
        sock.listen(128)
        port = sock.getsockname()[1]
        return f"redis://127.0.0.1:{port}/0", sock
    port = sock.getsockname()[1]
    sock.close()
    return f"redis://127.0.0.1:{port}/0", None


# --- 1. published right after commit -------------------------------------------------------------


def test_order_events_are_published_to_redis_right_after_commit(db, store, real_redis, set_redis_url, listen):
    set_redis_url(real_redis)
    listener = listen(real_redis, store.id)

    order_id = order(store, table=3)
    placed_returned = time.monotonic()
    # The post-commit hook has already published and marked the row by the time the call returns.
    (placed,) = outbox(order_id)
    assert placed.type == "OrderPlaced" and placed.published_at is not None and placed.attempts == 0
    got = listener.until(lambda e: e["id"] == placed.id, timeout=1.0)
    assert got["type"] == "OrderPlaced" and got["store_id"] == store.id
    assert listener.received[-1][0] - placed_returned < 1.0

    pay(order_id)
    paid_returned = time.monotonic()
    paid_row = [r for r in outbox(order_id) if r.type == "OrderPaid"][0]
    assert paid_row.published_at is not None and paid_row.attempts == 0
    got = listener.until(lambda e: e["id"] == paid_row.id, timeout=1.0)
    assert listener.received[-1][0] - paid_returned < 1.0

    p = got["payload"]
    assert got["type"] == "OrderPaid" and got["store_id"] == store.id
    assert p["order_id"] == order_id and p["table_number"] == 3 and p["status"] == "PAID"
    assert p["total"] == 2 * store.prices["main"] + store.prices["drink"] == 20000
    assert [(ln["menu_item_id"], ln["name_en"], ln["unit_price"], ln["quantity"]) for ln in p["lines"]] == [
        (store.items["main"], "Kimchi stew", 9000, 2), (store.items["drink"], "Cola", 2000, 1)]
    assert p["paid_at"] is not None and p["table_id"] == store.tables[3]

    listener.flush()
    assert listener.ids() == [placed.id, paid_row.id]  # in order, once each
    assert relay_once(min_age_seconds=0) == 0  # nothing left for the relay


def test_a_rolled_back_change_leaves_no_event_and_publishes_nothing(db, store, real_redis, set_redis_url, listen):
    set_redis_url(real_redis)
    order_id = order(store)
    listener = listen(real_redis, store.id)
    with pytest.raises(RuntimeError), session_scope() as s:
        transition(s, lock_order(s, id=order_id), OrderStatus.PAID)
        raise RuntimeError("the request failed after the transition")
    listener.flush()
    assert listener.ids() == []
    assert [r.type for r in outbox(order_id)] == ["OrderPlaced"]
    assert order_views.table_orders(store.table_principal(1))[0].status == "PENDING_PAYMENT"


# --- 2. Redis down: ordering goes on, the relay delivers later, exactly once ----------------------


@pytest.mark.parametrize(("db", "outage"), [
    pytest.param("postgresql", "refused", marks=pytest.mark.postgres),
    ("sqlite", "refused"),
    pytest.param("postgresql", "silent", marks=pytest.mark.postgres),  # the slow variant: one backend
], indirect=["db"])
def test_orders_go_on_while_redis_is_down_and_the_relay_publishes_each_event_once(
        db, store, real_redis, set_redis_url, listen, outage):
    dead_url, held_socket = unreachable_redis_url(outage)
    set_redis_url(dead_url)
    orders, took = [], []

    def place_and_pay_three() -> None:
        for table in (1, 2, 3):
            for step in ("place", "pay"):
                started = time.monotonic()
                if step == "place":
                    orders.append(order(store, table))
                else:
                    pay(orders[-1])
                took.append(time.monotonic() - started)

    # In a thread with a deadline: were the timeouts gone, this would fail instead of hanging.
    with ThreadPoolExecutor(1) as pool:
        try:
            pool.submit(place_and_pay_three).result(timeout=15)
        finally:
            if held_socket is not None:
                held_socket.close()  # also releases a call stuck on it
    slowest = max(took)
    # Short socket timeouts: a dead Redis costs a request at most about half a second.
    assert slowest < 1.0, f"a call took {slowest:.2f} s with Redis {outage}"

    # Every order is stored, paid and projected; none of its events has left.
    with session_scope() as s:
        statuses = {o.id: o.status for o in s.exec(select(Order)).all()}
    assert statuses == {order_id: OrderStatus.PAID for order_id in orders}
    assert {o.id for o in order_views.board_orders(admin_of(store))} == set(orders)
    rows = outbox()
    assert len(rows) == 6 and all(r.published_at is None for r in rows)

    # Redis returns; two workers' relays run at once: each event leaves exactly once.
    set_redis_url(real_redis)
    listener = listen(real_redis, store.id)
    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(lambda _: relay_once(min_age_seconds=0), range(2)))
    assert sum(sent) == 6  # SKIP LOCKED: the rows are split between them (usually 6 + 0), never shared
    listener.flush()
    expected = {r.id: r.type for r in rows}
    assert Counter(listener.ids()) == Counter(set(expected))  # each id once, nothing else
    by_id = {e["id"]: e for _, e in listener.received}
    assert {(by_id[i]["type"], by_id[i]["payload"]["order_id"]) for i in expected} == {
        (kind, order_id) for order_id in orders for kind in ("OrderPlaced", "OrderPaid")}
    assert all(r.published_at is not None and r.attempts == 1 for r in outbox())

    # A second relay finds nothing to send.
    assert relay_once(min_age_seconds=0) == 0
    listener.flush()
    assert len(listener.ids()) == 6


# --- 3. the hub drops repeats ---------------------------------------------------------------------


def test_hub_delivers_each_event_once_even_when_the_relay_repeats_it(db, store, set_redis_url, live_hub):
    hub, loop = live_hub
    board, other_board = hub.subscribe(store.id), hub.subscribe(store.id)
    elsewhere = hub.subscribe(store.id + 1)

    order_id = order(store)
    pay(order_id)  # post-commit: straight into the hub (no REDIS_URL)
    paid_id = event_id(order_id, "OrderPaid")
    assert all(r.published_at is not None for r in outbox())

    # Forced repeat: the row looks unpublished again, so the relay sends it a second time.
    db.execute("UPDATE outbox_event SET published_at = NULL WHERE id = :id", id=paid_id)
    assert relay_once(min_age_seconds=0) == 1
    assert hub.deliver({"id": paid_id, "type": "OrderPaid", "store_id": store.id, "payload": {}}) is False

    for q in (board, other_board):
        got = loop.run(_drain(q))
        assert [(e["type"], e["id"]) for e in got] == [("OrderPlaced", event_id(order_id, "OrderPlaced")),
                                                       ("OrderPaid", paid_id)]
    assert loop.run(_drain(elsewhere)) == []

    # Resync has no id and is never dropped; it goes to every store that has listeners.
    hub.resync_all()
    hub.resync_all()
    assert [e["type"] for e in loop.run(_drain(board))] == [RESYNC, RESYNC]
    assert [e["type"] for e in loop.run(_drain(elsewhere))] == [RESYNC, RESYNC]


def test_hub_unit_dedupe_memory_and_unsubscribe():
    loop = LoopThread()
    try:
        hub = LiveHub(remember=2)
        assert not hub.bound
        hub.bind(loop.loop)
        q = loop.run(_subscribe(hub, 7))
        event = {"id": "e1", "type": "OrderPaid", "store_id": 7}
        assert hub.deliver(event) is True
        assert hub.deliver(dict(event)) is False
        assert [e["id"] for e in loop.run(_drain(q))] == ["e1"]
        # Only the last `remember` ids are kept.
        hub.deliver({"id": "e2", "store_id": 7})
        hub.deliver({"id": "e3", "store_id": 7})
        assert hub.deliver(event) is True
        assert [e["id"] for e in loop.run(_drain(q))] == ["e2", "e3", "e1"]
        hub.unsubscribe(7, q)
        assert hub.listeners(7) == 0
        hub.deliver({"id": "e4", "store_id": 7})
        assert loop.run(_drain(q)) == []
    finally:
        loop.close()
    assert not hub.bound  # its loop closed


async def _subscribe(hub: LiveHub, store_id: int) -> asyncio.Queue:
    return hub.subscribe(store_id)


# --- 4. two workers: B's one Redis subscription feeds its hub -------------------------------------

WORKER_B = r"""
import asyncio, json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
from hiorder_app.lifespan import deliver_live_events_forever
from hiorder_app.services.events.live_hub import hub

async def main(store_id):
    queue = hub.subscribe(store_id)  # before the feed starts, so its first Resync (= subscribed) reaches us
    feed = asyncio.create_task(deliver_live_events_forever())
    while True:
        event = await queue.get()
        print(json.dumps(event, ensure_ascii=False), flush=True)

asyncio.run(main(int(sys.argv[1])))
"""


class WorkerB:
    """Another backend process: deliver_live_events_forever() plus one board's queue, printing
    what reaches the queue as JSON lines."""

    def __init__(self, store_id: int, redis_url: str, log_path):
        env = {**os.environ, "REDIS_URL": redis_url, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1"}
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-c", WORKER_B, str(store_id)], cwd=PROJECT_ROOT,
                                         env=env, stdout=subprocess.PIPE, stderr=log, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[tuple[float, dict]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put((time.monotonic(), json.loads(line)))
        self.lines.put(None)

    def until(self, predicate, timeout: float) -> tuple[float, dict]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if item is None:
                pytest.fail(f"worker B exited ({self.proc.poll()}):\n{self.log()}")
            self.seen.append(item)
            if predicate(item[1]):
                return item
        pytest.fail(f"worker B printed nothing matching within {timeout} s; printed {self.types()}\n{self.log()}")

    def count(self, event_id_: str) -> int:
        return sum(1 for _, e in self.seen if e.get("id") == event_id_)

    def types(self) -> list[str]:
        return [e["type"] for _, e in self.seen]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


@pytest.fixture
def start_worker_b(tmp_path):
    workers: list[WorkerB] = []

    def start(store_id: int, redis_url: str) -> WorkerB:
        workers.append(WorkerB(store_id, redis_url, tmp_path / f"worker-b-{len(workers)}.log"))
        return workers[-1]

    yield start
    for worker in workers:
        worker.stop()


class ThrowawayRedis:
    """Our own redis-server on a free port, no persistence, which a test may kill and restart."""

    def __init__(self, log_path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no"], stdout=log, stderr=log)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    pass
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server on {self.port} did not start:\n{self.log_path.read_text()}")
                time.sleep(0.05)
        finally:
            client.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def throwaway_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (Debian package redis-server)")
    server = ThrowawayRedis(tmp_path / "redis-server.log")
    server.start()
    yield server
    server.kill()


@POSTGRES_ONLY
def test_worker_b_gets_the_order_paid_by_worker_a_once(db, real_redis, set_redis_url, start_worker_b):
    store_id = reserve_store_id(db)
    worker_b = start_worker_b(store_id, real_redis)  # it imports while we set the store up
    store = build_store()
    assert store.id == store_id
    set_redis_url(real_redis)
    worker_b.until(lambda e: e["type"] == RESYNC, timeout=20)  # subscribed

    order_id = order(store, table=2)
    pay(order_id)
    paid_at_a = time.monotonic()
    paid_id = event_id(order_id, "OrderPaid")
    received_at, event = worker_b.until(lambda e: e.get("id") == paid_id, timeout=1.0)
    assert received_at - paid_at_a < 1.0
    assert event["type"] == "OrderPaid" and event["payload"]["order_id"] == order_id
    assert event["payload"]["table_number"] == 2 and event["payload"]["status"] == "PAID"

    # The relay sends it again (forced): B's hub drops the repeat.
    db.execute("UPDATE outbox_event SET published_at = NULL WHERE id = :id", id=paid_id)
    assert relay_once(min_age_seconds=0) == 1
    marker = sentinel(real_redis, store.id)
    worker_b.until(lambda e: e.get("id") == marker, timeout=2)
    assert worker_b.count(paid_id) == 1
    assert worker_b.count(event_id(order_id, "OrderPlaced")) == 1


@POSTGRES_ONLY
def test_worker_b_resubscribes_after_its_redis_connection_drops(
        db, set_redis_url, start_worker_b, throwaway_redis):
    store_id = reserve_store_id(db)
    worker_b = start_worker_b(store_id, throwaway_redis.url)
    store = build_store()
    set_redis_url(throwaway_redis.url)
    worker_b.until(lambda e: e["type"] == RESYNC, timeout=20)

    before = order(store, table=1)
    pay(before)
    worker_b.until(lambda e: e.get("id") == event_id(before, "OrderPaid"), timeout=1.0)

    # Redis crashes: B loses its subscription; A's orders go on, their events wait in the outbox.
    throwaway_redis.kill()
    started = time.monotonic()
    during = order(store, table=2)
    pay(during)
    assert time.monotonic() - started < 2.0
    rows = outbox(during)
    assert [r.type for r in rows] == ["OrderPlaced", "OrderPaid"] and all(r.published_at is None for r in rows)
    with session_scope() as s:
        assert s.get(Order, during).status == OrderStatus.PAID

    # Redis is back on the same port: B reconnects (backoff) and asks its boards to reload...
    throwaway_redis.start()
    resync_at, _ = worker_b.until(lambda e: e["type"] == RESYNC, timeout=10)
    # ...then the relay delivers what was missed, once.
    assert relay_once(min_age_seconds=0) == 2
    paid_id = event_id(during, "OrderPaid")
    got_at, event = worker_b.until(lambda e: e.get("id") == paid_id, timeout=1.0)
    assert resync_at <= got_at and event["payload"]["order_id"] == during
    marker = sentinel(throwaway_redis.url, store.id)
    worker_b.until(lambda e: e.get("id") == marker, timeout=2)
    assert worker_b.count(paid_id) == 1
    assert worker_b.count(event_id(before, "OrderPaid")) == 1
    assert worker_b.types().count(RESYNC) == 2
    assert "live event subscription lost" in worker_b.log()


# --- 5. the read model ----------------------------------------------------------------------------

WRITE_TABLES = re.compile(r"\b(orders|order_line|dining_table|table_session|payment|menu_item|outbox_event)\b")


@contextmanager
def statements():
    """The SQL the block sends to the app's engine."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_):
        sent.append(statement)

    engine = get_engine()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def views(store, table: int = 1) -> tuple[dict[int, str], dict[int, str]]:
    """(tablet of `table`, board) as {order id: status}, read the way the UI reads them."""
    with statements() as sent:
        tablet = {o.id: o.status for o in order_views.table_orders(store.table_principal(table))}
        board = {o.id: o.status for o in order_views.board_orders(admin_of(store))}
    queries = [sql for sql in sent if not sql.startswith("BEGIN")]  # SQLite's BEGIN IMMEDIATE
    assert queries and all("order_view" in sql and not WRITE_TABLES.search(sql) for sql in queries), queries
    return tablet, board


def clear_table(store, table: int) -> None:
    with session_scope() as s:
        table_sessions.close_table_session(s, table_sessions.lock_table(s, store.tables[table]))


def test_tablet_and_board_follow_each_step_from_the_read_model_alone(db, store, set_redis_url):
    first = order(store, table=1)
    assert views(store) == ({first: "PENDING_PAYMENT"}, {})  # not paid: not the store's business yet

    pay(first)
    assert views(store) == ({first: "PAID"}, {first: "PAID"})

    move(first, OrderStatus.ACCEPTED)
    second = order(store, table=1)
    assert views(store) == ({second: "PENDING_PAYMENT", first: "ACCEPTED"}, {first: "ACCEPTED"})

    move(first, OrderStatus.SERVED)
    move(second, OrderStatus.EXPIRED)
    assert views(store) == ({second: "EXPIRED", first: "SERVED"}, {})

    third = order(store, table=2)
    pay(third)
    assert views(store, table=2) == ({third: "PAID"}, {third: "PAID"})

    # The views read only order_view: what they show comes from the events, not the orders table.
    db.execute("UPDATE orders SET total = 1, status = 'CANCELLED' WHERE id = :id", id=third)
    (shown,) = order_views.table_orders(store.table_principal(2))
    assert (shown.status, shown.total, shown.table_number) == ("PAID", 20000, 2)
    assert [ln.name_en for ln in shown.lines] == ["Kimchi stew", "Cola"]

    # The party at table 1 leaves: its orders disappear from the tablet; the next party starts clean.
    clear_table(store, 1)
    assert views(store) == ({}, {third: "PAID"})
    assert views(store, table=2)[0] == {third: "PAID"}  # other tables keep theirs
    fourth = order(store, table=1)
    assert views(store)[0] == {fourth: "PENDING_PAYMENT"}
    assert db.scalar("SELECT COUNT(*) FROM order_view WHERE session_open = false") == 2
    assert [r.type for r in outbox() if r.type == "TableCleared"] == ["TableCleared"]


def test_a_reconnecting_board_subscribes_then_loads_and_misses_nothing(db, store, set_redis_url, live_hub):
    hub, loop = live_hub
    admin = admin_of(store)

    def load_board() -> Board:  # as BoardState loads it
        return board_from(order_views.board_orders(admin), calls.open_calls(admin))

    def load() -> dict[int, str]:
        return statuses(load_board())

    def statuses(board: Board) -> dict[int, str]:
        return {o.id: o.status for o in board.orders}

    def follow(board: Board, queue) -> Board:  # as BoardState.follow folds what it receives
        board, _ring = fold(board, loop.run(_drain(queue)), load_board)
        return board

    early = order(store, table=1)
    pay(early)  # before the board (re)connects: only the read model has it

    # As BoardState.follow does: subscribe first...
    board_queue = loop.run(_subscribe(hub, store.id))
    in_the_gap = order(store, table=2)
    pay(in_the_gap)  # committed after subscribing, before loading
    # ...then load the read model...
    board = load_board()
    assert statuses(board) == {early: "PAID", in_the_gap: "PAID"}
    # ...and a board that loads first and subscribes after, for contrast.
    careless = load_board()
    lost = order(store, table=3)
    pay(lost)  # committed between the careless board's load and its subscribe
    careless_queue = loop.run(_subscribe(hub, store.id))

    later = order(store, table=4)
    pay(later)
    move(early, OrderStatus.ACCEPTED)
    move(in_the_gap, OrderStatus.ACCEPTED)
    move(in_the_gap, OrderStatus.SERVED)

    board = follow(board, board_queue)  # in_the_gap's OrderPaid arrives again: harmless
    careless = follow(careless, careless_queue)

    truth = load()
    assert truth == {early: "ACCEPTED", lost: "PAID", later: "PAID"}
    assert statuses(board) == truth
    assert statuses(careless) == {early: "ACCEPTED", later: "PAID"}  # `lost` never reaches it

    # A Resync (the process lost its feed) makes any board whole again from the read model.
    hub.resync_all()
    careless = follow(careless, careless_queue)
    assert statuses(careless) == truth
