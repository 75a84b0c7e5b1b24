"""Menu options, the order's request and the kitchen board's columns, in Chromium: a diner answers a
required and a multi-choice group before 담기, sees the choices and the unit price in the cart and on the
order; the board shows them with the request in the new column, and a line done on its own moves it on."""

import re

from playwright.sync_api import Browser, expect

from tests.ui.conftest import pay_at_checkout, sign_in
from tests.ui.menu_lookup import category_name, limited_item, stock_of
from tests.ui.test_live_board import open_board

STEW_PRICE = 10000  # 김치찌개 in the demo store; 라면사리 +2,000, 치즈 +1,500


def test_a_dish_with_choices_and_a_request_reaches_the_board(browser: Browser, base_url: str):
    tablet = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    board = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    open_board(board, base_url)
    sign_in(tablet, base_url, "table6")
    tablet.get_by_role("tab", name="메인 요리").click()

    # A dish that asks options opens its dialog; 담기 waits for the required group.
    tablet.get_by_role("button", name="김치찌개 담기").click()
    dialog = tablet.get_by_role("dialog")
    add = dialog.get_by_role("button", name="장바구니에 담기")
    expect(add).to_be_disabled()
    dialog.get_by_role("group", name="사리 추가").get_by_text("라면사리 (+2,000원)").click()
    dialog.get_by_role("group", name="사리 추가").get_by_text("치즈 (+1,500원)").click()
    expect(add).to_be_disabled()
    dialog.get_by_role("group", name="맵기").get_by_text("순한맛").click()
    dialog.get_by_role("group", name="맵기").get_by_text("보통").click()  # single choice: replaces 순한맛
    expect(add).to_be_enabled()
    add.click()
    expect(dialog).to_have_count(0)

    cart = tablet.get_by_role("region", name="cart")
    expect(cart).to_contain_text("보통, 라면사리, 치즈")
    expect(cart).to_contain_text(f"개당 {STEW_PRICE + 3500:,}원")
    expect(cart.get_by_label("cart total")).to_have_text(f"{STEW_PRICE + 3500:,}원")
    cart.get_by_label("요청 사항").fill("덜 맵게 해 주세요")
    tablet.get_by_role("button", name="주문하기").click()
    expect(tablet.get_by_text(f"KRW {STEW_PRICE + 3500:,}")).to_be_visible()
    pay_at_checkout(tablet)
    expect(tablet).to_have_url(re.compile(r"/orders$"))
    order = tablet.get_by_role("article").first
    expect(order).to_contain_text("김치찌개 × 1 (보통, 라면사리 (+2,000원), 치즈 (+1,500원))")
    expect(order).to_contain_text("덜 맵게 해 주세요")
    number = order.get_by_role("heading").inner_text().split("#")[1]

    # The board: in the new column, with the choices and the request.
    card = board.get_by_role("region", name="신규").get_by_role("article", name=f"6번 테이블 주문 #{number}")
    expect(card).to_contain_text("보통, 라면사리 (+2,000원), 치즈 (+1,500원)")
    expect(card).to_contain_text("덜 맵게 해 주세요")
    # Its one line done: cooking started, and every line done means ready to serve.
    card.get_by_label("김치찌개 완료").click()
    ready = board.get_by_role("region", name="서빙 대기").get_by_role("article", name=f"6번 테이블 주문 #{number}")
    expect(ready).to_be_visible()
    board.get_by_role("button", name=f"주문 #{number} 서빙 완료").click()
    expect(ready).to_have_count(0)
    # A mistaken bump is recalled.
    board.get_by_role("button", name="서빙 취소").click()
    board.get_by_role("dialog").get_by_role("button", name="되돌리기").first.click()
    expect(board.get_by_role("article", name=f"6번 테이블 주문 #{number}")).to_be_visible()


def test_the_cart_warns_of_more_than_the_stock_left(browser: Browser, base_url: str):
    item = limited_item()
    left = stock_of(item.id)
    tablet = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(tablet, base_url, "table8")
    tablet.get_by_role("tab", name=category_name(item)).click()
    for _ in range(left + 1):
        tablet.get_by_role("button", name=f"{item.name_ko} 담기").click()
    expect(tablet.get_by_role("region", name="cart").get_by_role("status")).to_have_text(
        f"남은 수량이 {left}개뿐이에요")
