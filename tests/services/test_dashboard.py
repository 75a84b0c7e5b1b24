"""The sales report: from the aggregate read models, by the store's local days and hours, to the won.

Orders are placed and paid through the services; their payment times are then moved to known instants in
the write model and the aggregates rebuilt from it (the rebuild command's code). That the projector, event
by event, builds the same aggregates as the rebuild is checked on its own below."""

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import AccessDenied, DomainError
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models import dashboard, exports
from hiorder_app.services.read_models.projections import rebuild_insights
from hiorder_app.services.store_admin import options as admin_options
from hiorder_app.settings import get_settings

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
# 2026-11-26 15:00 in Seoul
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
AGGREGATES = ("sales_hour", "sales_item_day", "sales_item_hour", "sales_option_day", "sales_table_day", "sales_day",
              "sales_month_hour", "sales_item_month", "sales_option_month", "sales_table_month", "visit_item",
              "visit_pair")


def pay(order_id: int, then: OrderStatus | None = None) -> None:
    with session_scope() as s:
        transition(s, lock_order(s, id=order_id), OrderStatus.PAID)
    if then is not None:
        with session_scope() as s:
            transition(s, lock_order(s, id=order_id), then)


def paid(db, customer, lines, at: datetime, then: OrderStatus | None = None) -> int:
    """An order paid at `at` (and then moved on to `then`, e.g. cancelled = refunded)."""
    order = place_order(customer, lines)
    pay(order.id, then)
    at = at.astimezone(UTC)  # as the app writes it: SQLite compares the text
    db.execute("UPDATE orders SET paid_at = :t, created_at = :t WHERE id = :id", t=at, id=order.id)
    db.execute("UPDATE order_view SET paid_at = :t, created_at = :t WHERE order_id = :id", t=at, id=order.id)
    return order.id


def rebuild(store, tz: ZoneInfo) -> None:
    with session_scope() as s:
        rebuild_insights(s, store.id, tz)


