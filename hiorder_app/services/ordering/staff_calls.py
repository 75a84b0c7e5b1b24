"""The tablet's "call staff" button and the floor's acknowledgement."""

from sqlmodel import select

from ...domain.errors import DomainError
from ...domain.models import StaffCall
from ...domain.timeutil import utcnow
from ..db import session_scope
from ..events.outbox import record_event
from ..principal import Principal, require_admin, require_customer
from .table_sessions import lock_table


def call_staff(principal: Principal) -> int:
    """Open a call for this table; pressing again while one is open changes nothing."""
    principal = require_customer(principal)
    with session_scope() as s:
        table = lock_table(s, principal.table_id)
        existing = s.exec(select(StaffCall).where(StaffCall.table_id == table.id,
                                                  StaffCall.acknowledged_at.is_(None))).first()
        if existing is not None:
            return existing.id
        call = StaffCall(store_id=table.store_id, table_id=table.id, table_number=table.number)
        s.add(call)
        s.flush()
        record_event(s, table.store_id, "StaffCalled", {"call_id": call.id, "table_id": table.id,
                                                        "table_number": table.number,
                                                        "created_at": call.created_at.isoformat()})
        return call.id


def acknowledge(principal: Principal, call_id: int) -> None:
    principal = require_admin(principal)
    with session_scope() as s:
        call = s.exec(select(StaffCall).where(StaffCall.id == call_id).with_for_update()).first()
        if call is None or call.store_id != principal.store_id:
            raise DomainError("input.invalid", field="call")
        if call.acknowledged_at is not None:
            return
        call.acknowledged_at = utcnow()
        s.add(call)
        record_event(s, call.store_id, "StaffCallAcknowledged",
                     {"call_id": call.id, "table_id": call.table_id, "table_number": call.table_number})
