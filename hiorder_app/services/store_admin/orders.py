"""Staff moving paid orders along: accept (cooking), serve, or cancel with a refund."""

from ...domain.enums import OrderStatus
from ...domain.errors import DomainError
from ..db import session_scope
from ..ordering.lifecycle import lock_order, transition
from ..payments import checkout as payments
from ..principal import Principal, require_admin

STAFF_STEPS = {OrderStatus.ACCEPTED, OrderStatus.SERVED}


def advance(principal: Principal, order_id: int, to_status: str) -> str:
    """ACCEPTED or SERVED; the status machine refuses anything out of order."""
    principal = require_admin(principal)
    try:
        target = OrderStatus(to_status)
    except ValueError as exc:
        raise DomainError("input.invalid", field="status") from exc
    if target not in STAFF_STEPS:
        raise DomainError("input.invalid", field="status")
    with session_scope() as s:
        order = lock_order(s, id=order_id)
        if order is None or order.store_id != principal.store_id:
            raise DomainError("order.not_found")
        transition(s, order, target, reason=f"staff:{principal.username}")
        return order.status


def cancel(principal: Principal, order_id: int, reason: str = "") -> str:
    """Cancel a paid order and refund it through the provider (the payment service does both)."""
    return payments.cancel_paid_order(principal, order_id, reason=reason.strip()[:100]).status
