"""What a tablet shows: visible categories, items on sale, and recommendations from order data."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from ...domain.models import Category, MenuItem, Order, OrderLine, Store
from ...domain.order_status import VISIBLE_TO_STORE
from ...domain.timeutil import utcnow
from ..db import session_scope


@dataclass
class CategoryView:
    id: int
    name_ko: str
    name_en: str


@dataclass
class MenuItemView:
    id: int
    category_id: int
    name_ko: str
    name_en: str
    description_ko: str
    description_en: str
    price: int
    kind: str
    stock: int | None
    sold_out: bool  # marked sold out, or no stock left
    once_per_table: bool
    image: str
    popular: bool
    marked_sold_out: bool = False  # the admin's switch alone, so a stock change can recompute sold_out


@dataclass
class MenuView:
    store_name_ko: str
    store_name_en: str
    categories: list[CategoryView]
    items: list[MenuItemView]


def popular_item_ids(session, store_id: int, limit: int = 3, days: int = 14) -> list[int]:
    """The most sold items of recent paid orders: the tablet's recommendations."""
    since = utcnow() - timedelta(days=days)
    qty = sa.func.sum(OrderLine.quantity)
    rows = session.exec(
        select(OrderLine.menu_item_id, qty)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.store_id == store_id, Order.status.in_(list(VISIBLE_TO_STORE)), Order.created_at >= since)
        .group_by(OrderLine.menu_item_id)
        .order_by(qty.desc(), OrderLine.menu_item_id)
        .limit(limit)
    ).all()
    return [item_id for item_id, _ in rows]


def get_menu(store_id: int) -> MenuView:
    with session_scope() as s:
        store = s.get(Store, store_id)
        categories = s.exec(
            select(Category)
            .where(Category.store_id == store_id, Category.visible)
            .order_by(Category.sort_order, Category.id)
        ).all()
        visible = {c.id for c in categories}
        items = s.exec(
            select(MenuItem)
            .where(MenuItem.store_id == store_id, MenuItem.active)
            .order_by(MenuItem.sort_order, MenuItem.id)
        ).all()
        popular = set(popular_item_ids(s, store_id))
        return MenuView(
            store_name_ko=store.name_ko,
            store_name_en=store.name_en,
            categories=[CategoryView(c.id, c.name_ko, c.name_en) for c in categories],
            items=[
                MenuItemView(
                    id=i.id, category_id=i.category_id, name_ko=i.name_ko, name_en=i.name_en,
                    description_ko=i.description_ko, description_en=i.description_en, price=i.price,
                    kind=i.kind, stock=i.stock, sold_out=i.sold_out or i.stock == 0,
                    once_per_table=i.once_per_table, image=i.image, popular=i.id in popular,
                    marked_sold_out=i.sold_out,
                )
                for i in items
                if i.category_id in visible
            ],
        )
