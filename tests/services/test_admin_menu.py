"""services.admin_menu: the store console's menu management, its guards and its input checks."""

import json

import pytest
from sqlmodel import select

from hiorder_app.domain.errors import DomainError
from hiorder_app.domain.models import Category, MenuItem, OutboxEvent
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models.menu import get_menu
from hiorder_app.services.store_admin import menu as am
from tests.services.admin_refusals import assert_refused, other_store_admin

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def item_values(store, **changes) -> dict:
    values = {"name_ko": "떡볶이", "name_en": "Tteokbokki", "description_ko": "매콤", "description_en": "Spicy",
              "price": "7000", "kind": "SIDE", "category_id": store.categories["sides"], "stock": "",
              "sold_out": False, "once_per_table": False, "active": True, "sort_order": ""}
    return values | changes


def row(model, row_id):
    with session_scope() as s:
        return s.get(model, row_id)


def events(store_id: int) -> list[tuple[str, dict]]:
    with session_scope() as s:
        rows = s.exec(select(OutboxEvent).where(OutboxEvent.store_id == store_id)).all()
        return [(e.type, json.loads(e.payload)) for e in rows]


# Every admin function, aimed at store A's rows.
CALLS = {
    "list_menu": lambda p, st, tmp: am.list_menu(p),
    "create_category": lambda p, st, tmp: am.create_category(p, "새 카테고리", "New"),
    "rename_category": lambda p, st, tmp: am.rename_category(p, st.categories["mains"], "바뀜", "Changed"),
    "move_category": lambda p, st, tmp: am.move_category(p, st.categories["drinks"], -1),
    "set_category_visible": lambda p, st, tmp: am.set_category_visible(p, st.categories["mains"], False),
    "create_item": lambda p, st, tmp: am.create_item(p, item_values(st)),
    "update_item": lambda p, st, tmp: am.update_item(p, st.items["main"], item_values(st)),
    "set_sold_out": lambda p, st, tmp: am.set_sold_out(p, st.items["main"], True),
    "set_stock": lambda p, st, tmp: am.set_stock(p, st.items["main"], "5"),
    "set_item_active": lambda p, st, tmp: am.set_item_active(p, st.items["main"], False),
    "delete_item": lambda p, st, tmp: am.delete_item(p, st.items["main"]),
    "set_item_image": lambda p, st, tmp: am.set_item_image(p, st.items["main"], PNG, tmp),
}
# No target row: another store's admin simply works in their own store (checked below).
NO_TARGET = {"list_menu", "create_category"}


@pytest.mark.parametrize("name", CALLS)
def test_customers_and_signed_out_callers_are_refused_and_nothing_changes(db, store, customer, tmp_path, name):
    for principal in (customer, None):
        assert_refused(db, lambda p: CALLS[name](p, store, tmp_path), principal)
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.parametrize("name", sorted(set(CALLS) - NO_TARGET))
def test_an_admin_of_another_store_cannot_touch_this_store(db, store, make_store, tmp_path, name):
    intruder = other_store_admin(make_store)
    assert_refused(db, lambda p: CALLS[name](p, store, tmp_path), intruder,
                   codes={"menu.unknown_item", "menu.unknown_category"})
    assert not any(tmp_path.rglob("*.*"))


def test_another_stores_admin_only_sees_and_creates_in_their_own_store(db, store, make_store):
    intruder = other_store_admin(make_store)
    assert {i.id for i in am.list_menu(intruder).items}.isdisjoint(store.items.values())
    new_id = am.create_category(intruder, "B 카테고리", "B cat")
    assert row(Category, new_id).store_id == intruder.store_id


def test_admin_creates_a_category_and_an_item_and_the_tablet_menu_shows_them(db, store, admin):
    category_id = am.create_category(admin, " 분식 ", "Snacks")
    assert row(Category, category_id).sort_order == 4  # after the four existing ones (0..3)
    item_id = am.create_item(admin, item_values(store, category_id=str(category_id), price="12,000", kind="MAIN"))
    item = row(MenuItem, item_id)
    assert (item.name_ko, item.price, item.kind, item.stock, item.store_id) == ("떡볶이", 12000, "MAIN", None, store.id)
    menu = get_menu(store.id)
    assert "분식" in [c.name_ko for c in menu.categories]
    assert item_id in [i.id for i in menu.items]
    assert ("MenuChanged", {"category_id": category_id}) in events(store.id)
    assert ("MenuChanged", {"item_id": item_id}) in events(store.id)


