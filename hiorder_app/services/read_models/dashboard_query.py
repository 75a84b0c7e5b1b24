"""The sales report's one statement: every figure group of a range, grouped by the database, in one round trip.

A 90-day range has about a thousand `sales_hour` rows and two thousand per-item rows; fetching them into Python
and summing there cost more than everything else the report does. Here the database groups them and sends
back only what the report shows: one row per day of the range, per (weekday, hour) that sold (the hours, the
heatmap and, for a one-day range, its hourly series all come from those), the previous period's totals, and
one row per item, table and option sold. Built once on the tables (not the ORM classes): it is the same
statement every time, for both backends (plain GROUP BY and UNION ALL; no GROUPING SETS, which SQLite lacks).
One statement also reads one snapshot, so the figures agree with each other while payments come in.

Rows: (kind, day, k1, k2, a, b, c, d, t1, t2, t3, t4), by kind:
  DAY     day,                     a..d = orders, revenue, refunds, refunded
  SLOT    k1 weekday, k2 hour,     a..d = orders, revenue, refunds, refunded
  PREV                             a, b = orders, revenue of the period before
  ITEM    k1 item id,              a, b = quantity, revenue; t1, t2 its name; t3, t4 its category's today
  TABLE   k1 table number,         a, b = orders, revenue
  OPTION  k1 option id,            a, b = quantity, revenue; t1..t4 group ko/en, name ko/en
"""

import sqlalchemy as sa

from ...domain.models import Category, MenuItem, SalesHour, SalesItemDay, SalesOptionDay, SalesTableDay

DAY, SLOT, PREV, ITEM, TABLE, OPTION = range(6)

_HOUR, _ITEM, _OPTION, _TABLE = (m.__table__ for m in (SalesHour, SalesItemDay, SalesOptionDay, SalesTableDay))
_MENU, _CATEGORY = MenuItem.__table__, Category.__table__
_STORE, _FIRST, _LAST = sa.bindparam("store"), sa.bindparam("first", type_=sa.Date), sa.bindparam("last", type_=sa.Date)
_PREV_FIRST, _PREV_LAST = sa.bindparam("prev_first", type_=sa.Date), sa.bindparam("prev_last", type_=sa.Date)


def _in_range(table: sa.Table, first=_FIRST, last=_LAST):
    return sa.and_(table.c.store_id == _STORE, table.c.day >= first, table.c.day <= last)


def _sum(column) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(column), 0)


def _text(value=None) -> sa.ColumnElement:
    return sa.cast(value if value is not None else sa.null(), sa.String)


_NO_DAY, _NO_INT = sa.cast(sa.null(), sa.Date), sa.cast(sa.null(), sa.Integer)
_NO_TEXT = (_text(),) * 4
_SALES = tuple(_sum(_HOUR.c[c]) for c in ("orders", "revenue", "refunds", "refunded"))

_days = sa.select(sa.literal(DAY), _HOUR.c.day, _NO_INT, _NO_INT, *_SALES, *_NO_TEXT).where(
    _in_range(_HOUR)).group_by(_HOUR.c.day)
_slots = sa.select(sa.literal(SLOT), _NO_DAY, _HOUR.c.weekday, _HOUR.c.hour, *_SALES, *_NO_TEXT).where(
    _in_range(_HOUR)).group_by(_HOUR.c.weekday, _HOUR.c.hour)
_previous = sa.select(sa.literal(PREV), _NO_DAY, _NO_INT, _NO_INT, *_SALES, *_NO_TEXT).where(
    _in_range(_HOUR, _PREV_FIRST, _PREV_LAST))

_item_sums = sa.select(_ITEM.c.menu_item_id, sa.func.max(_ITEM.c.name_ko).label("name_ko"),
                       sa.func.max(_ITEM.c.name_en).label("name_en"), _sum(_ITEM.c.quantity).label("quantity"),
                       _sum(_ITEM.c.revenue).label("revenue")).where(
    _in_range(_ITEM)).group_by(_ITEM.c.menu_item_id).subquery()
_items = sa.select(sa.literal(ITEM), _NO_DAY, _item_sums.c.menu_item_id, _NO_INT, _item_sums.c.quantity,
                   _item_sums.c.revenue, sa.literal(0), sa.literal(0), _text(_item_sums.c.name_ko),
                   _text(_item_sums.c.name_en), _text(_CATEGORY.c.name_ko), _text(_CATEGORY.c.name_en)).select_from(
    _item_sums.outerjoin(_MENU, _MENU.c.id == _item_sums.c.menu_item_id)
    .outerjoin(_CATEGORY, _CATEGORY.c.id == _MENU.c.category_id))
_tables = sa.select(sa.literal(TABLE), _NO_DAY, _TABLE.c.table_number, _NO_INT, _sum(_TABLE.c.orders),
                    _sum(_TABLE.c.revenue), sa.literal(0), sa.literal(0), *_NO_TEXT).where(
    _in_range(_TABLE)).group_by(_TABLE.c.table_number)
_options = sa.select(sa.literal(OPTION), _NO_DAY, _OPTION.c.option_id, _NO_INT, _sum(_OPTION.c.quantity),
                     _sum(_OPTION.c.revenue), sa.literal(0), sa.literal(0),
                     *(_text(sa.func.max(_OPTION.c[c])) for c in ("group_ko", "group_en", "name_ko", "name_en"))
                     ).where(_in_range(_OPTION)).group_by(_OPTION.c.option_id)

REPORT = sa.union_all(_days, _slots, _previous, _items, _tables, _options)


def fetch(conn: sa.Connection, store_id: int, first, last, prev_first, prev_last) -> list[tuple]:
    return conn.execute(REPORT, {"store": store_id, "first": first, "last": last, "prev_first": prev_first,
                                 "prev_last": prev_last}).all()
