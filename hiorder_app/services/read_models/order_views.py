"""The read side for orders: every query here reads the `order_view` read model only."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import select

from ...domain.models import OrderReadModel
from ...domain.order_status import LIVE_ON_BOARD, PAID_STATUSES, STORE_VISIBLE_STATUSES, parse_status
from ..db import session_scope
from ..principal import Principal, require_admin, require_customer

# domain.order_status.visible_to_store, as SQL.
STORE_SEES = (OrderReadModel.paid_at.is_not(None), OrderReadModel.status.in_(list(STORE_VISIBLE_STATUSES)))


@dataclass
class OrderLineView:
    menu_item_id: int
    name_ko: str
    name_en: str
    unit_price: int  # options included
    quantity: int
    # The chosen options as sold: dicts of domain.menu_options.option_lines.
    options: list[dict] = field(default_factory=list)
    station: str = ""
    done: bool = False

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    def options_text(self, lang: str = "ko") -> str:
        """"보통, 라면사리 (+2,000원)": what a card, a receipt or the history shows under the line."""
        return options_text(self.options, lang)


def options_text(options: list[dict], lang: str = "ko") -> str:
    def one(o: dict) -> str:
        name = (o.get("name_en") or o["name_ko"]) if lang == "en" else o["name_ko"]
        if not o.get("price_delta"):
            return name
        return f"{name} (+₩{o['price_delta']:,})" if lang == "en" else f"{name} (+{o['price_delta']:,}원)"
    return ", ".join(one(o) for o in options)


def line_view(ln: dict) -> OrderLineView:
    """A line of an order event's payload or the read model's lines_json (older rows have no options)."""
    return OrderLineView(ln["menu_item_id"], ln["name_ko"], ln["name_en"], ln["unit_price"], ln["quantity"],
                         list(ln.get("options") or ()), ln.get("station", ""), bool(ln.get("done")))


@dataclass
class OrderView:
    id: int
    table_number: int
    status: str
    total: int
    created_at: datetime
    paid_at: datetime | None
    lines: list[OrderLineView] = field(default_factory=list)
    payment_ref: str | None = None
    table_id: int | None = None
    updated_at: datetime | None = None
    note: str = ""  # the diner's request, plain text

    def name(self, lang: str = "ko") -> str:
        """What the payment provider shows: the first item and how many more."""
        first = self.lines[0].name_en if lang == "en" else self.lines[0].name_ko
        more = len(self.lines) - 1
        if more <= 0:
            return first
        return f"{first} and {more} more" if lang == "en" else f"{first} 외 {more}건"


def view_of(row: OrderReadModel) -> OrderView:
    lines = [line_view(ln) for ln in json.loads(row.lines_json)]
    return OrderView(row.order_id, row.table_number, row.status, row.total, row.created_at, row.paid_at, lines,
                     table_id=row.table_id, updated_at=row.updated_at, note=row.note)


def table_orders(principal: Principal) -> list[OrderView]:
    """This table session's orders, newest first."""
    principal = require_customer(principal)
    with session_scope() as s:
        rows = s.exec(select(OrderReadModel)
                      .where(OrderReadModel.table_id == principal.table_id, OrderReadModel.session_open)
                      .order_by(OrderReadModel.order_id.desc())).all()
        return [view_of(r) for r in rows]


def board_orders(principal: Principal) -> list[OrderView]:
    """Paid orders the kitchen and floor still have to handle, oldest first."""
    principal = require_admin(principal)
    with session_scope() as s:
        rows = s.exec(select(OrderReadModel)
                      .where(OrderReadModel.store_id == principal.store_id,
                             OrderReadModel.status.in_(list(LIVE_ON_BOARD)))
                      .order_by(OrderReadModel.paid_at, OrderReadModel.order_id)).all()
        return [view_of(r) for r in rows]


HISTORY_LIMIT = 200  # rows a history page lists; its summary still counts every match


@dataclass
class HistorySummary:
    count: int  # every order the filters match, listed or not
    paid_total: int  # what those orders took, cancelled (refunded) ones left out


def _history_query(principal: Principal, tz: ZoneInfo, day: date | None, table_number: int | None,
                   status: str | None):
    """The filters of the history: they only narrow what the store may see (paid, and cancelled after
    paying); an order never paid is not shown whatever the status asked for, and a status that does not
    exist is refused."""
    principal = require_admin(principal)
    where = [OrderReadModel.store_id == principal.store_id, *STORE_SEES]
    if status is not None:
        where.append(OrderReadModel.status == parse_status(status))
    if table_number:
        where.append(OrderReadModel.table_number == table_number)
    if day:
        start = datetime.combine(day, time.min, tzinfo=tz)
        where += [OrderReadModel.created_at >= start, OrderReadModel.created_at < start + timedelta(days=1)]
    return where


def order_history(principal: Principal, tz: ZoneInfo, day: date | None = None, table_number: int | None = None,
                  status: str | None = None, limit: int = HISTORY_LIMIT) -> list[OrderView]:
    """Every table's orders the store may see, newest first, at most `limit` of them."""
    where = _history_query(principal, tz, day, table_number, status)
    with session_scope() as s:
        rows = s.exec(select(OrderReadModel).where(*where).order_by(OrderReadModel.order_id.desc()).limit(limit)).all()
        return [view_of(r) for r in rows]


def history_summary(principal: Principal, tz: ZoneInfo, day: date | None = None, table_number: int | None = None,
                    status: str | None = None) -> HistorySummary:
    """How many orders the same filters match and what they took, counted by the database over the read
    model (no row is loaded), so a capped list still shows the whole total."""
    where = _history_query(principal, tz, day, table_number, status)
    paid = sa.case((OrderReadModel.status.in_(list(PAID_STATUSES)), OrderReadModel.total), else_=0)
    with session_scope() as s:
        count, total = s.exec(select(sa.func.count(), sa.func.coalesce(sa.func.sum(paid), 0)).where(*where)).one()
        return HistorySummary(int(count), int(total))
