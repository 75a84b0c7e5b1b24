"""Placing orders: every rule checked and stock reserved in one transaction, or nothing changes."""

import json
import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from ...domain.enums import ItemKind, OrderStatus
from ...domain.errors import DomainError, OrderRefused
from ...domain.events import ORDER_PLACED
from ...domain.menu_options import (
    MAX_CHOICES,
    check_choices,
    check_option_stock,
    choice_key,
    clean_note,
    option_lines,
    unit_price,
)
from ...domain.models import Category, DiningTable, ItemOptionGroup, MenuItem, Order, OrderLine, TableSession
from ...domain.order_rules import ItemSnapshot, TableHistory, check_order, check_unpaid, needs_main
from ...domain.order_status import COUNTS_FOR_TABLE_RULES
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import session_scope
from ..events.outbox import record_event
from ..principal import Principal, require_customer
from ..read_models.order_views import OrderView, line_view
from . import option_stock
from .option_choices import load_choices
from .overload import ordering_guard
from .table_sessions import open_table_session


def _parse_lines(lines) -> list[tuple[int, int, tuple[int, ...]]]:
    """Cart lines as (item id, quantity) or (item id, quantity, option ids): the chosen options stay as
    sent (a repeated one is refused by name), and choice_key makes them the line's identity."""
    try:
        parsed = []
        for line in lines:
            item_id, qty, *rest = line
            if len(rest) > 1 or (rest and len(rest[0] or ()) > MAX_CHOICES * 4):
                raise ValueError
            parsed.append((int(item_id), qty, tuple(int(o) for o in rest[0] or ()) if rest else ()))
    except (TypeError, ValueError) as exc:
        raise DomainError("input.invalid", field="lines") from exc
    for _, qty, _ in parsed:
        if not isinstance(qty, int) or isinstance(qty, bool):
            raise DomainError("input.invalid", field="quantity")
    return parsed


def _snapshot(item, category_visible: bool = True) -> ItemSnapshot:
    # An item in a hidden category is not on the tablet's menu, so it is not on sale either.
    return ItemSnapshot(
        id=item.id, store_id=item.store_id, name_ko=item.name_ko, name_en=item.name_en, price=item.price,
        kind=item.kind, stock=item.stock, sold_out=item.sold_out, once_per_table=item.once_per_table,
        active=item.active and category_visible,
    )


def _table_history(session: Session, table_session_id: int, parsed: list[tuple],
                   snapshots: dict[int, ItemSnapshot]) -> TableHistory:
    """Only what this order's rules need to know of the table's earlier orders: whether it had a main
    (asked only when a side comes without one) and which of this order's event items it already had.
    Each is an indexed look-up that stops early, so a long visit does not slow ordering down."""
    ask_main = needs_main(snapshots[ln[0]].kind for ln in parsed if ln[0] in snapshots)
    once_ids = [ln[0] for ln in parsed if ln[0] in snapshots and snapshots[ln[0]].once_per_table]
    if not once_ids and not ask_main:
        return TableHistory(has_main=False, once_item_ids=frozenset())  # nothing to ask: the usual case
    counted = (Order.table_session_id == table_session_id, Order.status.in_(list(COUNTS_FOR_TABLE_RULES)))
    has_main = False
    if ask_main:
        has_main = session.exec(
            select(sa.literal(1)).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(*counted, OrderLine.kind == ItemKind.MAIN).limit(1)
        ).first() is not None
    already: frozenset[int] = frozenset()
    if once_ids:
        already = frozenset(session.exec(
            select(OrderLine.menu_item_id).join(Order, Order.id == OrderLine.order_id)
            .where(*counted, OrderLine.menu_item_id.in_(once_ids))
        ).all())
    return TableHistory(has_main=has_main, once_item_ids=already)


def place_order(principal: Principal, lines, note: str | None = "") -> OrderView:
    """Create a PENDING_PAYMENT order with its stock reserved. Prices, options' included, come only from
    the database. `note` is the diner's request. Under overload it refuses at once with OrderingBusy,
    before anything is written."""
    principal = require_customer(principal)
    parsed = _parse_lines(lines)
    note = clean_note(note)
    return ordering_guard().run(lambda: _place(principal, parsed, note))


