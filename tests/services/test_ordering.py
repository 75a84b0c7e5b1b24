"""services.ordering: placing orders on both backends, refusals that change nothing, and (on
PostgreSQL) concurrent orders racing for the same stock or the same once-per-table item."""

import json

import pytest
from sqlmodel import select

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import AccessDenied, DomainError, OrderRefused
from hiorder_app.domain.models import MenuItem, Order, OrderLine, OutboxEvent, TableSession
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering import table_sessions
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.principal import Principal
from hiorder_app.services.read_models.order_views import table_orders
from hiorder_app.services.store_admin import tables as at
from hiorder_app.settings import get_settings
from tests.concurrency import run_together


def state(db, store) -> dict:
    """Everything an order could change."""
    counts = {t: db.count(t) for t in ("orders", "order_line", "outbox_event", "table_session")}
    stocks = {key: db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=store.items[key])
              for key in ("limited", "main")}
    return counts | {"stock": stocks}


def update_item(item_id: int, **values) -> None:
    with session_scope() as s:
        item = s.get(MenuItem, item_id)
        for key, value in values.items():
            setattr(item, key, value)
        s.add(item)


def set_status(order_id: int, status: OrderStatus) -> None:
    with session_scope() as s:
        order = s.get(Order, order_id)
        order.status = status
        s.add(order)


def close_table_session(table_id: int) -> None:
    with session_scope() as s:
        table_sessions.close_table_session(s, table_sessions.lock_table(s, table_id))


# --- the happy path -----------------------------------------------------------------------------


def test_place_order(db, store, customer):
    ids = store.items
    view = place_order(customer, [(ids["main"], 2), (ids["side"], 1), (ids["limited"], 2)])

    assert view.status == OrderStatus.PENDING_PAYMENT
    assert view.table_number == 1
    assert view.total == 9000 * 2 + 5000 + 20000 * 2
    assert view.paid_at is None
    assert [(ln.menu_item_id, ln.name_en, ln.unit_price, ln.quantity, ln.line_total) for ln in view.lines] == [
        (ids["main"], "Kimchi stew", 9000, 2, 18000),
        (ids["side"], "Rolled omelette", 5000, 1, 5000),
        (ids["limited"], "Limited galbi", 20000, 2, 40000),
    ]

    with session_scope() as s:
        order = s.get(Order, view.id)
        open_session = s.exec(select(TableSession).where(TableSession.table_id == customer.table_id)).one()
        assert (order.store_id, order.table_id, order.table_session_id) == (
            store.id, customer.table_id, open_session.id)
        assert (order.status, order.total, order.paid_at) == (OrderStatus.PENDING_PAYMENT, view.total, None)
        assert order.created_at.tzinfo is not None
        lines = s.exec(select(OrderLine).where(OrderLine.order_id == view.id).order_by(OrderLine.id)).all()
        assert [(ln.menu_item_id, ln.name_ko, ln.name_en, ln.kind, ln.unit_price, ln.quantity, ln.line_total)
                for ln in lines] == [
            (ids["main"], "김치찌개", "Kimchi stew", "MAIN", 9000, 2, 18000),
            (ids["side"], "계란말이", "Rolled omelette", "SIDE", 5000, 1, 5000),
            (ids["limited"], "한정 갈비", "Limited galbi", "MAIN", 20000, 2, 40000),
        ]
        assert s.get(MenuItem, ids["limited"]).stock == 1
        assert s.get(MenuItem, ids["main"]).stock is None  # unlimited stays unlimited
        [event] = s.exec(select(OutboxEvent)).all()
        assert (event.type, event.store_id, event.published_at) == ("OrderPlaced", store.id, None)
        payload = json.loads(event.payload)
        assert {k: payload[k] for k in ("order_id", "table_id", "table_number", "status", "total")} == {
            "order_id": view.id, "table_id": customer.table_id, "table_number": 1, "status": "PENDING_PAYMENT",
            "total": view.total}
        assert [(ln["name_ko"], ln["quantity"], ln["unit_price"]) for ln in payload["lines"]] == [
            ("김치찌개", 2, 9000), ("계란말이", 1, 5000), ("한정 갈비", 2, 20000)]


