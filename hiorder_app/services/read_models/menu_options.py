"""The option groups a tablet asks for each item, with their options, as the menu shows them."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from ...domain.models import ItemOptionGroup, MenuOption, OptionGroup


@dataclass
class OptionView:
    id: int
    name_ko: str
    name_en: str
    price_delta: int
    sold_out: bool  # the admin's switch; with stock, see domain.order_rules.is_sold_out
    stock: int | None = None  # None: unlimited


@dataclass
class OptionGroupView:
    id: int
    name_ko: str
    name_en: str
    min_select: int
    max_select: int
    options: list[OptionView] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return self.min_select >= 1


def item_option_groups(session: Session, store_id: int, item_ids: list[int]) -> dict[int, list[OptionGroupView]]:
    """item id -> its groups in order (deleted groups and options left out; sold-out options kept, marked)."""
    if not item_ids:
        return {}
    links = session.exec(
        select(ItemOptionGroup.menu_item_id, OptionGroup)
        .join(OptionGroup, OptionGroup.id == ItemOptionGroup.group_id)
        .where(ItemOptionGroup.menu_item_id.in_(item_ids), OptionGroup.store_id == store_id,
               sa.not_(OptionGroup.deleted))
        .order_by(ItemOptionGroup.menu_item_id, ItemOptionGroup.sort_order, OptionGroup.sort_order, OptionGroup.id)
    ).all()
    if not links:
        return {}
    group_ids = sorted({g.id for _, g in links})
    options: dict[int, list[OptionView]] = {}
    for o in session.exec(select(MenuOption).where(MenuOption.group_id.in_(group_ids), sa.not_(MenuOption.deleted))
                          .order_by(MenuOption.sort_order, MenuOption.id)).all():
        options.setdefault(o.group_id, []).append(OptionView(o.id, o.name_ko, o.name_en, o.price_delta, o.sold_out,
                                                                         o.stock))
    result: dict[int, list[OptionGroupView]] = {}
    for item_id, g in links:
        result.setdefault(item_id, []).append(OptionGroupView(g.id, g.name_ko, g.name_en, g.min_select, g.max_select,
                                                              list(options.get(g.id, ()))))
    return result
