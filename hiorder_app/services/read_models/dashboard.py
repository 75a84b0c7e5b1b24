"""The admin's sales report, from the aggregate read models only (aggregates.py): per store and local day
and hour, per item, option and table. No order row is read, so a month costs the same as a day. Days and
hours are the store's (STORE_TIMEZONE, the zone the aggregates were built in). The database does the grouping, in
one statement (dashboard_query.py); this module shapes what it sends back."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ...domain.errors import DomainError
from ..db import read_once
from ..principal import Principal, require_admin
from . import dashboard_query

# fixed ranges ending today -> days they cover
ROLLING = {"today": 1, "week": 7, "month": 30}
PERIODS = (*ROLLING, "this_month", "last_month", "custom")
MAX_CUSTOM_DAYS = 366
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
class TableSales:
    table_number: int
    orders: int
    revenue: int


@dataclass
class OptionSales:
    group_ko: str
    group_en: str
    name_ko: str
    name_en: str
    quantity: int  # units of the items it was chosen on
    revenue: int  # what its price deltas added


@dataclass
class SalesReport:
    period: str
    first_day: str
    last_day: str
    orders: int
    revenue: int
    average: int  # revenue per order, rounded down
    refunds: int  # orders paid in the period, then cancelled and refunded
    refunded: int
    previous_revenue: int  # the same number of days just before
    series: list[Bucket]  # per hour for a one-day range, per day otherwise
    hours: list[Bucket]  # the whole period by hour of day: when the rush comes
    top_items: list[TopItem]  # by revenue
    previous_orders: int = 0
    previous_first_day: str = ""
    previous_last_day: str = ""
    top_by_quantity: list[TopItem] = field(default_factory=list)
    categories: list[TopItem] = field(default_factory=list)  # by revenue, the item's category today
    tables: list[TableSales] = field(default_factory=list)  # by revenue
    heatmap: list[list[int]] = field(default_factory=list)  # [weekday 0=Mon][hour] -> paid orders
    options: list[OptionSales] = field(default_factory=list)  # most chosen first


def _day(value, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise DomainError("input.invalid", field=name) from exc


def date_range(period: str, today: date, first=None, last=None) -> tuple[date, date]:
    """The first and last local day of a period."""
    if period in ROLLING:
        return today - timedelta(days=ROLLING[period] - 1), today
    if period == "this_month":
        return today.replace(day=1), today
    if period == "last_month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return last_day.replace(day=1), last_day
    if period == "custom":
        first_day, last_day = _day(first, "first day"), _day(last, "last day")
        if last_day < first_day or (last_day - first_day).days >= MAX_CUSTOM_DAYS:
            raise DomainError("input.invalid", field=f"date range (1-{MAX_CUSTOM_DAYS} days)")
        return first_day, last_day
    raise DomainError("input.invalid", field="period")


def _top(rows, key) -> list[TopItem]:
    return [TopItem(*r) for r in sorted(rows, key=key)[:TOP_ITEMS]]


def sales_report(principal: Principal, tz: ZoneInfo, now: datetime, period: str = "today",
                 first=None, last=None) -> SalesReport:
    """`first`/`last` (dates or YYYY-MM-DD) for the custom period."""
    principal = require_admin(principal)
    first_day, last_day = date_range(period, now.astimezone(tz).date(), first, last)
    days = (last_day - first_day).days + 1
    prev_last = first_day - timedelta(days=1)
    prev_first = prev_last - timedelta(days=days - 1)
    # One round trip: a prepared statement, planned once per connection, without a ping or BEGIN (db.read_once).
    rows = read_once(lambda conn: dashboard_query.fetch(conn, principal.store_id, first_day, last_day, prev_first,
                                                        prev_last))

    one_day = days == 1
    if one_day:
        series = {f"{h:02d}": Bucket(f"{h:02d}") for h in range(24)}
    else:
        keys = [(first_day + timedelta(days=n)).isoformat() for n in range(days)]
        series = {key: Bucket(key) for key in keys}
    hours = {f"{h:02d}": Bucket(f"{h:02d}") for h in range(24)}
    heatmap = [[0] * 24 for _ in range(7)]
    total = Bucket("all")
    refunds = refunded = prev_orders = prev_revenue = 0
    item_rows, table_rows, option_rows = [], [], []
    for kind, day, k1, k2, a, b, c, d, t1, t2, t3, t4 in rows:
        if kind == dashboard_query.SLOT:  # the day's hours (one-day range), the hours and the heatmap
            hour = f"{k2:02d}"
            for bucket in (total, hours[hour], *((series[hour],) if one_day else ())):
                bucket.orders += a
                bucket.revenue += b
            heatmap[k1][k2] += a
            refunds, refunded = refunds + c, refunded + d
        elif kind == dashboard_query.DAY:
            if not one_day:
                bucket = series[_day(day, "day").isoformat()]
                bucket.orders, bucket.revenue = int(a), int(b)
        elif kind == dashboard_query.PREV:
            prev_orders, prev_revenue = a, b
        elif kind == dashboard_query.ITEM:
            item_rows.append((k1, t1, t2, a, b, (t3 or "", t4 or "")))
        elif kind == dashboard_query.TABLE:
            table_rows.append((k1, a, b))
        else:
            option_rows.append((t1, t2, t3, t4, a, b))

    sold = [(ko, en, int(q), int(r), category) for _i, ko, en, q, r, category in item_rows if q or r]
    categories: dict[tuple[str, str], list[int]] = {}
    for _ko, _en, q, r, category in sold:
        sums = categories.setdefault(category, [0, 0])
        sums[0], sums[1] = sums[0] + q, sums[1] + r
    items = [row[:4] for row in sold]
    return SalesReport(
        period=period, first_day=first_day.isoformat(), last_day=last_day.isoformat(),
        orders=total.orders, revenue=total.revenue, average=total.revenue // total.orders if total.orders else 0,
        refunds=refunds, refunded=refunded, previous_revenue=int(prev_revenue), previous_orders=int(prev_orders),
        previous_first_day=prev_first.isoformat(), previous_last_day=prev_last.isoformat(),
        series=list(series.values()), hours=list(hours.values()),
        top_items=_top(items, lambda t: (-t[3], -t[2], t[0])),
        top_by_quantity=_top(items, lambda t: (-t[2], -t[3], t[0])),
        categories=[TopItem(ko, en, q, r) for (ko, en), (q, r) in
                    sorted(categories.items(), key=lambda kv: (-kv[1][1], kv[0]))],
        tables=[TableSales(n, int(o), int(r)) for n, o, r in sorted(table_rows, key=lambda t: (-t[2], t[0]))
                if o or r],
        heatmap=heatmap,
        options=[OptionSales(gk, ge, ko, en, int(q), int(r)) for gk, ge, ko, en, q, r in
                 sorted(option_rows, key=lambda t: (-t[4], -t[5], t[0], t[2])) if q][:TOP_ITEMS * 2],
    )