def test_prices_come_from_the_database(db, store, customer):
    update_item(store.items["main"], price=9500)
    view = place_order(customer, [(store.items["main"], 1)])
    assert view.total == 9500


def test_client_cannot_send_a_price(db, store, customer):
    before = state(db, store)
    with pytest.raises(DomainError) as exc:
        place_order(customer, [(store.items["main"], 1, 1)])  # (id, qty, price)
    assert exc.value.code == "input.invalid"
    assert state(db, store) == before


def test_lines_are_snapshots(db, store, customer):
    view = place_order(customer, [(store.items["main"], 1)])
    update_item(store.items["main"], name_ko="새 이름", name_en="New name", price=1, kind="SIDE")
    [listed] = table_orders(customer)
    assert listed.id == view.id and listed.total == 9000
    assert [(ln.name_ko, ln.name_en, ln.unit_price, ln.line_total) for ln in listed.lines] == [
        ("김치찌개", "Kimchi stew", 9000, 9000)]
    assert db.scalar("SELECT kind FROM order_line") == "MAIN"


def test_order_uses_the_whole_stock(db, store, customer):
    place_order(customer, [(store.items["limited"], 3)])
    assert state(db, store)["stock"]["limited"] == 0
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["limited"], 1)])
    assert exc.value.code == "order.sold_out"


def test_first_order_opens_a_table_session(db, store):
    principal = store.table_principal(1)  # not signed in: no table session yet
    assert db.count("table_session") == 0
    place_order(principal, [(store.items["drink"], 1)])
    place_order(principal, [(store.items["drink"], 1)])
    assert db.count("table_session") == 1
    assert db.scalar("SELECT COUNT(DISTINCT table_session_id) FROM orders") == 1


# --- refusals -----------------------------------------------------------------------------------

MAIN = ("김치찌개", "Kimchi stew")

REFUSALS = [
    # id, lines (from item keys), code, item named in the message
    ("empty", lambda i: [], "order.empty", None),
    ("side-alone", lambda i: [(i["side"], 1)], "order.side_needs_main", ("계란말이", "Rolled omelette")),
    ("side-with-drink", lambda i: [(i["drink"], 1), (i["side"], 2)], "order.side_needs_main",
     ("계란말이", "Rolled omelette")),
    ("inactive", lambda i: [(i["main"], 1), (i["inactive"], 1)], "order.inactive", ("단종 메뉴", "Retired dish")),
    ("sold-out", lambda i: [(i["main"], 1), (i["sold_out"], 1)], "order.sold_out", ("냉면", "Cold noodles")),
    ("out-of-stock", lambda i: [(i["main"], 1), (i["limited"], 4)], "order.out_of_stock",
     ("한정 갈비", "Limited galbi")),
    ("quantity-0", lambda i: [(i["main"], 0)], "order.bad_quantity", MAIN),
    ("quantity-100", lambda i: [(i["main"], 100)], "order.bad_quantity", MAIN),
    ("duplicate", lambda i: [(i["main"], 1), (i["drink"], 1), (i["main"], 2)], "order.duplicate_line", MAIN),
    ("unknown-item", lambda i: [(i["main"], 1), (999_999, 1)], "order.unknown_item", None),
    ("event-quantity-2", lambda i: [(i["main"], 1), (i["event"], 2)], "order.once_quantity",
     ("이벤트 하이볼", "Event highball")),
    ("51-lines", lambda i: [(i["main"], 1)] * 51, "order.too_many_lines", None),
    ("hidden-category", lambda i: [(i["secret"], 1)], "order.inactive", ("비밀 메뉴", "Secret dish")),
    ("bool-quantity", lambda i: [(i["main"], True)], "input.invalid", None),
    ("float-quantity", lambda i: [(i["main"], 1.0)], "input.invalid", None),
    ("string-quantity", lambda i: [(i["main"], "1")], "input.invalid", None),
    ("not-a-pair", lambda i: [i["main"]], "input.invalid", None),
    ("bad-id", lambda i: [("abc", 1)], "input.invalid", None),
]


