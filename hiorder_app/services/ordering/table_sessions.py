"""A table session is one party's visit; it opens at first sign-in or order."""

from sqlmodel import Session, select

from ...domain.models import DiningTable, Order, TableSession
from ...domain.timeutil import utcnow
from ..events.outbox import record_event


def open_table_session(session: Session, table: DiningTable) -> TableSession:
    """The table's open session, created if none. The caller holds the table row lock."""
    current = session.exec(
        select(TableSession).where(TableSession.table_id == table.id, TableSession.closed_at.is_(None))
    ).first()
    if current is None:
        current = TableSession(store_id=table.store_id, table_id=table.id)
        session.add(current)
        session.flush()
    return current


def in_current_visit(session: Session, order: Order) -> bool:
    """Whether the order belongs to its table's open visit. Once staff clear the table, an earlier party's
    orders are no longer the tablet's: the next party can neither pay, cancel nor see them (their 주문 내역
    is the open visit's, read_models.order_views.table_orders); an unpaid one expires on its own."""
    visit = session.get(TableSession, order.table_session_id)
    return visit is not None and visit.closed_at is None


def lock_table(session: Session, table_id: int) -> DiningTable:
    return session.exec(select(DiningTable).where(DiningTable.id == table_id).with_for_update()).one()


def close_table_session(session: Session, table: DiningTable) -> TableSession | None:
    """The party left: close the open session so the next one starts fresh. The caller holds the
    table row lock and is responsible for checking who may do this."""
    current = session.exec(
        select(TableSession).where(TableSession.table_id == table.id, TableSession.closed_at.is_(None))
    ).first()
    if current is None:
        return None
    current.closed_at = utcnow()
    session.add(current)
    record_event(session, table.store_id, "TableCleared",
                 {"table_id": table.id, "table_number": table.number, "table_session_id": current.id})
    return current
