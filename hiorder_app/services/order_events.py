"""The payload every order event carries: all a board card or a tablet needs, so the read models are
built from events alone."""

from sqlmodel import Session, select

from ..domain.models import DiningTable, Order, OrderLine


def order_payload(session: Session, order: Order) -> dict:
    table = session.get(DiningTable, order.table_id)
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    return {
        "order_id": order.id, "store_id": order.store_id, "table_id": order.table_id,
        "table_number": table.number, "table_session_id": order.table_session_id, "status": order.status,
        "total": order.total, "created_at": order.created_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "updated_at": order.updated_at.isoformat(),
        "lines": [{"menu_item_id": ln.menu_item_id, "name_ko": ln.name_ko, "name_en": ln.name_en, "quantity": ln.quantity, "unit_price": ln.unit_price}
                  for ln in lines],
    }
