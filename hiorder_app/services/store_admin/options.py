"""The store console's option groups (맵기, 사이즈, 사리 추가) and their options, and which items ask them.

Guarded as menu.py is: admins only, rows of their own store only (another store's id reads as "not found").
Each change records a MenuChanged event in its transaction, so open tablets show it without a reload.
Groups and options are deleted softly: an order naming one is refused by name, and orders already placed
keep their own snapshots of what was chosen.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from ...domain.errors import DomainError
from ...domain.menu_options import MAX_PRICE_DELTA, check_group_limits
from ...domain.models import ItemOptionGroup, MenuItem, MenuOption, OptionGroup
from ..db import session_scope
from ..events.outbox import record_event
from ..principal import Principal, require_admin
from .menu import _NOT_SHOWN, MAX_SORT_ORDER, _check_stock_seen, _flag, _id, _item, _text, _whole, parse_stock

F_GROUP_KO = ("옵션 그룹 이름(한국어)", "Option group name (Korean)")
F_GROUP_EN = ("옵션 그룹 이름(영어)", "Option group name (English)")
F_OPTION_KO = ("옵션 이름(한국어)", "Option name (Korean)")
F_OPTION_EN = ("옵션 이름(영어)", "Option name (English)")


@dataclass
class OptionRow:
    id: int
    group_id: int
    name_ko: str
    name_en: str
    price_delta: int
    sold_out: bool
    sort_order: int
    stock: int | None = None  # None: unlimited


@dataclass
class GroupRow:
    id: int
    name_ko: str
    name_en: str
    min_select: int
    max_select: int
    sort_order: int
    options: list[OptionRow] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)  # the items that ask it


# ---- input checks ---------------------------------------------------------------------------------
def _count(value) -> int:
    number = _whole(value, 0, 99)
    if number is None:
        raise DomainError("option.bad_limits", max=20)
    return number


def clean_group(values: dict) -> dict:
    """min_select/max_select from numbers, or "required"/"multi" switches as the console's form sends them."""
    lo, hi = check_group_limits(_count(values.get("min_select", 0)), _count(values.get("max_select", 1)))
    return {"name_ko": _text(values.get("name_ko"), F_GROUP_KO, 50, required=True),
            "name_en": _text(values.get("name_en"), F_GROUP_EN, 50, required=False),
            "min_select": lo, "max_select": hi}


def parse_price_delta(value) -> int:
    delta = _whole(value if value not in (None, "") else 0, 0, MAX_PRICE_DELTA)
    if delta is None:
        raise DomainError("option.bad_price", max=f"{MAX_PRICE_DELTA:,}")
    return delta


def clean_option(values: dict) -> dict:
    return {"name_ko": _text(values.get("name_ko"), F_OPTION_KO, 50, required=True),
            "name_en": _text(values.get("name_en"), F_OPTION_EN, 50, required=False),
            "price_delta": parse_price_delta(values.get("price_delta"))}


# ---- row access, always scoped to the caller's store -----------------------------------------------
def _group(s: Session, principal: Principal, group_id) -> OptionGroup:
    found = s.exec(select(OptionGroup).where(OptionGroup.id == _id(group_id),
                                             OptionGroup.store_id == principal.store_id,
                                             sa.not_(OptionGroup.deleted)).with_for_update()).first()
    if found is None:
        raise DomainError("option.unknown_group")
    return found


def _option(s: Session, principal: Principal, option_id) -> MenuOption:
    found = s.exec(select(MenuOption).where(MenuOption.id == _id(option_id),
                                            MenuOption.store_id == principal.store_id,
                                            sa.not_(MenuOption.deleted)).with_for_update()).first()
    if found is None:
        raise DomainError("option.unknown")
    return found


def _changed(s: Session, store_id: int, **what) -> None:
    record_event(s, store_id, "MenuChanged", what)


def _next_sort(s: Session, column, *where) -> int:
    last = s.exec(select(sa.func.max(column)).where(*where)).one()
    return min((last or 0) + 1, MAX_SORT_ORDER)


# ---- reading --------------------------------------------------------------------------------------
def list_option_groups(principal: Principal) -> list[GroupRow]:
    principal = require_admin(principal)
    with session_scope() as s:
        groups = s.exec(select(OptionGroup).where(OptionGroup.store_id == principal.store_id,
                                                  sa.not_(OptionGroup.deleted))
                        .order_by(OptionGroup.sort_order, OptionGroup.id)).all()
        rows = {g.id: GroupRow(g.id, g.name_ko, g.name_en, g.min_select, g.max_select, g.sort_order) for g in groups}
        if not rows:
            return []
        for o in s.exec(select(MenuOption).where(MenuOption.group_id.in_(list(rows)), sa.not_(MenuOption.deleted))
                        .order_by(MenuOption.sort_order, MenuOption.id)).all():
            rows[o.group_id].options.append(OptionRow(o.id, o.group_id, o.name_ko, o.name_en, o.price_delta,
                                                      o.sold_out, o.sort_order, o.stock))
        for item_id, group_id in s.exec(select(ItemOptionGroup.menu_item_id, ItemOptionGroup.group_id)
                                        .where(ItemOptionGroup.group_id.in_(list(rows)))
                                        .order_by(ItemOptionGroup.menu_item_id)).all():
            rows[group_id].item_ids.append(item_id)
        return list(rows.values())