def test_update_item_sets_every_field(db, store, admin):
    am.update_item(admin, store.items["main"], item_values(
        store, name_ko="새 이름", name_en="New name", description_ko="설명", description_en="About", price=0,
        kind="DRINK", category_id=store.categories["drinks"], stock="4", sold_out="on", once_per_table=True,
        active=False, sort_order="42"))
    item = row(MenuItem, store.items["main"])
    assert (item.name_ko, item.name_en) == ("새 이름", "New name")
    assert (item.description_ko, item.description_en) == ("설명", "About")
    assert (item.price, item.kind, item.category_id, item.stock) == (0, "DRINK", store.categories["drinks"], 4)
    assert (item.sold_out, item.once_per_table, item.active, item.sort_order) == (True, True, False, 42)


@pytest.mark.parametrize("changes, code, names", [
    ({"price": "-1"}, "menu.bad_price", "가격"),
    ({"price": "10000001"}, "menu.bad_price", "가격"),
    ({"price": "12.5"}, "menu.bad_price", "가격"),
    ({"price": ""}, "menu.bad_price", "가격"),
    ({"price": True}, "menu.bad_price", "가격"),
    ({"stock": "-3"}, "menu.bad_stock", "재고"),
    ({"stock": "many"}, "menu.bad_stock", "재고"),
    ({"name_ko": "   "}, "menu.required", "이름(한국어)"),
    ({"name_en": "x" * 81}, "menu.too_long", "이름(영어)"),
    ({"description_ko": "x" * 501}, "menu.too_long", "설명(한국어)"),
    ({"kind": "DESSERT"}, "menu.bad_kind", "종류"),
    ({"sort_order": "-1"}, "menu.bad_sort_order", "정렬 순서"),
    ({"category_id": "abc"}, "menu.unknown_category", "카테고리"),
])
def test_invalid_item_input_is_refused_with_the_field_named_and_nothing_changes(db, store, admin, changes, code, names):
    for call in (lambda p: am.update_item(p, store.items["main"], item_values(store, **changes)),
                 lambda p: am.create_item(p, item_values(store, **changes))):
        error = assert_refused(db, call, admin, codes={code})
        assert names in error.message("ko")
        assert error.message("en") != error.message("ko")


def test_price_bounds_are_inclusive(db, store, admin):
    am.update_item(admin, store.items["main"], item_values(store, price="10,000,000"))
    assert row(MenuItem, store.items["main"]).price == 10_000_000
    am.update_item(admin, store.items["main"], item_values(store, price=0))
    assert row(MenuItem, store.items["main"]).price == 0


def test_category_reorder_rename_and_hide(db, store, admin):
    cats = store.categories
    am.move_category(admin, cats["drinks"], -1)
    order = [c.id for c in am.list_menu(admin).categories]
    assert order == [cats["mains"], cats["drinks"], cats["sides"], cats["hidden"]]
    am.move_category(admin, cats["mains"], -1)  # already first: stays
    assert [c.id for c in am.list_menu(admin).categories] == order
    am.rename_category(admin, cats["sides"], "곁들이", "Extras")
    am.set_category_visible(admin, cats["sides"], False)
    menu = get_menu(store.id)
    assert "곁들이" not in [c.name_ko for c in menu.categories]
    am.set_category_visible(admin, cats["sides"], True)
    assert ("곁들이", "Extras") in [(c.name_ko, c.name_en) for c in get_menu(store.id).categories]
    assert_refused(db, lambda p: am.rename_category(p, cats["sides"], "", "x"), admin, codes={"menu.required"})


def test_sold_out_and_stock_edits_show_on_the_tablet(db, store, admin):
    am.set_sold_out(admin, store.items["main"], True)
    am.set_stock(admin, store.items["main2"], "0")
    am.set_stock(admin, store.items["limited"], "")
    items = {i.id: i for i in get_menu(store.id).items}
    assert items[store.items["main"]].sold_out and items[store.items["main2"]].sold_out
    assert items[store.items["limited"]].stock is None
    assert_refused(db, lambda p: am.set_stock(p, store.items["main"], "-1"), admin, codes={"menu.bad_stock"})


def test_a_stock_edit_typed_from_a_stale_count_is_refused_and_loses_no_order(db, store, admin, customer):
    limited = store.items["limited"]  # stock 3, as the admin's list shows it
    place_order(customer, [(limited, 1)])  # meanwhile a table takes one: 2 left
    error = assert_refused(db, lambda p: am.set_stock(p, limited, "10", seen="3"), admin,
                           codes={"menu.stock_changed"})
    assert error.params["now"] == "2"
    assert row(MenuItem, limited).stock == 2
    am.set_stock(admin, limited, "10", seen="2")  # typed again from the count now shown
    assert row(MenuItem, limited).stock == 10


