"""The console's stock boxes under live counts (states.stock_edits): a box being edited keeps the count
it showed and is saved against it; the others follow."""

from hiorder_app.states import stock_edits


def test_a_box_not_being_edited_follows_the_live_count():
    assert stock_edits.box({}, "7", 4, 0, "ko") == {"stock": "4", "stock_key": "7-4-0", "stock_now": ""}
    assert stock_edits.box({}, "7", None, 2, "en") == {"stock": "", "stock_key": "7--2", "stock_now": ""}


def test_a_box_being_edited_keeps_its_count_and_says_what_it_is_now():
    edits = stock_edits.begin({}, "7", 4)
    assert stock_edits.begin(edits, "7", 3) == {"7": "4"}  # a second focus does not move the base
    assert stock_edits.box(edits, "7", 3, 0, "ko") == {"stock": "4", "stock_key": "7-4-0", "stock_now": "지금 3개"}
    assert stock_edits.box(edits, "7", None, 0, "en")["stock_now"] == "now unlimited"
    assert stock_edits.box(edits, "7", 4, 0, "ko")["stock_now"] == ""
    assert stock_edits.box(edits, "8", 3, 0, "ko")["stock"] == "3"  # other rows follow


def test_leaving_a_box_gives_the_count_it_was_typed_against():
    edits = stock_edits.begin(stock_edits.begin({}, "7", 4), "8", None)
    assert stock_edits.end(edits, "7", 3) == ({"8": ""}, "4")
    assert stock_edits.end({}, "7", 3) == ({}, "3")  # never focused (a script): the live count


def test_order_counts_apply_to_the_rows_they_name():
    rows = [{"key": "1", "stock": 5}, {"key": "2", "stock": None}]
    assert stock_edits.applied(rows, {"1": 4}) == [{"key": "1", "stock": 4}, {"key": "2", "stock": None}]
    assert stock_edits.applied(rows, {"9": 1}) is None


def test_the_item_dialogs_field_is_a_box_of_its_own_and_is_closed_with_the_dialog():
    key = stock_edits.dialog_key("7")
    edits = stock_edits.begin(stock_edits.begin({}, "7", 4), key, 4)
    assert stock_edits.box(edits, key, 3, 0, "ko")["stock_now"] == "지금 3개"
    assert stock_edits.without_dialog(edits) == {"7": "4"}  # the list's box is still being edited
    assert stock_edits.box(stock_edits.without_dialog(edits), key, 3, 0, "ko")["stock"] == "3"