@pytest.mark.parametrize("lines, code, names", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refusal_changes_nothing(db, store, customer, lines, code, names):
    before = state(db, store)
    with pytest.raises(DomainError) as exc:
        place_order(customer, lines(store.items))
    err = exc.value
    assert err.code == code
    if names:
        assert f"'{names[0]}'" in err.message("ko")
        assert f"'{names[1]}'" in err.message("en")
    assert state(db, store) == before


def test_refusal_does_not_keep_the_table_session_it_opened(db, store):
    principal = store.table_principal(1)
    with pytest.raises(OrderRefused):
        place_order(principal, [(store.items["side"], 1)])
    assert db.count("table_session") == 0


def test_item_of_another_store_is_refused(db, store, customer, make_store):
    other = make_store("store-b")
    before = state(db, store) | {"other": state(db, other)["stock"]}
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["main"], 1), (other.items["limited"], 1)])
    assert exc.value.code == "order.unknown_item"
    assert "Limited" not in exc.value.message("en")
    assert state(db, store) | {"other": state(db, other)["stock"]} == before


def test_inactive_table_is_refused(db, store, customer):
    store.set_table(1, active=False)
    before = state(db, store)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["main"], 1)])
    assert exc.value.code == "table.inactive"
    assert state(db, store) == before


def test_principal_claiming_another_stores_table_is_refused(db, store, make_store):
    other = make_store("store-b")
    forged = Principal(account_id=1, store_id=other.id, role="CUSTOMER", username="table1",
                       table_id=store.tables[1], table_number=1)
    with pytest.raises(OrderRefused) as exc:
        place_order(forged, [(other.items["main"], 1)])
    assert exc.value.code == "table.inactive"
    assert db.count("orders") == 0


def test_admin_cannot_order(db, store, admin):
    with pytest.raises(AccessDenied) as exc:
        place_order(admin, [(store.items["main"], 1)])
    assert exc.value.code == "auth.customer_only"
    assert exc.value.message("en") == "Orders are placed from a table tablet."
    assert db.count("orders") == 0


def test_nobody_cannot_order(db, store):
    with pytest.raises(AccessDenied) as exc:
        place_order(None, [(store.items["main"], 1)])
    assert exc.value.code == "login.required"
    with pytest.raises(AccessDenied):
        table_orders(None)
    assert db.count("orders") == 0


# --- rules over the table session's history ------------------------------------------------------


def test_side_after_an_earlier_main_is_accepted(db, store, customer):
    place_order(customer, [(store.items["main"], 1)])
    view = place_order(customer, [(store.items["side"], 2)])
    assert view.total == 10000


def test_side_after_a_main_of_another_table_is_refused(db, store, customer):
    place_order(store.sign_in_table(2), [(store.items["main"], 1)])
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["side"], 1)])
    assert exc.value.code == "order.side_needs_main"


def test_side_after_a_cancelled_main_is_refused(db, store, customer):
    first = place_order(customer, [(store.items["main"], 1)])
    set_status(first.id, OrderStatus.CANCELLED)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["side"], 1)])
    assert exc.value.code == "order.side_needs_main"


def test_side_after_a_main_of_the_previous_party_is_refused(db, store, customer):
    place_order(customer, [(store.items["main"], 1)])
    close_table_session(customer.table_id)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["side"], 1)])
    assert exc.value.code == "order.side_needs_main"


