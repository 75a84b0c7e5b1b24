"""Menu options through the services: the console's groups and options, placement with choices (prices
from the database, snapshots on the lines, refusals by item and group that change nothing), the order's
request, the read models, and (on PostgreSQL) options sold out or stock taken while orders race."""

import json
import threading
import time

import pytest
import sqlalchemy as sa

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import AccessDenied, DomainError, OrderRefused
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models.menu import get_menu
from hiorder_app.services.read_models.order_views import board_orders, order_history, table_orders
from hiorder_app.services.store_admin import options as ao
from hiorder_app.settings import get_settings
from tests.concurrency import run_together
from tests.services.admin_refusals import assert_refused, other_store_admin


def unchanged(db):
    return {t: db.count(t) for t in ("orders", "order_line", "outbox_event")}


# ---- placement -------------------------------------------------------------------------------------
def test_order_with_choices_prices_and_snapshots_them(db, store, customer, opts):
    order = place_order(customer, [(store.items["main"], 2, [opts.ramen, opts.medium, opts.cheese])],
                        note="덜 맵게 해 주세요")
    unit = 9000 + 2000 + 1500
    assert order.total == unit * 2 and order.lines[0].unit_price == unit
    assert [o["name_ko"] for o in order.lines[0].options] == ["보통", "라면사리", "치즈"]  # groups, then sort order
    assert order.lines[0].options_text("ko") == "보통, 라면사리 (+2,000원), 치즈 (+1,500원)"
    assert order.lines[0].options_text("en") == "Medium, Ramen noodles (+₩2,000), Cheese (+₩1,500)"
    assert order.note == "덜 맵게 해 주세요"
    row = db.scalar("SELECT options_json FROM order_line")
    assert [o["id"] for o in json.loads(row)] == [opts.medium, opts.ramen, opts.cheese]
    assert db.scalar("SELECT line_total FROM order_line") == unit * 2
    assert db.scalar("SELECT note FROM orders") == "덜 맵게 해 주세요"
    # The read models carry them: the tablet's history, and the board and history once it is paid.
    seen = table_orders(customer)[0]
    assert seen.note == "덜 맵게 해 주세요" and seen.lines[0].options == order.lines[0].options


def test_paid_order_shows_choices_and_request_on_board_and_history(db, store, customer, admin, opts):
    order = place_order(customer, [(store.items["main2"], 1, [opts.medium])], note="포장해 주세요")
    with session_scope() as s:
        transition(s, lock_order(s, id=order.id), OrderStatus.PAID)
    for view in (board_orders(admin)[0], order_history(admin, get_settings().tz)[0]):
        assert view.note == "포장해 주세요"
        assert view.lines[0].options_text("en") == "Medium"


def test_same_item_with_different_choices_is_two_lines(db, store, customer, opts):
    order = place_order(customer, [(store.items["main"], 1, [opts.mild]), (store.items["main"], 1, [opts.medium])])
    assert [ln.options[0]["name_en"] for ln in order.lines] == ["Mild", "Medium"]
    before = unchanged(db)
    with pytest.raises(OrderRefused) as exc:  # the same choices in another order are the same line
        place_order(customer, [(store.items["main"], 1, [opts.mild, opts.ramen]),
                               (store.items["main"], 1, [opts.ramen, opts.mild])])
    assert exc.value.code == "order.duplicate_line"
    assert unchanged(db) == before


@pytest.mark.parametrize("choices, code, names", [
    ([], "order.option_required", [("김치찌개", "Kimchi stew"), ("맵기", "Spice level")]),
    (["mild", "medium"], "order.option_too_many", [("김치찌개", "Kimchi stew"), ("맵기", "Spice level")]),
    (["mild", "ramen", "cheese", "rice_cake", "dumpling"], "order.option_too_many",
     [("김치찌개", "Kimchi stew"), ("토핑", "Toppings")]),
    (["mild", "mild"], "order.option_repeated", [("김치찌개", "Kimchi stew"), ("맵기", "Spice level")]),
])
def test_choices_breaking_a_rule_are_refused_by_item_and_group(db, store, customer, opts, choices, code, names):
    before = unchanged(db)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["main"], 1, [getattr(opts, c) for c in choices])])
    assert exc.value.code == code
    for ko, en in names:
        assert f"'{ko}'" in exc.value.message("ko") and f"'{en}'" in exc.value.message("en")
    assert unchanged(db) == before


