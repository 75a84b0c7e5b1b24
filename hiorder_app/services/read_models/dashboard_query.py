"""The sales report's one statement: every figure group of a range, grouped by the database, in one round trip.

A 90-day range has about a thousand `sales_hour` rows and two thousand per-item rows. The report reads a range's
months from the per-month rollups and only the days at its edges from the day rows (`spans`: at most half a
month at each edge), so it groups a few hundred rows per figure instead of a few thousand; the daily series and
the previous period come from `sales_day`, a row per day. The database groups
them and sends back only what the report shows: one row per day of the range, per (weekday, hour) that sold
(the hours, the heatmap and, for a one-day range, its hourly series all come from those), the previous period's
totals, and one row per item, table and option sold. Built once on the tables (not the ORM classes): it is the
same statement every time, for both backends (plain GROUP BY and UNION ALL; no GROUPING SETS, which SQLite lacks).
One statement also reads one snapshot, so the figures agree with each other while payments come in.

Rows: (kind, day, k1, k2, a, b, c, d, t1, t2, t3, t4), by kind:
  DAY     day,                     a..d = orders, revenue, refunds, refunded
  SLOT    k1 weekday, k2 hour,     a..d = orders, revenue, refunds, refunded
  PREV                             a, b = orders, revenue of the period before
  ITEM    k1 item id,              a, b = quantity, revenue; t1, t2 its name; t3, t4 its category's today
  TABLE   k1 table number,         a, b = orders, revenue
  OPTION  k1 option id,            a, b = quantity, revenue; t1..t4 group ko/en, name ko/en
"""

from datetime import date, timedelta

import sqlalchemy as sa

from ...domain.models import Category, MenuItem
from .aggregates import DAY as _DAY_TABLE
from .aggregates import HOUR, ITEM_DAY, ITEM_MONTH, MONTH_HOUR, OPTION_DAY, OPTION_MONTH, TABLE_DAY, TABLE_MONTH

DAY, SLOT, PREV, ITEM, TABLE, OPTION = range(6)

_MENU, _CATEGORY = MenuItem.__table__, Category.__table__
_STORE = sa.bindparam("store")


def _date(name: str) -> sa.BindParameter:
    return sa.bindparam(name, type_=sa.Date)


# The range [first, last] = the whole months [month_first, month_last] (their first days) + the days [first,
# head_last] and [tail_first, last] - the days [drop1_first, drop1_last] and [drop2_first, drop2_last]: an edge
# of a range is read as its days, or as its whole month less the days outside the range, whichever is fewer
# days (every figure is a sum of integers, so both are exact). An empty part has its first after its last.
_FIRST, _LAST, _PREV_FIRST, _PREV_LAST = (_date(n) for n in ("first", "last", "prev_first", "prev_last"))
_HEAD_LAST, _TAIL_FIRST, _MONTH_FIRST, _MONTH_LAST = (_date(n) for n in ("head_last", "tail_first", "month_first",
                                                                        "month_last"))
_DROPS = tuple((_date(f"drop{n}_first"), _date(f"drop{n}_last")) for n in (1, 2))


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def spans(first: date, last: date) -> dict[str, date]:
    """The parameters that split [first, last] into whole months and days at its edges, read or dropped."""
    none = (last + timedelta(days=1), last)  # an empty span of days
    month_first, month_last = first.replace(day=1), last.replace(day=1)
    head, tail, drop1, drop2 = (first, first - timedelta(days=1)), none, none, none
    if month_first == month_last:  # one month: its days, or the month less the days either side
        outside = (first - month_first).days + (_month_end(last) - last).days
        if (last - first).days + 1 <= outside:
            head, month_first, month_last = (first, last), last + timedelta(days=1), last
        else:
            drop1 = (month_first, first - timedelta(days=1))
            drop2 = (last + timedelta(days=1), _month_end(last))
    else:
        if (_month_end(first) - first).days + 1 <= (first - month_first).days:
            head, month_first = (first, _month_end(first)), _month_end(first) + timedelta(days=1)
        else:
            drop1 = (month_first, first - timedelta(days=1))
        if last.day <= (_month_end(last) - last).days:
            tail, month_last = (month_last, last), (month_last - timedelta(days=1)).replace(day=1)
        else:
            drop2 = (last + timedelta(days=1), _month_end(last))
    return {"head_last": head[1], "tail_first": tail[0], "month_first": month_first, "month_last": month_last,
            "drop1_first": drop1[0], "drop1_last": drop1[1], "drop2_first": drop2[0], "drop2_last": drop2[1]}


def _days(table: sa.Table, first, last):
    return sa.and_(table.c.store_id == _STORE, table.c.day >= first, table.c.day <= last)


