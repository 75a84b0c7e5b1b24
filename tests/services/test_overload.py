"""services.overload through services.ordering.place_order: load shedding when too many placements are
in flight, a breaker that opens on slow or failing placements and closes by itself, and business refusals
that never count against it. Settings come from the environment (get_settings and ordering_guard caches
cleared, restored afterwards); tests/services/conftest.py gives every test a fresh guard."""

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from hiorder_app.domain.errors import OrderRefused
from hiorder_app.services.ordering.overload import OrderingBusy, OverloadGuard, ordering_guard
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.principal import Principal
from hiorder_app.settings import get_settings


@pytest.fixture
def overload_settings():
    """configure(order_max_in_flight=2, ...): sets ORDER_* env vars and re-reads settings; by default
    also rebuilds the guard (its threshold and reset time are read when it is built)."""
    saved: dict[str, str | None] = {}

    def configure(rebuild_guard: bool = True, **values) -> None:
        for name, value in values.items():
            var = name.upper()
            saved.setdefault(var, os.environ.get(var))
            os.environ[var] = str(value)
        get_settings.cache_clear()
        if rebuild_guard:
            ordering_guard.cache_clear()

    yield configure
    for var, value in saved.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value
    get_settings.cache_clear()
    ordering_guard.cache_clear()


def state(db, store) -> dict:
    counts = {t: db.count(t) for t in ("orders", "order_line", "outbox_event")}
    return counts | {"stock": db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=store.items["limited"])}


def main_order(store) -> list[tuple[int, int]]:
    return [(store.items["main"], 1), (store.items["limited"], 1)]


def busy(call) -> tuple[OrderingBusy, float]:
    started = time.monotonic()
    with pytest.raises(OrderingBusy) as refused:
        call()
    return refused.value, time.monotonic() - started


# --- (a) too many in flight ------------------------------------------------------------------------------


def test_no_room_in_flight_refuses_at_once_and_stores_nothing(db, store, customer, overload_settings):
    overload_settings(order_max_in_flight=0)
    before = state(db, store)

    for _ in range(5):
        refused, took = busy(lambda: place_order(customer, main_order(store)))
        assert (refused.code, refused.retry_after) == ("order.busy", 3)
        assert took < 0.1  # nothing waited for

    assert state(db, store) == before
    assert ordering_guard().in_flight == 0


def hold_table(db, store, conn: sa.Connection) -> None:
    """Keep table 1's placements waiting: PostgreSQL, its row lock (ordering locks the table row first);
    SQLite, the database write lock (every transaction starts with BEGIN IMMEDIATE)."""
    conn.begin()
    if db.is_postgres:
        conn.execute(sa.text("SELECT id FROM dining_table WHERE id = :id FOR UPDATE"), {"id": store.tables[1]})