def test_a_group_the_item_does_not_ask_is_refused(db, store, customer, opts):
    with pytest.raises(OrderRefused) as exc:  # 토핑 is on the kimchi stew, not on bulgogi
        place_order(customer, [(store.items["main2"], 1, [opts.mild, opts.ramen])])
    assert exc.value.code == "order.option_not_offered"
    assert "'토핑'" in exc.value.message("ko") and "'Bulgogi'" in exc.value.message("en")
    with pytest.raises(OrderRefused) as exc:  # an item with no groups at all
        place_order(customer, [(store.items["drink"], 1, [opts.mild])])
    assert exc.value.code == "order.option_not_offered"


def test_sold_out_and_deleted_options_are_refused(db, store, customer, admin, opts):
    ao.set_option_sold_out(admin, opts.ramen, True)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["main"], 1, [opts.mild, opts.ramen])])
    assert exc.value.code == "order.option_sold_out"
    assert "'라면사리'" in exc.value.message("ko") and "'Toppings'" in exc.value.message("en")
    ao.delete_option(admin, opts.cheese)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["main"], 1, [opts.mild, opts.cheese])])
    assert exc.value.code == "order.option_gone"
    ao.set_option_sold_out(admin, opts.ramen, False)
    place_order(customer, [(store.items["main"], 1, [opts.mild, opts.ramen])])


def test_a_deleted_group_is_no_longer_asked(db, store, customer, admin, opts):
    ao.delete_group(admin, opts.spicy)
    order = place_order(customer, [(store.items["main2"], 1)])
    assert order.lines[0].options == []
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["main2"], 1, [opts.mild])])
    assert exc.value.code == "order.option_not_offered"
    assert "'맵기'" in exc.value.message("ko")


def test_another_stores_option_is_unknown(db, store, customer, make_store, opts):
    other_admin = other_store_admin(make_store)
    group = ao.create_group(other_admin, {"name_ko": "맵기", "name_en": "Spice", "min_select": 0, "max_select": 1})
    foreign = ao.create_option(other_admin, group, {"name_ko": "순한맛", "name_en": "Mild"})
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["main"], 1, [opts.mild, foreign])])
    assert exc.value.code == "order.option_unknown"
    assert "'김치찌개'" in exc.value.message("ko")


def test_later_menu_edits_do_not_rewrite_sold_lines(db, store, customer, admin, opts):
    first = place_order(customer, [(store.items["main"], 1, [opts.mild, opts.ramen])])
    ao.update_option(admin, opts.ramen, {"name_ko": "쫄면사리", "name_en": "Chewy noodles", "price_delta": 3000})
    second = place_order(customer, [(store.items["main"], 1, [opts.medium, opts.ramen])])
    assert (first.total, second.total) == (11000, 12000)
    history = {o.id: o for o in table_orders(customer)}
    assert history[first.id].lines[0].options_text("ko") == "순한맛, 라면사리 (+2,000원)"
    assert history[second.id].lines[0].options_text("ko") == "보통, 쫄면사리 (+3,000원)"


@pytest.mark.parametrize("lines", [
    [(1, 1, [1], "x")], [(1, 1, "abc")], [(1, 1, [None])], [(1, 1, list(range(200)))],
])
def test_malformed_choices_are_refused(db, store, customer, lines):
    with pytest.raises(DomainError) as exc:
        place_order(customer, lines)
    assert exc.value.code == "input.invalid"


def test_request_is_checked(db, store, customer):
    before = unchanged(db)
    with pytest.raises(OrderRefused) as exc:
        place_order(customer, [(store.items["drink"], 1)], note="가" * 101)
    assert exc.value.code == "order.note_too_long"
    assert unchanged(db) == before
    assert place_order(customer, [(store.items["drink"], 1)], note="  물 많이\n주세요 ").note == "물 많이 주세요"
    assert place_order(customer, [(store.items["drink"], 1)]).note == ""


# ---- the tablet's menu -----------------------------------------------------------------------------------
def test_tablet_menu_shows_groups_in_order_with_sold_out_options(db, store, admin, opts):
    ao.set_option_sold_out(admin, opts.hot, True)
    ao.delete_option(admin, opts.dumpling)
    items = {i.id: i for i in get_menu(store.id).items}
    stew, bulgogi = items[store.items["main"]], items[store.items["main2"]]
    assert [(g.name_ko, g.min_select, g.max_select, g.required) for g in stew.option_groups] == [
        ("맵기", 1, 1, True), ("토핑", 0, 3, False)]
    assert [(o.name_en, o.sold_out) for o in stew.option_groups[0].options] == [
        ("Mild", False), ("Medium", False), ("Hot", True)]
    assert [(o.name_en, o.price_delta) for o in stew.option_groups[1].options] == [
        ("Ramen noodles", 2000), ("Cheese", 1500), ("Rice cake", 1000)]
    assert [g.id for g in bulgogi.option_groups] == [opts.spicy]  # the shared group
    assert items[store.items["drink"]].option_groups == []


