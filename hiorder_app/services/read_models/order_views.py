"""The read side for orders: every query here reads the `order_view` read model only."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from ...domain.models import OrderReadModel
from ...domain.order_status import VISIBLE_TO_STORE
from ..db import session_scope
from ..principal import Principal, require_admin, require_customer

LIVE_ON_BOARD = ("PAID", "ACCEPTED")


@dataclass
class OrderLineView:
    menu_item_id: int
    name_ko: str
    name_en: str
    unit_price: int
    quantity: int

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


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

    def name(self, lang: str = "ko") -> str:
        """What the payment provider shows: the first item and how many more."""
        first = self.lines[0].name_en if lang == "en" else self.lines[0].name_ko
        more = len(self.lines) - 1
        if more <= 0:
            return first
        return f"{first} and {more} more" if lang == "en" else f"{first} 외 {more}건"


def view_of(row: OrderReadModel) -> OrderView:
    lines = [OrderLineView(ln["menu_item_id"], ln["name_ko"], ln["name_en"], ln["unit_price"], ln["quantity"])
             for ln in json.loads(row.lines_json)]
    return OrderView(row.order_id, row.table_number, row.status, row.total, row.created_at, row.paid_at, lines,
                     table_id=row.table_id, updated_at=row.updated_at)


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
                      .where(OrderReadModel.store_id == principal.store_id, OrderReadModel.status.in_(LIVE_ON_BOARD))
                      .order_by(OrderReadModel.paid_at, OrderReadModel.order_id)).all()
        return [view_of(r) for r in rows]


def order_history(principal: Principal, tz: ZoneInfo, day: date | None = None, table_number: int | None = None,
                  status: str | None = None, limit: int = 200) -> list[OrderView]:
    """Every table's orders as the store sees them (paid or later), newest first, with filters."""
    principal = require_admin(principal)
    query = select(OrderReadModel).where(OrderReadModel.store_id == principal.store_id)
    if status:
        query = query.where(OrderReadModel.status == status)
    else:
        query = query.where(OrderReadModel.status.in_([*VISIBLE_TO_STORE, "CANCELLED"]),
                            OrderReadModel.paid_at.is_not(None))
    if table_number:
        query = query.where(OrderReadModel.table_number == table_number)
    if day:
        start = datetime.combine(day, time.min, tzinfo=tz)
        query = query.where(OrderReadModel.created_at >= start, OrderReadModel.created_at < start + timedelta(days=1))
    with session_scope() as s:
        rows = s.exec(query.order_by(OrderReadModel.order_id.desc()).limit(limit)).all()
        return [view_of(r) for r in rows]
