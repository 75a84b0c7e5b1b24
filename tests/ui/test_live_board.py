"""The store's live board and a table's tablet side by side, in two browser contexts."""

import re

from playwright.sync_api import Browser, Page, expect

from hiorder_app.services.seed import DEMO_ADMIN
from tests.ui.conftest import pay_at_checkout, sign_in
from tests.ui.menu_lookup import category_name, demo_item


def open_board(board: Page, base_url: str) -> None:
    sign_in(board, base_url, *DEMO_ADMIN)
    expect(board).to_have_url(re.compile(r"/admin$"))
    board.get_by_role("link", name="주문 현황").click()
    expect(board.get_by_text("실시간", exact=True)).to_be_visible()


def test_paid_order_appears_on_the_board_and_status_changes_reach_the_tablet(browser: Browser, base_url: str):
    board = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    open_board(board, base_url)

    main = demo_item("MAIN")
    sign_in(tablet, base_url, "table3")
    tablet.get_by_role("tab", name=category_name(main)).click()
    tablet.get_by_role("button", name=f"{main.name_ko} 담기").click()
    tablet.get_by_role("button", name="주문하기").click()
    pay_at_checkout(tablet)
    expect(tablet).to_have_url(re.compile(r"/orders$"))
    order_title = tablet.get_by_role("article").first.get_by_role("heading").inner_text()  # "주문 #N"
    number = order_title.split("#")[1]

    # The card arrives on the open board without a reload, marked new.
    card = board.get_by_role("article", name=f"3번 테이블 주문 #{number}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("NEW")
    expect(card).to_contain_text(f"{main.name_ko} × 1")

    board.get_by_role("button", name=f"주문 #{number} 접수").click()
    expect(card).to_contain_text("조리 중")
    expect(tablet.get_by_role("article", name=order_title)).to_contain_text("조리 중")

    board.get_by_role("button", name=f"주문 #{number} 서빙 완료").click()
    expect(card).to_have_count(0)
    expect(tablet.get_by_role("article", name=order_title)).to_contain_text("서빙 완료")


def test_call_staff_shows_on_the_board_and_is_acknowledged(browser: Browser, base_url: str):
    board = browser.new_context().new_page()
    tablet = browser.new_context().new_page()
    open_board(board, base_url)
    sign_in(tablet, base_url, "table2")

    tablet.get_by_role("button", name="직원 호출").click()
    expect(tablet.get_by_role("button", name="직원 호출됨")).to_be_visible()
    expect(board.get_by_role("alert").filter(has_text="2번 테이블 직원 호출")).to_be_visible()

    board.get_by_role("button", name="2번 호출 확인").click()
    expect(board.get_by_role("alert").filter(has_text="2번 테이블 직원 호출")).to_have_count(0)
    expect(tablet.get_by_role("button", name="직원 호출", exact=True)).to_be_visible()


def test_staff_cancel_refunds_and_the_tablet_sees_it(browser: Browser, base_url: str, sandbox_url: str):
    board = browser.new_context().new_page()
    tablet = browser.new_context().new_page()
    open_board(board, base_url)
    main = demo_item("MAIN")
    sign_in(tablet, base_url, "table1")
    tablet.get_by_role("tab", name=category_name(main)).click()
    tablet.get_by_role("button", name=f"{main.name_ko} 담기").click()
    tablet.get_by_role("button", name="주문하기").click()
    pay_at_checkout(tablet)
    expect(tablet).to_have_url(re.compile(r"/orders$"))
    order_title = tablet.get_by_role("article").first.get_by_role("heading").inner_text()
    number = order_title.split("#")[1]

    board.get_by_role("button", name=f"주문 #{number} 취소").click()
    board.get_by_role("button", name="취소하고 환불").click()
    expect(board.get_by_role("article", name=f"1번 테이블 주문 #{number}")).to_have_count(0)
    expect(tablet.get_by_role("article", name=order_title)).to_contain_text("취소됨")


def test_a_customer_cannot_open_the_board(page: Page, base_url: str):
    sign_in(page, base_url, "table4")
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()
    page.goto(f"{base_url}/admin/board")
    expect(page).not_to_have_url(re.compile(r"/admin"))
