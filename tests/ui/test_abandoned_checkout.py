"""A checkout the diner walked away from (back to the tablet without paying or cancelling on the provider's
page) is not left as a dead "결제 대기" on 주문 내역: the table pays for that very order, or cancels it and
its stock comes back."""

import re

from playwright.sync_api import Page, expect

from tests.ui.conftest import pay_at_checkout, sign_in
from tests.ui.menu_lookup import category_name, limited_item, orders_of_table, stock_of


def leave_a_checkout(page: Page, item) -> int:
    """Order `item`, reach the provider's page, and walk back to 주문 내역 without a word to the provider."""
    page.get_by_role("tab", name=category_name(item)).click()
    page.get_by_role("button", name=f"{item.name_ko} 담기").click()
    page.get_by_role("button", name="주문하기").click()
    expect(page).to_have_url(re.compile(r"/checkout\?"))
    order = orders_of_table(7)[-1]
    page.go_back()
    page.get_by_role("link", name="주문 내역").click()
    card = page.get_by_role("article", name=f"주문 #{order.id}")
    expect(card).to_contain_text("결제 대기")
    return order.id


def test_an_abandoned_checkout_is_cancelled_from_the_orders_and_its_stock_comes_back(page: Page, base_url: str):
    item = limited_item()
    before = stock_of(item.id)
    sign_in(page, base_url, "table7")
    order_id = leave_a_checkout(page, item)
    assert stock_of(item.id) == before - 1  # still held for the order nobody pays

    page.get_by_role("button", name=f"주문 #{order_id} 취소").click()
    card = page.get_by_role("article", name=f"주문 #{order_id}")
    expect(card).to_contain_text("취소됨")
    expect(page.get_by_text(f"주문 #{order_id} 취소가 완료되었어요")).to_be_visible()
    expect(card.get_by_role("button")).to_have_count(0)  # nothing left to pay or cancel
    assert stock_of(item.id) == before
    assert orders_of_table(7)[-1].status == "CANCELLED"


def test_an_abandoned_checkout_is_paid_from_the_orders_for_the_same_order(page: Page, base_url: str):
    item = limited_item()
    before, placed = stock_of(item.id), len(orders_of_table(7))
    sign_in(page, base_url, "table7")
    order_id = leave_a_checkout(page, item)
    total = orders_of_table(7)[-1].total

    page.get_by_role("button", name=f"주문 #{order_id} 결제하기").click()
    expect(page).to_have_url(re.compile(r"/checkout\?"))
    expect(page.get_by_text(f"KRW {total:,}")).to_be_visible()  # the same amount as recorded
    pay_at_checkout(page)

    expect(page).to_have_url(re.compile(r"/orders$"))
    expect(page.get_by_role("article", name=f"주문 #{order_id}")).to_contain_text("결제 완료")
    orders = orders_of_table(7)[placed:]
    assert [(o.id, o.status) for o in orders] == [(order_id, "PAID")]  # no second order was placed
    assert stock_of(item.id) == before - 1
    page.get_by_role("link", name="메뉴").click()  # the cart that became this order is done with
    expect(page.get_by_role("region", name="cart")).to_contain_text("메뉴를 골라 담아 주세요.")