def test_placements_over_the_limit_are_shed_while_two_wait(db, store, customer, overload_settings):
    overload_settings(order_max_in_flight=2, order_slow_ms=60_000)
    guard = ordering_guard()
    others = [store.table_principal(n) for n in (1, 2, 3, 1, 2)]  # created before the database is held
    with db.engine.connect() as holder, ThreadPoolExecutor(max_workers=2) as pool:
        hold_table(db, store, holder)
        waiting = [pool.submit(place_order, customer, main_order(store)) for _ in range(2)]
        deadline = time.monotonic() + 5
        while guard.in_flight < 2:
            assert time.monotonic() < deadline, "the two placements never got in flight"
            time.sleep(0.01)
        time.sleep(0.1)
        assert not any(f.done() for f in waiting)  # genuinely stuck on the lock

        for principal in others:
            refused, took = busy(lambda p=principal: place_order(p, main_order(store)))
            assert (refused.code, refused.retry_after) == ("order.busy", 3)
            assert took < 0.2  # shed at once, not queued behind the lock
        assert guard.in_flight == 2
        assert holder.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar() == 0
        assert holder.execute(sa.text("SELECT COUNT(*) FROM outbox_event WHERE type = 'OrderPlaced'")).scalar() == 0

        holder.rollback()  # release the lock: the two that waited go through
        views = [f.result(timeout=10) for f in waiting]

    assert len({v.id for v in views}) == 2
    assert db.count("orders") == 2 and db.count("order_line") == 4
    assert db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=store.items["limited"]) == 1
    assert guard.in_flight == 0
    assert not guard.is_open()
    place_order(customer, [(store.items["drink"], 1)])  # room again
    assert db.count("orders") == 3


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_many_at_once_exactly_the_limit_get_in(db, store, overload_settings):
    """24 tables order at once while table rows are locked: at most 2 are ever admitted, the rest are
    shed with OrderingBusy and write nothing; the admitted ones complete after the lock goes."""
    overload_settings(order_max_in_flight=2, order_slow_ms=60_000)
    principals = [store.table_principal(n) for n in range(1, 25)]
    table_ids = [p.table_id for p in principals]
    barrier = threading.Barrier(len(principals))

    def order(principal):
        barrier.wait()
        try:
            return place_order(principal, [(store.items["drink"], 1)])
        except OrderingBusy as exc:
            return exc

    with db.engine.connect() as holder, ThreadPoolExecutor(max_workers=len(principals)) as pool:
        holder.begin()
        holder.execute(sa.text("SELECT id FROM dining_table WHERE id = ANY(:ids) FOR UPDATE"), {"ids": table_ids})
        futures = [pool.submit(order, p) for p in principals]
        deadline = time.monotonic() + 5
        while sum(f.done() for f in futures) < len(principals) - 2:
            assert time.monotonic() < deadline, "placements were not shed"
            time.sleep(0.01)
        assert ordering_guard().in_flight == 2
        assert holder.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar() == 0
        holder.rollback()
        results = [f.result(timeout=10) for f in futures]

    shed = [r for r in results if isinstance(r, OrderingBusy)]
    assert len(shed) == len(principals) - 2
    assert db.count("orders") == 2
    assert db.scalar("SELECT COUNT(*) FROM outbox_event WHERE type = 'OrderPlaced'") == 2


# --- (b) slow placements open the breaker; it closes by itself --------------------------------------------


def test_slow_placements_open_the_breaker_which_recovers_by_itself(db, store, customer, overload_settings):
    # One table places all nine orders and pays for none (what overload does is the point, not that limit).
    overload_settings(order_slow_ms=0, order_failure_threshold=3, order_breaker_reset_seconds=1,
                      max_unpaid_orders=20)
    guard = ordering_guard()

    for _ in range(3):  # slow, but they did succeed: the orders are stored
        place_order(customer, [(store.items["main"], 1)])
    assert db.count("orders") == 3
    assert guard.is_open()
    before = state(db, store)

    refused, took = busy(lambda: place_order(customer, main_order(store)))
    assert refused.code == "order.busy" and 0 < refused.retry_after <= 1
    assert took < 0.1
    assert state(db, store) == before

    time.sleep(1.05)  # half-open: one trial goes through; still slow, so the breaker opens again
    place_order(customer, [(store.items["main"], 1)])
    assert guard.is_open()
    busy(lambda: place_order(customer, main_order(store)))
    assert db.count("orders") == 4

    overload_settings(rebuild_guard=False, order_slow_ms=60_000)  # the database is healthy again
    time.sleep(1.05)
    place_order(customer, main_order(store))  # the trial is healthy: closed
    assert not guard.is_open()
    for _ in range(4):  # more than the threshold: the failure count started again from zero
        place_order(customer, [(store.items["drink"], 1)])
    assert db.count("orders") == 9
    assert not guard.is_open()


def test_failing_placements_open_the_breaker(db, store, customer, overload_settings):
    """Not a refusal but a crash (here: a table that does not exist): counted, and enough of them shed."""
    overload_settings(order_failure_threshold=2, order_breaker_reset_seconds=5)
    ghost = Principal(account_id=0, store_id=store.id, role="CUSTOMER", username="ghost", table_id=999_999,
                      table_number=99)
    for _ in range(2):
        with pytest.raises(Exception) as crashed:
            place_order(ghost, [(store.items["main"], 1)])
        assert not isinstance(crashed.value, OrderingBusy)
    refused, _ = busy(lambda: place_order(customer, main_order(store)))
    assert 3 <= refused.retry_after <= 5
    assert db.count("orders") == 0


