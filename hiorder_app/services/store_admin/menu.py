"""The store console's menu management.

Every function takes the caller first and is its own guard: only an admin, and only rows of the
admin's store (another store's id reads as "not found", so nothing about it leaks). Each change
records a MenuChanged event in the same transaction, so open tablets learn of exactly the committed
changes.
"""

import secrets
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from ...domain.enums import ItemKind
from ...domain.errors import DomainError
from ...domain.kitchen import check_station_name
from ...domain.menu_tags import allergen_codes, parse_allergens, parse_spicy
from ...domain.models import UPLOAD_PREFIX, Category, MenuItem, MenuOption, OrderLine
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import session_scope
from ..events.outbox import record_event
from ..principal import Principal, require_admin
from ..read_models import recommendations

MAX_PRICE = 10_000_000
MAX_STOCK = 999_999
MAX_SORT_ORDER = 9_999
# MenuItem.image holds either a path under assets/ ("/menu/x.png") or this prefix plus a path under
# Reflex's upload directory; the UI turns the latter into the backend's upload URL.
UPLOAD_SUBDIR = "menu"

# (ko, en) field names, so a refusal names the field in the reader's language.
F_NAME_KO, F_NAME_EN = ("이름(한국어)", "Name (Korean)"), ("이름(영어)", "Name (English)")
F_DESC_KO, F_DESC_EN = ("설명(한국어)", "Description (Korean)"), ("설명(영어)", "Description (English)")
F_CAT_KO = ("카테고리 이름(한국어)", "Category name (Korean)")
F_CAT_EN = ("카테고리 이름(영어)", "Category name (English)")
F_STATION = ("스테이션", "Station")


@dataclass
class CategoryRow:
    id: int
    name_ko: str
    name_en: str
    sort_order: int
    visible: bool
    item_count: int
    station: str = ""  # "" is the main kitchen


@dataclass
class ItemRow:
    id: int
    category_id: int
    name_ko: str
    name_en: str
    description_ko: str
    description_en: str
    price: int
    kind: str
    stock: int | None
    sold_out: bool
    once_per_table: bool
    image: str
    active: bool
    sort_order: int
    ordered: bool  # referenced by a past order: may be deactivated, never deleted
    featured: bool = False  # offered on tablets while the store has too few orders to recommend from
    allergens: list[str] = field(default_factory=list)  # codes of domain.menu_tags.ALLERGENS
    spicy_level: int = 0
    vegetarian: bool = False


@dataclass
class AdminMenu:
    categories: list[CategoryRow]
    items: list[ItemRow]


# ---- input checks ---------------------------------------------------------------------------------
def _text(value, field: tuple[str, str], max_len: int, required: bool) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise DomainError("menu.required", field=field)
    if len(text) > max_len:
        raise DomainError("menu.too_long", field=field, max=max_len)
    return text


def _whole(value, lo: int, hi: int) -> int | None:
    """An integer in [lo, hi] from an int or text like "12,000"; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value or "").replace(",", "").replace(" ", "")
        if not text.isascii() or not text.isdigit():
            return None
        number = int(text)
    return number if lo <= number <= hi else None


def parse_price(value) -> int:
    price = _whole(value, 0, MAX_PRICE)
    if price is None:
        raise DomainError("menu.bad_price", max=f"{MAX_PRICE:,}")
    return price


def parse_stock(value) -> int | None:
    """Empty means unlimited."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    stock = _whole(value, 0, MAX_STOCK)
    if stock is None:
        raise DomainError("menu.bad_stock", max=f"{MAX_STOCK:,}")
    return stock


def _flag(value) -> bool:
    if value in (True, 1, "on", "true", "1"):
        return True
    if value in (False, 0, None, "", "off", "false", "0"):
        return False
    raise DomainError("input.invalid", field="flag")


def _id(value) -> int | None:
    return _whole(value, 1, 2**31 - 1)


