"""Open staff calls, as the board and the tablet read them."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from ...domain.models import StaffCall
from ..db import session_scope
from ..principal import Principal, require_admin, require_customer


@dataclass
class CallView:
    id: int
    table_number: int
    created_at: datetime


def open_call_for_table(principal: Principal) -> bool:
    principal = require_customer(principal)
    with session_scope() as s:
        return s.exec(select(StaffCall.id).where(StaffCall.table_id == principal.table_id,
                                                 StaffCall.acknowledged_at.is_(None))).first() is not None


def open_calls(principal: Principal) -> list[CallView]:
    principal = require_admin(principal)
    with session_scope() as s:
        rows = s.exec(select(StaffCall).where(StaffCall.store_id == principal.store_id,
                                              StaffCall.acknowledged_at.is_(None)).order_by(StaffCall.id)).all()
        return [CallView(r.id, r.table_number, r.created_at) for r in rows]