def _spread(day_table: sa.Table, month_table: sa.Table, keys: tuple[str, ...], sums: tuple[str, ...]) -> sa.Subquery:
    """The range's rows of a figure: its months' rollup rows, its edge days' rows, and the rows of the days of
    those months outside the range with their sums negated."""
    def cols(table, sign=1):
        return [table.c[c] for c in keys] + [(table.c[c] if sign > 0 else -table.c[c]).label(c) for c in sums]
    return sa.union_all(
        sa.select(*cols(month_table)).where(month_table.c.store_id == _STORE, month_table.c.month >= _MONTH_FIRST,
                                            month_table.c.month <= _MONTH_LAST),
        sa.select(*cols(day_table)).where(_days(day_table, _FIRST, _HEAD_LAST)),
        sa.select(*cols(day_table)).where(_days(day_table, _TAIL_FIRST, _LAST)),
        *(sa.select(*cols(day_table, -1)).where(_days(day_table, *drop)) for drop in _DROPS),
    ).subquery()


def _const(value: int) -> sa.ColumnElement:
    """In the statement's text, not a parameter: the plan knows it."""
    return sa.literal_column(str(value), sa.Integer)


def _sum(column) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(column), _const(0))


def _text(value=None) -> sa.ColumnElement:
    return sa.cast(value if value is not None else sa.null(), sa.String)


_NO_DAY, _NO_INT = sa.cast(sa.null(), sa.Date), sa.cast(sa.null(), sa.Integer)
_NO_TEXT = (_text(),) * 4
_SALES = ("orders", "revenue", "refunds", "refunded")

_day_rows = sa.select(_const(DAY), _DAY_TABLE.c.day, _NO_INT, _NO_INT, *(_DAY_TABLE.c[c] for c in _SALES),
                      *_NO_TEXT).where(_days(_DAY_TABLE, _FIRST, _LAST))
_hours = _spread(HOUR, MONTH_HOUR, ("weekday", "hour"), _SALES)
_slots = sa.select(_const(SLOT), _NO_DAY, _hours.c.weekday, _hours.c.hour, *(_sum(_hours.c[c]) for c in _SALES),
                   *_NO_TEXT).group_by(_hours.c.weekday, _hours.c.hour)
_previous = sa.select(_const(PREV), _NO_DAY, _NO_INT, _NO_INT, *(_sum(_DAY_TABLE.c[c]) for c in _SALES),
                      *_NO_TEXT).where(_days(_DAY_TABLE, _PREV_FIRST, _PREV_LAST))

_item_rows = _spread(ITEM_DAY, ITEM_MONTH, ("menu_item_id", "name_ko", "name_en"), ("quantity", "revenue"))
_item_sums = sa.select(_item_rows.c.menu_item_id, sa.func.max(_item_rows.c.name_ko).label("name_ko"),
                       sa.func.max(_item_rows.c.name_en).label("name_en"),
                       _sum(_item_rows.c.quantity).label("quantity"),
                       _sum(_item_rows.c.revenue).label("revenue")).group_by(_item_rows.c.menu_item_id).subquery()
_items = sa.select(_const(ITEM), _NO_DAY, _item_sums.c.menu_item_id, _NO_INT, _item_sums.c.quantity,
                   _item_sums.c.revenue, _const(0), _const(0), _text(_item_sums.c.name_ko),
                   _text(_item_sums.c.name_en), _text(_CATEGORY.c.name_ko), _text(_CATEGORY.c.name_en)).select_from(
    _item_sums.outerjoin(_MENU, _MENU.c.id == _item_sums.c.menu_item_id)
    .outerjoin(_CATEGORY, _CATEGORY.c.id == _MENU.c.category_id))
_table_rows = _spread(TABLE_DAY, TABLE_MONTH, ("table_number",), ("orders", "revenue"))
_tables = sa.select(_const(TABLE), _NO_DAY, _table_rows.c.table_number, _NO_INT, _sum(_table_rows.c.orders),
                    _sum(_table_rows.c.revenue), _const(0), _const(0), *_NO_TEXT).group_by(
    _table_rows.c.table_number)
_OPTION_TEXTS = ("group_ko", "group_en", "name_ko", "name_en")
_option_rows = _spread(OPTION_DAY, OPTION_MONTH, ("option_id", *_OPTION_TEXTS), ("quantity", "revenue"))
_options = sa.select(_const(OPTION), _NO_DAY, _option_rows.c.option_id, _NO_INT, _sum(_option_rows.c.quantity),
                     _sum(_option_rows.c.revenue), _const(0), _const(0),
                     *(_text(sa.func.max(_option_rows.c[c])) for c in _OPTION_TEXTS)).group_by(
    _option_rows.c.option_id)

REPORT = sa.union_all(_day_rows, _slots, _previous, _items, _tables, _options)


def fetch(conn: sa.Connection, store_id: int, first, last, prev_first, prev_last) -> list[tuple]:
    return conn.execute(REPORT, {"store": store_id, "first": first, "last": last, "prev_first": prev_first,
                                 "prev_last": prev_last, **spans(first, last)}).all()
