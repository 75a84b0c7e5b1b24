"""Counted options (곱빼기 noodles, a limited 사리): the console sets the count, placement takes it for every
line choosing the option (whichever dish), a refusal names item, group and option and changes nothing,
every release gives it back, and on PostgreSQL many tablets racing for the last units never oversell and
never deadlock against cancels."""

import json

import pytest

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import AccessDenied, OrderRefused
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.payments.checkout import cancel_checkout
from hiorder_app.services.read_models.menu import get_menu
from hiorder_app.services.store_admin import options as ao
from hiorder_app.settings import get_settings
from tests.concurrency import run_together
from tests.services.admin_refusals import assert_refused, other_store_admin
from tests.services.test_stock_lock_order import run_at_once


def stock(db, option_id: int) -> int | None:
    return db.scalar("SELECT stock FROM menu_option WHERE id = :id", id=option_id)


def end(order_id: int, status: OrderStatus) -> None:
    with session_scope() as s:
        transition(s, lock_order(s, id=order_id), status, reason="test")


def release(customer, order, how: str) -> None:
    """End the order the way `how` names: each of them gives its stock back."""
    if how == "expired":
        end(order.id, OrderStatus.EXPIRED)
    elif how == "cancelled unpaid":
        cancel_checkout(customer, order.payment_ref)
    else:
        end(order.id, OrderStatus.PAID)
        end(order.id, OrderStatus.CANCELLED)  # a paid order's cancel is its refund's status step


def ramen_line(store, opts, qty: int = 1, item: str = "main"):
    return (store.items[item], qty, [opts.mild, opts.ramen])


def test_the_console_sets_a_count_and_the_menu_carries_it(db, store, admin, opts):
    assert stock(db, opts.ramen) is None  # unlimited unless set
    ao.set_option_stock(admin, opts.ramen, "3")
    row = next(o for g in ao.list_option_groups(admin) for o in g.options if o.id == opts.ramen)
    assert row.stock == 3
    menu = {i.id: i for i in get_menu(store.id).items}
    option = next(o for g in menu[store.items["main"]].option_groups for o in g.options if o.id == opts.ramen)
    assert (option.stock, option.sold_out) == (3, False)
    ao.set_option_stock(admin, opts.ramen, "", seen="3")
    assert stock(db, opts.ramen) is None


@pytest.mark.parametrize("value", ["-1", "abc", "1000000", True, "1.5"])
def test_a_bad_count_is_refused(db, store, admin, opts, value):
    assert_refused(db, lambda p: ao.set_option_stock(p, opts.ramen, value), admin, codes={"menu.bad_stock"})


def test_a_count_typed_from_a_stale_view_is_refused_with_the_new_one(db, store, admin, customer, opts):
    ao.set_option_stock(admin, opts.ramen, "5")
    place_order(customer, [ramen_line(store, opts, 2)])
    err = assert_refused(db, lambda p: ao.set_option_stock(p, opts.ramen, "10", seen="5"), admin,
                         codes={"menu.stock_changed"})
    assert "3" in err.message("ko")


def test_set_option_stock_is_guarded(db, store, admin, customer, make_store, opts):
    for principal in (customer, None):
        assert isinstance(assert_refused(db, lambda p: ao.set_option_stock(p, opts.ramen, "3"), principal),
                          AccessDenied)
    assert_refused(db, lambda p: ao.set_option_stock(p, opts.ramen, "3"), other_store_admin(make_store),
                   codes={"option.unknown"})


def test_placement_takes_the_count_over_every_line_and_dish_choosing_it(db, store, admin, customer, opts):
    ao.set_option_stock(admin, opts.ramen, "5")
    # Two lines of the stew (different spice) and none on the other dish: 2 + 2 = 4 of 라면사리.
    place_order(customer, [(store.items["main"], 2, [opts.mild, opts.ramen]),
                           (store.items["main"], 2, [opts.hot, opts.ramen]), (store.items["main"], 1, [opts.mild])])
    assert stock(db, opts.ramen) == 1
    event = json.loads(db.scalar("SELECT payload FROM outbox_event WHERE type = 'OrderPlaced' ORDER BY id DESC"))
    assert event["option_stock_left"] == {str(opts.ramen): 1}