def test_editing_an_item_keeps_stock_that_orders_took_meanwhile(db, store, admin, customer):
    limited = store.items["limited"]
    values = item_values(store, name_en="Limited galbi (new)", kind="MAIN", category_id=store.categories["mains"],
                         stock="3")
    place_order(customer, [(limited, 1)])  # while the edit dialog shows stock 3
    am.update_item(admin, limited, values, stock_seen="3")  # stock field left as shown
    assert (row(MenuItem, limited).name_en, row(MenuItem, limited).stock) == ("Limited galbi (new)", 2)
    assert_refused(db, lambda p: am.update_item(p, limited, values | {"stock": "8"}, stock_seen="3"), admin,
                   codes={"menu.stock_changed"})
    am.update_item(admin, limited, values | {"stock": "8"}, stock_seen="2")
    assert row(MenuItem, limited).stock == 8


def test_an_ordered_item_is_deactivated_never_deleted(db, store, admin, customer):
    place_order(customer, [(store.items["main"], 1)])
    listed = {i.id: i for i in am.list_menu(admin).items}
    assert listed[store.items["main"]].ordered and not listed[store.items["main2"]].ordered
    error = assert_refused(db, lambda p: am.delete_item(p, store.items["main"]), admin, codes={"menu.item_has_orders"})
    assert "김치찌개" in error.message("ko")
    am.set_item_active(admin, store.items["main"], False)
    assert store.items["main"] not in [i.id for i in get_menu(store.id).items]
    am.delete_item(admin, store.items["main2"])  # never ordered
    assert row(MenuItem, store.items["main2"]) is None
    assert ("MenuChanged", {"item_id": store.items["main2"]}) in events(store.id)


@pytest.mark.parametrize("data, ext", [(PNG, ".png"), (JPEG, ".jpg"), (WEBP, ".webp")])
def test_image_upload_is_stored_under_a_random_name(db, store, admin, tmp_path, data, ext):
    image = am.set_item_image(admin, store.items["main"], data, tmp_path)
    assert image.startswith("upload:menu/") and image.endswith(ext)
    assert (tmp_path / image.removeprefix("upload:")).read_bytes() == data
    assert row(MenuItem, store.items["main"]).image == image
    assert am.set_item_image(admin, store.items["main"], data, tmp_path) != image  # never reused


def test_a_replaced_or_deleted_items_photo_is_removed_from_disk(db, store, admin, tmp_path):
    first = am.set_item_image(admin, store.items["main"], PNG, tmp_path)
    second = am.set_item_image(admin, store.items["main"], JPEG, tmp_path)
    assert not (tmp_path / first.removeprefix("upload:")).exists()
    assert (tmp_path / second.removeprefix("upload:")).read_bytes() == JPEG

    new_id = am.create_item(admin, item_values(store))
    photo = am.set_item_image(admin, new_id, WEBP, tmp_path)
    am.delete_item(admin, new_id, tmp_path)
    assert not (tmp_path / photo.removeprefix("upload:")).exists()
    assert (tmp_path / second.removeprefix("upload:")).exists()  # other items' photos stay


def test_only_uploads_inside_the_upload_folder_are_ever_removed(db, store, admin, tmp_path):
    outside = tmp_path / "keep.png"
    outside.write_bytes(PNG)
    for image in ("/menu/bibimbap.png", "upload:menu/../keep.png", "upload:keep.png"):
        with session_scope() as s:
            item = s.get(MenuItem, store.items["main"])
            item.image = image
            s.add(item)
        am.set_item_image(admin, store.items["main"], PNG, tmp_path)
        assert outside.exists()


@pytest.mark.parametrize("data, code", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "menu.image_type"),  # named .png by the browser or not
    (b"GIF89a" + b"\x00" * 20, "menu.image_type"),
    (b"", "menu.image_missing"),
    (PNG + b"\x00" * (2 * 1024 * 1024), "menu.image_too_big"),
])
def test_bad_images_are_refused_and_nothing_is_stored(db, store, admin, tmp_path, data, code):
    error = assert_refused(db, lambda p: am.set_item_image(p, store.items["main"], data, tmp_path), admin, codes={code})
    assert not any(tmp_path.rglob("*.*"))
    if code == "menu.image_too_big":
        assert "2MB" in error.message("ko")


def test_unknown_ids_are_not_found_errors(db, store, admin, tmp_path):
    for call in (lambda p: am.set_sold_out(p, 999_999, True), lambda p: am.set_stock(p, "1; drop", "1"),
                 lambda p: am.update_item(p, None, item_values(store))):
        with pytest.raises(DomainError) as caught:
            call(admin)
        assert caught.value.code == "menu.unknown_item"
