"""Fixtures for service tests: a store factory and signed-in principals.

They all build on `db` from tests/conftest.py, so they write to whichever database the test
runs on (both backends, or the one chosen by indirect parametrization of `db`).
"""

from dataclasses import dataclass, field

import pytest

from hiorder_app.domain.enums import ItemKind
from hiorder_app.domain.models import Category, DiningTable, MenuItem
from hiorder_app.services.auth import accounts
from hiorder_app.services.auth.sessions import sign_in
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.overload import ordering_guard
from hiorder_app.services.principal import Principal
from hiorder_app.services.read_models import recommendations
from hiorder_app.services.store_admin import options as ao

PASSWORD = "pw-1234"


# key: (name_ko, name_en, price, kind, category key, extra columns)
ITEMS: dict[str, tuple] = {
    "main": ("김치찌개", "Kimchi stew", 9000, ItemKind.MAIN, "mains", {}),
    "main2": ("불고기", "Bulgogi", 15000, ItemKind.MAIN, "mains", {}),
    "side": ("계란말이", "Rolled omelette", 5000, ItemKind.SIDE, "sides", {}),
    "drink": ("콜라", "Cola", 2000, ItemKind.DRINK, "drinks", {}),
    "event": ("이벤트 하이볼", "Event highball", 1000, ItemKind.DRINK, "drinks", {"once_per_table": True}),
    "limited": ("한정 갈비", "Limited galbi", 20000, ItemKind.MAIN, "mains", {"stock": 3}),
    "inactive": ("단종 메뉴", "Retired dish", 7000, ItemKind.MAIN, "mains", {"active": False}),
    "sold_out": ("냉면", "Cold noodles", 8000, ItemKind.MAIN, "mains", {"sold_out": True}),
    "secret": ("비밀 메뉴", "Secret dish", 30000, ItemKind.MAIN, "hidden", {}),
}

# key: (name_ko, name_en, visible)
CATEGORIES: dict[str, tuple] = {
    "mains": ("메인", "Mains", True),
    "sides": ("사이드", "Sides", True),
    "drinks": ("음료", "Drinks", True),
    "hidden": ("숨김", "Hidden", False),
}


@dataclass
class StoreData:
    id: int
    code: str
    admin_username: str
    admin_id: int
    categories: dict[str, int]
    items: dict[str, int]  # ITEMS key -> menu_item.id
    prices: dict[str, int]
    tables: dict[int, int] = field(default_factory=dict)  # table number -> dining_table.id
    password: str = PASSWORD

    def add_table(self, number: int) -> int:
        table_id, _ = accounts.create_table_account(self.id, number, self.password)
        self.tables[number] = table_id
        return table_id

    def sign_in_table(self, number: int = 1) -> Principal:
        """Sign table N's tablet in (creating the table if needed), which opens its table session."""
        if number not in self.tables:
            self.add_table(number)
        _token, principal = sign_in(self.code, f"table{number}", self.password, "test-client")
        return principal

    def set_table(self, number: int, **values) -> None:
        with session_scope() as s:
            table = s.get(DiningTable, self.tables[number])
            for key, value in values.items():
                setattr(table, key, value)
            s.add(table)

    def table_principal(self, number: int = 1) -> Principal:
        """A customer Principal without signing in (no table session opened yet): cheap for many threads."""
        if number not in self.tables:
            self.add_table(number)
        return Principal(account_id=0, store_id=self.id, role="CUSTOMER", username=f"table{number}",
                         table_id=self.tables[number], table_number=number)


def build_store(code: str = "store-a", tables: int = 1) -> StoreData:
    store_id = accounts.create_store(code, f"{code} 식당", f"{code} diner")
    admin_id = accounts.create_admin(store_id, "admin", PASSWORD)
    with session_scope() as s:
        categories = {}
        for order, (key, (ko, en, visible)) in enumerate(CATEGORIES.items()):
            row = Category(store_id=store_id, name_ko=ko, name_en=en, sort_order=order, visible=visible)
            s.add(row)
            s.flush()
            categories[key] = row.id
        items, prices = {}, {}
        for order, (key, (ko, en, price, kind, cat, extra)) in enumerate(ITEMS.items()):
            row = MenuItem(store_id=store_id, category_id=categories[cat], name_ko=ko, name_en=en, price=price,
                           kind=kind, sort_order=order, **extra)
            s.add(row)
            s.flush()
            items[key], prices[key] = row.id, price
    store = StoreData(store_id, code, "admin", admin_id, categories, items, prices)
    for number in range(1, tables + 1):
        store.add_table(number)
    return store


@pytest.fixture(autouse=True)
def fresh_overload_guard():
    """The order-placement guard is process-wide: a breaker opened by one test's slow calls must not
    refuse the next test's orders."""
    ordering_guard.cache_clear()
    yield
    ordering_guard.cache_clear()


@pytest.fixture(autouse=True)
def fresh_recommendations():
    """Rankings are cached per store id in the process, and every test's store gets id 1 again."""
    recommendations.forget()
    yield
    recommendations.forget()


@pytest.fixture
def make_store(db):
    """Factory: make_store(code="store-a", tables=1) -> StoreData, in the test's database."""
    return build_store


@pytest.fixture
def store(make_store) -> StoreData:
    return make_store()


@pytest.fixture
def customer(store) -> Principal:
    """Table 1 of `store`, signed in."""
    return store.sign_in_table(1)


@pytest.fixture
def admin(store) -> Principal:
    _token, principal = sign_in(store.code, store.admin_username, store.password, "test-client")
    return principal


# ---- menu options ----------------------------------------------------------------------------------
@dataclass
class Options:
    spicy: int  # 맵기: exactly one, on both stews
    topping: int  # 토핑: 0 to 3, on the kimchi stew only
    mild: int
    medium: int
    hot: int
    ramen: int  # +2000
    cheese: int  # +1500
    rice_cake: int  # +1000
    dumpling: int  # +2500


@pytest.fixture
def opts(store, admin) -> Options:
    spicy = ao.create_group(admin, {"name_ko": "맵기", "name_en": "Spice level", "min_select": 1, "max_select": 1})
    topping = ao.create_group(admin, {"name_ko": "토핑", "name_en": "Toppings", "min_select": "0", "max_select": "3"})
    ids = [ao.create_option(admin, spicy, {"name_ko": ko, "name_en": en}) for ko, en in
           [("순한맛", "Mild"), ("보통", "Medium"), ("매운맛", "Hot")]]
    ids += [ao.create_option(admin, topping, {"name_ko": ko, "name_en": en, "price_delta": delta}) for ko, en, delta in
            [("라면사리", "Ramen noodles", "2,000"), ("치즈", "Cheese", 1500), ("떡", "Rice cake", 1000),
             ("만두", "Dumplings", 2500)]]
    ao.set_item_groups(admin, store.items["main"], [spicy, topping])
    ao.set_item_groups(admin, store.items["main2"], [spicy])
    return Options(spicy, topping, *ids)
