"""The admin's sales report, from the order read model only. Days and hours are the store's (its time
zone), counted in Python so SQLite and PostgreSQL agree."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from ...domain.enums import OrderStatus
from ...domain.errors import DomainError
from ...domain.models import OrderReadModel
from ...domain.order_status import VISIBLE_TO_STORE
from ..db import session_scope
from ..principal import Principal, require_admin

# period -> days it covers, ending today
PERIODS = {"today": 1, "week": 7, "month": 30}
TOP_ITEMS = 10


@dataclass
class Bucket:
    key: str  # YYYY-MM-DD for a day, HH for an hour
    orders: int = 0
    revenue: int = 0


@dataclass
class TopItem:
    name_ko: str
    name_en: str
    quantity: int
    revenue: int


@dataclass
class SalesReport:
    period: str
    first_day: str
    last_day: str
    orders: int
    revenue: int
    average: int  # revenue per order, rounded down
    refunds: int  # orders paid, then cancelled and refunded, in the period
    refunded: int
    previous_revenue: int  # the same number of days just before
    series: list[Bucket]  # per hour for today, per day otherwise
    hours: list[Bucket]  # the whole period by hour of day: when the rush comes
    top_items: list[TopItem]


def _window(tz: ZoneInfo, now: datetime, days: int) -> tuple[date, datetime, datetime]:
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    return first, datetime.combine(first, time.min, tzinfo=tz), datetime.combine(today + timedelta(days=1), time.min,
                                                                                 tzinfo=tz)


def sales_report(principal: Principal, tz: ZoneInfo, now: datetime, period: str = "today") -> SalesReport:
    principal = require_admin(principal)
    if period not in PERIODS:
        raise DomainError("input.invalid", field="period")
    days = PERIODS[period]
    first_day, since, until = _window(tz, now, days)
    before = since - timedelta(days=days)
    counted = [str(s) for s in VISIBLE_TO_STORE]
    with session_scope() as s:
        rows = s.exec(select(OrderReadModel.paid_at, OrderReadModel.status, OrderReadModel.total,
                             OrderReadModel.lines_json).where(
            OrderReadModel.store_id == principal.store_id, OrderReadModel.paid_at.is_not(None),
            OrderReadModel.status.in_([*counted, OrderStatus.CANCELLED.value]),
            OrderReadModel.paid_at >= before, OrderReadModel.paid_at < until)).all()

    if period == "today":
        series = {f"{h:02d}": Bucket(f"{h:02d}") for h in range(24)}
    else:
        series = {(first_day + timedelta(days=n)).isoformat(): Bucket((first_day + timedelta(days=n)).isoformat())
                  for n in range(days)}
    hours = {f"{h:02d}": Bucket(f"{h:02d}") for h in range(24)}
    items: dict[tuple[str, str], list[int]] = {}
    total = Bucket("all")
    refunds = refunded = previous = 0
    for paid_at, status, amount, lines_json in rows:
        local = paid_at.astimezone(tz)
        sold = status in counted
        if paid_at < since:
            previous += amount if sold else 0
            continue
        if not sold:
            refunds, refunded = refunds + 1, refunded + amount
            continue
        for bucket in (total, series[f"{local.hour:02d}" if period == "today" else local.date().isoformat()],
                       hours[f"{local.hour:02d}"]):
            bucket.orders += 1
            bucket.revenue += amount
        for line in json.loads(lines_json):
            counts = items.setdefault((line["name_ko"], line["name_en"]), [0, 0])
            counts[0] += line["quantity"]
            counts[1] += line["quantity"] * line["unit_price"]
    top = sorted(items.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP_ITEMS]
    return SalesReport(
        period=period, first_day=first_day.isoformat(), last_day=(until - timedelta(days=1)).date().isoformat(),
        orders=total.orders, revenue=total.revenue, average=total.revenue // total.orders if total.orders else 0,
        refunds=refunds, refunded=refunded, previous_revenue=previous,
        series=list(series.values()), hours=list(hours.values()),
        top_items=[TopItem(ko, en, qty, revenue) for (ko, en), (qty, revenue) in top],
    )