def test_once_per_table_item_second_time_is_refused(db, store, customer):
    place_order(customer, [(store.items["event"], 1)])
    before = state(db, store)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["main"], 1), (store.items["event"], 1)])
    err = exc.value
    assert err.code == "order.once_already"
    assert "'이벤트 하이볼'" in err.message("ko") and "'Event highball'" in err.message("en")
    assert state(db, store) == before


def test_once_per_table_item_is_per_table(db, store, customer):
    place_order(customer, [(store.items["event"], 1)])
    place_order(store.sign_in_table(2), [(store.items["event"], 1)])
    assert db.count("orders") == 2


def test_once_per_table_item_again_after_cancel_or_for_the_next_party(db, store, customer):
    first = place_order(customer, [(store.items["event"], 1)])
    set_status(first.id, OrderStatus.CANCELLED)
    place_order(customer, [(store.items["event"], 1)])
    close_table_session(customer.table_id)
    place_order(customer, [(store.items["event"], 1)])
    assert db.count("orders") == 3


# --- table_orders ------------------------------------------------------------------------------------


def test_table_orders_shows_only_this_table_session(db, store, customer, make_store):
    other_store = make_store("store-b")
    place_order(other_store.sign_in_table(1), [(other_store.items["main"], 1)])  # same table number, other store
    place_order(store.sign_in_table(2), [(store.items["main"], 1)])  # other table
    old = place_order(customer, [(store.items["drink"], 1)])
    close_table_session(customer.table_id)  # the previous party leaves
    first = place_order(customer, [(store.items["main"], 1)])
    second = place_order(customer, [(store.items["drink"], 3)])

    listed = table_orders(customer)
    assert [o.id for o in listed] == [second.id, first.id]  # newest first
    assert old.id not in [o.id for o in listed]
    assert [(o.table_number, o.status, o.total) for o in listed] == [
        (1, OrderStatus.PENDING_PAYMENT, 6000), (1, OrderStatus.PENDING_PAYMENT, 9000)]
    assert [ln.quantity for ln in listed[0].lines] == [3]


def test_table_orders_without_a_table_session(db, store):
    assert table_orders(store.table_principal(1)) == []


def test_table_orders_refuses_admin(db, store, admin):
    with pytest.raises(AccessDenied):
        table_orders(admin)


# --- concurrency (PostgreSQL: real row locks) --------------------------------------------------------




@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_concurrent_orders_never_oversell(db, store):
    item_id = store.items["limited"]
    update_item(item_id, stock=5)
    principals = [store.table_principal(n) for n in range(1, 25)]  # 24 tables: no shared table lock
    results = run_together([lambda p=p: place_order(p, [(item_id, 1), (store.items["drink"], 1)])
                            for p in principals])

    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(accepted) == 5
    assert len(refused) == 19
    assert {type(r) for r in refused} == {OrderRefused}
    assert {r.code for r in refused} <= {"order.out_of_stock", "order.sold_out"}
    assert db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=item_id) == 0
    assert db.scalar("SELECT SUM(quantity) FROM order_line WHERE menu_item_id = :id", id=item_id) == 5
    assert db.count("orders") == 5
    assert db.count("outbox_event") == 5
    assert db.scalar("SELECT COUNT(DISTINCT table_id) FROM orders") == 5


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_concurrent_orders_take_each_unit_once(db, store):
    """Quantities 1..3 racing for stock 5: what is sold never exceeds the stock, and adds up."""
    item_id = store.items["limited"]
    update_item(item_id, stock=5)
    principals = [store.table_principal(n) for n in range(1, 21)]
    results = run_together([lambda p=p, q=q: place_order(p, [(item_id, q)])
                            for p, q in zip(principals, [1, 2, 3] * 7, strict=False)])
    sold = sum(r.lines[0].quantity for r in results if not isinstance(r, Exception))
    left = db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=item_id)
    assert 0 < sold <= 5
    assert sold + left == 5
    assert db.scalar("SELECT SUM(quantity) FROM order_line") == sold


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_concurrent_once_per_table_orders_from_the_same_table(db, store, customer):
    event_id = store.items["event"]
    results = run_together([lambda: place_order(customer, [(event_id, 1)])] * 12)
    accepted = [r for r in results if not isinstance(r, Exception)]
    assert len(accepted) == 1
    assert {r.code for r in results if isinstance(r, Exception)} == {"order.once_already"}
    assert db.count("orders") == 1
    assert db.count("table_session") == 1


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_concurrent_first_orders_from_the_same_table_share_one_table_session(db, store):
    principal = store.table_principal(1)  # no table session yet: each order would open one
    results = run_together([lambda: place_order(principal, [(store.items["drink"], 1)])] * 8)
    assert not [r for r in results if isinstance(r, Exception)]
    assert db.count("table_session") == 1
    assert db.count("orders") == 8



