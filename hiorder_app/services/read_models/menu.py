"""What a tablet shows: visible categories, items on sale, and recommendations from order data."""

from dataclasses import dataclass, field

from sqlmodel import select

from ...domain.menu_tags import allergen_codes
from ...domain.models import Category, MenuItem, Store
from ...domain.order_rules import is_sold_out, line_cap
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import session_scope
from . import recommendations
from .menu_options import OptionGroupView, item_option_groups

# "Popular now" items a menu carries: enough that three are left when the cart holds some of them.
POPULAR_OFFERED = 8


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
    max_quantity: int = 1  # the most one order line (the cart) may hold
    option_groups: list[OptionGroupView] = field(default_factory=list)  # asked in this order
    allergens: list[str] = field(default_factory=list)  # codes of domain.menu_tags.ALLERGENS
    spicy_level: int = 0
    vegetarian: bool = False


@dataclass
class MenuView:
    store_name_ko: str
    store_name_en: str
    categories: list[CategoryView]
    items: list[MenuItemView]
    # "popular now", best first, offerable items only (the tablet leaves out what is in the cart)
    popular_now: list[int] = field(default_factory=list)
    # each offerable item's share of what sells now: the tablet ranks "popular now" for a visit that already
    # holds items with recommendations.rank_for_visit (and the partners below)
    popular_shares: dict[int, float] = field(default_factory=dict)
    # "goes well with": item -> its best partners on offer, (item, strength); the tablet ranks a cart with
    # recommendations.rank_partners, the featured items standing in while there is too little data
    partners: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    featured: list[int] = field(default_factory=list)


def get_menu(store_id: int) -> MenuView:
    settings = get_settings()
    # Before the menu's own transaction: a cache miss opens its own (SQLite allows one writer at a time).
    now = utcnow()
    shares = recommendations.popular_now_shares(store_id, now, settings.tz)
    sold_now = recommendations.popular_now(store_id, now, settings.tz)
    featured = recommendations.featured(store_id)
    partner_lists = recommendations.partner_lists(store_id)
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
        cap = settings.max_line_quantity
        offerable = {i.id for i in items if i.category_id in visible and not is_sold_out(i.sold_out, i.stock)}
        # From the per-store cache of the aggregates (recommendations.py): no order history is read here.
        ranked = recommendations.pick(sold_now, featured, offerable, limit=POPULAR_OFFERED)
        # The badge says what sells, so featured stand-ins do not get it.
        popular = set(ranked[:recommendations.LIMIT]) & set(sold_now)
        groups = item_option_groups(s, store_id, [i.id for i in items if i.category_id in visible])
        return MenuView(
            store_name_ko=store.name_ko,
            store_name_en=store.name_en,
            categories=[CategoryView(c.id, c.name_ko, c.name_en) for c in categories],
            items=[
                MenuItemView(
                    id=i.id, category_id=i.category_id, name_ko=i.name_ko, name_en=i.name_en,
                    description_ko=i.description_ko, description_en=i.description_en, price=i.price,
                    kind=i.kind, stock=i.stock, sold_out=is_sold_out(i.sold_out, i.stock),
                    once_per_table=i.once_per_table, image=i.image, popular=i.id in popular,
                    marked_sold_out=i.sold_out, max_quantity=line_cap(i.once_per_table, cap),
                    option_groups=groups.get(i.id, []), allergens=allergen_codes(i.allergens),
                    spicy_level=i.spicy_level, vegetarian=i.vegetarian,
                )
                for i in items
                if i.category_id in visible
            ],
            popular_now=ranked,
            popular_shares={i: round(share, 4) for i, share in shares.items() if i in offerable},
            partners=recommendations.offerable_partners(partner_lists, offerable),
            featured=[i for i in featured if i in offerable],
        )
