"""The payload every order event carries: all a board card or a tablet needs, so the read models are
built from events alone."""

import json

from sqlmodel import Session, select

from ...domain.models import DiningTable, Order, OrderLine


def order_payload(session: Session, order: Order, table_number: int | None = None,
                  lines: list[dict] | None = None) -> dict:
    """Pass table_number and lines when the caller already holds them (placing an order) to spare the reads."""
    if table_number is None:
        table_number = session.get(DiningTable, order.table_id).number
    if lines is None:
        lines = [line_payload(ln) for ln in session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()]
    return {
        "order_id": order.id, "store_id": order.store_id, "table_id": order.table_id,
        "table_number": table_number, "table_session_id": order.table_session_id, "status": order.status,
        "total": order.total, "created_at": order.created_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "updated_at": order.updated_at.isoformat(),
        "note": order.note,
        "lines": lines,
    }


def line_payload(line: OrderLine) -> dict:
    return {"menu_item_id": line.menu_item_id, "name_ko": line.name_ko, "name_en": line.name_en,
            "quantity": line.quantity, "unit_price": line.unit_price, "station": line.station,
            "options": json.loads(line.options_json or "[]"), "done": line.done_at is not None}
