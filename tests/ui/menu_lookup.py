"""Names of seeded demo items, read from the database the app under test uses."""

import sqlalchemy as sa
from sqlmodel import select

from hiorder_app.domain.models import ItemOptionGroup, MenuItem
from hiorder_app.services.db import session_scope


def demo_item(kind: str, options: bool = False, **where) -> MenuItem:
    """The first active, unlimited, non-event item of this kind (with any extra column filters), asking
    no options unless `options` (then one that asks some)."""
    asks = sa.exists().where(ItemOptionGroup.menu_item_id == MenuItem.id)
    with session_scope() as s:
        query = select(MenuItem).where(MenuItem.kind == kind, MenuItem.active, ~MenuItem.sold_out,
                                       MenuItem.stock.is_(None), ~MenuItem.once_per_table,
                                       asks if options else ~asks)
        for column, value in where.items():
            query = query.where(getattr(MenuItem, column) == value)
        return s.exec(query.order_by(MenuItem.sort_order, MenuItem.id)).first()


def category_name(item: MenuItem) -> str:
    from hiorder_app.domain.models import Category

    with session_scope() as s:
        return s.get(Category, item.category_id).name_ko


def limited_item(kind: str = "MAIN") -> MenuItem:
    """An item on sale with a counted stock."""
    with session_scope() as s:
        return s.exec(select(MenuItem).where(MenuItem.kind == kind, MenuItem.active, ~MenuItem.sold_out,
                                             MenuItem.stock.is_not(None), MenuItem.stock > 1)
                      .order_by(MenuItem.id)).first()


def stock_of(item_id: int) -> int | None:
    with session_scope() as s:
        return s.get(MenuItem, item_id).stock


def orders_of_table(number: int) -> list:
    from hiorder_app.domain.models import DiningTable, Order

    with session_scope() as s:
        return s.exec(select(Order).join(DiningTable, DiningTable.id == Order.table_id)
                      .where(DiningTable.number == number).order_by(Order.id)).all()
