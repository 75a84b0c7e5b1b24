"""The store console's menu page in Chromium, with a table's tablet open in a second browser context."""

import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from hiorder_app.domain.models import MenuItem
from hiorder_app.services.auth import accounts
from hiorder_app.services.auth.sessions import sign_in as service_sign_in
from hiorder_app.services.db import session_scope
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from hiorder_app.services.store_admin import menu as admin_menu
from tests.ui.conftest import sign_in


def tablet(browser: Browser, base_url: str, number: int) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, base_url, f"table{number}")
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()
    return page


def new_item(name_ko: str, price: int = 8000) -> MenuItem:
    """Set-up through the same service the page calls, in a category of its own."""
    admin = service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1]
    category_id = admin_menu.create_category(admin, f"{name_ko} 분류", f"{name_ko} group")
    item_id = admin_menu.create_item(admin, {"name_ko": name_ko, "name_en": "", "price": price, "kind": "MAIN",
                                             "category_id": category_id})
    with session_scope() as s:
        return s.get(MenuItem, item_id)


def card_of(page: Page, name: str):
    return page.get_by_role("button", name=f"{name} 담기").locator("xpath=ancestor::div[contains(@class,'rt-Card')][1]")


def open_menu_admin(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/menu")
    expect(page.get_by_role("heading", name="메뉴 관리", exact=True)).to_be_visible()


def test_admin_adds_a_category_and_an_item_and_the_tablet_shows_them(admin_page: Page, browser: Browser,
                                                                     base_url: str):
    table = tablet(browser, base_url, 7)
    open_menu_admin(admin_page, base_url)

    admin_page.get_by_role("textbox", name="새 카테고리 이름(한국어)").fill("야식")
    admin_page.get_by_role("textbox", name="새 카테고리 이름(영어)").fill("Late night")
    admin_page.get_by_role("button", name="카테고리 추가").click()
    expect(admin_page.get_by_role("list", name="카테고리 목록")).to_contain_text("야식")

    admin_page.get_by_role("button", name="메뉴 추가").click()
    dialog = admin_page.get_by_role("dialog", name="메뉴 추가")
    dialog.get_by_label("이름(한국어)").fill("김치볶음밥")
    dialog.get_by_label("이름(영어)").fill("Kimchi fried rice")
    dialog.get_by_label("가격(원)").fill("9,500")
    dialog.get_by_role("combobox", name="카테고리").click()
    admin_page.get_by_role("option", name="야식").click()
    dialog.get_by_role("button", name="저장").click()
    expect(dialog).to_have_count(0)
    expect(admin_page.get_by_role("table", name="메뉴 목록")).to_contain_text("김치볶음밥")

    # No reload: the change is pushed to the open tablet.
    table.get_by_role("tab", name="야식").click()
    expect(table.get_by_role("button", name="김치볶음밥 담기")).to_be_enabled()
    expect(card_of(table, "김치볶음밥")).to_contain_text("9,500원")


def test_sold_out_switch_reaches_the_tablet(admin_page: Page, browser: Browser, base_url: str):
    item = new_item("품절 테스트 국수")
    table = tablet(browser, base_url, 8)
    table.get_by_role("tab", name="품절 테스트 국수 분류").click()
    expect(table.get_by_role("button", name="품절 테스트 국수 담기")).to_be_enabled()

    open_menu_admin(admin_page, base_url)
    switch = admin_page.get_by_role("switch", name="품절 테스트 국수 품절")
    switch.click()
    expect(switch).to_be_checked()

    # No reload: the open tablet greys the item out as soon as it is switched.
    expect(table.get_by_role("button", name="품절 테스트 국수 담기")).to_be_disabled()
    expect(card_of(table, "품절 테스트 국수")).to_contain_text("품절")
    with session_scope() as s:
        assert s.get(MenuItem, item.id).sold_out


def test_an_invalid_price_is_explained_and_nothing_changes(admin_page: Page, base_url: str):
    item = new_item("가격 테스트 만두", price=8000)
    open_menu_admin(admin_page, base_url)
    admin_page.get_by_role("button", name="가격 테스트 만두 수정").click()
    dialog = admin_page.get_by_role("dialog", name="메뉴 수정")
    dialog.get_by_label("가격(원)").fill("-500")
    dialog.get_by_role("button", name="저장").click()

    expect(dialog.get_by_role("alert")).to_contain_text("'가격'은 0부터 10,000,000까지의 정수")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="취소").click()
    expect(admin_page.get_by_role("row", name=re.compile("가격 테스트 만두"))).to_contain_text("8,000원")
    with session_scope() as s:
        assert s.get(MenuItem, item.id).price == 8000

    # A bad stock typed in the list is refused the same way.
    stock = admin_page.get_by_role("textbox", name="가격 테스트 만두 재고")
    stock.fill("-2")
    stock.press("Tab")
    expect(admin_page.get_by_role("alert")).to_contain_text("'재고'")
    with session_scope() as s:
        assert s.get(MenuItem, item.id).stock is None