def seoul(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def week_of_orders(db, store, customer):
    """Known orders around 2026-11-26 in Seoul (a Thursday)."""
    ids = store.items
    table2 = store.sign_in_table(2)
    paid(db, customer, [(ids["main"], 2), (ids["drink"], 1)], seoul(2026, 11, 26, 0, 10))  # 20000, just after midnight
    paid(db, customer, [(ids["main2"], 1)], seoul(2026, 11, 25, 23, 50))  # 15000, just before it: yesterday
    paid(db, customer, [(ids["main"], 1)], seoul(2026, 11, 26, 12, 0), then=OrderStatus.CANCELLED)  # refunded 9000
    paid(db, customer, [(ids["main2"], 2)], seoul(2026, 11, 26, 12, 30), then=OrderStatus.ACCEPTED)  # 30000, table 1
    paid(db, table2, [(ids["main"], 1), (ids["side"], 1)], seoul(2026, 11, 20, 19, 30))  # 14000, the week's 1st day
    paid(db, table2, [(ids["main2"], 3)], seoul(2026, 11, 18, 12, 5))  # 45000, the week before
    place_order(customer, [(ids["main2"], 1)])  # never paid: not a sale
    rebuild(store, SEOUL)


def test_today_to_the_won_with_a_refund_and_midnight_in_seoul(week_of_orders, store, admin):
    report = dashboard.sales_report(admin, SEOUL, NOW, "today")

    assert (report.first_day, report.last_day) == ("2026-11-26", "2026-11-26")
    assert (report.orders, report.revenue, report.average) == (2, 50000, 25000)
    assert (report.refunds, report.refunded) == (1, 9000)
    # yesterday: the order at 23:50, ten minutes before midnight
    assert (report.previous_orders, report.previous_revenue) == (1, 15000)
    assert (report.previous_first_day, report.previous_last_day) == ("2026-11-25", "2026-11-25")
    assert len(report.series) == 24
    assert {b.key: (b.orders, b.revenue) for b in report.series if b.orders} == {"00": (1, 20000), "12": (1, 30000)}
    assert [(t.name_en, t.quantity, t.revenue) for t in report.top_items] == [
        ("Bulgogi", 2, 30000), ("Kimchi stew", 2, 18000), ("Cola", 1, 2000)]
    assert [(t.name_en, t.quantity) for t in report.top_by_quantity] == [
        ("Bulgogi", 2), ("Kimchi stew", 2), ("Cola", 1)]
    assert [(c.name_en, c.quantity, c.revenue) for c in report.categories] == [("Mains", 4, 48000), ("Drinks", 1, 2000)]
    assert [(t.table_number, t.orders, t.revenue) for t in report.tables] == [(1, 2, 50000)]
    thursday = 3
    assert {(d, h): n for d, row in enumerate(report.heatmap) for h, n in enumerate(row) if n} == {
        (thursday, 0): 1, (thursday, 12): 1}


def test_seven_days_and_the_seven_before(week_of_orders, store, admin):
    report = dashboard.sales_report(admin, SEOUL, NOW, "week")

    assert (report.first_day, report.last_day) == ("2026-11-20", "2026-11-26")
    assert [b.key for b in report.series] == [f"2026-11-{d}" for d in range(20, 27)]
    assert {b.key: b.revenue for b in report.series if b.revenue} == {
        "2026-11-20": 14000, "2026-11-25": 15000, "2026-11-26": 50000}
    assert (report.orders, report.revenue, report.average) == (4, 79000, 19750)
    assert (report.refunds, report.refunded) == (1, 9000)
    assert (report.previous_orders, report.previous_revenue) == (1, 45000)
    assert {b.key: b.revenue for b in report.hours if b.revenue} == {"00": 20000, "12": 30000, "19": 14000,
                                                                     "23": 15000}
    assert [(t.name_en, t.quantity, t.revenue) for t in report.top_items] == [
        ("Bulgogi", 3, 45000), ("Kimchi stew", 3, 27000), ("Rolled omelette", 1, 5000), ("Cola", 1, 2000)]
    assert [(c.name_en, c.revenue) for c in report.categories] == [("Mains", 72000), ("Sides", 5000),
                                                                    ("Drinks", 2000)]
    assert [(t.table_number, t.orders, t.revenue) for t in report.tables] == [(1, 3, 65000), (2, 1, 14000)]


def test_month_ranges_and_a_custom_one(week_of_orders, store, admin):
    month = dashboard.sales_report(admin, SEOUL, NOW, "this_month")
    assert (month.first_day, month.last_day, len(month.series)) == ("2026-11-01", "2026-11-26", 26)
    assert (month.orders, month.revenue) == (5, 124000)
    assert (month.previous_first_day, month.previous_last_day) == ("2026-10-06", "2026-10-31")

    last = dashboard.sales_report(admin, SEOUL, NOW, "last_month")
    assert (last.first_day, last.last_day, last.orders, last.revenue) == ("2026-10-01", "2026-10-31", 0, 0)
    assert last.previous_revenue == 0 and last.average == 0

    # A custom range of one day: the evening of the 25th, not the early hours of the 26th.
    day = dashboard.sales_report(admin, SEOUL, NOW, "custom", first="2026-11-25", last="2026-11-25")
    assert (day.orders, day.revenue, day.refunds) == (1, 15000, 0)
    assert [b.key for b in day.series if b.orders] == ["23"]
    assert (day.previous_first_day, day.previous_revenue) == ("2026-11-24", 0)

    span = dashboard.sales_report(admin, SEOUL, NOW, "custom", first="2026-11-18", last="2026-11-20")
    assert (span.orders, span.revenue, len(span.series)) == (2, 59000, 3)


@pytest.fixture
def orders_around_months(db, store, customer):
    """Known orders at the edges of October 2026 in Seoul; a long range reads its whole months from the monthly
    rollups and its edge days from the day rows, or a whole month less the days outside the range."""
    ids = store.items
    table2 = store.sign_in_table(2)
    paid(db, customer, [(ids["main"], 1)], seoul(2026, 9, 30, 23, 50))  # 9000, a Wednesday
    paid(db, table2, [(ids["main2"], 1), (ids["drink"], 1)], seoul(2026, 10, 1, 0, 10))  # 17000, a Thursday
    paid(db, customer, [(ids["main"], 2)], seoul(2026, 10, 15, 12, 0), then=OrderStatus.CANCELLED)  # refunded 18000
    paid(db, customer, [(ids["side"], 2)], seoul(2026, 10, 31, 23, 59))  # 10000, a Saturday
    paid(db, table2, [(ids["main"], 1), (ids["drink"], 2)], seoul(2026, 11, 1, 0, 5))  # 13000, a Sunday
    paid(db, customer, [(ids["main2"], 2)], seoul(2026, 11, 26, 12, 30), then=OrderStatus.ACCEPTED)  # 30000
    rebuild(store, SEOUL)


def _figures(report) -> dict:
    return {"totals": (report.orders, report.revenue, report.refunds, report.refunded),
            "previous": (report.previous_orders, report.previous_revenue),
            "items": [(t.name_en, t.quantity, t.revenue) for t in report.top_items],
            "tables": [(t.table_number, t.orders, t.revenue) for t in report.tables],
            "hours": {b.key: (b.orders, b.revenue) for b in report.hours if b.orders},
            "heatmap": {(d, h): n for d, row in enumerate(report.heatmap) for h, n in enumerate(row) if n},
            "series": {b.key: (b.orders, b.revenue) for b in report.series if b.orders}}


def test_a_whole_month_to_the_won_from_its_rollup(orders_around_months, admin):
    report = dashboard.sales_report(admin, SEOUL, NOW, "last_month")

    assert (report.first_day, report.last_day, len(report.series)) == ("2026-10-01", "2026-10-31", 31)
    thursday, saturday = 3, 5
    assert _figures(report) == {
        "totals": (2, 27000, 1, 18000), "previous": (1, 9000),  # September 30th's order, 23:50
        "items": [("Bulgogi", 1, 15000), ("Rolled omelette", 2, 10000), ("Cola", 1, 2000)],  # the stew refunded
        "tables": [(2, 1, 17000), (1, 1, 10000)],
        "hours": {"00": (1, 17000), "23": (1, 10000)},
        "heatmap": {(thursday, 0): 1, (saturday, 23): 1},
        "series": {"2026-10-01": (1, 17000), "2026-10-31": (1, 10000)}}
    assert [(c.name_en, c.quantity, c.revenue) for c in report.categories] == [
        ("Mains", 1, 15000), ("Sides", 2, 10000), ("Drinks", 1, 2000)]


def test_a_month_and_the_days_either_side_of_it(orders_around_months, admin):
    # September 30th + October (its rollup) + November 1st: ten minutes either side of two midnights
    report = dashboard.sales_report(admin, SEOUL, NOW, "custom", first="2026-09-30", last="2026-11-01")

    wednesday, thursday, saturday, sunday = 2, 3, 5, 6
    assert _figures(report) == {
        "totals": (4, 49000, 1, 18000), "previous": (0, 0),
        "items": [("Kimchi stew", 2, 18000), ("Bulgogi", 1, 15000), ("Rolled omelette", 2, 10000), ("Cola", 3, 6000)],
        "tables": [(2, 2, 30000), (1, 2, 19000)],
        "hours": {"00": (2, 30000), "23": (2, 19000)},
        "heatmap": {(wednesday, 23): 1, (thursday, 0): 1, (saturday, 23): 1, (sunday, 0): 1},
        "series": {"2026-09-30": (1, 9000), "2026-10-01": (1, 17000), "2026-10-31": (1, 10000),
                   "2026-11-01": (1, 13000)}}
    assert report.average == 49000 // 4


def test_months_less_the_days_outside_the_range(orders_around_months, admin):
    # October 2nd to November 25th: October less its 1st, November less its 26th to 30th
    report = dashboard.sales_report(admin, SEOUL, NOW, "custom", first="2026-10-02", last="2026-11-25")

    saturday, sunday = 5, 6
    assert _figures(report) == {
        "totals": (2, 23000, 1, 18000), "previous": (2, 26000),  # August 8th to October 1st
        # the bulgogi of October 1st and November 26th left out: not even a line of zeros
        "items": [("Rolled omelette", 2, 10000), ("Kimchi stew", 1, 9000), ("Cola", 2, 4000)],
        "tables": [(2, 1, 13000), (1, 1, 10000)],
        "hours": {"00": (1, 13000), "23": (1, 10000)},
        "heatmap": {(saturday, 23): 1, (sunday, 0): 1},
        "series": {"2026-10-31": (1, 10000), "2026-11-01": (1, 13000)}}
    assert len(report.series) == 55

    this_month = dashboard.sales_report(admin, SEOUL, NOW, "this_month")  # November less its last four days
    assert _figures(this_month)["totals"] == (2, 43000, 0, 0)
    assert _figures(this_month)["previous"] == (1, 10000)  # October 6th to 31st: the refunded order not counted
    assert _figures(this_month)["items"] == [("Bulgogi", 2, 30000), ("Kimchi stew", 1, 9000), ("Cola", 2, 4000)]


def _from_day_rows(db, first: str, last: str) -> dict:
    """The range's figures summed straight from the day rows: what the rollups must add up to."""
    span = {"first": first, "last": last}
    def rows(query):
        with db.engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(sa.text(query), span))
    return {
        "totals": rows("SELECT COALESCE(SUM(orders), 0), COALESCE(SUM(revenue), 0), COALESCE(SUM(refunds), 0), "
                       "COALESCE(SUM(refunded), 0) FROM sales_hour WHERE day >= :first AND day <= :last"),
        "items": rows("SELECT menu_item_id, SUM(quantity), SUM(revenue) FROM sales_item_day "
                      "WHERE day >= :first AND day <= :last GROUP BY menu_item_id HAVING SUM(quantity) <> 0"),
        "tables": rows("SELECT table_number, SUM(orders), SUM(revenue) FROM sales_table_day "
                       "WHERE day >= :first AND day <= :last GROUP BY table_number HAVING SUM(orders) <> 0"),
        "slots": rows("SELECT weekday, hour, SUM(orders) FROM sales_hour WHERE day >= :first AND day <= :last "
                      "GROUP BY weekday, hour HAVING SUM(orders) <> 0")}