# ---- the console --------------------------------------------------------------------------------------
def test_console_lists_groups_with_options_and_items(db, store, admin, opts):
    groups = ao.list_option_groups(admin)
    assert [g.name_ko for g in groups] == ["맵기", "토핑"]
    assert sorted(groups[0].item_ids) == sorted([store.items["main"], store.items["main2"]])
    assert [o.price_delta for o in groups[1].options] == [2000, 1500, 1000, 2500]
    assert ao.item_group_ids(admin, store.items["main"]) == [opts.spicy, opts.topping]
    ao.set_item_groups(admin, store.items["main"], [opts.topping, opts.spicy])
    assert ao.item_group_ids(admin, store.items["main"]) == [opts.topping, opts.spicy]
    ao.update_group(admin, opts.topping, {"name_ko": "사리 추가", "name_en": "Extras", "min_select": 0,
                                          "max_select": 2})
    assert [(g.name_en, g.max_select) for g in ao.list_option_groups(admin)] == [("Spice level", 1), ("Extras", 2)]
    events = db.scalar("SELECT COUNT(*) FROM outbox_event WHERE type = 'MenuChanged'")
    ao.set_option_sold_out(admin, opts.mild, True)
    assert db.scalar("SELECT COUNT(*) FROM outbox_event WHERE type = 'MenuChanged'") == events + 1


@pytest.mark.parametrize("values, code", [
    ({"name_ko": "", "min_select": 0, "max_select": 1}, "menu.required"),
    ({"name_ko": "x" * 51, "min_select": 0, "max_select": 1}, "menu.too_long"),
    ({"name_ko": "맵기", "min_select": 2, "max_select": 1}, "option.bad_limits"),
    ({"name_ko": "맵기", "min_select": 0, "max_select": 0}, "option.bad_limits"),
    ({"name_ko": "맵기", "min_select": "-1", "max_select": 1}, "option.bad_limits"),
    ({"name_ko": "맵기", "min_select": 0, "max_select": 21}, "option.bad_limits"),
])
def test_bad_group_input_is_refused(db, store, admin, values, code):
    assert_refused(db, lambda p: ao.create_group(p, values), admin, codes={code})


@pytest.mark.parametrize("delta", ["-500", "1,000,001", "1.5", True, "many"])
def test_bad_price_delta_is_refused(db, store, admin, opts, delta):
    err = assert_refused(db, lambda p: ao.create_option(p, opts.topping, {"name_ko": "햄", "price_delta": delta}),
                         admin, codes={"option.bad_price"})
    assert "추가 금액" in err.message("ko")


CALLS = {
    "list_option_groups": lambda p, st, o: ao.list_option_groups(p),
    "create_group": lambda p, st, o: ao.create_group(p, {"name_ko": "새", "min_select": 0, "max_select": 1}),
    "item_group_ids": lambda p, st, o: ao.item_group_ids(p, st.items["main"]),
    "update_group": lambda p, st, o: ao.update_group(p, o.spicy, {"name_ko": "새", "min_select": 0, "max_select": 1}),
    "delete_group": lambda p, st, o: ao.delete_group(p, o.spicy),
    "create_option": lambda p, st, o: ao.create_option(p, o.spicy, {"name_ko": "새"}),
    "update_option": lambda p, st, o: ao.update_option(p, o.mild, {"name_ko": "새"}),
    "set_option_sold_out": lambda p, st, o: ao.set_option_sold_out(p, o.mild, True),
    "delete_option": lambda p, st, o: ao.delete_option(p, o.mild),
    "set_item_groups": lambda p, st, o: ao.set_item_groups(p, st.items["main"], []),
}
NO_TARGET = {"list_option_groups", "create_group"}


@pytest.mark.parametrize("name", CALLS)
def test_customers_and_signed_out_callers_are_refused(db, store, customer, opts, name):
    for principal in (customer, None):
        err = assert_refused(db, lambda p: CALLS[name](p, store, opts), principal)
        assert isinstance(err, AccessDenied)


@pytest.mark.parametrize("name", sorted(set(CALLS) - NO_TARGET))
def test_an_admin_of_another_store_cannot_touch_this_store(db, store, make_store, opts, name):
    intruder = other_store_admin(make_store)
    assert_refused(db, lambda p: CALLS[name](p, store, opts), intruder,
                   codes={"menu.unknown_item", "option.unknown_group", "option.unknown"})
    assert ao.list_option_groups(intruder) == []


