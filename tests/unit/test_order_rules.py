"""domain.order_rules.check_order: every rule, and refusals that name the item in both languages."""

from dataclasses import replace

import pytest

from hiorder_app.domain.enums import ItemKind
from hiorder_app.domain.errors import DomainError, OrderRefused
from hiorder_app.domain.order_rules import ItemSnapshot, TableHistory, check_order, order_total

STORE = 1


def item(id, name_ko, name_en, kind=ItemKind.MAIN, price=1000, **kw) -> ItemSnapshot:
    values = dict(store_id=STORE, stock=None, sold_out=False, once_per_table=False, active=True)
    values.update(kw)
    return ItemSnapshot(id=id, name_ko=name_ko, name_en=name_en, price=price, kind=kind, **values)


ITEMS = {
    i.id: i
    for i in [
        item(1, "김치찌개", "Kimchi stew", price=9000),
        item(2, "계란말이", "Rolled omelette", ItemKind.SIDE, price=5000),
        item(3, "콜라", "Cola", ItemKind.DRINK, price=2000),
        item(4, "이벤트 하이볼", "Event highball", ItemKind.DRINK, once_per_table=True),
        item(5, "한정 갈비", "Limited galbi", stock=3, price=20000),
        item(6, "단종 메뉴", "Retired dish", active=False),
        item(7, "냉면", "Cold noodles", sold_out=True),
        item(8, "마지막 갈비", "Last galbi", stock=0),
        item(9, "감자튀김", "Fries", ItemKind.SIDE),
        item(10, "옆집 메뉴", "Neighbour dish", store_id=2),
    ]
}
NO_HISTORY = TableHistory(has_main=False, once_item_ids=frozenset())


def refuse(lines, items=ITEMS, history=NO_HISTORY, **kw) -> OrderRefused:
    with pytest.raises(OrderRefused) as exc:
        check_order(lines, items, STORE, history, **kw)
    return exc.value


def assert_names(err: DomainError, name_ko: str, name_en: str) -> None:
    assert f"'{name_ko}'" in err.message("ko")
    assert f"'{name_en}'" in err.message("en")
    assert name_en not in err.message("ko")
    assert name_ko not in err.message("en")


def test_valid_orders_pass():
    check_order([(1, 2), (2, 1), (3, 4)], ITEMS, STORE, NO_HISTORY)
    check_order([(3, 1)], ITEMS, STORE, NO_HISTORY)  # a drink alone is fine
    check_order([(4, 1)], ITEMS, STORE, NO_HISTORY)  # the event item once
    check_order([(5, 3)], ITEMS, STORE, NO_HISTORY)  # exactly the stock left
    check_order([(1, 99)], ITEMS, STORE, NO_HISTORY)  # the largest quantity


def test_empty_order():
    err = refuse([])
    assert err.code == "order.empty"
    assert err.message("ko") == "장바구니가 비어 있어요."
    assert err.message("en") == "Your cart is empty."


def test_at_most_50_lines():
    many = {i: item(i, f"메뉴{i}", f"Dish {i}") for i in range(1, 52)}
    check_order([(i, 1) for i in range(1, 51)], many, STORE, NO_HISTORY)
    err = refuse([(i, 1) for i in range(1, 52)], items=many)
    assert err.code == "order.too_many_lines"
    assert "50" in err.message("ko") and "50" in err.message("en")


def test_line_limit_is_a_parameter():
    assert refuse([(1, 1), (3, 1)], max_lines=1).code == "order.too_many_lines"


@pytest.mark.parametrize("qty", [0, -1, 100, 1000])
def test_quantity_out_of_range(qty):
    err = refuse([(1, qty)])
    assert err.code == "order.bad_quantity"
    assert_names(err, "김치찌개", "Kimchi stew")
    assert "99" in err.message("ko") and "99" in err.message("en")


@pytest.mark.parametrize("qty", [True, False, 1.0, 2.5, "2", None])
def test_quantity_must_be_a_real_int(qty):
    err = refuse([(1, qty)])
    assert err.code == "order.bad_quantity"
    assert_names(err, "김치찌개", "Kimchi stew")


def test_quantity_limit_is_a_parameter():
    err = refuse([(1, 6)], max_quantity=5)
    assert err.code == "order.bad_quantity"
    assert "1~5" in err.message("ko") and "1 to 5" in err.message("en")


