"""The tablet's menu and the order check agree, because both take the rule from the domain: what is sold
out, and how many of one item a line (the cart) may hold, as the setting says."""

import pytest

from hiorder_app.domain.errors import OrderRefused
from hiorder_app.domain.models import MenuItem
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models.menu import get_menu
from hiorder_app.settings import get_settings


def menu_items(store) -> dict[str, object]:
    by_id = {i.id: i for i in get_menu(store.id).items}
    return {key: by_id[item_id] for key, item_id in store.items.items() if item_id in by_id}


def set_stock(item_id: int, stock: int | None) -> None:
    with session_scope() as s:
        item = s.get(MenuItem, item_id)
        item.stock = stock
        s.add(item)


@pytest.mark.parametrize("cap", [None, 5])
def test_the_menu_caps_a_line_where_placement_does(db, store, monkeypatch, cap):
    if cap is not None:
        monkeypatch.setenv("MAX_LINE_QUANTITY", str(cap))
        get_settings.cache_clear()
    cap = get_settings().max_line_quantity
    items = menu_items(store)
    assert items["main"].max_quantity == cap
    assert items["event"].max_quantity == 1

    table = store.table_principal(1)
    with pytest.raises(OrderRefused) as refused:
        place_order(table, [(store.items["main"], cap + 1)])
    assert refused.value.code == "order.bad_quantity"
    with pytest.raises(OrderRefused) as refused:
        place_order(table, [(store.items["event"], 2)])
    assert refused.value.code == "order.once_quantity"
    place_order(table, [(store.items["main"], items["main"].max_quantity),
                        (store.items["event"], items["event"].max_quantity)])


@pytest.mark.parametrize("stock", [0, 1])
def test_the_menu_calls_sold_out_what_placement_refuses_as_sold_out(db, store, stock):
    set_stock(store.items["limited"], stock)
    items = menu_items(store)
    table = store.table_principal(1)
    for key in ("limited", "sold_out", "main"):
        try:
            place_order(table, [(store.items[key], 1)])
            refused = False
        except OrderRefused as exc:
            refused = exc.code == "order.sold_out"
        assert items[key].sold_out == refused, key
