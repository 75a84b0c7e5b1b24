"""Names of seeded demo items, read from the database the app under test uses."""

from sqlmodel import select

from hiorder_app.domain.models import MenuItem
from hiorder_app.services.db import session_scope


def demo_item(kind: str, **where) -> MenuItem:
    """The first active, unlimited, non-event item of this kind (with any extra column filters)."""
    with session_scope() as s:
        query = select(MenuItem).where(MenuItem.kind == kind, MenuItem.active, ~MenuItem.sold_out,
                                       MenuItem.stock.is_(None), ~MenuItem.once_per_table)
        for column, value in where.items():
            query = query.where(getattr(MenuItem, column) == value)
        return s.exec(query.order_by(MenuItem.sort_order, MenuItem.id)).first()


def category_name(item: MenuItem) -> str:
    from hiorder_app.domain.models import Category

    with session_scope() as s:
        return s.get(Category, item.category_id).name_ko
