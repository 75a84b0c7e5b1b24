"""services.menu.get_menu: what a tablet shows, and recommendations from paid orders only (more of them in
test_recommendations.py)."""

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.models import Category, MenuItem
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models.menu import get_menu


def update(model, row_id: int, **values) -> None:
    with session_scope() as s:
        row = s.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)
        s.add(row)


def shown(store) -> dict[str, object]:
    """ITEMS key -> MenuItemView, for the items the tablet shows."""
    by_id = {v: k for k, v in store.items.items()}
    return {by_id[i.id]: i for i in get_menu(store.id).items}


def test_menu_shows_visible_categories_and_active_items(db, store):
    menu = get_menu(store.id)
    assert (menu.store_name_ko, menu.store_name_en) == ("store-a 식당", "store-a diner")
    assert [(c.name_ko, c.name_en) for c in menu.categories] == [
        ("메인", "Mains"), ("사이드", "Sides"), ("음료", "Drinks")]  # "hidden" is not there
    assert list(shown(store)) == ["main", "main2", "side", "drink", "event", "limited", "sold_out"]
    # not "inactive" (item switched off) nor "secret" (its category is hidden)


def test_menu_item_fields(db, store):
    main = shown(store)["main"]
    assert (main.name_ko, main.name_en, main.price, main.kind) == ("김치찌개", "Kimchi stew", 9000, "MAIN")
    assert main.category_id == store.categories["mains"]
    assert (main.stock, main.sold_out, main.once_per_table, main.popular) == (None, False, False, False)
    assert shown(store)["event"].once_per_table
    assert shown(store)["limited"].stock == 3


def test_sold_out_is_marked_not_hidden(db, store):
    update(MenuItem, store.items["limited"], stock=0)
    items = shown(store)
    assert items["sold_out"].sold_out  # the flag
    assert items["limited"].sold_out  # no stock left
    assert not items["main"].sold_out


def test_order_follows_sort_order(db, store):
    update(Category, store.categories["drinks"], sort_order=-1)
    update(MenuItem, store.items["drink"], sort_order=-1)
    menu = get_menu(store.id)
    assert menu.categories[0].name_en == "Drinks"
    assert menu.items[0].name_en == "Cola"


def test_menu_of_one_store_only(db, store, make_store):
    other = make_store("store-b")
    update(MenuItem, other.items["main"], name_en="Other stew")
    assert "Other stew" not in [i.name_en for i in get_menu(store.id).items]
    assert {c.id for c in get_menu(other.id).categories}.isdisjoint(store.categories.values())


def test_no_recommendations_without_paid_orders(db, store, customer):
    place_order(customer, [(store.items["main"], 5)])  # awaiting payment: not counted
    assert not any(i.popular for i in get_menu(store.id).items)


def pay_through(order_id: int, *statuses: OrderStatus) -> None:
    """Move an order through the status machine as the app does, events and read models included."""
    for status in statuses:
        with session_scope() as s:
            transition(s, lock_order(s, id=order_id), status)


def test_recommendations_come_from_paid_orders_only(db, store, customer):
    ids = store.items
    pay_through(place_order(customer, [(ids["main2"], 4)]).id, OrderStatus.PAID)
    pay_through(place_order(customer, [(ids["drink"], 3)]).id, OrderStatus.PAID, OrderStatus.ACCEPTED,
                OrderStatus.SERVED)
    pay_through(place_order(customer, [(ids["side"], 3)]).id, OrderStatus.PAID, OrderStatus.ACCEPTED)
    pay_through(place_order(customer, [(ids["main"], 9)]).id, OrderStatus.PAID, OrderStatus.CANCELLED)  # refunded
    pay_through(place_order(customer, [(ids["limited"], 3)]).id, OrderStatus.EXPIRED)
    place_order(customer, [(ids["event"], 1)])  # PENDING_PAYMENT
    popular = {k for k, v in shown(store).items() if v.popular}
    assert popular == {"main2", "drink", "side"}


def test_other_stores_sales_are_not_recommendations(db, store, make_store):
    other = make_store("store-b")
    pay_through(place_order(other.sign_in_table(1), [(other.items["main"], 12)]).id, OrderStatus.PAID)
    assert not any(i.popular for i in get_menu(store.id).items)
    assert [i.name_en for i in get_menu(other.id).items if i.popular] == ["Kimchi stew"]