@pytest.mark.parametrize("first, last", [
    ("2026-09-01", "2026-11-30"), ("2026-09-30", "2026-10-01"), ("2026-10-01", "2026-10-30"),
    ("2026-10-02", "2026-10-31"), ("2026-10-15", "2026-10-15"), ("2026-09-16", "2026-11-15"),
    ("2026-09-29", "2026-11-02"), ("2026-08-01", "2026-12-31")])
def test_every_split_of_a_range_adds_up_to_its_day_rows(orders_around_months, db, admin, first, last):
    report = dashboard.sales_report(admin, SEOUL, NOW, "custom", first=first, last=last)
    with db.engine.connect() as conn:
        names = {ko: i for i, ko in conn.execute(sa.text("SELECT id, name_ko FROM menu_item")).all()}

    direct = _from_day_rows(db, first, last)
    assert direct["totals"] == [(report.orders, report.revenue, report.refunds, report.refunded)]
    assert sorted((names[t.name_ko], t.quantity, t.revenue) for t in report.top_items) == direct["items"]
    assert sorted((t.table_number, t.orders, t.revenue) for t in report.tables) == direct["tables"]
    assert sorted((d, h, n) for d, row in enumerate(report.heatmap) for h, n in enumerate(row) if n) == direct["slots"]