def clean_item(values: dict) -> dict:
    """The MenuItem columns an admin may set, checked; raises DomainError naming the first bad field."""
    kind = str(values.get("kind") or "")
    if kind not in {k.value for k in ItemKind}:
        raise DomainError("menu.bad_kind")
    sort_order = values.get("sort_order")
    cleaned = {
        "name_ko": _text(values.get("name_ko"), F_NAME_KO, 80, required=True),
        "name_en": _text(values.get("name_en"), F_NAME_EN, 80, required=False),
        "description_ko": _text(values.get("description_ko"), F_DESC_KO, 500, required=False),
        "description_en": _text(values.get("description_en"), F_DESC_EN, 500, required=False),
        "price": parse_price(values.get("price")),
        "kind": kind,
        "stock": parse_stock(values.get("stock")),
        "sold_out": _flag(values.get("sold_out")),
        "once_per_table": _flag(values.get("once_per_table")),
        "active": _flag(values.get("active", True)),
        "category_id": _id(values.get("category_id")),
    }
    if sort_order is not None and str(sort_order).strip() != "":
        cleaned["sort_order"] = _whole(sort_order, 0, MAX_SORT_ORDER)
        if cleaned["sort_order"] is None:
            raise DomainError("menu.bad_sort_order", max=f"{MAX_SORT_ORDER:,}")
    if cleaned["category_id"] is None:
        raise DomainError("menu.unknown_category")
    # Tags only when the form sends them, so a form without them never clears them.
    if "allergens" in values:
        cleaned["allergens"] = parse_allergens(values["allergens"])
    if "spicy_level" in values:
        cleaned["spicy_level"] = parse_spicy(values["spicy_level"])
    if "vegetarian" in values:
        cleaned["vegetarian"] = _flag(values["vegetarian"])
    return cleaned


# ---- row access, always scoped to the caller's store -----------------------------------------------
def _category(s: Session, principal: Principal, category_id) -> Category:
    found = s.exec(select(Category).where(Category.id == _id(category_id),
                                          Category.store_id == principal.store_id).with_for_update()).first()
    if found is None:
        raise DomainError("menu.unknown_category")
    return found


def _item(s: Session, principal: Principal, item_id) -> MenuItem:
    found = s.exec(select(MenuItem).where(MenuItem.id == _id(item_id),
                                          MenuItem.store_id == principal.store_id).with_for_update()).first()
    if found is None:
        raise DomainError("menu.unknown_item")
    return found


def _item_changed(s: Session, item: MenuItem) -> None:
    item.updated_at = utcnow()
    s.add(item)
    record_event(s, item.store_id, "MenuChanged", {"item_id": item.id})


def _category_changed(s: Session, category: Category) -> None:
    s.add(category)
    record_event(s, category.store_id, "MenuChanged", {"category_id": category.id})


# ---- reading --------------------------------------------------------------------------------------
def list_menu(principal: Principal) -> AdminMenu:
    """Everything, hidden categories and items off sale included."""
    principal = require_admin(principal)
    store_id = principal.store_id
    with session_scope() as s:
        categories = s.exec(select(Category).where(Category.store_id == store_id)
                            .order_by(Category.sort_order, Category.id)).all()
        items = s.exec(select(MenuItem).where(MenuItem.store_id == store_id)
                       .order_by(MenuItem.sort_order, MenuItem.id)).all()
        ordered = set(s.exec(select(OrderLine.menu_item_id).distinct()
                             .where(OrderLine.menu_item_id.in_([i.id for i in items]))).all()) if items else set()
    counts: dict[int, int] = {}
    for i in items:
        counts[i.category_id] = counts.get(i.category_id, 0) + 1
    return AdminMenu(
        categories=[CategoryRow(c.id, c.name_ko, c.name_en, c.sort_order, c.visible, counts.get(c.id, 0), c.station)
                    for c in categories],
        items=[ItemRow(i.id, i.category_id, i.name_ko, i.name_en, i.description_ko, i.description_en, i.price,
                       i.kind, i.stock, i.sold_out, i.once_per_table, i.image, i.active, i.sort_order,
                       i.id in ordered, i.featured, allergen_codes(i.allergens), i.spicy_level, i.vegetarian)
               for i in items],
    )


# ---- categories -----------------------------------------------------------------------------------
def create_category(principal: Principal, name_ko, name_en) -> int:
    principal = require_admin(principal)
    ko, en = _text(name_ko, F_CAT_KO, 50, True), _text(name_en, F_CAT_EN, 50, False)
    with session_scope() as s:
        last = s.exec(select(sa.func.max(Category.sort_order)).where(Category.store_id == principal.store_id)).one()
        category = Category(store_id=principal.store_id, name_ko=ko, name_en=en, sort_order=(last or 0) + 1)
        s.add(category)
        s.flush()
        _category_changed(s, category)
        return category.id


def rename_category(principal: Principal, category_id, name_ko, name_en) -> None:
    principal = require_admin(principal)
    ko, en = _text(name_ko, F_CAT_KO, 50, True), _text(name_en, F_CAT_EN, 50, False)
    with session_scope() as s:
        category = _category(s, principal, category_id)
        category.name_ko, category.name_en = ko, en
        _category_changed(s, category)


def update_category(principal: Principal, category_id, name_ko, name_en, station) -> None:
    """The category dialog's save: its names and the station that makes its dishes, in one change."""
    principal = require_admin(principal)
    ko, en = _text(name_ko, F_CAT_KO, 50, True), _text(name_en, F_CAT_EN, 50, False)
    name = check_station_name(_text(station, F_STATION, 30, required=False))
    with session_scope() as s:
        category = _category(s, principal, category_id)
        category.name_ko, category.name_en, category.station = ko, en, name
        _category_changed(s, category)


