"""The admin's sales dashboard: paid orders only, days counted in the store's time zone."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import select

from ..domain.models import Order, OrderLine
from ..domain.order_status import VISIBLE_TO_STORE
from .db import session_scope
from .principal import Principal, require_admin


@dataclass
class DaySales:
    day: str  # YYYY-MM-DD in the store's zone
    orders: int
    revenue: int


@dataclass
class TopItem:
    name_ko: str
    name_en: str
    quantity: int
    revenue: int


@dataclass
class SalesSummary:
    today_orders: int
    today_revenue: int
    days: list[DaySales]
    top_items: list[TopItem]


def sales_summary(principal: Principal, tz: ZoneInfo, now: datetime, days: int = 7) -> SalesSummary:
    principal = require_admin(principal)
    today = now.astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    since = datetime.combine(first_day, time.min, tzinfo=tz)
    paid = [Order.store_id == principal.store_id, Order.status.in_(list(VISIBLE_TO_STORE)), Order.paid_at >= since]
    with session_scope() as s:
        # Grouping by local day happens here, not in SQL, so it is the same on SQLite and PostgreSQL.
        rows = s.exec(select(Order.paid_at, Order.total).where(*paid)).all()
        per_day = {first_day + timedelta(days=n): [0, 0] for n in range(days)}
        for paid_at, total in rows:
            bucket = per_day.get(paid_at.astimezone(tz).date())
            if bucket is not None:
                bucket[0] += 1
                bucket[1] += total
        qty, revenue = sa.func.sum(OrderLine.quantity), sa.func.sum(OrderLine.line_total)
        top = s.exec(
            select(OrderLine.name_ko, OrderLine.name_en, qty, revenue)
            .join(Order, Order.id == OrderLine.order_id)
            .where(*paid)
            .group_by(OrderLine.menu_item_id, OrderLine.name_ko, OrderLine.name_en)
            .order_by(qty.desc())
            .limit(5)
        ).all()
    today_orders, today_revenue = per_day[today]
    return SalesSummary(
        today_orders=today_orders,
        today_revenue=today_revenue,
        days=[DaySales(d.isoformat(), n, r) for d, (n, r) in sorted(per_day.items())],
        top_items=[TopItem(a, b, int(c), int(d)) for a, b, c, d in top],
    )