# Built once, on the tables rather than the ORM classes: constructing statements and the ORM's
# per-statement handling cost more than running them on this, the busiest write path.
_t, _s, _m, _c = DiningTable.__table__.c, TableSession.__table__.c, MenuItem.__table__.c, Category.__table__.c
_o = Order.__table__.c
# The open visit's orders waiting for payment (domain.order_rules.check_unpaid), counted only up to the
# limit, so a visit's count costs at most that many index entries. Its own statement after the table's
# lock: inside the locking statement it would read that statement's snapshot, taken before the wait, and
# miss the orders of whoever held the lock (parallel checkouts would each see the same count).
_WAITING = (sa.select(sa.literal(1)).where(_o.table_session_id == sa.bindparam("session_id"),
                                           _o.status == OrderStatus.PENDING_PAYMENT)
            .limit(sa.bindparam("most")).subquery())
_UNPAID = sa.select(sa.func.count()).select_from(_WAITING)
_LOCK_TABLE = (
    sa.select(_t.id, _t.store_id, _t.number, _t.active, _s.id.label("session_id"))
    .select_from(DiningTable.__table__.outerjoin(
        TableSession.__table__, sa.and_(_s.table_id == _t.id, _s.closed_at.is_(None))))
    .where(_t.id == sa.bindparam("table_id")).with_for_update(of=DiningTable.__table__)
)
# Whether the item asks any options: only then does an order read groups and options (the usual order
# of plain dishes costs no extra round trip).
_HAS_OPTIONS = sa.exists().where(ItemOptionGroup.__table__.c.menu_item_id == _m.id).label("has_options")
_LOCK_ITEMS = (
    sa.select(_m.id, _m.store_id, _m.name_ko, _m.name_en, _m.price, _m.kind, _m.stock, _m.sold_out,
              _m.once_per_table, _m.active, _c.visible, _c.station, _HAS_OPTIONS)
    .select_from(MenuItem.__table__.join(Category.__table__, _c.id == _m.category_id))
    .where(_m.id.in_(sa.bindparam("ids", expanding=True))).order_by(_m.id).with_for_update(of=MenuItem.__table__)
)
# Guarded decrement: even without row locks (SQLite) stock never goes below zero.
_TAKE_STOCK = (
    sa.update(MenuItem.__table__)
    .where(_m.id == sa.bindparam("item_id"), _m.stock >= sa.bindparam("qty"))
    .values(stock=_m.stock - sa.bindparam("qty"))
)
_INSERT_ORDER = Order.__table__.insert().returning(Order.__table__.c.id)
_INSERT_LINES = OrderLine.__table__.insert()


