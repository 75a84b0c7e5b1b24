"""Counted options (곱빼기 noodles, a limited 사리): taken by placement and given back by every release, in
the same transactions as the items' stock and after it, option rows in id order."""

import json
from collections.abc import Mapping

import sqlalchemy as sa
from sqlmodel import Session

from ...domain.errors import OrderRefused
from ...domain.menu_options import OptionGroupSnapshot, OptionSnapshot
from ...domain.models import MenuOption, OrderLine

_o, _l = MenuOption.__table__.c, OrderLine.__table__.c
# Guarded: even without row locks (SQLite) an option's stock never goes below zero.
_TAKE = (
    sa.update(MenuOption.__table__).where(_o.id == sa.bindparam("option_id"), _o.stock >= sa.bindparam("qty"))
    .values(stock=_o.stock - sa.bindparam("qty")).returning(_o.stock)
)
_GIVE = (
    sa.update(MenuOption.__table__).where(_o.id == sa.bindparam("option_id"), _o.stock.is_not(None))
    .values(stock=_o.stock + sa.bindparam("qty")).returning(_o.id, _o.stock)
)
_LINE_OPTIONS = sa.select(_l.options_json, _l.quantity).where(_l.order_id == sa.bindparam("order_id"),
                                                               _l.options_json != "[]")


def take(session: Session, taken: Mapping[int, int], options: Mapping[int, OptionSnapshot],
         groups: Mapping[int, OptionGroupSnapshot], item_of: Mapping[int, tuple[str, str]]) -> dict[int, int]:
    """Decrement each limited option by its quantity (domain.menu_options.check_option_stock); returns
    option id -> stock left. Rows were locked by load_choices, so the guard only fails without row locks."""
    left: dict[int, int] = {}
    for option_id in sorted(taken):
        row = session.execute(_TAKE, {"option_id": option_id, "qty": taken[option_id]}).first()
        if row is None:
            option = options[option_id]
            raise OrderRefused("order.option_out_of_stock", item=item_of[option_id],
                               group=groups[option.group_id].names, option=option.names, left=0)
        left[option_id] = row.stock
    return left


def release(session: Session, order_id: int) -> dict[int, int]:
    """Give a cancelled or expired order's counted options back; returns option id -> stock now. The ids
    come from the lines' snapshots, so an option renamed since is still the same row; only what the order
    reserved goes back (an option unlimited when ordered and counted since took nothing, so gives nothing)."""
    quantities: dict[int, int] = {}
    for options_json, quantity in session.execute(_LINE_OPTIONS, {"order_id": order_id}).all():
        for option in json.loads(options_json or "[]"):
            option_id = option.get("id") if isinstance(option, dict) else None
            # Every snapshot since 0008 names its option's id. One written before snapshots said whether the
            # option was reserved has no `reserved`: as then, it gives back if the option is counted now.
            if isinstance(option_id, int) and option.get("reserved", True):
                quantities[option_id] = quantities.get(option_id, 0) + quantity
    left: dict[int, int] = {}
    for option_id in sorted(quantities):
        row = session.execute(_GIVE, {"option_id": option_id, "qty": quantities[option_id]}).first()
        if row is not None:  # None: unlimited (or made so since)
            left[option_id] = row.stock
    return left
