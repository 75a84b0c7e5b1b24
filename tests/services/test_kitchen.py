"""The kitchen board's steps through the services: lines done on their own, stations, recall of a served
order, the store's ageing thresholds; and domain.kitchen's rules."""

from datetime import UTC, datetime, timedelta

import pytest

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import DomainError
from hiorder_app.domain.kitchen import COOKING, NEW, READY, age_level, check_thresholds, stage_of
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models.order_views import board_orders
from hiorder_app.services.store_admin import kitchen, orders
from hiorder_app.services.store_admin import menu as am
from tests.services.admin_refusals import assert_refused, other_store_admin


def paid(customer, lines):
    order = place_order(customer, lines)
    with session_scope() as s:
        transition(s, lock_order(s, id=order.id), OrderStatus.PAID)
    return order.id


def test_stage_rules():
    assert stage_of("PAID", [False, True]) == NEW
    assert stage_of("ACCEPTED", [True, False]) == COOKING
    assert stage_of("ACCEPTED", [True, True]) == READY


def test_age_levels():
    paid_at = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert age_level(paid_at, paid_at + timedelta(minutes=9, seconds=59), 10, 20) == ""
    assert age_level(paid_at, paid_at + timedelta(minutes=10), 10, 20) == "amber"
    assert age_level(paid_at, paid_at + timedelta(minutes=20), 10, 20) == "red"


@pytest.mark.parametrize("amber, red", [(0, 10), (10, 10), (20, 10), (5, 241), (True, 5)])
def test_bad_thresholds(amber, red):
    with pytest.raises(DomainError) as exc:
        check_thresholds(amber, red)
    assert exc.value.code == "board.bad_thresholds"


def test_lines_done_one_by_one_make_the_order_ready(db, store, customer, admin):
    order_id = paid(customer, [(store.items["main"], 1), (store.items["drink"], 2)])
    kitchen.mark_line_done(admin, order_id, 1)  # the drink: a new order starts cooking
    view = board_orders(admin)[0]
    assert view.status == OrderStatus.ACCEPTED and [ln.done for ln in view.lines] == [False, True]
    assert stage_of(view.status, [ln.done for ln in view.lines]) == COOKING
    kitchen.mark_line_done(admin, order_id, 0)
    view = board_orders(admin)[0]
    assert stage_of(view.status, [ln.done for ln in view.lines]) == READY
    kitchen.mark_line_done(admin, order_id, 0, done=False)  # undone
    assert [ln.done for ln in board_orders(admin)[0].lines] == [False, True]
    with pytest.raises(DomainError) as exc:
        kitchen.mark_line_done(admin, order_id, 2)
    assert exc.value.code == "board.line_unknown"


def test_lines_carry_their_categorys_station(db, store, customer, admin):
    am.set_category_station(admin, store.categories["drinks"], "바")
    order_id = paid(customer, [(store.items["main"], 1), (store.items["drink"], 1)])
    assert [ln.station for ln in board_orders(admin)[0].lines] == ["", "바"]
    assert board_orders(admin)[0].id == order_id


def test_stations_are_every_categorys_before_any_order(db, store, admin, make_store):
    assert kitchen.stations(admin) == [""]  # every category in the main kitchen
    am.set_category_station(admin, store.categories["drinks"], "바")
    assert kitchen.stations(admin) == ["", "바"]  # no order uses 바 yet
    am.set_category_station(admin, store.categories["mains"], "바")
    am.set_category_station(admin, store.categories["drinks"], "튀김")
    assert kitchen.stations(admin) == ["", "바", "튀김"]  # sides and the hidden one stay in the kitchen
    assert kitchen.stations(other_store_admin(make_store)) == [""]


@pytest.mark.parametrize("name", ["*", " * "])
def test_a_station_cannot_take_the_boards_every_station_name(db, store, admin, name):
    # A board set to "every station" holds "*": a station of that name would show every station's lines.
    for save in (lambda p: am.set_category_station(p, store.categories["drinks"], name),
                 lambda p: am.update_category(p, store.categories["drinks"], "음료", "Drinks", name)):
        err = assert_refused(db, save, admin, codes={"menu.station_reserved"})
        assert "every station" in err.message("en") and "전체 스테이션" in err.message("ko")
    assert kitchen.stations(admin) == [""]
    am.set_category_station(admin, store.categories["drinks"], "바*")  # only the bare value is the board's
    assert kitchen.stations(admin) == ["", "바*"]


def test_a_served_order_is_recalled_to_the_board(db, store, customer, admin):
    order_id = paid(customer, [(store.items["main"], 1)])
    orders.advance(admin, order_id, "ACCEPTED")
    orders.advance(admin, order_id, "SERVED")
    assert board_orders(admin) == []
    assert [o.id for o in kitchen.recently_served(admin)] == [order_id]
    assert kitchen.recall(admin, order_id) == OrderStatus.ACCEPTED
    assert [o.id for o in board_orders(admin)] == [order_id]
    assert kitchen.recently_served(admin) == []
    with pytest.raises(DomainError) as exc:
        kitchen.recall(admin, order_id)  # not served now
    assert exc.value.code == "order.bad_transition"


def test_recall_is_refused_long_after_serving(db, store, customer, admin):
    order_id = paid(customer, [(store.items["main"], 1)])
    orders.advance(admin, order_id, "ACCEPTED")
    orders.advance(admin, order_id, "SERVED")
    db.execute("UPDATE orders SET updated_at = :t", t=datetime.now(UTC) - timedelta(hours=2))
    assert_refused(db, lambda p: kitchen.recall(p, order_id), admin, codes={"board.recall_too_late"})


def test_thresholds_are_the_stores_own(db, store, admin, make_store):
    assert kitchen.board_thresholds(admin) == (10, 20)
    kitchen.set_board_thresholds(admin, "5", "15")
    assert kitchen.board_thresholds(admin) == (5, 15)
    assert kitchen.board_thresholds(other_store_admin(make_store)) == (10, 20)
    assert_refused(db, lambda p: kitchen.set_board_thresholds(p, 15, 5), admin, codes={"board.bad_thresholds"})


def test_kitchen_steps_are_guarded(db, store, customer, make_store):
    order_id = paid(customer, [(store.items["main"], 1)])
    calls = [lambda p: kitchen.mark_line_done(p, order_id, 0), lambda p: kitchen.recall(p, order_id),
             lambda p: kitchen.recently_served(p), lambda p: kitchen.set_board_thresholds(p, 5, 10),
             lambda p: kitchen.board_thresholds(p), lambda p: kitchen.stations(p),
             lambda p: am.set_category_station(p, store.categories["mains"], "바")]
    for call in calls:
        for principal in (customer, None):
            assert_refused(db, call, principal)
    intruder = other_store_admin(make_store)
    for call in calls[:2]:
        assert_refused(db, call, intruder, codes={"order.not_found"})
    assert_refused(db, calls[-1], intruder, codes={"menu.unknown_category"})
