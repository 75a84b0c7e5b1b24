"""What an order's option rules read from the database: the groups its items ask and the options chosen."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from ...domain.menu_options import OptionGroupSnapshot, OptionSnapshot
from ...domain.models import ItemOptionGroup, MenuOption, OptionGroup


@dataclass(frozen=True)
class Choices:
    item_groups: dict[int, tuple[int, ...]] = field(default_factory=dict)  # item id -> group ids, in order
    groups: dict[int, OptionGroupSnapshot] = field(default_factory=dict)
    options: dict[int, OptionSnapshot] = field(default_factory=dict)


_g, _o, _l = OptionGroup.__table__.c, MenuOption.__table__.c, ItemOptionGroup.__table__.c
_GROUP_COLUMNS = (_g.id, _g.store_id, _g.name_ko, _g.name_en, _g.min_select, _g.max_select, _g.deleted)
_ITEM_GROUPS = (
    sa.select(_l.menu_item_id, *_GROUP_COLUMNS)
    .select_from(ItemOptionGroup.__table__.join(OptionGroup.__table__, _g.id == _l.group_id))
    .where(_l.menu_item_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(_l.menu_item_id, _l.sort_order, _g.sort_order, _g.id)
)
# Options with a stock count are decremented by this order, so their rows are locked FOR UPDATE first, in
# id order (after the items': every placement and every release takes them in that order). Taking a share
# lock and then updating would deadlock two orders for the same option.
_LOCK_LIMITED = (
    sa.select(_o.id).where(_o.id.in_(sa.bindparam("ids", expanding=True)), _o.store_id == sa.bindparam("store_id"),
                           _o.stock.is_not(None))
    .order_by(_o.id).with_for_update(of=MenuOption.__table__)
)
# FOR SHARE, in id order: an option being marked sold out (or deleted) is either seen so by this order, or
# changes only after the order commits, never in between; orders do not block each other on it.
_CHOSEN = (
    sa.select(_o.id, _o.group_id, _o.name_ko, _o.name_en, _o.price_delta, _o.sold_out, _o.deleted,
              _o.sort_order, _o.stock, *[c.label(f"g_{c.name}") for c in _GROUP_COLUMNS])
    .select_from(MenuOption.__table__.join(OptionGroup.__table__, _g.id == _o.group_id))
    .where(_o.id.in_(sa.bindparam("ids", expanding=True)), _o.store_id == sa.bindparam("store_id"))
    .order_by(_o.id).with_for_update(read=True, of=MenuOption.__table__)
)


def _group(row, prefix: str = "") -> OptionGroupSnapshot:
    get = lambda name: getattr(row, prefix + name)  # noqa: E731
    return OptionGroupSnapshot(get("id"), get("store_id"), get("name_ko"), get("name_en"), get("min_select"),
                               get("max_select"), get("deleted"))


def load_choices(session: Session, store_id: int, parsed: list[tuple[int, int, tuple[int, ...]]],
                 items_with_options: set[int]) -> Choices:
    """Nothing is read when no item asks options and none were sent: the usual order of plain dishes."""
    chosen_ids = sorted({o for _, _, options in parsed for o in options})
    if not items_with_options and not chosen_ids:
        return Choices()
    item_groups: dict[int, list[int]] = {}
    groups: dict[int, OptionGroupSnapshot] = {}
    if items_with_options:
        for row in session.execute(_ITEM_GROUPS, {"ids": sorted(items_with_options)}).all():
            if row.store_id == store_id:
                item_groups.setdefault(row.menu_item_id, []).append(row.id)
                groups[row.id] = _group(row)
    options: dict[int, OptionSnapshot] = {}
    if chosen_ids:
        session.execute(_LOCK_LIMITED, {"ids": chosen_ids, "store_id": store_id})
        for row in session.execute(_CHOSEN, {"ids": chosen_ids, "store_id": store_id}).all():
            options[row.id] = OptionSnapshot(row.id, row.group_id, row.name_ko, row.name_en, row.price_delta,
                                             row.sold_out, row.deleted, row.sort_order, row.stock)
            groups.setdefault(row.g_id, _group(row, "g_"))
    return Choices({k: tuple(v) for k, v in item_groups.items()}, groups, options)
