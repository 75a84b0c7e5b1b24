"""Moving an order through its status machine, with the side effects each step carries:
stock back on cancel/expiry, and an outbox event in the same transaction for every step."""

from sqlmodel import Session, select

from ...domain.enums import OrderStatus
from ...domain.errors import DomainError
from ...domain.events import ORDER_PAID, ORDER_STATUS_CHANGED
from ...domain.models import Order
from ...domain.order_status import RELEASES_STOCK, can_transition, label
from ...domain.timeutil import utcnow
from ..events.outbox import record_event
from ..read_models.payloads import order_payload
from . import option_stock
from .placement import release_stock, stock_left


def lock_order(session: Session, **where) -> Order | None:
    query = select(Order).with_for_update()
    for column, value in where.items():
        query = query.where(getattr(Order, column) == value)
    return session.exec(query).first()


def transition(session: Session, order: Order, new_status: OrderStatus, reason: str = "") -> None:
    """Apply one step of the status machine; the caller holds the order row lock."""
    if not can_transition(order.status, new_status):
        raise DomainError("order.bad_transition", status=(label(order.status, "ko"), label(order.status, "en")))
    now = utcnow()
    order.status = new_status
    order.updated_at = now
    if new_status == OrderStatus.PAID:
        order.paid_at = now
    left, options_left = {}, {}
    if new_status in RELEASES_STOCK:  # items, then counted options: the order placement locks them in
        left, options_left = release_stock(session, order), option_stock.release(session, order.id)
    session.add(order)
    session.flush()
    event_type = ORDER_PAID if new_status == OrderStatus.PAID else ORDER_STATUS_CHANGED
    record_event(session, order.store_id, event_type,
                 order_payload(session, order) | {"reason": reason} | stock_left(left, options_left))