def test_more_than_is_left_is_refused_naming_item_group_and_option(db, store, admin, customer, opts):
    ao.set_option_stock(admin, opts.ramen, "2")
    before = (db.count("orders"), db.count("outbox_event"))
    with pytest.raises(OrderRefused) as caught:
        place_order(customer, [ramen_line(store, opts, 1), (store.items["main"], 2, [opts.hot, opts.ramen])])
    err = caught.value
    assert err.code == "order.option_out_of_stock"
    assert all(word in err.message("ko") for word in ("김치찌개", "토핑", "라면사리", "2개"))
    assert all(word in err.message("en") for word in ("Kimchi stew", "Toppings", "Ramen noodles", "Only 2"))
    assert (db.count("orders"), db.count("outbox_event")) == before
    assert stock(db, opts.ramen) == 2
    # The item's own stock is untouched by the refused order as well.
    assert db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=store.items["main"]) is None


def test_none_left_reads_as_sold_out(db, store, admin, customer, opts):
    ao.set_option_stock(admin, opts.ramen, "0")
    with pytest.raises(OrderRefused) as caught:
        place_order(customer, [ramen_line(store, opts)])
    assert caught.value.code == "order.option_sold_out"


@pytest.mark.parametrize("how", ["expired", "cancelled unpaid", "refunded"])
def test_every_release_gives_the_count_back(db, store, admin, customer, opts, how):
    ao.set_option_stock(admin, opts.ramen, "4")
    db.execute("UPDATE menu_item SET stock = 10 WHERE id = :id", id=store.items["main"])
    order = place_order(customer, [ramen_line(store, opts, 3)])
    assert stock(db, opts.ramen) == 1
    release(customer, order, how)
    assert stock(db, opts.ramen) == 4
    assert db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=store.items["main"]) == 10
    event = json.loads(db.scalar("SELECT payload FROM outbox_event WHERE type = 'OrderStatusChanged' "
                                 "ORDER BY id DESC"))
    assert event["option_stock_left"] == {str(opts.ramen): 4}


def test_an_option_made_unlimited_meanwhile_stays_unlimited(db, store, admin, customer, opts):
    ao.set_option_stock(admin, opts.ramen, "4")
    order = place_order(customer, [ramen_line(store, opts, 2)])
    ao.set_option_stock(admin, opts.ramen, "", seen="2")
    end(order.id, OrderStatus.EXPIRED)
    assert stock(db, opts.ramen) is None


@pytest.mark.parametrize("how", ["expired", "cancelled unpaid", "refunded"])
def test_an_option_counted_only_after_the_order_gets_nothing_back_from_it(db, store, admin, customer, opts, how):
    # 라면사리 unlimited when ordered (nothing taken), counted since: the release must not add 3 never taken.
    ao.set_option_stock(admin, opts.cheese, "5")
    counted = place_order(customer, [(store.items["main"], 2, [opts.mild, opts.cheese])])
    assert stock(db, opts.cheese) == 3
    order = place_order(customer, [ramen_line(store, opts, 3)])
    ao.set_option_stock(admin, opts.ramen, "4")
    release(customer, order, how)
    assert stock(db, opts.ramen) == 4
    event = json.loads(db.scalar("SELECT payload FROM outbox_event WHERE type = 'OrderStatusChanged' "
                                 "ORDER BY id DESC"))
    assert "option_stock_left" not in event
    # The same order with an option counted all along still gives that back (and only that).
    end(counted.id, OrderStatus.EXPIRED)
    assert (stock(db, opts.cheese), stock(db, opts.ramen)) == (5, 4)


