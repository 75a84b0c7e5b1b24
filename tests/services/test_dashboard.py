"""The sales dashboard: paid orders only, per day in the store's time zone, from the read model."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import AccessDenied
from hiorder_app.services import dashboard
from hiorder_app.services.db import session_scope
from hiorder_app.services.order_lifecycle import lock_order, transition
from hiorder_app.services.ordering import place_order

SEOUL = ZoneInfo("Asia/Seoul")


def pay(order_id: int) -> None:
    with session_scope() as s:
        transition(s, lock_order(s, id=order_id), OrderStatus.PAID)


def test_only_paid_orders_count_and_best_sellers_come_from_their_lines(db, store, customer, admin):
    ids = store.items
    paid = place_order(customer, [(ids["main"], 2), (ids["drink"], 1)])
    place_order(customer, [(ids["main2"], 1)])  # never paid: not a sale
    pay(paid.id)

    summary = dashboard.sales_summary(admin, SEOUL, datetime.now(UTC))

    assert (summary.today_orders, summary.today_revenue) == (1, 9000 * 2 + 2000)
    assert [(t.name_en, t.quantity, t.revenue) for t in summary.top_items] == [("Kimchi stew", 2, 18000),
                                                                               ("Cola", 1, 2000)]
    assert len(summary.days) == 7 and summary.days[-1].revenue == 20000


def test_days_are_counted_in_the_store_zone(db, store, customer, admin):
    order = place_order(customer, [(store.items["main"], 1)])
    pay(order.id)
    # 23:30 UTC is already the next morning in Seoul.
    now = datetime.now(UTC)
    late = now.replace(hour=23, minute=30) - timedelta(days=1)
    db.execute("UPDATE order_view SET paid_at = :t WHERE order_id = :id", t=late, id=order.id)

    summary = dashboard.sales_summary(admin, SEOUL, late + timedelta(hours=1))

    assert summary.days[-1].day == late.astimezone(SEOUL).date().isoformat()
    assert summary.today_orders == 1


def test_customers_and_anonymous_callers_are_refused(db, store, customer):
    with pytest.raises(AccessDenied):
        dashboard.sales_summary(customer, SEOUL, datetime.now(UTC))
    with pytest.raises(AccessDenied):
        dashboard.sales_summary(None, SEOUL, datetime.now(UTC))
