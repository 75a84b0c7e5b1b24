"""Aggregate read models of sales (per store, local day and hour, item, option, table), applied by the projector in
the transaction of each payment and refund, so the dashboard never reads order rows. Beside the day rows, each
sale also adds to its day's total (`sales_day`) and to its month's rollups (`sales_month_hour`, `sales_item_month`,
`sales_option_month`, `sales_table_month`), which the report reads for a range's whole months.

A paid order adds to the bucket of its local payment hour; a refund (a paid order cancelled) takes it out
of the sales there and counts it as refunded there. The store's zone is STORE_TIMEZONE; changing it needs
a rebuild (`python -m hiorder_app rebuild-insights`)."""

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ...domain.enums import OrderStatus
from ...domain.models import (
    SalesDay,
    SalesHour,
    SalesItemDay,
    SalesItemHour,
    SalesItemMonth,
    SalesMonthHour,
    SalesOptionDay,
    SalesOptionMonth,
    SalesTableDay,
    SalesTableMonth,
)

# Rows per statement: SQLite allows 32766 bound values, a rebuild writes thousands of rows.
CHUNK = 2000
HOUR, ITEM_DAY, ITEM_HOUR, OPTION_DAY, TABLE_DAY = (m.__table__ for m in (
    SalesHour, SalesItemDay, SalesItemHour, SalesOptionDay, SalesTableDay))
DAY, MONTH_HOUR, ITEM_MONTH, OPTION_MONTH, TABLE_MONTH = (m.__table__ for m in (
    SalesDay, SalesMonthHour, SalesItemMonth, SalesOptionMonth, SalesTableMonth))
# Written in this order by every payment and refund (with each table's rows in key order): no deadlock.
TABLES = (HOUR, ITEM_DAY, ITEM_HOUR, OPTION_DAY, TABLE_DAY, DAY, MONTH_HOUR, ITEM_MONTH, OPTION_MONTH, TABLE_MONTH)
# A day table -> its month rollup and the columns of the rollup's key that come from the day row
ROLLUPS = {HOUR: (MONTH_HOUR, ("weekday", "hour")), ITEM_DAY: (ITEM_MONTH, ("menu_item_id",)),
           OPTION_DAY: (OPTION_MONTH, ("option_id",)), TABLE_DAY: (TABLE_MONTH, ("table_number",))}


