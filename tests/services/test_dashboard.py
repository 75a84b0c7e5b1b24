"""The sales report: paid orders only, by the store's days and hours, from the read model."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import AccessDenied, DomainError
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models import dashboard

SEOUL = ZoneInfo("Asia/Seoul")
# 2026-11-26 15:00 in Seoul
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def paid(db, customer, lines, at: datetime, then: OrderStatus | None = None) -> int:
    order = place_order(customer, lines)
    with session_scope() as s:
        transition(s, lock_order(s, id=order.id), OrderStatus.PAID)
    if then is not None:
        with session_scope() as s:
            transition(s, lock_order(s, id=order.id), then)
    db.execute("UPDATE order_view SET paid_at = :t WHERE order_id = :id", t=at, id=order.id)
    return order.id


def test_today_counts_paid_orders_by_hour_with_best_sellers_by_revenue(db, store, customer, admin):
    ids = store.items
    paid(db, customer, [(ids["main"], 2), (ids["drink"], 1)], NOW - timedelta(hours=3))  # 12:00 in Seoul
    paid(db, customer, [(ids["main2"], 1)], NOW - timedelta(minutes=10))  # 14:50
    place_order(customer, [(ids["main2"], 1)])  # never paid: not a sale

    report = dashboard.sales_report(admin, SEOUL, NOW, "today")

    assert (report.orders, report.revenue) == (2, 9000 * 2 + 2000 + 15000)
    assert report.average == 35000 // 2
    assert (report.first_day, report.last_day) == ("2026-11-26", "2026-11-26")
    assert len(report.series) == 24
    assert {b.key: b.revenue for b in report.series if b.revenue} == {"12": 20000, "14": 15000}
    assert [(t.name_en, t.quantity, t.revenue) for t in report.top_items] == [
        ("Kimchi stew", 2, 18000), ("Bulgogi", 1, 15000), ("Cola", 1, 2000)]


def test_a_week_by_day_against_the_week_before_with_refunds_apart(db, store, customer, admin):
    ids = store.items
    paid(db, customer, [(ids["main"], 1)], NOW)  # today
    paid(db, customer, [(ids["main"], 2)], NOW - timedelta(days=6))  # first day of the week
    paid(db, customer, [(ids["main"], 1)], NOW - timedelta(days=2), then=OrderStatus.CANCELLED)  # refunded
    paid(db, customer, [(ids["main2"], 1)], NOW - timedelta(days=9))  # the week before
    paid(db, customer, [(ids["main2"], 3)], NOW - timedelta(days=20))  # older still: nowhere

    report = dashboard.sales_report(admin, SEOUL, NOW, "week")

    assert (report.first_day, report.last_day) == ("2026-11-20", "2026-11-26")
    assert [b.key for b in report.series][0] == "2026-11-20" and len(report.series) == 7
    assert {b.key: b.revenue for b in report.series if b.revenue} == {"2026-11-20": 18000, "2026-11-26": 9000}
    assert (report.orders, report.revenue) == (2, 27000)
    assert (report.refunds, report.refunded) == (1, 9000)
    assert report.previous_revenue == 15000
    assert {b.key: b.orders for b in report.hours if b.orders} == {"15": 2}  # both at 15:00 Seoul time

    month = dashboard.sales_report(admin, SEOUL, NOW, "month")
    assert (month.orders, month.revenue, len(month.series)) == (4, 27000 + 15000 + 45000, 30)


def test_days_are_counted_in_the_store_zone(db, store, customer, admin):
    # 23:30 UTC is already the next morning in Seoul.
    late = NOW.replace(hour=23, minute=30) - timedelta(days=1)
    paid(db, customer, [(store.items["main"], 1)], late)

    report = dashboard.sales_report(admin, SEOUL, late + timedelta(hours=1), "today")

    assert report.first_day == late.astimezone(SEOUL).date().isoformat() == "2026-11-26"
    assert report.orders == 1
    assert [b.key for b in report.series if b.orders] == ["08"]


def test_an_unknown_period_is_refused(db, store, admin):
    with pytest.raises(DomainError) as refused:
        dashboard.sales_report(admin, SEOUL, NOW, "decade")
    assert refused.value.code == "input.invalid"


def test_customers_and_anonymous_callers_are_refused(db, store, customer):
    with pytest.raises(AccessDenied):
        dashboard.sales_report(customer, SEOUL, NOW)
    with pytest.raises(AccessDenied):
        dashboard.sales_report(None, SEOUL, NOW)
