"""Placing orders: every rule checked and stock reserved in one transaction, or nothing changes."""


import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from ..domain.enums import ItemKind, OrderStatus
from ..domain.errors import DomainError, OrderRefused
from ..domain.models import Category, MenuItem, Order, OrderLine
from ..domain.order_rules import ItemSnapshot, TableHistory, check_order, order_total
from ..domain.order_status import COUNTS_FOR_TABLE_RULES
from ..settings import get_settings
from .db import session_scope
from .order_events import line_payload, order_payload
from .order_views import OrderLineView, OrderView, table_orders  # noqa: F401  (table_orders: part of this API)
from .outbox import record_event
from .overload import ordering_guard
from .principal import Principal, require_customer
from .table_sessions import lock_table, open_table_session


def _parse_lines(lines) -> list[tuple[int, int]]:
    try:
        parsed = [(int(item_id), qty) for item_id, qty in lines]
    except (TypeError, ValueError) as exc:
        raise DomainError("input.invalid", field="lines") from exc
    for _, qty in parsed:
        if not isinstance(qty, int) or isinstance(qty, bool):
            raise DomainError("input.invalid", field="quantity")
    return parsed


def _snapshot(item: MenuItem, category_visible: bool = True) -> ItemSnapshot:
    # An item in a hidden category is not on the tablet's menu, so it is not on sale either.
    return ItemSnapshot(
        id=item.id, store_id=item.store_id, name_ko=item.name_ko, name_en=item.name_en, price=item.price,
        kind=item.kind, stock=item.stock, sold_out=item.sold_out, once_per_table=item.once_per_table,
        active=item.active and category_visible,
    )


def _table_history(session: Session, table_session_id: int, parsed: list[tuple[int, int]],
                   snapshots: dict[int, ItemSnapshot]) -> TableHistory:
    """Only what this order's rules need to know of the table's earlier orders: whether it had a main
    (asked only when a side comes without one) and which of this order's event items it already had.
    Each is an indexed look-up that stops early, so a long visit does not slow ordering down."""
    counted = (Order.table_session_id == table_session_id, Order.status.in_(list(COUNTS_FOR_TABLE_RULES)))
    kinds = {snapshots[i].kind for i, _ in parsed if i in snapshots}
    has_main = False
    if ItemKind.SIDE in kinds and ItemKind.MAIN not in kinds:
        has_main = session.exec(
            select(sa.literal(1)).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(*counted, OrderLine.kind == ItemKind.MAIN).limit(1)
        ).first() is not None
    once_ids = [i for i, _ in parsed if i in snapshots and snapshots[i].once_per_table]
    already: frozenset[int] = frozenset()
    if once_ids:
        already = frozenset(session.exec(
            select(OrderLine.menu_item_id).join(Order, Order.id == OrderLine.order_id)
            .where(*counted, OrderLine.menu_item_id.in_(once_ids))
        ).all())
    return TableHistory(has_main=has_main, once_item_ids=already)


def place_order(principal: Principal, lines) -> OrderView:
    """Create a PENDING_PAYMENT order with its stock reserved. Prices come only from the database.
    Under overload it refuses at once with OrderingBusy, before anything is written."""
    principal = require_customer(principal)
    parsed = _parse_lines(lines)
    return ordering_guard().run(lambda: _place(principal, parsed))


def _place(principal: Principal, parsed: list[tuple[int, int]]) -> OrderView:
    settings = get_settings()
    with session_scope() as s:
        # Locking the table first serialises one table's orders, so table-wide rules see each other.
        table = lock_table(s, principal.table_id)
        if not table.active or table.store_id != principal.store_id:
            raise OrderRefused("table.inactive")
        table_session = open_table_session(s, table)
        ids = sorted({item_id for item_id, _ in parsed})
        # Rows locked in id order: concurrent orders never deadlock and never both read the same stock.
        rows = s.exec(
            select(MenuItem, Category.visible).join(Category, Category.id == MenuItem.category_id)
            .where(MenuItem.id.in_(ids)).order_by(MenuItem.id).with_for_update(of=MenuItem)
        ).all()
        snapshots = {item.id: _snapshot(item, visible) for item, visible in rows}
        check_order(parsed, snapshots, principal.store_id, _table_history(s, table_session.id, parsed, snapshots),
                    settings.max_order_lines, settings.max_line_quantity)
        for item_id, qty in parsed:
            if snapshots[item_id].stock is not None:
                # Guarded decrement: even without row locks (SQLite) stock never goes below zero.
                done = s.execute(
                    sa.update(MenuItem).where(MenuItem.id == item_id, MenuItem.stock >= qty)
                    .values(stock=MenuItem.stock - qty)
                )
                if done.rowcount != 1:
                    raise OrderRefused("order.out_of_stock", item=snapshots[item_id].names, left=0)
        order = Order(store_id=principal.store_id, table_id=table.id, table_session_id=table_session.id,
                      status=OrderStatus.PENDING_PAYMENT, total=order_total(parsed, snapshots),
                      payment_ref=f"HO-{uuid.uuid4().hex[:20]}")
        s.add(order)
        s.flush()
        lines = [OrderLine(order_id=order.id, menu_item_id=item_id, name_ko=snapshots[item_id].name_ko,
                           name_en=snapshots[item_id].name_en, kind=snapshots[item_id].kind,
                           unit_price=snapshots[item_id].price, quantity=qty, line_total=snapshots[item_id].price * qty)
                 for item_id, qty in parsed]
        s.add_all(lines)
        views = [OrderLineView(ln.menu_item_id, ln.name_ko, ln.name_en, ln.unit_price, ln.quantity) for ln in lines]
        record_event(s, principal.store_id, "OrderPlaced",
                     order_payload(s, order, table.number, [line_payload(ln) for ln in lines]))
        return OrderView(order.id, table.number, order.status, order.total, order.created_at, None, views,
                         order.payment_ref, table.id, order.updated_at)


def release_stock(session: Session, order: Order) -> None:
    """Give a cancelled or expired order's reserved stock back to the menu."""
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all():
        session.execute(
            sa.update(MenuItem).where(MenuItem.id == line.menu_item_id, MenuItem.stock.is_not(None))
            .values(stock=MenuItem.stock + line.quantity)
        )
