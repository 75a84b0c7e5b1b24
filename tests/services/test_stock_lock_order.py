"""Orders giving stock back (cancel, expiry) and orders taking it, at once on the same items, on
PostgreSQL: both lock the item rows in ascending id order, so they queue instead of deadlocking, and no
unit of stock is lost or made up.

The orders list their items in descending id order on purpose: giving stock back line by line, as the
lines were entered, took the row locks in the opposite order to placement and deadlocked here."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hiorder_app.domain.enums import ItemKind, OrderStatus
from hiorder_app.domain.models import MenuItem, Order, OrderLine
from hiorder_app.domain.order_status import COUNTS_FOR_TABLE_RULES
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.payments.checkout import cancel_checkout
from hiorder_app.settings import get_settings

STOCK = 100_000
ITEMS = 8
ROUNDS = 6
PER_ROUND = 6  # orders given back and orders placed in each round, all at once


def shared_items(store) -> list[int]:
    with session_scope() as s:
        rows = [MenuItem(store_id=store.id, category_id=store.categories["mains"], name_ko=f"공유 {n}",
                         name_en=f"Shared {n}", price=1000, kind=ItemKind.MAIN, stock=STOCK) for n in range(ITEMS)]
        s.add_all(rows)
        s.flush()
        return sorted(r.id for r in rows)


def run_at_once(calls) -> list:
    """Each call's result or whatever it raised (a deadlock is an OperationalError, not a refusal)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the test reports every failure, of any kind
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def expire(order_id: int) -> str:
    with session_scope() as s:
        order = lock_order(s, id=order_id)
        transition(s, order, OrderStatus.EXPIRED, reason="payment timeout")
        return order.status


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_giving_stock_back_while_orders_take_it_never_deadlocks(db, store, monkeypatch):
    # Lock waits are the point of this test: they must not read as an overloaded service.
    monkeypatch.setenv("ORDER_SLOW_MS", "600000")
    monkeypatch.setenv("MAX_UNPAID_ORDERS", str(ROUNDS + 1))  # each taker holds one unpaid order a round
    get_settings.cache_clear()
    ids = shared_items(store)
    lines = [(item_id, 1 + n % 3) for n, item_id in enumerate(reversed(ids))]
    givers = [store.table_principal(n) for n in range(1, PER_ROUND + 1)]
    takers = [store.table_principal(n) for n in range(PER_ROUND + 1, 2 * PER_ROUND + 1)]

    for _ in range(ROUNDS):
        held = [place_order(p, lines) for p in givers]
        calls = [lambda p=p, o=o: cancel_checkout(p, o.payment_ref).status if o.id % 2 else expire(o.id)
                 for p, o in zip(givers, held, strict=True)]
        calls += [lambda p=p: place_order(p, lines).status for p in takers]
        results = run_at_once(calls)
        failures = [r for r in results if isinstance(r, Exception)]
        assert not failures, failures
        assert sorted(results[:PER_ROUND]) == sorted(
            OrderStatus.CANCELLED if o.id % 2 else OrderStatus.EXPIRED for o in held)
        assert results[PER_ROUND:] == [OrderStatus.PENDING_PAYMENT] * PER_ROUND

    with session_scope() as s:
        left = dict(s.exec(select(MenuItem.id, MenuItem.stock).where(MenuItem.id.in_(ids))).all())
        held_by_live = dict(s.exec(
            select(OrderLine.menu_item_id, sa.func.sum(OrderLine.quantity))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status.in_(list(COUNTS_FOR_TABLE_RULES)), OrderLine.menu_item_id.in_(ids))
            .group_by(OrderLine.menu_item_id)).all())
    assert {i: left[i] + held_by_live[i] for i in ids} == dict.fromkeys(ids, STOCK)
    # Each round left its placed orders live and gave every earlier one back.
    with session_scope() as s:
        live = s.exec(select(Order).where(Order.status == OrderStatus.PENDING_PAYMENT)).all()
    assert len(live) == ROUNDS * PER_ROUND