def move_category(principal: Principal, category_id, step: int) -> None:
    """Swap with the neighbour above (step -1) or below (+1); the first/last stays put."""
    principal = require_admin(principal)
    if step not in (-1, 1):
        raise DomainError("input.invalid", field="step")
    with session_scope() as s:
        moved = _category(s, principal, category_id)
        ordered = list(s.exec(select(Category).where(Category.store_id == principal.store_id)
                              .order_by(Category.sort_order, Category.id).with_for_update()).all())
        at = next(n for n, c in enumerate(ordered) if c.id == moved.id)
        if not 0 <= at + step < len(ordered):
            return
        ordered[at], ordered[at + step] = ordered[at + step], ordered[at]
        # Renumbering all of them also repairs ties left by older data.
        for number, category in enumerate(ordered, start=1):
            category.sort_order = number
            s.add(category)
        _category_changed(s, moved)


def set_category_visible(principal: Principal, category_id, visible: bool) -> None:
    principal = require_admin(principal)
    with session_scope() as s:
        category = _category(s, principal, category_id)
        category.visible = _flag(visible)
        _category_changed(s, category)


def set_category_station(principal: Principal, category_id, station) -> None:
    """Which station makes the category's dishes (e.g. 주방, 바); empty is the main kitchen."""
    principal = require_admin(principal)
    name = check_station_name(_text(station, F_STATION, 30, required=False))
    with session_scope() as s:
        category = _category(s, principal, category_id)
        category.station = name
        _category_changed(s, category)


def delete_category(principal: Principal, category_id, move_to=None) -> int:
    """Delete a category. An empty one just goes. One with items is refused with their count, unless
    `move_to` names another category of the store: then its items move there first, in the same
    transaction (both rows locked in id order, so two admins deleting into each other cannot deadlock).
    Order lines point at items and keep their own name snapshots, so history keeps what it sold.
    Returns how many items were moved."""
    principal = require_admin(principal)
    target_id = None if move_to in (None, "") else _id(move_to)
    if move_to not in (None, "") and target_id is None:
        raise DomainError("menu.unknown_category")
    with session_scope() as s:
        ids = sorted({_id(category_id) or 0, target_id or 0} - {0})
        locked = {c.id: c for c in (_category(s, principal, i) for i in ids)}
        category = locked.get(_id(category_id) or 0)
        if category is None:
            raise DomainError("menu.unknown_category")
        if target_id == category.id:
            raise DomainError("menu.move_to_same")
        count = s.exec(select(sa.func.count()).select_from(MenuItem).where(MenuItem.category_id == category.id)).one()
        if count and target_id is None:
            raise DomainError("menu.category_not_empty", count=count,
                              category=(category.name_ko, category.name_en or category.name_ko))
        if count:
            s.execute(sa.update(MenuItem).where(MenuItem.category_id == category.id)
                      .values(category_id=target_id, updated_at=utcnow()))
        record_event(s, category.store_id, "MenuChanged", {"category_id": category.id, "moved_to": target_id})
        s.delete(category)
        return count


# ---- items ----------------------------------------------------------------------------------------
def create_item(principal: Principal, values: dict) -> int:
    principal = require_admin(principal)
    cleaned = clean_item(values)
    with session_scope() as s:
        _category(s, principal, cleaned["category_id"])
        if "sort_order" not in cleaned:
            last = s.exec(select(sa.func.max(MenuItem.sort_order)).where(MenuItem.store_id == principal.store_id)).one()
            cleaned["sort_order"] = min((last or 0) + 1, MAX_SORT_ORDER)
        item = MenuItem(store_id=principal.store_id, **cleaned)
        s.add(item)
        s.flush()
        _item_changed(s, item)
        return item.id


_NOT_SHOWN = object()


def _check_stock_seen(item: MenuItem | MenuOption, seen) -> None:
    """Orders take stock while an admin looks at the old count. Writing a count typed from a stale view
    would silently undo those reservations, so a stock edit names the count it was based on, and is
    refused if that is no longer the stored one."""
    if seen is _NOT_SHOWN:
        return
    if parse_stock(seen) != item.stock:
        raise DomainError("menu.stock_changed", now="∞" if item.stock is None else f"{item.stock:,}")