def test_a_snapshot_from_before_reservations_were_noted_gives_back_as_before(db, store, admin, customer, opts):
    ao.set_option_stock(admin, opts.ramen, "4")
    order = place_order(customer, [ramen_line(store, opts, 3)])
    for_old = [{k: v for k, v in o.items() if k != "reserved"} for o in json.loads(
        db.scalar("SELECT options_json FROM order_line WHERE order_id = :id", id=order.id))]
    db.execute("UPDATE order_line SET options_json = :j WHERE order_id = :id", j=json.dumps(for_old), id=order.id)
    end(order.id, OrderStatus.EXPIRED)
    assert stock(db, opts.ramen) == 4


# ---- under concurrency (PostgreSQL) -----------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_many_tablets_racing_for_the_last_units_never_oversell(db, store, admin, opts, monkeypatch):
    """3 left of 라면사리, shared by two dishes; 24 tablets order it at once on either dish: exactly 3 units
    sold, the rest refused by name, the count at 0."""
    monkeypatch.setenv("ORDER_SLOW_MS", "600000")
    get_settings.cache_clear()
    ao.set_item_groups(admin, store.items["main2"], [opts.spicy, opts.topping])
    ao.set_option_stock(admin, opts.ramen, "3")
    tables = [store.table_principal(n) for n in range(1, 25)]
    results = run_together([lambda p=p, n=n: place_order(p, [ramen_line(store, opts, 1, "main" if n % 2 else "main2")])
                            for n, p in enumerate(tables)])
    accepted = [r for r in results if not isinstance(r, Exception)]
    assert len(accepted) == 3
    assert {r.code for r in results if isinstance(r, Exception)} <= {"order.option_out_of_stock",
                                                                      "order.option_sold_out"}
    assert stock(db, opts.ramen) == 0
    assert db.scalar("SELECT SUM(quantity) FROM order_line") == 3


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_cancels_giving_options_back_while_orders_take_them_never_deadlock(db, store, admin, opts, monkeypatch):
    """Orders choosing two counted options on two limited dishes, in descending id order, are cancelled or
    expire while as many others take the same rows: no deadlock, and no unit lost or made up."""
    monkeypatch.setenv("ORDER_SLOW_MS", "600000")
    monkeypatch.setenv("MAX_UNPAID_ORDERS", "10")  # each taker holds 4 unpaid orders
    get_settings.cache_clear()
    for option_id in (opts.ramen, opts.cheese, opts.mild, opts.hot):
        ao.set_option_stock(admin, option_id, "100000")
    for key in ("main", "main2"):
        db.execute("UPDATE menu_item SET stock = 100000 WHERE id = :id", id=store.items[key])
    ao.set_item_groups(admin, store.items["main2"], [opts.spicy, opts.topping])
    lines = [(store.items["main2"], 2, [opts.hot, opts.cheese, opts.ramen]),
             (store.items["main"], 1, [opts.mild, opts.ramen, opts.cheese])]
    givers = [store.table_principal(n) for n in range(1, 7)]
    takers = [store.table_principal(n) for n in range(7, 13)]
    for _ in range(4):
        held = [place_order(p, lines) for p in givers]
        calls = [lambda p=p, o=o: (cancel_checkout(p, o.payment_ref).status if o.id % 2
                                   else end(o.id, OrderStatus.EXPIRED)) for p, o in zip(givers, held, strict=True)]
        calls += [lambda p=p: place_order(p, lines).status for p in takers]
        failures = [r for r in run_at_once(calls) if isinstance(r, Exception)]
        assert not failures, failures
    live = db.scalar("SELECT COUNT(*) FROM orders WHERE status = 'PENDING_PAYMENT'")
    assert live == 4 * len(takers)
    assert stock(db, opts.ramen) == stock(db, opts.cheese) == 100000 - 3 * live
    assert stock(db, opts.hot) == 100000 - 2 * live and stock(db, opts.mild) == 100000 - live
