"""The tablet's cart is server-side state that every event stores again: a client writing events by hand
(not the page's buttons) can add only lines the item dialog could make, and only as many as one order
may hold. Driven through the handlers' own boundary (what the event socket calls), on a real state."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from reflex.state import State

from hiorder_app.states import saved_cart
from hiorder_app.states.tablet_state import TabletState

STEW = {"key": "12", "category_key": "1", "sold_out": False, "max_quantity": 20,
        "option_groups": [{"id": 3, "min_select": 0, "max_select": 3,
                           "options": [{"id": 30, "sold_out": False}, {"id": 31, "sold_out": False}]}]}


def _run(coro):
    """In a thread of its own: inside a session that also runs Playwright, this thread may hold a loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def tablet(items) -> TabletState:
    root = State(_reflex_internal_init=True)
    state = root.get_substate(TabletState.get_full_name().split(".")[1:])
    state.items = items
    return state


def add(state: TabletState, key: str) -> None:
    _run(TabletState.event_handlers["add"].fn(state, key))


def test_a_line_of_options_the_dish_does_not_offer_or_spelt_another_way_is_not_added():
    state = tablet([STEW])
    for key in ("12:30.31", "12:31.30", "12:30.30", "12:99", "12:30.99", "13", "12:030"):
        add(state, key)
    assert state.cart == {"12:30.31": 1}  # only the one the dialog writes
    add(state, "12:30.31")
    assert state.cart == {"12:30.31": 2}


def test_no_more_lines_than_one_order_may_hold():
    plain = [{"key": str(n), "category_key": "1", "sold_out": False, "max_quantity": 20, "option_groups": []}
             for n in range(1, 200)]
    state = tablet(plain)
    for item in plain:
        add(state, item["key"])
    assert len(state.cart) == saved_cart.MAX_LINES
    assert "At most" in state.error_en and str(saved_cart.MAX_LINES) in state.error_en
    add(state, "1")  # a line already there still takes one more
    assert state.cart["1"] == 2