def _place(principal: Principal, parsed: list[tuple[int, int, tuple[int, ...]]], note: str) -> OrderView:
    settings = get_settings()
    with session_scope() as s:
        # Locking the table first serialises one table's orders, so table-wide rules see each other. One
        # round trip locks it and finds its open visit (plain columns: cheaper than loading ORM objects).
        table = s.execute(_LOCK_TABLE, {"table_id": principal.table_id}).one()
        if not table.active or table.store_id != principal.store_id:
            raise OrderRefused("table.inactive")
        if table.session_id is not None:
            check_unpaid(s.execute(_UNPAID, {"session_id": table.session_id, "most": settings.max_unpaid_orders})
                         .scalar_one(), settings.max_unpaid_orders)
        session_id = table.session_id or open_table_session(s, s.get(DiningTable, table.id)).id
        ids = sorted({ln[0] for ln in parsed})
        # Rows locked in id order, as release_stock does: concurrent orders and cancels never deadlock,
        # and two orders never both read the same stock.
        rows = s.execute(_LOCK_ITEMS, {"ids": ids}).all()
        snapshots = {row.id: _snapshot(row, row.visible) for row in rows}
        check_order([(i, q, choice_key(o)) for i, q, o in parsed], snapshots, principal.store_id,
                    _table_history(s, session_id, parsed, snapshots),
                    settings.max_order_lines, settings.max_line_quantity)
        choices = load_choices(s, principal.store_id, parsed, {row.id for row in rows if row.has_options})
        chosen = [check_choices(snapshots[i].names, choices.item_groups.get(i, ()), choices.groups,
                                choices.options, o) for i, _, o in parsed]
        left: dict[int, int] = {}
        for item_id, qty in _per_item(parsed).items():
            if snapshots[item_id].stock is not None:
                done = s.execute(_TAKE_STOCK, {"item_id": item_id, "qty": qty})
                if done.rowcount != 1:
                    raise OrderRefused("order.out_of_stock", item=snapshots[item_id].names, left=0)
                left[item_id] = snapshots[item_id].stock - qty  # the row is locked (or the write lock held)
        # Counted options after the items, as every release takes them.
        named = [(snapshots[i].names, q, picked) for (i, q, _), picked in zip(parsed, chosen, strict=True)]
        taken = check_option_stock(named, choices.groups)
        options_left = option_stock.take(s, taken, choices.options, choices.groups, {
            o.id: names for names, _, picked in reversed(named) for o in picked}) if taken else {}
        # Plain INSERTs rather than ORM objects: this is the hottest write path, and nothing here needs
        # the unit of work's change tracking.
        stations = {row.id: row.station for row in rows}
        units = [unit_price(snapshots[i].price, picked) for (i, _, _), picked in zip(parsed, chosen, strict=True)]
        now, ref = utcnow(), f"HO-{uuid.uuid4().hex[:20]}"
        total = sum(unit * q for unit, (_, q, _) in zip(units, parsed, strict=True))
        order_id = s.execute(_INSERT_ORDER, {
            "store_id": principal.store_id, "table_id": table.id, "table_session_id": session_id,
            "status": OrderStatus.PENDING_PAYMENT, "total": total, "payment_ref": ref, "created_at": now,
            "updated_at": now, "note": note}).scalar_one()
        options = [option_lines(picked, choices.groups) for picked in chosen]
        lines = [{"order_id": order_id, "menu_item_id": item_id, "name_ko": snapshots[item_id].name_ko,
                  "name_en": snapshots[item_id].name_en, "kind": snapshots[item_id].kind,
                  "unit_price": unit, "quantity": qty, "line_total": unit * qty,
                  "options_json": json.dumps(opts, ensure_ascii=False), "station": stations[item_id]}
                 for (item_id, qty, _), unit, opts in zip(parsed, units, options, strict=True)]
        s.execute(_INSERT_LINES, lines)
        line_views = [{k: ln[k] for k in ("menu_item_id", "name_ko", "name_en", "quantity", "unit_price",
                                          "station")} | {"options": opts, "done": False}
                      for ln, opts in zip(lines, options, strict=True)]
        record_event(s, principal.store_id, ORDER_PLACED, {
            "order_id": order_id, "store_id": principal.store_id, "table_id": table.id,
            "table_number": table.number, "table_session_id": session_id,
            "status": OrderStatus.PENDING_PAYMENT, "total": total, "created_at": now.isoformat(), "paid_at": None,
            "updated_at": now.isoformat(), "note": note, "lines": line_views} | stock_left(left, options_left))
        return OrderView(order_id, table.number, OrderStatus.PENDING_PAYMENT, total, now, None,
                         [line_view(ln) for ln in line_views], ref, table.id, now, note)


def _per_item(parsed: list[tuple]) -> dict[int, int]:
    """Each item's quantity over all its lines (one per set of choices), in the id order rows are locked in."""
    total: dict[int, int] = {}
    for item_id, qty, _ in sorted(parsed):
        total[item_id] = total.get(item_id, 0) + qty
    return total


_l = OrderLine.__table__.c
_ORDER_QUANTITIES = (
    sa.select(_l.menu_item_id, sa.func.sum(_l.quantity)).where(_l.order_id == sa.bindparam("order_id"))
    .group_by(_l.menu_item_id).order_by(_l.menu_item_id)
)
_GIVE_STOCK = (
    sa.update(MenuItem.__table__)
    .where(_m.id == sa.bindparam("item_id"), _m.stock.is_not(None))
    .values(stock=_m.stock + sa.bindparam("qty")).returning(_m.id, _m.stock)
)


def release_stock(session: Session, order: Order) -> dict[int, int]:
    """Give a cancelled or expired order's reserved stock back to the menu; returns item id -> stock now.
    One item at a time in ascending id order, the order placement locks them in: taking the row locks in
    line order instead deadlocked a cancel against a placement of the same items."""
    left: dict[int, int] = {}
    for item_id, qty in session.execute(_ORDER_QUANTITIES, {"order_id": order.id}).all():
        row = session.execute(_GIVE_STOCK, {"item_id": item_id, "qty": qty}).first()
        if row is not None:  # None: the item has no stock limit
            left[item_id] = row.stock
    return left


def stock_left(left: dict[int, int], options_left: dict[int, int] | None = None) -> dict:
    """The order event's note of what its limited items (and counted options) have left now, so open
    tablets show the count (and "sold out") as orders take and give back stock, without each reloading
    the menu."""
    note = {"stock_left": {str(k): v for k, v in left.items()}} if left else {}
    if options_left:
        note["option_stock_left"] = {str(k): v for k, v in options_left.items()}
    return note