def test_an_uploaded_photo_shows_on_the_tablet(admin_page: Page, browser: Browser, base_url: str, tmp_path):
    new_item("사진 테스트 비빔국수")
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (200, 80, 40)).save(photo)
    open_menu_admin(admin_page, base_url)
    admin_page.get_by_role("button", name="사진 테스트 비빔국수 수정").click()
    dialog = admin_page.get_by_role("dialog", name="메뉴 수정")
    with admin_page.expect_file_chooser() as chooser:
        dialog.get_by_role("button", name="사진 올리기").click()
    chooser.value.set_files(photo)
    expect(dialog.get_by_role("img", name="현재 사진")).to_have_attribute("src", re.compile(r"/_upload/menu/\w+\.png$"))

    table = tablet(browser, base_url, 8)
    table.get_by_role("tab", name="사진 테스트 비빔국수 분류").click()
    image = card_of(table, "사진 테스트 비빔국수").get_by_role("img", name="사진 테스트 비빔국수")
    expect(image).to_have_attribute("src", re.compile(r"/_upload/menu/\w+\.png$"))
    table.wait_for_function("img => img.complete && img.naturalWidth === 64", arg=image.element_handle())
    table.get_by_role("button", name="사진 테스트 비빔국수 자세히 보기").click()
    expect(table.get_by_role("dialog").get_by_role("img", name="사진 테스트 비빔국수")).to_have_attribute(
        "src", re.compile(r"/_upload/menu/\w+\.png$"))


@pytest.mark.parametrize("path", ["/admin/menu", "/admin/tables", "/admin/tables/print"])
def test_a_customer_cannot_open_the_store_console(page: Page, base_url: str, path: str):
    sign_in(page, base_url, "table9")
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()
    page.goto(f"{base_url}{path}")
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/admin"))
    expect(page.get_by_role("table")).to_have_count(0)


def test_renaming_and_hiding_a_category_reach_the_open_tablet(admin_page: Page, browser: Browser, base_url: str):
    new_item("이름 테스트 비빔국수")
    table = tablet(browser, base_url, 9)
    expect(table.get_by_role("tab", name="이름 테스트 비빔국수 분류")).to_be_visible()

    open_menu_admin(admin_page, base_url)
    admin_page.get_by_role("button", name="이름 테스트 비빔국수 분류 수정").click()
    dialog = admin_page.get_by_role("dialog", name="카테고리 수정")
    dialog.get_by_label("카테고리 이름(한국어)").fill("오늘의 특선")
    dialog.get_by_role("button", name="저장").click()
    expect(dialog).to_have_count(0)
    expect(table.get_by_role("tab", name="오늘의 특선")).to_be_visible()  # no reload

    admin_page.get_by_role("switch", name="오늘의 특선 태블릿에 표시").click()
    expect(table.get_by_role("tab", name="오늘의 특선")).to_have_count(0)


def test_a_stock_count_typed_while_orders_came_in_is_refused_with_the_new_count(admin_page: Page, base_url: str):
    item = new_item("한정 재고 갈비")
    admin = service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1]
    admin_menu.set_stock(admin, item.id, "5")
    open_menu_admin(admin_page, base_url)
    stock = admin_page.get_by_role("textbox", name="한정 재고 갈비 재고")
    expect(stock).to_have_value("5")

    # Two portions go to a table while the list still shows 5 (the service test places a real order;
    # here only the count matters).
    with session_scope() as s:
        s.get(MenuItem, item.id).stock = 3
    stock.fill("20")
    stock.press("Tab")
    expect(admin_page.get_by_role("alert")).to_contain_text("재고가 3개로 바뀌었어요")
    expect(stock).to_have_value("3")
    with session_scope() as s:
        assert s.get(MenuItem, item.id).stock == 3

    stock.fill("20")  # entered again against the count now shown
    stock.press("Tab")
    expect(admin_page.get_by_role("alert")).to_have_count(0)
    with session_scope() as s:
        assert s.get(MenuItem, item.id).stock == 20


def test_stock_one_table_takes_or_gives_back_shows_on_another_tablet_at_once(browser: Browser, base_url: str):
    item = new_item("한정 수량 전복죽")
    admin = service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1]
    admin_menu.set_stock(admin, item.id, "1")
    for number in (21, 22):
        accounts.create_table_account(admin.store_id, number, DEMO_TABLE_PASSWORD)
    watcher = tablet(browser, base_url, 22)
    watcher.get_by_role("tab", name="한정 수량 전복죽 분류").click()
    expect(card_of(watcher, "한정 수량 전복죽")).to_contain_text("남은 수량 1개")

    orderer = tablet(browser, base_url, 21)
    orderer.get_by_role("tab", name="한정 수량 전복죽 분류").click()
    orderer.get_by_role("button", name="한정 수량 전복죽 담기").click()
    orderer.get_by_role("button", name="주문하기").click()
    expect(orderer).to_have_url(re.compile(r"/checkout\?"))  # the order holds the last portion

    # No reload on the other table: the last portion is gone.
    expect(watcher.get_by_role("button", name="한정 수량 전복죽 담기")).to_be_disabled()
    expect(card_of(watcher, "한정 수량 전복죽")).to_contain_text("품절")

    # The diner cancels at checkout: the portion goes back, and the other tablet offers it again.
    orderer.get_by_role("button", name="취소 / Cancel").click()
    expect(orderer).to_have_url(re.compile(r"/pay/fail"))
    expect(watcher.get_by_role("button", name="한정 수량 전복죽 담기")).to_be_enabled()
    expect(card_of(watcher, "한정 수량 전복죽")).to_contain_text("남은 수량 1개")