def test_an_item_cannot_ask_another_stores_group(db, store, admin, make_store):
    intruder = other_store_admin(make_store)
    foreign = ao.create_group(intruder, {"name_ko": "맵기", "min_select": 0, "max_select": 1})
    assert_refused(db, lambda p: ao.set_item_groups(p, store.items["main"], [foreign]), admin,
                   codes={"option.unknown_group"})


# ---- under concurrency (PostgreSQL) -----------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_an_option_marked_sold_out_mid_order_is_refused_or_was_sold_before(db, store, admin, opts):
    """The admin's switch holds the option's row lock; an order with it waits, then sees it sold out."""
    table = store.table_principal(2)
    with db.engine.connect() as conn:
        trans = conn.begin()
        conn.execute(sa.text("UPDATE menu_option SET sold_out = true WHERE id = :id"), {"id": opts.ramen})
        result: dict = {}

        def order():
            try:
                result["order"] = place_order(table, [(store.items["main"], 1, [opts.mild, opts.ramen])])
            except DomainError as exc:
                result["error"] = exc

        worker = threading.Thread(target=order)
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive()  # waiting on the option's row, not reading the old value
        trans.commit()
    worker.join(10)
    assert result["error"].code == "order.option_sold_out"
    assert db.count("orders") == 0


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_orders_racing_a_sold_out_switch_never_sell_it_after(db, store, admin, opts):
    """12 tablets order with 라면사리 while the admin marks it sold out: every order that got it committed
    before the switch did (its outbox event is older), none after."""
    tables = [store.table_principal(n) for n in range(1, 13)]
    calls = [lambda p=p: place_order(p, [(store.items["main"], 1, [opts.mild, opts.ramen])]) for p in tables]
    calls.append(lambda: ao.set_option_sold_out(admin, opts.ramen, True))
    results = run_together(calls)
    refused = [r for r in results[:-1] if isinstance(r, Exception)]
    assert {r.code for r in refused} <= {"order.option_sold_out"}
    switched = db.scalar("SELECT MAX(created_at) FROM outbox_event WHERE type = 'MenuChanged'")
    sold_at = db.scalar("SELECT MAX(o.created_at) FROM orders o")
    assert sold_at is None or sold_at <= switched
    assert db.count("orders") == 12 - len(refused)


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_lines_of_one_item_with_different_choices_share_its_stock(db, store, opts, admin):
    """Stock 5, each order two lines of the same dish (mild and medium): never more than 5 sold."""
    ao.set_item_groups(admin, store.items["limited"], [opts.spicy])
    db.execute("UPDATE menu_item SET stock = 5 WHERE id = :id", id=store.items["limited"])
    tables = [store.table_principal(n) for n in range(1, 13)]
    results = run_together([lambda p=p: place_order(p, [(store.items["limited"], 1, [opts.mild]),
                                                         (store.items["limited"], 1, [opts.medium])])
                            for p in tables])
    accepted = [r for r in results if not isinstance(r, Exception)]
    assert len(accepted) == 2
    assert {r.code for r in results if isinstance(r, Exception)} <= {"order.out_of_stock", "order.sold_out"}
    assert db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=store.items["limited"]) == 1
    assert db.scalar("SELECT SUM(quantity) FROM order_line") == 4


def test_demo_store_has_real_options(db):
    from hiorder_app.services.auth.sessions import sign_in
    from hiorder_app.services.seed import DEMO_STORE_CODE, DEMO_TABLE_PASSWORD, seed_demo
    assert seed_demo()
    table = sign_in(DEMO_STORE_CODE, "table1", DEMO_TABLE_PASSWORD, "t")[1]
    items = {i.name_ko: i for i in get_menu(table.store_id).items}
    assert [g.name_ko for g in items["김치찌개"].option_groups] == ["맵기", "사리 추가"]
    assert [g.name_ko for g in items["된장찌개"].option_groups] == ["맵기"]
    assert [(o.name_ko, o.price_delta) for o in items["물냉면"].option_groups[0].options] == [
        ("보통", 0), ("곱빼기", 2000)]
    stew = items["김치찌개"]
    hot, ramen = stew.option_groups[0].options[2].id, stew.option_groups[1].options[0].id
    order = place_order(table, [(stew.id, 1, [hot, ramen])], note="덜 맵게 해 주세요")
    assert order.total == stew.price + 2000
    assert order.lines[0].options_text("ko") == "매운맛, 라면사리 (+2,000원)"
    assert "pork" in stew.allergens and stew.spicy_level == 2