def test_csv_exports_are_utf8_with_bom_and_hold_the_figures_and_orders(week_of_orders, store, admin):
    report = dashboard.sales_report(admin, SEOUL, NOW, "today")
    figures = exports.figures_csv(report, "ko")
    assert figures.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(figures.decode("utf-8-sig"))))
    assert rows[0] == ["구분", "항목", "주문 수", "수량", "매출"]
    assert ["기간", "2026-11-26~2026-11-26", "2", "", "50000"] in rows
    assert ["환불", "", "1", "", "9000"] in rows
    assert ["메뉴", "불고기", "", "2", "30000"] in rows

    orders = exports.orders_csv(admin, SEOUL, NOW, "today", lang="en")
    assert orders.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(orders.decode("utf-8-sig"))))
    assert rows[0] == ["order", "paid at", "table", "status", "total", "items"]
    assert [r[1:] for r in rows[1:]] == [
        ["2026-11-26 00:10", "1", "Paid", "20000", "Kimchi stew x2; Cola x1"],
        ["2026-11-26 12:00", "1", "Cancelled", "9000", "Kimchi stew x1"],
        ["2026-11-26 12:30", "1", "Cooking", "30000", "Bulgogi x2"]]


def test_days_and_hours_follow_daylight_saving_in_berlin(db, store, customer, admin):
    main = store.items["main"]
    # 2026-10-25: clocks go back from 03:00 CEST to 02:00 CET, so the day has 25 hours and 02:xx twice.
    paid(db, customer, [(main, 1)], datetime(2026, 10, 24, 22, 30, tzinfo=UTC))  # 00:30 CEST on the 25th
    paid(db, customer, [(main, 1)], datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST
    paid(db, customer, [(main, 1)], datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET, an hour later
    paid(db, customer, [(main, 2)], datetime(2026, 10, 25, 22, 59, tzinfo=UTC))  # 23:59 CET on the 25th
    paid(db, customer, [(main, 3)], datetime(2026, 10, 25, 23, 0, tzinfo=UTC))  # 00:00 on the 26th
    rebuild(store, BERLIN)

    report = dashboard.sales_report(admin, BERLIN, datetime(2026, 10, 25, 12, tzinfo=UTC), "today")
    assert report.first_day == "2026-10-25"
    assert (report.orders, report.revenue) == (4, 9000 * 5)
    assert {b.key: b.orders for b in report.series if b.orders} == {"00": 1, "02": 2, "23": 1}
    nextday = dashboard.sales_report(admin, BERLIN, datetime(2026, 10, 26, 12, tzinfo=UTC), "today")
    assert (nextday.orders, nextday.revenue, nextday.previous_revenue) == (1, 27000, 45000)
    # The same instants in Seoul fall on other days and hours.
    rebuild(store, SEOUL)
    seoul_day = dashboard.sales_report(admin, SEOUL, datetime(2026, 10, 25, 12, tzinfo=UTC), "today")
    assert {b.key: b.orders for b in seoul_day.series if b.orders} == {"07": 1, "09": 1, "10": 1}


def test_a_month_across_a_daylight_saving_change_in_berlin(db, store, customer, admin):
    main = store.items["main"]
    paid(db, customer, [(main, 1)], datetime(2026, 9, 30, 22, 30, tzinfo=UTC))  # 00:30 CEST on October 1st
    paid(db, customer, [(main, 1)], datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST
    paid(db, customer, [(main, 2)], datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET, an hour later
    paid(db, customer, [(main, 3)], datetime(2026, 10, 31, 22, 59, tzinfo=UTC))  # 23:59 CET on the 31st
    paid(db, customer, [(main, 4)], datetime(2026, 10, 31, 23, 0, tzinfo=UTC))  # 00:00 on November 1st
    paid(db, customer, [(main, 5)], datetime(2026, 9, 30, 21, 59, tzinfo=UTC))  # 23:59 CEST on September 30th
    rebuild(store, BERLIN)

    october = dashboard.sales_report(admin, BERLIN, datetime(2026, 11, 10, 12, tzinfo=UTC), "last_month")
    assert (october.first_day, october.last_day) == ("2026-10-01", "2026-10-31")
    assert (october.orders, october.revenue, october.previous_revenue) == (4, 9000 * 7, 9000 * 5)
    assert {b.key: b.orders for b in october.hours if b.orders} == {"00": 1, "02": 2, "23": 1}
    assert [(t.quantity, t.revenue) for t in october.top_items] == [(7, 63000)]
    sunday, saturday, thursday = 6, 5, 3
    assert {(d, h): n for d, row in enumerate(october.heatmap) for h, n in enumerate(row) if n} == {
        (thursday, 0): 1, (sunday, 2): 2, (saturday, 23): 1}
    # October 2nd to November 1st: October less its 1st, and November 1st's midnight order
    span = dashboard.sales_report(admin, BERLIN, datetime(2026, 11, 10, 12, tzinfo=UTC), "custom",
                                  first="2026-10-02", last="2026-11-01")
    assert (span.orders, span.revenue) == (4, 9000 * 10)


def spice_and_toppings(admin, store, item: str = "main") -> dict[str, int]:
    spicy = admin_options.create_group(admin, {"name_ko": "맵기", "name_en": "Spice level", "min_select": 1,
                                               "max_select": 1})
    topping = admin_options.create_group(admin, {"name_ko": "토핑", "name_en": "Toppings", "min_select": 0,
                                                 "max_select": 2})
    ids = {key: admin_options.create_option(admin, spicy, {"name_ko": ko, "name_en": en})
           for key, ko, en in [("mild", "순한맛", "Mild"), ("hot", "매운맛", "Hot")]}
    ids |= {key: admin_options.create_option(admin, topping, {"name_ko": ko, "name_en": en, "price_delta": d})
            for key, ko, en, d in [("ramen", "라면사리", "Ramen noodles", 2000), ("cheese", "치즈", "Cheese", 1500)]}
    admin_options.set_item_groups(admin, store.items[item], [spicy, topping])
    return ids


def test_option_popularity_and_what_options_add(db, store, customer, admin):
    o = spice_and_toppings(admin, store)
    main = store.items["main"]
    paid(db, customer, [(main, 2, [o["hot"], o["ramen"]])], seoul(2026, 11, 26, 12, 0))  # 2 x 11000
    paid(db, customer, [(main, 1, [o["hot"], o["ramen"], o["cheese"]])], seoul(2026, 11, 26, 12, 5))  # 12500
    paid(db, customer, [(main, 1, [o["mild"]])], seoul(2026, 11, 26, 13, 0))  # 9000
    paid(db, customer, [(main, 3, [o["mild"], o["cheese"]])], seoul(2026, 11, 26, 13, 0),
         then=OrderStatus.CANCELLED)  # refunded: not counted
    rebuild(store, SEOUL)

    report = dashboard.sales_report(admin, SEOUL, NOW, "today")
    assert (report.orders, report.revenue, report.refunded) == (3, 22000 + 12500 + 9000, 3 * 10500)
    assert [(t.name_en, t.quantity, t.revenue) for t in report.top_items] == [("Kimchi stew", 4, 43500)]
    assert [(x.group_en, x.name_en, x.quantity, x.revenue) for x in report.options] == [
        ("Toppings", "Ramen noodles", 3, 6000), ("Spice level", "Hot", 3, 0), ("Toppings", "Cheese", 1, 1500),
        ("Spice level", "Mild", 1, 0)]
    rows = list(csv.reader(io.StringIO(exports.figures_csv(report, "ko").decode("utf-8-sig"))))
    assert ["옵션", "토핑: 라면사리", "", "3", "6000"] in rows


def _snapshot(db) -> dict[str, list]:
    with db.engine.connect() as conn:
        return {t: sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t}"))) for t in AGGREGATES}


def test_the_projector_keeps_the_aggregates_equal_to_a_rebuild(db, store, customer, admin):
    ids = store.items
    table2 = store.sign_in_table(2)
    o = spice_and_toppings(admin, store, "limited")
    pay(place_order(customer, [(ids["limited"], 1, [o["mild"], o["cheese"]])]).id)
    pay(place_order(table2, [(ids["limited"], 1, [o["hot"]])]).id, OrderStatus.CANCELLED)
    for who, lines, then in [(customer, [(ids["main"], 2), (ids["drink"], 1)], None),
                             (customer, [(ids["side"], 1)], OrderStatus.ACCEPTED),  # same visit: a pair
                             (table2, [(ids["main2"], 1), (ids["side"], 2)], OrderStatus.CANCELLED),  # refunded
                             (table2, [(ids["main"], 1)], None)]:
        pay(place_order(who, lines).id, then)
    place_order(table2, [(ids["drink"], 1)])  # unpaid
    live = _snapshot(db)
    assert live["visit_item"] and live["sales_hour"]

    rebuild(store, get_settings().tz)

    assert _snapshot(db) == live
    hour = db.scalar("SELECT SUM(orders) FROM sales_hour"), db.scalar("SELECT SUM(revenue) FROM sales_hour")
    assert hour == (4, 21500 + 9000 * 2 + 2000 + 5000 + 9000)
    assert (db.scalar("SELECT SUM(refunds) FROM sales_hour"), db.scalar("SELECT SUM(refunded) FROM sales_hour")) == (
        2, 20000 + 15000 + 10000)
    assert db.scalar("SELECT SUM(revenue) FROM sales_option_day") == 1500


def test_an_unknown_period_or_a_bad_range_is_refused(db, store, admin):
    for period, first, last in [("decade", None, None), ("custom", "2026-11-20", "2026-11-19"),
                                ("custom", "2025-01-01", "2026-11-26"), ("custom", "yesterday", "2026-11-26")]:
        with pytest.raises(DomainError) as refused:
            dashboard.sales_report(admin, SEOUL, NOW, period, first=first, last=last)
        assert refused.value.code == "input.invalid"


def test_customers_and_anonymous_callers_are_refused(db, store, customer):
    with pytest.raises(AccessDenied):
        dashboard.sales_report(customer, SEOUL, NOW)
    with pytest.raises(AccessDenied):
        dashboard.sales_report(None, SEOUL, NOW)
    with pytest.raises(AccessDenied):
        exports.orders_csv(customer, SEOUL, NOW)


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_the_report_answers_after_its_connections_were_cut(week_of_orders, db, admin):
    """The report's pool pings no connection before use (db.report_engine_for): a dead one is replaced."""
    before = dashboard.sales_report(admin, SEOUL, NOW, "week")
    cut = db.scalar("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'hiorder-reports' AND datname = current_database()")
    assert cut >= 1

    assert dashboard.sales_report(admin, SEOUL, NOW, "week") == before
