"""The tablet's cart as the browser keeps it: written compactly, read back only when it is well formed,
bounded and written under the same sign-in."""

import json

import pytest

from hiorder_app.states import saved_cart

TOKEN = "session-token-of-table-3"


def test_a_cart_comes_back_as_it_was_saved():
    cart = {"12": 2, "7:3.9": 1}
    text = saved_cart.dump(cart, TOKEN)
    assert len(text) < 80 and TOKEN not in text
    assert saved_cart.load(text, TOKEN) == cart


def test_an_empty_cart_or_no_sign_in_keeps_nothing():
    assert saved_cart.dump({}, TOKEN) == ""
    assert saved_cart.dump({"12": 1}, "") == ""
    assert saved_cart.load(saved_cart.dump({"12": 1}, TOKEN), "") == {}


def test_a_cart_saved_under_another_sign_in_is_not_restored():
    assert saved_cart.load(saved_cart.dump({"12": 1}, TOKEN), "another-session") == {}


def _saved(lines) -> str:
    return json.dumps({"v": 1, "s": saved_cart.owner(TOKEN), "c": lines})


@pytest.mark.parametrize("text", [
    "garbage", "", "null", "[]", '{"v": 1}', json.dumps({"v": 2, "s": saved_cart.owner(TOKEN), "c": {}}),
    _saved({"12": 0}), _saved({"12": -1}), _saved({"12": 100}), _saved({"12": "2"}), _saved({"12": 1.5}),
    _saved({"12": True}), _saved({"x": 1}), _saved({"12:": 1}), _saved({"12:3.": 1}), _saved({"<b>": 1}),
    _saved({str(i): 1 for i in range(saved_cart.MAX_LINES + 1)}),
    _saved({"12": 1}).replace("}}", '}, "price": 0}'),
    _saved({"12": 1}) + " " * saved_cart.MAX_CHARS,
    12, None,
])
def test_malformed_oversized_or_foreign_content_is_dropped(text):
    assert saved_cart.load(text, TOKEN) == {}


def test_only_lines_spelled_as_the_tablet_writes_them_are_kept():
    # Options sorted without repeats, no leading zeros: any other spelling was not written by the tablet.
    text = _saved({"12:3.7": 1, "12:7.3": 1, "12:3.3": 1, "012": 1, "5": 2})
    assert saved_cart.load(text, TOKEN) == {"12:3.7": 1, "5": 2}