def item_group_ids(principal: Principal, item_id) -> list[int]:
    """The groups an item asks, in the order the tablet asks them."""
    principal = require_admin(principal)
    with session_scope() as s:
        item = _item(s, principal, item_id)
        return list(s.exec(select(ItemOptionGroup.group_id).where(ItemOptionGroup.menu_item_id == item.id)
                           .order_by(ItemOptionGroup.sort_order, ItemOptionGroup.group_id)).all())


# ---- groups ---------------------------------------------------------------------------------------
def create_group(principal: Principal, values: dict) -> int:
    principal = require_admin(principal)
    cleaned = clean_group(values)
    with session_scope() as s:
        last = _next_sort(s, OptionGroup.sort_order, OptionGroup.store_id == principal.store_id)
        group = OptionGroup(store_id=principal.store_id, **cleaned, sort_order=last)
        s.add(group)
        s.flush()
        _changed(s, principal.store_id, group_id=group.id)
        return group.id


def update_group(principal: Principal, group_id, values: dict) -> None:
    principal = require_admin(principal)
    cleaned = clean_group(values)
    with session_scope() as s:
        group = _group(s, principal, group_id)
        for column, value in cleaned.items():
            setattr(group, column, value)
        s.add(group)
        _changed(s, principal.store_id, group_id=group.id)


def delete_group(principal: Principal, group_id) -> None:
    """The items stop asking it at once; orders placed with its options keep their snapshots."""
    principal = require_admin(principal)
    with session_scope() as s:
        group = _group(s, principal, group_id)
        group.deleted = True
        s.add(group)
        s.execute(sa.delete(ItemOptionGroup).where(ItemOptionGroup.group_id == group.id))
        s.execute(sa.update(MenuOption).where(MenuOption.group_id == group.id).values(deleted=True))
        _changed(s, principal.store_id, group_id=group.id)


# ---- options --------------------------------------------------------------------------------------
def create_option(principal: Principal, group_id, values: dict) -> int:
    principal = require_admin(principal)
    cleaned = clean_option(values)
    with session_scope() as s:
        group = _group(s, principal, group_id)
        option = MenuOption(store_id=principal.store_id, group_id=group.id, **cleaned,
                            sort_order=_next_sort(s, MenuOption.sort_order, MenuOption.group_id == group.id))
        s.add(option)
        s.flush()
        _changed(s, principal.store_id, option_id=option.id)
        return option.id


def update_option(principal: Principal, option_id, values: dict) -> None:
    principal = require_admin(principal)
    cleaned = clean_option(values)
    with session_scope() as s:
        option = _option(s, principal, option_id)
        for column, value in cleaned.items():
            setattr(option, column, value)
        s.add(option)
        _changed(s, principal.store_id, option_id=option.id)


def set_option_sold_out(principal: Principal, option_id, sold_out: bool) -> None:
    """Takes the option's row lock: an order being placed with it either commits first or sees it sold out."""
    principal = require_admin(principal)
    with session_scope() as s:
        option = _option(s, principal, option_id)
        option.sold_out = _flag(sold_out)
        s.add(option)
        _changed(s, principal.store_id, option_id=option.id, sold_out=option.sold_out)


def set_option_stock(principal: Principal, option_id, stock, seen=_NOT_SHOWN) -> None:
    """How many more of this option can be ordered (empty: unlimited). `seen` is the count the admin's
    screen showed: one typed while orders took some is refused with the new count, as an item's is."""
    principal = require_admin(principal)
    value = parse_stock(stock)
    with session_scope() as s:
        option = _option(s, principal, option_id)
        _check_stock_seen(option, seen)
        option.stock = value
        s.add(option)
        _changed(s, principal.store_id, option_id=option.id, stock=value)


def delete_option(principal: Principal, option_id) -> None:
    principal = require_admin(principal)
    with session_scope() as s:
        option = _option(s, principal, option_id)
        option.deleted = True
        s.add(option)
        _changed(s, principal.store_id, option_id=option.id)


# ---- which items ask which groups -------------------------------------------------------------------
def set_item_groups(principal: Principal, item_id, group_ids) -> None:
    """The groups an item asks, in this order (an empty list: none). One group can serve many items."""
    principal = require_admin(principal)
    try:
        wanted = list(dict.fromkeys(_id(g) for g in (group_ids or ())))
    except TypeError as exc:
        raise DomainError("input.invalid", field="group_ids") from exc
    if None in wanted:
        raise DomainError("option.unknown_group")
    with session_scope() as s:
        item: MenuItem = _item(s, principal, item_id)
        for group_id in wanted:
            _group(s, principal, group_id)
        s.execute(sa.delete(ItemOptionGroup).where(ItemOptionGroup.menu_item_id == item.id))
        for position, group_id in enumerate(wanted):
            s.add(ItemOptionGroup(menu_item_id=item.id, group_id=group_id, sort_order=position))
        _changed(s, principal.store_id, item_id=item.id)
