"""The projector: applies each event to the read models inside the transaction that records it, so
a view is never behind or ahead of the write it describes."""

import json
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ...domain.models import Order, OrderReadModel, TableSession
from .payloads import order_payload

ORDER_EVENTS = {"OrderPlaced", "OrderPaid", "OrderStatusChanged"}
_INSERT_VIEW = OrderReadModel.__table__.insert()


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def apply(session: Session, event_type: str, payload: dict) -> None:
    if event_type in ORDER_EVENTS:
        # A placed order is new by definition: no need to look for its row first.
        _project_order(session, payload, new=event_type == "OrderPlaced")
    elif event_type == "TableCleared":
        session.execute(
            sa.update(OrderReadModel)
            .where(OrderReadModel.table_session_id == payload["table_session_id"])
            .values(session_open=False)
        )


def _project_order(session: Session, p: dict, new: bool = False) -> None:
    if new:
        session.execute(_INSERT_VIEW, {
            "order_id": p["order_id"], "store_id": p["store_id"], "table_id": p["table_id"],
            "table_number": p["table_number"], "table_session_id": p["table_session_id"], "session_open": True,
            "status": p["status"], "total": p["total"], "lines_json": json.dumps(p["lines"], ensure_ascii=False),
            "created_at": _when(p["created_at"]), "paid_at": _when(p["paid_at"]),
            "updated_at": _when(p.get("updated_at") or p["created_at"])})
        return
    row = session.get(OrderReadModel, p["order_id"])
    if row is None:
        row = OrderReadModel(order_id=p["order_id"], store_id=p["store_id"], table_id=p["table_id"],
                             table_number=p["table_number"], table_session_id=p["table_session_id"],
                             status=p["status"], total=p["total"], lines_json="[]")
    row.status, row.total = p["status"], p["total"]
    row.lines_json = json.dumps(p["lines"], ensure_ascii=False)
    row.created_at, row.paid_at = _when(p["created_at"]), _when(p["paid_at"])
    row.updated_at = _when(p.get("updated_at")) or row.created_at
    session.add(row)


def rebuild_order_views(session: Session, store_id: int) -> int:
    """Recompute a store's order read model from the write model (after an import or a seed)."""
    session.execute(sa.delete(OrderReadModel).where(OrderReadModel.store_id == store_id))
    orders = session.exec(select(Order).where(Order.store_id == store_id)).all()
    for order in orders:
        _project_order(session, order_payload(session, order))
    session.flush()
    closed = session.exec(select(TableSession.id).where(TableSession.store_id == store_id,
                                                        TableSession.closed_at.is_not(None))).all()
    if closed:
        session.execute(sa.update(OrderReadModel).where(OrderReadModel.table_session_id.in_(closed))
                        .values(session_open=False))
    return len(orders)
