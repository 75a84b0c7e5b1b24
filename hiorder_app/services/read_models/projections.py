"""The projector: applies each event to the read models inside the transaction that records it, so
a view is never behind or ahead of the write it describes."""

import json
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from ...domain.enums import OrderStatus
from ...domain.models import DiningTable, Order, OrderLine, OrderReadModel, Store, TableSession
from ...domain.order_status import PAID_STATUSES
from ...settings import get_settings
from ..db import session_scope
from . import aggregates, recommendations
from .payloads import line_payload, order_payload

ORDER_EVENTS = {"OrderPlaced", "OrderPaid", "OrderStatusChanged"}
_INSERT_VIEW = OrderReadModel.__table__.insert()


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def apply(session: Session, event_type: str, payload: dict) -> None:
    if event_type in ORDER_EVENTS:
        aggregates.apply(session, event_type, payload, get_settings().tz)
        recommendations.apply(session, event_type, payload)
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
            "updated_at": _when(p.get("updated_at") or p["created_at"]), "note": p.get("note", "")})
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
    row.note = p.get("note", "")
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


def rebuild_insights(session: Session, store_id: int, tz: ZoneInfo) -> int:
    """Recompute a store's sales aggregates and visit associations from the write model (after an import,
    or when STORE_TIMEZONE changed). The same sums the projector makes, event by event. Returns the
    number of orders counted."""
    aggregates.clear(session, store_id)
    recommendations.clear(session, store_id)
    orders = session.exec(select(Order).where(Order.store_id == store_id, Order.paid_at.is_not(None))
                          .order_by(Order.id)).all()
    tables = dict(session.exec(select(DiningTable.id, DiningTable.number)
                               .where(DiningTable.store_id == store_id)).all())
    lines: dict[int, list[dict]] = {}
    for chunk in range(0, len(orders), 500):
        ids = [o.id for o in orders[chunk:chunk + 500]]
        for line in session.exec(select(OrderLine).where(OrderLine.order_id.in_(ids)).order_by(OrderLine.id)):
            lines.setdefault(line.order_id, []).append(line_payload(line))
    sums: dict = defaultdict(dict)
    visits: dict[int, set[int]] = defaultdict(set)
    counted = 0
    for order in orders:
        kept = order.status in PAID_STATUSES
        if not kept and order.status != OrderStatus.CANCELLED:
            continue
        counted += 1
        local = order.paid_at.astimezone(tz)
        order_lines = lines.get(order.id, [])
        for sign in (1,) if kept else (1, -1):
            aggregates.merge(sums, aggregates.sale_rows(store_id, tables[order.table_id], order.total,
                                                        order_lines, local, sign))
        if kept:
            visits[order.table_session_id].update(line["menu_item_id"] for line in order_lines)
    aggregates.write(session, {table: list(rows.values()) for table, rows in sums.items()})
    item_sums: dict[int, int] = defaultdict(int)
    pair_sums: dict[tuple[int, int], int] = defaultdict(int)
    for items in visits.values():
        item_delta, pair_delta = recommendations.visit_delta(set(), items)
        for key, n in item_delta.items():
            item_sums[key] += n
        for key, n in pair_delta.items():
            pair_sums[key] += n
    recommendations.write_delta(session, store_id, item_sums, pair_sums)
    recommendations.forget(store_id)
    return counted


def rebuild_stores(tz: ZoneInfo, store_ids: list[int] | None = None) -> dict[int, int]:
    """rebuild_insights for the given stores (all when None), one transaction each: store id -> orders."""
    with session_scope() as s:
        ids = store_ids or list(s.exec(select(Store.id).order_by(Store.id)).all())
    counts = {}
    for store_id in ids:
        with session_scope() as s:
            counts[store_id] = rebuild_insights(s, store_id, tz)
    return counts