def update_item(principal: Principal, item_id, values: dict, stock_seen=_NOT_SHOWN) -> None:
    """`stock_seen`: the stock the edit form showed. When the form's stock is unchanged, the stored stock
    (which orders may have lowered meanwhile) is kept; when it was changed, see _check_stock_seen."""
    principal = require_admin(principal)
    cleaned = clean_item(values)
    with session_scope() as s:
        item = _item(s, principal, item_id)
        _category(s, principal, cleaned["category_id"])
        if stock_seen is not _NOT_SHOWN and cleaned["stock"] == parse_stock(stock_seen):
            del cleaned["stock"]
        elif "stock" in cleaned:
            _check_stock_seen(item, stock_seen)
        for column, value in cleaned.items():
            setattr(item, column, value)
        _item_changed(s, item)


def set_sold_out(principal: Principal, item_id, sold_out: bool) -> None:
    principal = require_admin(principal)
    with session_scope() as s:
        item = _item(s, principal, item_id)
        item.sold_out = _flag(sold_out)
        _item_changed(s, item)


def set_featured(principal: Principal, item_id, featured: bool) -> None:
    """Featured items stand in for "popular now" and "goes well with" while order data is thin."""
    principal = require_admin(principal)
    with session_scope() as s:
        item = _item(s, principal, item_id)
        item.featured = _flag(featured)
        _item_changed(s, item)
    recommendations.forget(principal.store_id)


def set_stock(principal: Principal, item_id, stock, seen=_NOT_SHOWN) -> None:
    """`seen`: the stock the admin's list showed when they typed the new one (see _check_stock_seen)."""
    principal = require_admin(principal)
    value = parse_stock(stock)
    with session_scope() as s:
        item = _item(s, principal, item_id)
        _check_stock_seen(item, seen)
        item.stock = value
        _item_changed(s, item)


def set_item_active(principal: Principal, item_id, active: bool) -> None:
    principal = require_admin(principal)
    with session_scope() as s:
        item = _item(s, principal, item_id)
        item.active = _flag(active)
        _item_changed(s, item)


def delete_item(principal: Principal, item_id, upload_dir: Path | None = None) -> None:
    """Only an item nobody ever ordered: order lines keep pointing at the items they sold. Its uploaded
    photo goes with it."""
    principal = require_admin(principal)
    with session_scope() as s:
        item = _item(s, principal, item_id)
        if s.exec(select(OrderLine.id).where(OrderLine.menu_item_id == item.id).limit(1)).first() is not None:
            raise DomainError("menu.item_has_orders", item=(item.name_ko, item.name_en or item.name_ko))
        record_event(s, item.store_id, "MenuChanged", {"item_id": item.id})
        old_image = item.image
        s.delete(item)
    if upload_dir is not None:
        _remove_upload(old_image, upload_dir)


# ---- photos ---------------------------------------------------------------------------------------
def image_extension(data: bytes) -> str | None:
    """The file's real type from its first bytes; a name or a browser's claim proves nothing."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return None


def check_image(data: bytes | None) -> str:
    if not data:
        raise DomainError("menu.image_missing")
    limit = get_settings().max_image_bytes
    if len(data) > limit:
        raise DomainError("menu.image_too_big", max_mb=f"{limit / 1024 / 1024:g}")
    ext = image_extension(data)
    if ext is None:
        raise DomainError("menu.image_type")
    return ext


def set_item_image(principal: Principal, item_id, data: bytes | None, upload_dir: Path) -> str:
    """Store the photo under a random name in `upload_dir` and point the item at it. Returns MenuItem.image."""
    principal = require_admin(principal)
    ext = check_image(data)
    with session_scope() as s:
        item = _item(s, principal, item_id)
        # A random name: nothing from the uploader reaches the file system, and old URLs never show a new photo.
        name = f"{UPLOAD_SUBDIR}/{secrets.token_hex(16)}{ext}"
        target = Path(upload_dir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        old_image, item.image = item.image, UPLOAD_PREFIX + name
        _item_changed(s, item)
        image = item.image
    # Only once the item points at the new photo for good; a failed save keeps the old one.
    _remove_upload(old_image, upload_dir)
    return image


def _remove_upload(image: str | None, upload_dir: Path) -> None:
    """Delete an uploaded photo nothing points at any more. Bundled (seed) pictures are not uploads, and a
    name that would lead outside the upload folder is left alone."""
    if not image or not image.startswith(UPLOAD_PREFIX + UPLOAD_SUBDIR + "/"):
        return
    folder = (Path(upload_dir) / UPLOAD_SUBDIR).resolve()
    target = (Path(upload_dir) / image.removeprefix(UPLOAD_PREFIX)).resolve()
    if target.parent != folder:
        return
    with session_scope() as s:
        if s.exec(select(MenuItem.id).where(MenuItem.image == image).limit(1)).first() is not None:
            return
    target.unlink(missing_ok=True)
