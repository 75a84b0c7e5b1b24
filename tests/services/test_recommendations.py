"""The tablet's recommendations: "popular now" by weekday and hour over recent weeks, "goes well with" by
association over table visits, featured items when data is thin; from the aggregates, never order rows."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.ordering.table_sessions import close_table_session, lock_table
from hiorder_app.services.read_models import recommendations as rec
from hiorder_app.services.read_models.menu import get_menu
from hiorder_app.services.read_models.projections import rebuild_insights
from hiorder_app.services.store_admin import menu as admin_menu

SEOUL = ZoneInfo("Asia/Seoul")


def visit(store, lines_per_order, table: int = 1, then: OrderStatus | None = None) -> list[int]:
    """One party at `table`: its orders placed and paid, then the table cleared."""
    who = store.table_principal(table)
    ids = []
    for lines in lines_per_order:
        order = place_order(who, [(store.items[k], q) for k, q in lines])
        with session_scope() as s:
            transition(s, lock_order(s, id=order.id), OrderStatus.PAID)
        if then is not None:
            with session_scope() as s:
                transition(s, lock_order(s, id=order.id), then)
        ids.append(order.id)
    with session_scope() as s:
        close_table_session(s, lock_table(s, store.tables[table]))
    return ids


def move_paid(db, order_ids: list[int], at: datetime) -> None:
    for order_id in order_ids:
        db.execute("UPDATE orders SET paid_at = :t WHERE id = :id", t=at.astimezone(UTC), id=order_id)


def ranking_at(store, at: datetime) -> list[str]:
    by_id = {v: k for k, v in store.items.items()}
    with session_scope() as s:
        return [by_id[i] for i in rec.popular_ranking(s, store.id, at, SEOUL)]


def test_popular_now_follows_the_weekday_and_hour_of_recent_weeks(db, store):
    # Thursday lunches sell stew, Thursday evenings bulgogi; a Monday lunch sells cola.
    thursday = datetime(2026, 11, 26, 12, 20, tzinfo=SEOUL)
    lunch = visit(store, [[("main", 80), ("drink", 30)]])
    dinner = visit(store, [[("main2", 70), ("side", 40)]])
    monday = visit(store, [[("main", 1), ("drink", 40)]])
    old = visit(store, [[("side", 90), ("main", 1)]])
    move_paid(db, lunch, thursday - timedelta(weeks=1))
    move_paid(db, dinner, thursday - timedelta(weeks=2) + timedelta(hours=7))
    move_paid(db, monday, thursday - timedelta(days=3))
    move_paid(db, old, thursday - timedelta(weeks=rec.WEEKS + 1))  # long ago: not "recent weeks"
    with session_scope() as s:
        rebuild_insights(s, store.id, SEOUL)

    assert ranking_at(store, thursday) == ["main", "drink"]
    assert ranking_at(store, thursday + timedelta(hours=7)) == ["main2", "side"]
    assert ranking_at(store, thursday - timedelta(days=3)) == ["drink", "main"]
    # A Tuesday lunch has sold nothing yet: ranked like the other weekday lunches (the Thursday's outweighs).
    assert ranking_at(store, thursday - timedelta(days=2)) == ["main", "drink"]
    # Nothing sold on Saturday lunches, nor at 16:00 on any day: no ranking, so the tablet shows featured items.
    assert ranking_at(store, thursday + timedelta(days=2)) == []
    assert ranking_at(store, thursday + timedelta(hours=4)) == []


def test_a_thin_hour_is_smoothed_toward_like_days_and_the_hour_before_midnight_counts(db, store):
    night = datetime(2026, 11, 28, 0, 30, tzinfo=SEOUL)  # Saturday 00:30
    few = visit(store, [[("drink", 12), ("main2", 2)]])
    many = visit(store, [[("main2", 90), ("drink", 10)], [("main2", 90)]])
    move_paid(db, few, night - timedelta(weeks=1))  # last Saturday 00:30: this very slot, but thin

    def many_at(at: datetime) -> list[str]:
        move_paid(db, many, at)
        with session_scope() as s:
            rebuild_insights(s, store.id, SEOUL)
        return ranking_at(store, night)

    assert many_at(night - timedelta(weeks=rec.WEEKS + 1)) == ["drink", "main2"]  # too long ago
    assert many_at(night - timedelta(days=1)) == ["drink", "main2"]  # Friday 00:30: a weekday, not alike
    assert many_at(night - timedelta(days=6)) == ["main2", "drink"]  # Sunday 00:30: a like day pulls
    # Friday 23:30, the hour before this one across midnight: this night's own neighbour hour
    assert many_at(night - timedelta(hours=1)) == ["main2", "drink"]
    assert many_at(night - timedelta(hours=2)) == ["drink", "main2"]  # 22:30: not near this hour


def test_the_menu_offers_what_sells_now_never_sold_out_or_hidden_items(db, store):
    visit(store, [[("main2", 5), ("side", 4), ("main", 2), ("drink", 1), ("limited", 1)]])  # paid just now
    admin = _admin(store)
    admin_menu.set_sold_out(admin, store.items["side"], True)
    admin_menu.set_category_visible(admin, store.categories["drinks"], False)

    menu = get_menu(store.id)
    by_id = {v: k for k, v in store.items.items()}
    assert [by_id[i] for i in menu.popular_now] == ["main2", "main", "limited"]  # side sold out, drinks hidden
    assert {by_id[i.id] for i in menu.items if i.popular} == {"main2", "main", "limited"}
    # the shares the tablet ranks a visit's "popular now" with: on offer only, in the same order
    assert sorted(menu.popular_shares, key=lambda i: -menu.popular_shares[i]) == menu.popular_now


def test_popular_now_for_a_visit_raises_what_goes_with_it_and_leaves_out_what_it_has():
    shares = {1: 0.4, 2: 0.3, 11: 0.1, 21: 0.15, 30: 0.05}
    partners = {1: [(11, 0.5), (21, 0.02)], 2: [(21, 0.3)], 99: [(40, 0.9)]}

    assert rec.rank_for_visit(shares, partners, set()) == [1, 2, 21, 11, 30]  # nothing yet: what sells now
    # a stew in the visit: its omelette (2 x 0.1 + 0.5) passes the bulgogi (2 x 0.3), which still passes cola
    assert rec.rank_for_visit(shares, partners, {1}) == [11, 2, 21, 30]
    # and a bulgogi too: cola is raised by both
    assert rec.rank_for_visit(shares, partners, {1, 2}) == [11, 21, 30]
    # what does not sell at this hour is not offered as popular now, however well it goes with the visit
    assert 40 not in rec.rank_for_visit(shares, partners, {99})
    # the tablet's keys are text
    assert rec.rank_for_visit({"1": 0.6, "11": 0.1}, {"1": [("11", 0.5)]}, {"1"}) == ["11"]


def test_the_menu_s_shares_and_partners_rank_a_visit_on_the_tablet(visits):
    store = visits
    ids = store.items
    menu = get_menu(store.id)
    assert rec.rank_for_visit(menu.popular_shares, menu.partners, set()) == menu.popular_now
    # stew in the visit: cola still sells most at this hour (25 of 72 units), then the omelette that comes with
    # stew in 12 of its 18 visits; the stew itself is not offered again, nor the sold-out galbi
    assert rec.rank_for_visit(menu.popular_shares, menu.partners, {ids["main"]}) == [
        ids["drink"], ids["side"], ids["main2"]]
    assert rec.rank_for_visit(menu.popular_shares, menu.partners, {ids["main2"], ids["drink"]}) == [
        ids["main"], ids["side"]]


def test_too_little_data_falls_back_to_featured_items(db, store):
    admin = _admin(store)
    for key in ("drink", "main2", "sold_out"):
        admin_menu.set_featured(admin, store.items[key], True)
    visit(store, [[("main", 2)]])  # two sold: too little to rank

    menu = get_menu(store.id)
    by_id = {v: k for k, v in store.items.items()}
    assert [by_id[i] for i in menu.popular_now] == ["main2", "drink"]  # in menu order, not the sold-out one
    assert not any(i.popular for i in menu.items)  # the badge says "popular": featured items do not get it
    offerable = {store.items[k] for k in ("main", "main2", "side", "drink")}
    assert rec.goes_well_with(store.id, {store.items["main"]}, offerable) == [store.items["main2"],
                                                                               store.items["drink"]]
    assert rec.goes_well_with(store.id, {store.items["drink"]}, offerable) == [store.items["main2"]]
    assert [i.featured for i in admin_menu.list_menu(admin).items if i.id == store.items["drink"]] == [True]


def _admin(store):
    from hiorder_app.services.auth.sessions import sign_in

    return sign_in(store.code, store.admin_username, store.password, "test-client")[1]


@pytest.fixture
def visits(db, store):
    """Stew comes with rolled omelette, bulgogi with cola; cola is the best seller, ordered with most things."""
    for n in range(12):
        visit(store, [[("main", 1)], [("side", 1)]] if n % 2 else [[("main", 2), ("side", 1)]], table=1 + n % 3)
    for n in range(8):
        visit(store, [[("main2", 1), ("drink", 2)]], table=1 + n % 3)
    for _ in range(6):
        visit(store, [[("main", 1), ("drink", 1)]], table=2)
    for _ in range(3):  # "limited" has 3 in stock
        visit(store, [[("limited", 1), ("drink", 1)]], table=3)
    return store


OFFER = ("main", "main2", "side", "drink", "limited")


def test_goes_well_with_ranks_by_association_not_by_best_seller(visits):
    store = visits
    ids = store.items
    offerable = {ids[k] for k in OFFER}
    assoc = rec.associations(store.id)
    assert assoc.visits == 29 and assoc.items[ids["drink"]] == 17 and assoc.together(ids["main"], ids["side"]) == 12

    # Cola sells most and is ordered with stew 6 times, but the omelette comes with stew in 12 of 18 visits.
    assert rec.goes_well_with(store.id, {ids["main"]}, offerable)[0] == ids["side"]
    assert rec.goes_well_with(store.id, {ids["main2"]}, offerable)[0] == ids["drink"]
    # The cart's items and items the tablet may not offer (sold out, hidden) are never offered.
    assert ids["side"] not in rec.goes_well_with(store.id, {ids["main"]}, offerable - {ids["side"]})
    assert ids["main"] not in rec.goes_well_with(store.id, {ids["main"], ids["side"]}, offerable)
    assert rec.goes_well_with(store.id, set(), offerable) == []


def test_the_menu_carries_partners_the_tablet_ranks_a_cart_with(visits):
    store = visits
    ids = store.items
    admin_menu.set_sold_out(_admin(store), ids["drink"], True)
    rec.forget()
    menu = get_menu(store.id)
    offered = {i.id for i in menu.items if not i.sold_out}
    assert ids["drink"] not in offered
    assert all(j in offered for found in menu.partners.values() for j, _ in found)  # cola sold out: not offered
    assert rec.rank_partners(menu.partners, {ids["main"]})[0] == ids["side"]
    # with cola sold out, what the bulgogi cart is offered comes from what is left
    assert ids["drink"] not in rec.rank_partners(menu.partners, {ids["main2"]})
    # stew and omelette in the cart: each is the other's partner, and neither is offered again
    assert rec.rank_partners(menu.partners, {ids["main"], ids["side"]}) == []


def test_a_refund_takes_its_visit_out_of_the_associations(visits):
    store = visits
    ids = store.items
    before = rec.associations(store.id)
    visit(store, [[("main2", 1), ("side", 1)]], then=OrderStatus.CANCELLED)
    rec.forget()
    after = rec.associations(store.id)
    assert (after.visits, after.items, after.pairs) == (before.visits, before.items, before.pairs)
    assert after.together(ids["main2"], ids["side"]) == 0


def test_a_menu_load_and_a_cart_change_read_no_order_history(visits, db):
    store = visits
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.lower())

    get_menu(store.id)  # warms the store's cache
    rec.goes_well_with(store.id, {store.items["main"]}, {store.items[k] for k in OFFER})
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        get_menu(store.id)
        rec.goes_well_with(store.id, {store.items["main"]}, {store.items[k] for k in OFFER})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert statements, "the menu itself is read"
    assert not [q for q in statements if any(t in q for t in ("order_line", "orders", "order_view", "sales_",
                                                               "visit_"))]
