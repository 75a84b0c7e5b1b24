"""The console's category deletion and item tags (allergens, spicy level, vegetarian), and the tablet's
menu carrying the tags."""

import pytest

from hiorder_app.domain.errors import DomainError
from hiorder_app.domain.menu_tags import ALLERGENS, hides, parse_allergens
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models.menu import get_menu
from hiorder_app.services.read_models.order_views import table_orders
from hiorder_app.services.store_admin import menu as am
from tests.services.admin_refusals import assert_refused, other_store_admin
from tests.services.test_admin_menu import item_values


def test_an_empty_category_is_deleted(db, store, admin):
    category_id = am.create_category(admin, "시즌 메뉴", "Seasonal")
    am.delete_category(admin, category_id)
    assert category_id not in [c.id for c in am.list_menu(admin).categories]
    assert db.scalar("SELECT COUNT(*) FROM outbox_event WHERE type = 'MenuChanged' AND payload LIKE :p",
                     p=f'%"category_id": {category_id}%') == 2


def test_a_category_with_items_is_refused_with_their_count(db, store, admin):
    err = assert_refused(db, lambda p: am.delete_category(p, store.categories["mains"]), admin,
                         codes={"menu.category_not_empty"})
    assert "'메인'" in err.message("ko") and "5" in err.message("ko")
    assert "'Mains'" in err.message("en") and "5 item" in err.message("en")


def test_items_moved_out_then_the_category_goes_and_history_keeps_its_lines(db, store, admin, customer):
    order = place_order(customer, [(store.items["drink"], 1)])
    for key in ("drink", "event"):
        am.update_item(admin, store.items[key], item_values(store, category_id=store.categories["sides"],
                                                            name_ko=key, kind="DRINK"))
    am.delete_category(admin, store.categories["drinks"])
    assert [ln.name_ko for ln in table_orders(customer)[0].lines] == ["콜라"]  # the snapshot, not the new name
    assert table_orders(customer)[0].id == order.id


def test_a_category_with_items_moves_them_then_goes_in_one_step(db, store, admin, customer):
    order = place_order(customer, [(store.items["drink"], 2)])
    drinks, sides = store.categories["drinks"], store.categories["sides"]
    assert am.delete_category(admin, drinks, move_to=str(sides)) == 2
    menu = am.list_menu(admin)
    assert drinks not in [c.id for c in menu.categories]
    moved = {i.id: i.category_id for i in menu.items}
    assert moved[store.items["drink"]] == moved[store.items["event"]] == sides
    # The tablet's menu lists them under their new category; history keeps its snapshot.
    tablet = {i.id: i for i in get_menu(store.id).items}
    assert tablet[store.items["drink"]].category_id == sides
    assert [(ln.name_ko, ln.quantity) for ln in table_orders(customer)[0].lines] == [("콜라", 2)]
    assert table_orders(customer)[0].id == order.id
    assert db.scalar("SELECT COUNT(*) FROM outbox_event WHERE type = 'MenuChanged' AND payload LIKE :p",
                     p=f'%"moved_to": {sides}%') == 1


def test_moving_items_to_a_bad_target_changes_nothing(db, store, admin, make_store):
    drinks = store.categories["drinks"]
    assert_refused(db, lambda p: am.delete_category(p, drinks, move_to=drinks), admin, codes={"menu.move_to_same"})
    for target in ("999999", "x", -1):
        assert_refused(db, lambda p, t=target: am.delete_category(p, drinks, move_to=t), admin,
                       codes={"menu.unknown_category"})
    other = make_store("store-b")
    assert_refused(db, lambda p: am.delete_category(p, drinks, move_to=other.categories["sides"]), admin,
                   codes={"menu.unknown_category"})


def test_an_empty_category_ignores_a_target(db, store, admin):
    category_id = am.create_category(admin, "빈 카테고리", "")
    assert am.delete_category(admin, category_id, move_to=store.categories["sides"]) == 0
    assert category_id not in [c.id for c in am.list_menu(admin).categories]


def test_the_category_dialog_saves_names_and_station_together(db, store, admin, customer):
    am.update_category(admin, store.categories["drinks"], "음료·주류", "Drinks & bar", " 바 ")
    row = next(c for c in am.list_menu(admin).categories if c.id == store.categories["drinks"])
    assert (row.name_ko, row.name_en, row.station) == ("음료·주류", "Drinks & bar", "바")
    assert_refused(db, lambda p: am.update_category(p, store.categories["drinks"], "음료", "", "x" * 31), admin,
                   codes={"menu.too_long"})
    assert_refused(db, lambda p: am.update_category(p, store.categories["drinks"], "", "", "바"), admin,
                   codes={"menu.required"})
    for principal in (customer, None):
        assert_refused(db, lambda p: am.update_category(p, store.categories["drinks"], "x", "", ""), principal)


def test_delete_category_guards(db, store, customer, make_store):
    for principal in (customer, None):
        assert_refused(db, lambda p: am.delete_category(p, store.categories["hidden"]), principal)
    intruder = other_store_admin(make_store)
    assert_refused(db, lambda p: am.delete_category(p, store.categories["hidden"]), intruder,
                   codes={"menu.category_not_empty", "menu.unknown_category"})
    assert_refused(db, lambda p: am.delete_category(p, store.categories["hidden"], store.categories["sides"]),
                   intruder, codes={"menu.unknown_category"})


def test_item_tags_are_set_listed_and_shown_on_the_tablet(db, store, admin):
    am.update_item(admin, store.items["main"], item_values(
        store, name_ko="김치찌개", kind="MAIN", category_id=store.categories["mains"],
        allergens=["pork", "soybean", "wheat"], spicy_level="2", vegetarian=False))
    am.update_item(admin, store.items["side"], item_values(store, allergens="egg, milk", vegetarian="on"))
    rows = {i.id: i for i in am.list_menu(admin).items}
    assert rows[store.items["main"]].allergens == ["soybean", "wheat", "pork"]  # the standard's order
    assert rows[store.items["main"]].spicy_level == 2
    assert (rows[store.items["side"]].allergens, rows[store.items["side"]].vegetarian) == (["egg", "milk"], True)
    menu = {i.id: i for i in get_menu(store.id).items}
    assert menu[store.items["main"]].allergens == ["soybean", "wheat", "pork"]
    assert (menu[store.items["main"]].spicy_level, menu[store.items["side"]].vegetarian) == (2, True)
    # A form that does not send the tags keeps them.
    am.update_item(admin, store.items["side"], item_values(store, price="6000"))
    assert {i.id: i for i in am.list_menu(admin).items}[store.items["side"]].allergens == ["egg", "milk"]


@pytest.mark.parametrize("changes, code", [
    ({"allergens": ["peanut", "gluten"]}, "menu.bad_allergen"),
    ({"spicy_level": "4"}, "menu.bad_spicy"),
    ({"spicy_level": "-1"}, "menu.bad_spicy"),
    ({"spicy_level": True}, "menu.bad_spicy"),
])
def test_bad_tags_are_refused(db, store, admin, changes, code):
    assert_refused(db, lambda p: am.update_item(p, store.items["side"], item_values(store, **changes)), admin,
                   codes={code})


def test_korean_labelled_allergens():
    names = {ko for ko, _ in ALLERGENS.values()}
    assert {"우유", "땅콩", "대두", "밀", "새우", "게", "메밀", "잣"} <= names
    assert parse_allergens(None) == "" and parse_allergens([]) == ""
    with pytest.raises(DomainError):
        parse_allergens("땅콩")  # codes, not labels
    assert hides(["peanut", "milk"], ["milk"]) and not hides(["peanut"], ["milk"])
