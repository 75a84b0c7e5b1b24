"""The admin's sales dashboard: paid orders only, days counted in the store's time zone."""

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from ..domain.models import OrderReadModel
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
    """From the order read model only; days are counted in the store's zone, in Python, so SQLite and
    PostgreSQL agree."""
    principal = require_admin(principal)
    today = now.astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    since = datetime.combine(first_day, time.min, tzinfo=tz)
    with session_scope() as s:
        rows = s.exec(select(OrderReadModel.paid_at, OrderReadModel.total, OrderReadModel.lines_json).where(
            OrderReadModel.store_id == principal.store_id, OrderReadModel.status.in_(list(VISIBLE_TO_STORE)),
            OrderReadModel.paid_at >= since)).all()
    per_day = {first_day + timedelta(days=n): [0, 0] for n in range(days)}
    items: dict[tuple[str, str], list[int]] = {}
    for paid_at, total, lines_json in rows:
        bucket = per_day.get(paid_at.astimezone(tz).date())
        if bucket is None:
            continue
        bucket[0] += 1
        bucket[1] += total
        for line in json.loads(lines_json):
            sold = items.setdefault((line["name_ko"], line["name_en"]), [0, 0])
            sold[0] += line["quantity"]
            sold[1] += line["quantity"] * line["unit_price"]
    top = sorted(items.items(), key=lambda kv: (-kv[1][0], kv[0]))[:5]
    today_orders, today_revenue = per_day[today]
    return SalesSummary(
        today_orders=today_orders,
        today_revenue=today_revenue,
        days=[DaySales(d.isoformat(), n, r) for d, (n, r) in sorted(per_day.items())],
        top_items=[TopItem(ko, en, qty, revenue) for (ko, en), (qty, revenue) in top],
    )
