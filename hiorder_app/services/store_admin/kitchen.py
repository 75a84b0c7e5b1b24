"""The kitchen board's own steps: a line marked done on its own, a served order recalled (a mistaken
bump undone), and the store's ageing thresholds. Admins only, their own store only."""

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from ...domain.enums import OrderStatus
from ...domain.errors import DomainError
from ...domain.events import BOARD_SETTINGS_CHANGED, ORDER_STATUS_CHANGED
from ...domain.kitchen import RECALL_WINDOW_MINUTES, check_thresholds
from ...domain.models import Category, OrderLine, OrderReadModel, Store
from ...domain.order_status import label
from ...domain.timeutil import utcnow
from ..db import session_scope
from ..events.outbox import record_event
from ..ordering.lifecycle import lock_order, transition
from ..principal import Principal, require_admin
from ..read_models.order_views import OrderView, view_of
from ..read_models.payloads import order_payload
from .menu import _flag, _whole


def _own_order(s, principal: Principal, order_id):
    order = lock_order(s, id=_whole(order_id, 1, 2**31 - 1) or 0)
    if order is None or order.store_id != principal.store_id:
        raise DomainError("order.not_found")
    return order


def mark_line_done(principal: Principal, order_id, position, done=True) -> None:
    """Line `position` (0-based, in the order's line order) done or not. Marking a line of a new order
    done starts it cooking; the order is ready to serve when every line is done (domain.kitchen)."""
    principal = require_admin(principal)
    done = _flag(done)
    with session_scope() as s:
        order = _own_order(s, principal, order_id)
        if order.status not in (OrderStatus.PAID, OrderStatus.ACCEPTED):
            raise DomainError("order.bad_transition", status=_label(order.status))
        lines = s.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
        at = _whole(position, 0, len(lines) - 1) if lines else None
        if at is None:
            raise DomainError("board.line_unknown")
        lines[at].done_at = utcnow() if done else None
        s.add(lines[at])
        s.flush()
        if order.status == OrderStatus.PAID:
            transition(s, order, OrderStatus.ACCEPTED, reason=f"staff:{principal.username}")
            return
        order.updated_at = utcnow()
        s.add(order)
        s.flush()
        record_event(s, order.store_id, ORDER_STATUS_CHANGED,
                     order_payload(s, order) | {"reason": f"line:{principal.username}"})


def recall(principal: Principal, order_id) -> str:
    """Put a served order back on the board (cooking), if it was served in the last hour."""
    principal = require_admin(principal)
    with session_scope() as s:
        order = _own_order(s, principal, order_id)
        if order.status != OrderStatus.SERVED:
            raise DomainError("order.bad_transition", status=_label(order.status))
        if order.updated_at < utcnow() - timedelta(minutes=RECALL_WINDOW_MINUTES):
            raise DomainError("board.recall_too_late")
        transition(s, order, OrderStatus.ACCEPTED, reason=f"recall:{principal.username}")
        return order.status


def recently_served(principal: Principal, limit: int = 5) -> list[OrderView]:
    """The last served orders, newest first: what a recall offers."""
    principal = require_admin(principal)
    since = utcnow() - timedelta(minutes=RECALL_WINDOW_MINUTES)
    with session_scope() as s:
        rows = s.exec(select(OrderReadModel).where(
            OrderReadModel.store_id == principal.store_id, OrderReadModel.status == OrderStatus.SERVED,
            OrderReadModel.updated_at >= since).order_by(OrderReadModel.updated_at.desc()).limit(limit)).all()
        return [view_of(r) for r in rows]


def stations(principal: Principal) -> list[str]:
    """Every station the store's categories map to, sorted ("" is the main kitchen): what a board can
    be set to show before any order uses a station."""
    principal = require_admin(principal)
    with session_scope() as s:
        return sorted(s.exec(select(Category.station).where(Category.store_id == principal.store_id)
                             .distinct()).all())


def board_thresholds(principal: Principal) -> tuple[int, int]:
    """(amber, red) minutes since payment."""
    principal = require_admin(principal)
    with session_scope() as s:
        store = s.get(Store, principal.store_id)
        return store.board_amber_minutes, store.board_red_minutes


def set_board_thresholds(principal: Principal, amber, red) -> None:
    """Minutes since payment after which a card turns amber, then red (1 <= amber < red <= 240). Every
    open board of the store follows the change live."""
    principal = require_admin(principal)
    amber, red = check_thresholds(_whole(amber, 0, 10_000) or 0, _whole(red, 0, 10_000) or 0)
    with session_scope() as s:
        s.execute(sa.update(Store).where(Store.id == principal.store_id)
                  .values(board_amber_minutes=amber, board_red_minutes=red))
        record_event(s, principal.store_id, BOARD_SETTINGS_CHANGED, {"amber": amber, "red": red})


def _label(status: str) -> tuple[str, str]:
    return (label(status, "ko"), label(status, "en"))