def upsert(session: Session, table: sa.Table, rows: list[dict], keys: tuple[str, ...], add: tuple[str, ...],
           replace: tuple[str, ...] = ()) -> None:
    """INSERT ... ON CONFLICT DO UPDATE adding `add` columns (both backends speak it). Rows in key order:
    concurrent payments then take the row locks in one order and cannot deadlock."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = sorted(rows, key=lambda r: tuple(r[k] for k in keys))
    for start in range(0, len(rows), CHUNK):
        stmt = dialect.insert(table).values(rows[start:start + CHUNK])
        changes = {c: table.c[c] + stmt.excluded[c] for c in add} | {c: stmt.excluded[c] for c in replace}
        session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes))


def sale_rows(store_id: int, table_number: int, total: int, lines: list[dict], local: datetime,
              sign: int) -> dict[sa.Table, list[dict]]:
    """What one order adds to each aggregate (sign +1 paid, -1 refunded)."""
    day, hour = local.date(), local.hour
    refund = 1 if sign < 0 else 0
    items: dict[int, list] = defaultdict(lambda: [0, 0, "", ""])
    options: dict[int, list] = defaultdict(lambda: [0, 0, "", "", "", ""])
    for line in lines:
        row = items[line["menu_item_id"]]
        row[0] += line["quantity"]
        row[1] += line["quantity"] * line["unit_price"]
        row[2], row[3] = line["name_ko"], line["name_en"]
        for option in line.get("options") or ():
            o = options[option["id"]]
            o[0] += line["quantity"]
            o[1] += line["quantity"] * option["price_delta"]
            o[2:] = option["group_ko"], option["group_en"], option["name_ko"], option["name_en"]
    rows = {
        HOUR: [{"store_id": store_id, "day": day, "hour": hour, "weekday": day.weekday(), "orders": sign,
                "revenue": sign * total, "refunds": refund, "refunded": refund * total}],
        ITEM_DAY: [{"store_id": store_id, "day": day, "menu_item_id": i, "name_ko": ko, "name_en": en,
                    "quantity": sign * q, "revenue": sign * r} for i, (q, r, ko, en) in items.items()],
        ITEM_HOUR: [{"store_id": store_id, "day": day, "hour": hour, "menu_item_id": i, "quantity": sign * q}
                    for i, (q, _r, _ko, _en) in items.items()],
        OPTION_DAY: [{"store_id": store_id, "day": day, "option_id": i, "group_ko": gk, "group_en": ge,
                      "name_ko": ko, "name_en": en, "quantity": sign * q, "revenue": sign * r}
                     for i, (q, r, gk, ge, ko, en) in options.items()],
        TABLE_DAY: [{"store_id": store_id, "day": day, "table_number": table_number, "orders": sign,
                     "revenue": sign * total}],
        DAY: [{"store_id": store_id, "day": day, "orders": sign, "revenue": sign * total, "refunds": refund,
               "refunded": refund * total}],
    }
    month = day.replace(day=1)
    for table, (rollup, keys) in ROLLUPS.items():
        rows[rollup] = [{"store_id": store_id, "month": month} | {c: r[c] for c in (*keys, *ADDS[rollup],
                                                                                  *REPLACES.get(rollup, ()))}
                        for r in rows[table]]
    return rows


KEYS = {HOUR: ("store_id", "day", "hour"), ITEM_DAY: ("store_id", "day", "menu_item_id"),
        ITEM_HOUR: ("store_id", "day", "hour", "menu_item_id"), OPTION_DAY: ("store_id", "day", "option_id"),
        TABLE_DAY: ("store_id", "day", "table_number"), DAY: ("store_id", "day")}
ADDS = {HOUR: ("orders", "revenue", "refunds", "refunded"), ITEM_DAY: ("quantity", "revenue"),
        ITEM_HOUR: ("quantity",), OPTION_DAY: ("quantity", "revenue"), TABLE_DAY: ("orders", "revenue"),
        DAY: ("orders", "revenue", "refunds", "refunded")}
REPLACES = {ITEM_DAY: ("name_ko", "name_en"), OPTION_DAY: ("group_ko", "group_en", "name_ko", "name_en")}
for _day_table, (_rollup, _keys) in ROLLUPS.items():
    KEYS[_rollup] = ("store_id", "month", *_keys)
    ADDS[_rollup] = ADDS[_day_table]
    if _day_table in REPLACES:
        REPLACES[_rollup] = REPLACES[_day_table]


def write(session: Session, rows: dict[sa.Table, list[dict]]) -> None:
    for table in TABLES:
        upsert(session, table, rows.get(table, []), KEYS[table], ADDS[table], REPLACES.get(table, ()))


def sign_of(event_type: str, payload: dict) -> int:
    """+1 when this event is a payment, -1 when it refunds a paid order, 0 when sales do not change."""
    if payload.get("paid_at") is None:
        return 0
    if event_type == "OrderPaid":
        return 1
    if event_type == "OrderStatusChanged" and payload["status"] == OrderStatus.CANCELLED:
        return -1
    return 0


def apply(session: Session, event_type: str, payload: dict, tz: ZoneInfo) -> None:
    sign = sign_of(event_type, payload)
    if sign:
        local = datetime.fromisoformat(payload["paid_at"]).astimezone(tz)
        write(session, sale_rows(payload["store_id"], payload["table_number"], payload["total"],
                                 payload["lines"], local, sign))


def clear(session: Session, store_id: int) -> None:
    for table in TABLES:
        session.execute(sa.delete(table).where(table.c.store_id == store_id))


def merge(into: dict[sa.Table, dict[tuple, dict]], rows: dict[sa.Table, list[dict]]) -> None:
    """Sum rows in memory by key (the rebuild writes each aggregate row once)."""
    for table, new in rows.items():
        keys, adds = KEYS[table], ADDS[table]
        for row in new:
            key = tuple(row[k] for k in keys)
            have = into[table].get(key)
            if have is None:
                into[table][key] = dict(row)
            else:
                for c in adds:
                    have[c] += row[c]
                for c in REPLACES.get(table, ()):
                    have[c] = row[c]


def local_day(value: datetime, tz: ZoneInfo) -> date:
    return value.astimezone(tz).date()
