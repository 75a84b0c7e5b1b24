"""The console's item dialog saved while orders take the item's stock, on PostgreSQL: the save names the
count its stock field showed (services.store_admin.menu.update_item's stock_seen), so it never writes a
count typed from a stale view over an order's decrement, whichever commits first."""

import threading
import time

import pytest
import sqlalchemy as sa

from hiorder_app.domain.errors import DomainError
from hiorder_app.domain.models import MenuItem
from hiorder_app.services.db import get_engine
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.store_admin import menu as am
from hiorder_app.settings import get_settings
from tests.concurrency import run_together
from tests.services.test_admin_menu import item_values, row

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db", ["postgresql"], indirect=True)]


def dialog_values(store, stock: str) -> dict:
    return item_values(store, name_ko="한정 갈비", name_en="Limited galbi", kind="MAIN",
                       category_id=store.categories["mains"], stock=stock)


def test_a_save_waits_for_an_order_holding_the_row_and_is_then_refused(db, store, admin):
    limited = store.items["limited"]  # stock 3: what the dialog's field showed when the admin began typing
    outcome: list = []
    with get_engine().connect() as order:
        # An order in flight: it has locked the item row and taken one, and has not committed yet.
        order.execute(sa.text("SELECT stock FROM menu_item WHERE id = :id FOR UPDATE"), {"id": limited})
        order.execute(sa.text("UPDATE menu_item SET stock = stock - 1 WHERE id = :id"), {"id": limited})

        def save():
            try:
                am.update_item(admin, limited, dialog_values(store, "10"), stock_seen="3")
                outcome.append("saved")
            except DomainError as exc:
                outcome.append(exc)

        saver = threading.Thread(target=save)
        saver.start()
        time.sleep(0.5)
        assert saver.is_alive() and not outcome  # waiting on the order's row lock, not reading around it
        order.commit()
        saver.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], DomainError), outcome
    assert (outcome[0].code, outcome[0].params["now"]) == ("menu.stock_changed", "2")
    assert row(MenuItem, limited).stock == 2  # the order's decrement stands


def test_a_save_racing_orders_is_either_first_or_refused(db, store, admin, monkeypatch):
    # Lock waits are the point of this test: they must not read as an overloaded service.
    monkeypatch.setenv("ORDER_SLOW_MS", "600000")
    monkeypatch.setenv("MAX_UNPAID_ORDERS", "10")  # each table leaves its 8 orders unpaid
    get_settings.cache_clear()
    limited = store.items["limited"]
    am.set_stock(admin, limited, "100")
    tables = [store.table_principal(n) for n in range(1, 4)]
    outcomes = set()
    for _ in range(8):
        before = row(MenuItem, limited).stock
        new = before + 7
        calls = [lambda p=p: place_order(p, [(limited, 1)]).id for p in tables]
        calls.append(lambda new=new, before=before: am.update_item(admin, limited, dialog_values(store, str(new)),
                                                                   stock_seen=str(before)))
        results = run_together(calls)
        orders, save = results[:-1], results[-1]
        assert all(isinstance(r, int) for r in orders), orders
        if isinstance(save, DomainError):
            # An order came first: refused, and every order's unit is gone from the count it left.
            assert save.code == "menu.stock_changed"
            assert row(MenuItem, limited).stock == before - len(tables)
            outcomes.add("refused")
        else:
            # Saved: only possible before any order took stock, so every order took from the new count
            # (a save written over an order in flight would leave new - 2 or more here).
            assert row(MenuItem, limited).stock == new - len(tables)
            outcomes.add("saved")
    print("outcomes seen:", sorted(outcomes))