def stock_notes(store_id: int) -> list[tuple[str, dict]]:
    """(event type, stock_left) of the store's order events that carry one, oldest first."""
    with session_scope() as s:
        rows = s.exec(select(OutboxEvent).where(OutboxEvent.store_id == store_id)
                      .order_by(OutboxEvent.created_at)).all()
        return [(r.type, json.loads(r.payload)["stock_left"]) for r in rows if "stock_left" in json.loads(r.payload)]


def test_order_events_carry_the_stock_their_order_took_or_gave_back(db, store, customer):
    ids = store.items
    place_order(customer, [(ids["main"], 1)])  # no stock limit: nothing to note
    assert stock_notes(store.id) == []

    order = place_order(customer, [(ids["main"], 1), (ids["limited"], 2)])
    assert stock_notes(store.id) == [("OrderPlaced", {str(ids["limited"]): 1})]

    with session_scope() as s:
        transition(s, lock_order(s, id=order.id), OrderStatus.EXPIRED, reason="payment timeout")
    assert stock_notes(store.id) == [("OrderPlaced", {str(ids["limited"]): 1}),
                                     ("OrderStatusChanged", {str(ids["limited"]): 3})]
    assert db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=ids["limited"]) == 3


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_parallel_checkouts_of_one_visit_cannot_pass_the_unpaid_limit_together(db, store, customer):
    # Several tabs signed in as one table, ordering at once: each waits for the table's lock and must count
    # the orders of those before it, not the count from before its wait.
    most = get_settings().max_unpaid_orders
    place_order(customer, [(store.items["main"], 1)])
    results = run_together([lambda: place_order(customer, [(store.items["main"], 1)]) for _ in range(6)])
    refused = [r for r in results if isinstance(r, OrderRefused)]
    assert len(results) - len(refused) == most - 1
    assert {r.code for r in refused} == {"order.too_many_unpaid"}
    assert db.scalar("SELECT COUNT(*) FROM orders WHERE status = 'PENDING_PAYMENT'") == most


def test_a_visit_may_leave_only_so_many_orders_unpaid(db, store, customer, admin):
    # Each unpaid order holds its stock until it times out: a tablet ordering without paying must not be
    # able to hold every limited dish. Paying or cancelling one frees a place; the next party starts afresh.
    most = get_settings().max_unpaid_orders
    held = [place_order(customer, [(store.items["limited"], 1)]) for _ in range(most - 1)]
    held.append(place_order(customer, [(store.items["main"], 1)]))
    before = state(db, store)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["limited"], 1)])
    assert exc.value.code == "order.too_many_unpaid"
    assert f"{most} orders are still waiting for payment" in exc.value.message("en")
    assert state(db, store) == before
    place_order(store.sign_in_table(2), [(store.items["main"], 1)])  # another table is not held up
    set_status(held[0].id, OrderStatus.PAID)
    place_order(customer, [(store.items["main"], 1)])
    at.clear_table(admin, store.tables[1])
    place_order(customer, [(store.items["main"], 1)])  # the next party: a new visit