def test_unknown_item():
    err = refuse([(1, 1), (999, 1)])
    assert err.code == "order.unknown_item"
    assert err.message("en") == "The order contains an item that does not exist."


def test_item_of_another_store_is_unknown():
    err = refuse([(1, 1), (10, 1)])
    assert err.code == "order.unknown_item"
    # It does not reveal the other store's menu.
    assert "Neighbour" not in err.message("en") and "옆집" not in err.message("ko")


def test_duplicate_lines():
    err = refuse([(1, 1), (3, 1), (1, 2)])
    assert err.code == "order.duplicate_line"
    assert_names(err, "김치찌개", "Kimchi stew")


def test_inactive_item():
    err = refuse([(1, 1), (6, 1)])
    assert err.code == "order.inactive"
    assert_names(err, "단종 메뉴", "Retired dish")
    assert err.message("ko") == "'단종 메뉴'은(는) 지금 판매하지 않아요."
    assert err.message("en") == "'Retired dish' is not on sale right now."


def test_sold_out_flag():
    err = refuse([(7, 1)])
    assert err.code == "order.sold_out"
    assert_names(err, "냉면", "Cold noodles")


def test_zero_stock_is_sold_out():
    err = refuse([(8, 1)])
    assert err.code == "order.sold_out"
    assert_names(err, "마지막 갈비", "Last galbi")


def test_not_enough_stock_says_how_many_are_left():
    err = refuse([(5, 4)])
    assert err.code == "order.out_of_stock"
    assert_names(err, "한정 갈비", "Limited galbi")
    assert "3개" in err.message("ko")
    assert "only 3" in err.message("en")


def test_side_alone_needs_a_main():
    err = refuse([(2, 1), (3, 1)])
    assert err.code == "order.side_needs_main"
    assert_names(err, "계란말이", "Rolled omelette")


def test_side_names_the_first_side():
    err = refuse([(9, 1), (2, 1)])
    assert_names(err, "감자튀김", "Fries")


def test_side_with_a_main_in_the_same_order():
    check_order([(2, 1), (1, 1)], ITEMS, STORE, NO_HISTORY)


def test_side_after_an_earlier_main_in_the_table_history():
    check_order([(2, 1)], ITEMS, STORE, TableHistory(has_main=True, once_item_ids=frozenset()))


def test_inactive_main_does_not_make_a_side_orderable():
    # The refusal is about the inactive main, not a side silently passing.
    assert refuse([(6, 1), (2, 1)]).code == "order.inactive"


def test_once_per_table_only_one():
    err = refuse([(4, 2)])
    assert err.code == "order.once_quantity"
    assert_names(err, "이벤트 하이볼", "Event highball")


def test_once_per_table_twice():
    history = TableHistory(has_main=True, once_item_ids=frozenset({4}))
    err = refuse([(1, 1), (4, 1)], history=history)
    assert err.code == "order.once_already"
    assert_names(err, "이벤트 하이볼", "Event highball")


def test_once_per_table_history_of_another_item_does_not_matter():
    check_order([(4, 1)], ITEMS, STORE, TableHistory(has_main=False, once_item_ids=frozenset({99})))


def test_first_broken_rule_wins():
    # Lines are checked in order: the inactive item comes before the sold-out one.
    assert refuse([(1, 1), (6, 1), (7, 1)]).code == "order.inactive"
    assert refuse([(1, 1), (7, 1), (6, 1)]).code == "order.sold_out"


def test_snapshot_names_are_a_ko_en_pair():
    snap = ITEMS[1]
    assert snap.names == ("김치찌개", "Kimchi stew")
    with pytest.raises(AttributeError):
        snap.price = 1  # frozen: a rule cannot change what it checks
    assert replace(snap, price=1).price == 1


def test_order_total_uses_snapshot_prices():
    assert order_total([(1, 2), (2, 1), (3, 3)], ITEMS) == 9000 * 2 + 5000 + 2000 * 3
    assert order_total([], ITEMS) == 0


def test_refusal_str_is_code_and_english():
    err = refuse([(6, 1)])
    assert str(err) == "order.inactive: 'Retired dish' is not on sale right now."
    # Unknown languages fall back to Korean, the store's language.
    assert err.message("ja") == err.message("ko")
