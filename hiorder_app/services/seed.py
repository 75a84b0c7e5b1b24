"""A believable demo restaurant, 한옥 식당 / Hanok Kitchen, so a fresh install can be tried at once.

Besides the menu, tables and admin it writes a week of past served orders: without them the tablet's
recommendations and the admin's sales dashboard would be empty on first run.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from ..domain.enums import ItemKind, OrderStatus
from ..domain.models import (
    Account,
    AuthSession,
    Category,
    DiningTable,
    MenuItem,
    MenuOption,
    OptionGroup,
    Order,
    OrderLine,
    OrderReadModel,
    OutboxEvent,
    Payment,
    StaffCall,
    Store,
    TableSession,
)
from ..domain.timeutil import utcnow
from ..settings import get_settings
from .auth.accounts import create_admin, create_store, create_table_account
from .db import session_scope
from .read_models.projections import rebuild_insights, rebuild_order_views
from .seed_options import add_demo_options

DEMO_STORE_CODE = "demo"
DEMO_STORE_NAME = ("한옥 식당", "Hanok Kitchen")
DEMO_TIMEZONE = "Asia/Seoul"
DEMO_ADMIN = ("admin", "admin1234")
DEMO_TABLE_PASSWORD = "1234"  # every tablet: username table1 .. table10
DEMO_TABLES = 10

MAIN, SIDE, DRINK = ItemKind.MAIN, ItemKind.SIDE, ItemKind.DRINK

# key: (name_ko, name_en)
CATEGORIES = {
    "mains": ("메인 요리", "Mains"),
    "sides": ("사이드", "Sides"),
    "drinks": ("음료", "Drinks"),
    "event": ("이벤트", "Event"),
}


# What the tablet offers when the week of demo orders says nothing about the hour (e.g. before lunch).
DEMO_FEATURED = frozenset({"bulgogi", "kimchi_jeon", "sikhye"})


class DemoItem(NamedTuple):
    key: str  # also the image file name under assets/menu/
    category: str
    name_ko: str
    name_en: str
    description_ko: str
    description_en: str
    price: int
    kind: str
    stock: int | None = None
    once_per_table: bool = False
    weight: int = 1  # how often past guests picked it: shapes the recommendations


ITEMS = [
    DemoItem("bibimbap", "mains", "비빔밥", "Bibimbap",
             "따끈한 밥 위에 나물 일곱 가지와 소고기, 달걀 프라이. 고추장에 쓱쓱 비벼 드세요.",
             "Rice topped with seven vegetables, beef and a fried egg. Mix it all with gochujang.",
             11000, MAIN, weight=9),
    DemoItem("kimchi_jjigae", "mains", "김치찌개", "Kimchi Stew",
             "1년 숙성 김치에 돼지고기와 두부를 넣고 칼칼하게 끓였어요.",
             "Year-aged kimchi simmered with pork and tofu: hearty and spicy.",
             10000, MAIN, weight=8),
    DemoItem("doenjang_jjigae", "mains", "된장찌개", "Soybean Paste Stew",
             "집된장에 애호박, 두부, 버섯을 넣어 구수하게 끓인 찌개.",
             "Homemade doenjang stew with zucchini, tofu and mushrooms.",
             9500, MAIN, weight=5),
    DemoItem("bulgogi", "mains", "소불고기", "Beef Bulgogi",
             "달콤한 간장 양념에 재운 소고기를 양파, 대파와 함께 철판에 구웠어요.",
             "Soy-marinated beef seared with onion and green onion on a hot iron plate.",
             18000, MAIN, weight=7),
    DemoItem("jeyuk_bokkeum", "mains", "제육볶음", "Spicy Stir-fried Pork",
             "매콤한 고추장 양념 돼지고기 볶음. 쌈 채소와 함께 나와요.",
             "Pork stir-fried in spicy gochujang sauce, with lettuce for wrapping.",
             13000, MAIN, weight=5),
    DemoItem("galbi_jjim", "mains", "갈비찜", "Braised Short Ribs",
             "소갈비를 밤, 대추, 당근과 함께 간장 양념에 푹 조렸어요. 하루 한정 수량.",
             "Beef short ribs slow-braised in soy with chestnuts, jujubes and carrots. Limited each day.",
             28000, MAIN, stock=5, weight=2),
    DemoItem("naengmyeon", "mains", "물냉면", "Cold Buckwheat Noodles",
             "살얼음 낀 시원한 육수에 메밀면, 배, 오이, 삶은 달걀을 올렸어요.",
             "Buckwheat noodles in icy beef broth with pear, cucumber and a boiled egg.",
             11000, MAIN, weight=4),
    DemoItem("fried_chicken", "mains", "반반 치킨", "Half & Half Fried Chicken",
             "바삭한 후라이드 반, 달콤매콤한 양념 반. 치킨무가 함께 나와요.",
             "Half crispy fried, half sweet-and-spicy glazed, with pickled radish.",
             21000, MAIN, weight=4),
    DemoItem("tteokbokki", "sides", "떡볶이", "Tteokbokki",
             "쫄깃한 가래떡과 어묵, 삶은 달걀을 매콤달콤한 고추장 소스에.",
             "Chewy rice cakes, fish cakes and boiled egg in sweet-and-spicy gochujang sauce.",
             7000, SIDE, weight=5),
    DemoItem("japchae", "sides", "잡채", "Japchae",
             "당면을 채소, 소고기와 함께 참기름에 볶았어요.",
             "Glass noodles stir-fried with vegetables and beef in sesame oil.",
             8000, SIDE, stock=8, weight=3),
    DemoItem("kimchi_jeon", "sides", "김치전", "Kimchi Pancake",
             "잘 익은 김치로 바삭하게 부친 전. 간장 소스를 곁들여요.",
             "A crisp pancake of ripe kimchi, with soy dipping sauce.",
             8000, SIDE, weight=4),
    DemoItem("gyeran_mari", "sides", "계란말이", "Rolled Omelette",
             "잘게 썬 채소를 넣어 도톰하게 말아낸 계란말이.",
             "A thick rolled omelette with finely chopped vegetables.",
             6000, SIDE, weight=4),
    DemoItem("gyeran_jjim", "sides", "계란찜", "Steamed Egg",
             "뚝배기에서 폭신하게 부풀어 오른 계란찜.",
             "Fluffy egg steamed until it puffs up over an earthenware pot.",
             5000, SIDE, weight=3),
    DemoItem("gonggi_bap", "sides", "공기밥", "Steamed Rice",
             "갓 지은 흰 쌀밥 한 공기.",
             "A bowl of freshly steamed white rice.",
             2000, SIDE, weight=4),
    DemoItem("cola", "drinks", "콜라", "Cola",
             "얼음 컵과 함께 나와요. (355ml)",
             "Served with a glass of ice. (355 ml)",
             2500, DRINK, weight=5),
    DemoItem("cider", "drinks", "사이다", "Lemon-lime Soda",
             "톡 쏘는 사이다, 얼음 컵과 함께. (355ml)",
             "Fizzy lemon-lime soda with a glass of ice. (355 ml)",
             2500, DRINK, weight=4),
    DemoItem("sikhye", "drinks", "수제 식혜", "Homemade Sikhye",
             "매장에서 직접 만든 달콤하고 시원한 전통 쌀 음료.",
             "Our own sweet rice punch, served chilled.",
             3500, DRINK, stock=3, weight=2),
    DemoItem("makgeolli", "drinks", "생막걸리", "Makgeolli",
             "부드럽고 톡 쏘는 생막걸리 한 병 (750ml).",
             "A bottle of smooth, lightly sparkling unpasteurised rice wine (750 ml).",
             6000, DRINK, weight=3),
    # SIDE on purpose: the order rules refuse a side without a main, so the 1,000-won offer
    # always comes with a meal and is never a whole order on its own.
    DemoItem("service_mandu", "event", "서비스 만두", "Welcome Dumplings",
             "이벤트! 식사 메뉴와 함께 테이블당 한 번, 군만두·찐만두 7개를 1,000원에 드려요.",
             "Event: once per table with a meal, seven pan-fried and steamed dumplings for 1,000 won.",
             1000, SIDE, once_per_table=True, weight=3),
]

IMAGE_URL = "/menu/{}.png"  # Reflex serves assets/ at the site root


def seed_demo(force: bool = False) -> bool:
    """Create the demo store when the database has no store at all. Returns whether it seeded.

    force=True also seeds next to other stores; it never touches an existing `demo` store.
    """
    with session_scope() as s:
        if s.exec(select(Store.id).where(Store.code == DEMO_STORE_CODE)).first() is not None:
            return False
        if not force and s.exec(select(Store.id)).first() is not None:
            return False
    store_id = create_store(DEMO_STORE_CODE, *DEMO_STORE_NAME)
    try:
        create_admin(store_id, *DEMO_ADMIN)
        tables = {n: create_table_account(store_id, n, DEMO_TABLE_PASSWORD)[0] for n in range(1, DEMO_TABLES + 1)}
        with session_scope() as s:
            items = _add_menu(s, store_id)
            _add_past_orders(s, store_id, tables, items, random.Random(7), utcnow())
            s.flush()
            # The history was written directly, not through events: build its read model once.
            rebuild_order_views(s, store_id)
            s.flush()
            rebuild_insights(s, store_id, get_settings().tz)
    except BaseException:
        # The steps above commit separately; without this a failure would leave a half-built store
        # that the "already seeded" check above would then keep forever.
        _delete_store(store_id)
        raise
    return True


def _add_menu(s: Session, store_id: int) -> dict[str, MenuItem]:
    categories = {}
    for order, (key, (ko, en)) in enumerate(CATEGORIES.items(), start=1):
        row = Category(store_id=store_id, name_ko=ko, name_en=en, sort_order=order)
        s.add(row)
        s.flush()
        categories[key] = row.id
    items = {}
    for order, it in enumerate(ITEMS, start=1):
        row = MenuItem(
            store_id=store_id, category_id=categories[it.category], name_ko=it.name_ko, name_en=it.name_en,
            description_ko=it.description_ko, description_en=it.description_en, price=it.price, kind=it.kind,
            stock=it.stock, once_per_table=it.once_per_table, image=IMAGE_URL.format(it.key), sort_order=order,
            featured=it.key in DEMO_FEATURED,
        )
        s.add(row)
        items[it.key] = row
    s.flush()
    add_demo_options(s, store_id, items, categories)
    return items


def _add_past_orders(s: Session, store_id: int, tables: dict[int, int], items: dict[str, MenuItem],
                     rng: random.Random, now: datetime) -> None:
    """Seven days of lunch and dinner visits, each a closed table session with one or two served orders."""
    tz = ZoneInfo(DEMO_TIMEZONE)
    today = now.astimezone(tz).date()
    for days_ago in range(6, -1, -1):
        day = today - timedelta(days=days_ago)
        free_at = {number: datetime.combine(day, time.min, tzinfo=tz) for number in tables}
        for start in _visit_starts(rng, day, tz):
            stay = timedelta(minutes=rng.randint(40, 95))
            if start + stay > now:  # today's visits must already be over
                continue
            number = next((n for n in rng.sample(sorted(tables), len(tables)) if free_at[n] <= start), None)
            if number is None:  # every table busy: the party went elsewhere
                continue
            free_at[number] = start + stay
            visit = TableSession(store_id=store_id, table_id=tables[number], opened_at=start, closed_at=start + stay)
            s.add(visit)
            s.flush()
            _add_visit_orders(s, store_id, visit, items, rng)


def _visit_starts(rng: random.Random, day: date, tz: ZoneInfo) -> list[datetime]:
    busy = day.weekday() >= 4  # Friday to Sunday
    lunch = [rng.uniform(11.5, 13.5) for _ in range(rng.randint(6, 9) + 3 * busy)]
    dinner = [rng.uniform(17.5, 20.5) for _ in range(rng.randint(7, 11) + 5 * busy)]
    return [
        datetime.combine(day, time(int(hour), int(hour % 1 * 60), rng.randint(0, 59)), tzinfo=tz).astimezone(UTC)
        for hour in sorted(lunch + dinner)
    ]


def _add_visit_orders(s: Session, store_id: int, visit: TableSession, items: dict[str, MenuItem],
                      rng: random.Random) -> None:
    guests = rng.choice([1, 2, 2, 2, 3, 4, 4, 5])

    def pick(kind: str, k: int) -> list[DemoItem]:
        pool = [it for it in ITEMS if it.kind == kind and not it.once_per_table]
        return rng.choices(pool, weights=[it.weight for it in pool], k=k)

    # Every first order has a main, so sides and the event dish always obey the order rules.
    first = pick(MAIN, max(1, guests - rng.randint(0, 1)))
    first += pick(SIDE, rng.randint(0, 2)) + pick(DRINK, rng.randint(0, guests // 2))
    if rng.random() < 0.35:
        first += [it for it in ITEMS if it.once_per_table]
    orders = [first]
    if rng.random() < 0.4:  # a second round later in the visit
        orders.append(pick(DRINK, rng.randint(1, 2)) + pick(SIDE, rng.randint(0, 1)))
    stay = visit.closed_at - visit.opened_at
    for n, picked in enumerate(orders):
        quantities: dict[str, int] = {}
        for it in picked:
            quantities[it.key] = quantities.get(it.key, 0) + 1
        created = visit.opened_at + timedelta(minutes=rng.randint(2, 6)) + stay * 0.4 * n
        order = Order(store_id=store_id, table_id=visit.table_id, table_session_id=visit.id,
                      status=OrderStatus.SERVED, total=0, created_at=created,
                      paid_at=created + timedelta(seconds=rng.randint(30, 150)),
                      updated_at=created + timedelta(minutes=rng.randint(8, 15)))
        s.add(order)
        s.flush()
        for key, qty in quantities.items():
            row = items[key]
            s.add(OrderLine(order_id=order.id, menu_item_id=row.id, name_ko=row.name_ko, name_en=row.name_en,
                            kind=row.kind, unit_price=row.price, quantity=qty, line_total=row.price * qty))
            order.total += row.price * qty
        s.add(order)


def _delete_store(store_id: int) -> None:
    """Remove every row of one store, children first."""
    with session_scope() as s:
        order_ids = select(Order.id).where(Order.store_id == store_id)
        account_ids = select(Account.id).where(Account.store_id == store_id)
        s.execute(sa.delete(OrderLine).where(OrderLine.order_id.in_(order_ids)))
        s.execute(sa.delete(AuthSession).where(AuthSession.account_id.in_(account_ids)))
        for model in (OrderReadModel, StaffCall, Payment, Order, OutboxEvent, TableSession, Account, MenuOption,
                      OptionGroup, MenuItem, Category, DiningTable):
            s.execute(sa.delete(model).where(model.store_id == store_id))
        s.execute(sa.delete(Store).where(Store.id == store_id))
