"""The tablet's "popular now" strip, on a real state: what sells now until the visit holds something; then the
visit's items (cart and earlier orders) are left out and what goes with them comes first."""

import pytest
from reflex.state import State

from hiorder_app.states import tablet_state
from hiorder_app.states.tablet_state import TabletState

STORE = 7


def item(key: str, name: str, sold_out: bool = False) -> dict:
    return {"key": key, "category_key": "1", "sold_out": sold_out, "max_quantity": 20, "option_groups": [],
            "name_ko": name, "name_en": name, "description_ko": "", "description_en": "", "price": 1000,
            "image": "", "popular": False, "stock": None, "once_per_table": False, "kind": "MAIN"}


@pytest.fixture(autouse=True)
def _forget_the_store():
    yield
    tablet_state._GOES_WITH.pop(STORE, None)


def tablet() -> TabletState:
    root = State(_reflex_internal_init=True)
    state = root.get_substate(TabletState.get_full_name().split(".")[1:])
    state.store_id = STORE
    state.items = [item("1", "stew"), item("2", "bulgogi"), item("11", "omelette"), item("21", "cola"),
                   item("30", "soju", sold_out=True)]
    state.popular_keys = ["1", "2", "21", "11", "30"]
    tablet_state._GOES_WITH[STORE] = ({"1": [("11", 0.5)], "2": [("21", 0.3)]}, [],
                                      {"1": 0.4, "2": 0.3, "11": 0.1, "21": 0.15, "30": 0.3})
    return state


def names(offered: list[dict]) -> list[str]:
    return [i["name"] for i in offered]


def test_an_empty_visit_is_offered_what_sells_now():
    assert names(tablet().recommended) == ["stew", "bulgogi", "cola"]


def test_a_stew_in_the_cart_brings_its_omelette_first_and_is_not_offered_again():
    state = tablet()
    state.cart = {"1": 1}
    assert names(state.recommended) == ["omelette", "bulgogi", "cola"]  # soju sells, but is sold out


def test_what_this_visit_already_ordered_is_left_out_and_raises_its_partners():
    state = tablet()
    state.orders = [{"status": "SERVED", "lines": [{"menu_item_id": 2}]},
                    {"status": "CANCELLED", "lines": [{"menu_item_id": 1}]}]  # refunded: not the visit's
    assert names(state.recommended) == ["stew", "cola", "omelette"]


def test_without_the_store_s_shares_yet_the_menu_s_order_stands():
    state = tablet()
    del tablet_state._GOES_WITH[STORE]
    state.cart = {"1": 1}
    assert names(state.recommended) == ["bulgogi", "cola", "omelette"]
