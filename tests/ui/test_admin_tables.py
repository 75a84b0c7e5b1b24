"""The store console's tables page in Chromium: new tables, passwords, QR sign-in links, clearing a table."""

import re

from playwright.sync_api import Browser, Page, expect

from hiorder_app.services.auth.sessions import sign_in as service_sign_in
from hiorder_app.services.ordering import placement as ordering
from hiorder_app.services.seed import DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from tests.ui.conftest import sign_in
from tests.ui.menu_lookup import demo_item


def fresh_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1280, "height": 800}).new_page()


def open_tables(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/tables")
    expect(page.get_by_role("heading", name="테이블", exact=True)).to_be_visible()


def shown_password(page: Page) -> str:
    dialog = page.get_by_role("dialog", name="태블릿 비밀번호")
    password = dialog.get_by_label("새 비밀번호").inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    dialog.get_by_role("button", name="닫기").click()
    expect(dialog).to_have_count(0)
    return password


def test_new_table_password_qr_link_and_reissue(admin_page: Page, browser: Browser, base_url: str):
    open_tables(admin_page, base_url)
    admin_page.get_by_label("테이블 번호").fill("17")
    admin_page.get_by_label("테이블 이름 (선택)").fill("테라스 17")
    admin_page.get_by_role("button", name="테이블 추가").click()
    password = shown_password(admin_page)
    expect(admin_page.get_by_role("row", name=re.compile("17번"))).to_contain_text("테라스 17")

    # The password shown once signs the tablet in.
    by_password = fresh_page(browser)
    sign_in(by_password, base_url, "table17", password)
    expect(by_password.get_by_text("테이블 17")).to_be_visible()

    # So does the table's QR link, in a browser that never signed in.
    admin_page.get_by_role("button", name="17번 테이블 QR 코드").click()
    qr = admin_page.get_by_role("dialog")
    expect(qr.get_by_role("img", name="QR 코드")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    link = qr.get_by_role("link", name="로그인 링크").get_attribute("href")
    assert link.startswith(f"{base_url}/t/")
    qr.get_by_role("button", name="닫기").click()
    by_link = fresh_page(browser)
    by_link.goto(link)
    expect(by_link).to_have_url(f"{base_url}/")
    expect(by_link.get_by_text("테이블 17")).to_be_visible()

    # A new password signs those tablets out and retires the old QR code.
    admin_page.get_by_role("button", name="17번 테이블 비밀번호 재발급").click()
    admin_page.get_by_role("alertdialog").get_by_role("button", name="재발급").click()
    new_password = shown_password(admin_page)
    assert new_password != password
    by_password.reload()
    expect(by_password).to_have_url(re.compile(r"/login$"))
    old_link = fresh_page(browser)
    old_link.goto(link)
    expect(old_link.get_by_role("alert")).to_contain_text("새 코드로 바뀌어")
    sign_in(old_link, base_url, "table17", new_password)
    expect(old_link.get_by_text("테이블 17")).to_be_visible()


def test_a_forged_link_shows_a_clear_message(page: Page, base_url: str):
    page.goto(f"{base_url}/t/1-9-0-9999999999-forgedsignature")
    expect(page.get_by_role("alert")).to_contain_text("QR 코드는 올바르지 않아요")
    expect(page.get_by_role("link", name="로그인 화면으로")).to_be_visible()


def test_clearing_a_table_empties_its_tablets_orders(admin_page: Page, browser: Browser, base_url: str):
    table = fresh_page(browser)
    sign_in(table, base_url, "table10")
    expect(table.get_by_role("heading", name="장바구니")).to_be_visible()
    principal = service_sign_in(DEMO_STORE_CODE, "table10", DEMO_TABLE_PASSWORD, "ui-test")[1]
    ordering.place_order(principal, [(demo_item("MAIN").id, 1)])
    table.goto(f"{base_url}/orders")
    expect(table.get_by_role("article")).to_have_count(1)

    open_tables(admin_page, base_url)
    row = admin_page.get_by_role("row", name=re.compile("10번"))
    expect(row).to_contain_text("이용 중")
    admin_page.get_by_role("button", name="10번 테이블 정리").click()
    admin_page.get_by_role("alertdialog").get_by_role("button", name="정리하기").click()
    expect(admin_page.get_by_text("10번 테이블을 정리했어요.")).to_be_visible()
    expect(row).to_contain_text("비어 있음")

    # No reload: the tablet hears the table was cleared.
    expect(table.get_by_text("아직 주문이 없어요.")).to_be_visible()
    expect(table.get_by_role("article")).to_have_count(0)


def test_the_print_sheet_has_a_qr_code_for_every_table(admin_page: Page, base_url: str):
    admin_page.goto(f"{base_url}/admin/tables/print")
    expect(admin_page.get_by_role("heading", name="테이블 QR 시트")).to_be_visible()
    expect(admin_page.get_by_role("figure", name="QR 코드 테이블 9", exact=True)).to_be_visible()
    assert admin_page.get_by_role("figure").count() >= 10
    admin_page.emulate_media(media="print")
    expect(admin_page.get_by_role("button", name="인쇄")).to_be_hidden()
    expect(admin_page.get_by_role("figure", name="QR 코드 테이블 1", exact=True)).to_be_visible()