# --- (c) business refusals are healthy answers ----------------------------------------------------------


def test_business_refusals_never_open_the_breaker(db, store, customer, overload_settings):
    # slow_ms=0: a successful placement would count; a refusal, however slow, must not
    overload_settings(order_slow_ms=0, order_failure_threshold=2, order_breaker_reset_seconds=30)
    guard = ordering_guard()
    refusals = [[(store.items["side"], 1)],  # a side dish alone
                [(store.items["limited"], 4)],  # more than the stock
                [(store.items["sold_out"], 1)],
                [(store.items["inactive"], 1)]]

    for lines in refusals * 2:
        with pytest.raises(OrderRefused) as refused:
            place_order(customer, lines)
        assert refused.value.code in {"order.side_needs_main", "order.out_of_stock", "order.sold_out",
                                      "order.inactive"}
        assert not guard.is_open()

    assert db.count("orders") == 0
    place_order(customer, main_order(store))  # slow success: 1 of 2
    with pytest.raises(OrderRefused, match="order.side_needs_main"):
        place_order(store.sign_in_table(2), [(store.items["side"], 1)])
    assert not guard.is_open()
    assert db.count("orders") == 1


# --- the guard's own bookkeeping under concurrency ------------------------------------------------------


def test_concurrent_calls_never_break_the_breakers_bookkeeping(overload_settings):
    """purgatory's in-memory state is shared plain lists: unguarded, concurrent state changes lose
    messages and raise IndexError out of a placement that had already committed."""
    overload_settings(order_slow_ms=0, order_max_in_flight=1000)
    errors: list[BaseException] = []

    def hammer(guard: OverloadGuard) -> None:
        for _ in range(1000):
            try:
                guard.run(lambda: None)
            except OrderingBusy:
                pass
            except Exception as exc:  # noqa: BLE001 - whatever escapes is the bug
                errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(3):
            guard = OverloadGuard(failure_threshold=2, reset_seconds=0)  # open, half-open, open... all the time
            threads = [threading.Thread(target=hammer, args=(guard,)) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert guard.in_flight == 0
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


def test_a_half_open_breaker_lets_one_trial_through_and_turns_the_rest_away(overload_settings):
    overload_settings(order_slow_ms=60_000, order_max_in_flight=100)
    guard = OverloadGuard(failure_threshold=1, reset_seconds=1)

    def crash():
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        guard.run(crash)
    assert guard.is_open()
    time.sleep(1.05)

    trial_started, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def trial():
        trial_started.set()
        release.wait(5)
        return "stored"

    runner = threading.Thread(target=lambda: outcome.append(guard.run(trial)))
    runner.start()
    assert trial_started.wait(5)
    refused, took = busy(lambda: guard.run(lambda: "should not run"))  # while the trial is out
    assert refused.retry_after == 1 and took < 0.1
    release.set()
    runner.join(5)
    assert outcome == ["stored"]
    assert not guard.is_open()
    assert [guard.run(lambda n=n: n) for n in range(3)] == [0, 1, 2]  # closed: everyone in again


def test_a_failed_trial_opens_the_breaker_again_and_frees_the_trial_slot(overload_settings):
    overload_settings(order_slow_ms=60_000, order_max_in_flight=100)
    guard = OverloadGuard(failure_threshold=1, reset_seconds=1)

    def crash():
        raise RuntimeError("still down")

    with pytest.raises(RuntimeError):
        guard.run(crash)
    time.sleep(1.05)
    with pytest.raises(RuntimeError):
        guard.run(crash)  # the trial
    assert guard.is_open()
    time.sleep(1.05)
    assert guard.run(lambda: "ok") == "ok"  # a new trial is allowed, and closes it
    assert not guard.is_open()
