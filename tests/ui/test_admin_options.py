"""The console's option groups and category deletion in Chromium, with a tablet open beside it: a shared
group attached to two drinks, an option marked sold out, both reaching the open tablet without a reload."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.ui.test_admin_menu import open_menu_admin, tablet


def test_a_shared_group_and_a_sold_out_option_reach_an_open_tablet(admin_page: Page, browser: Browser,
                                                                    base_url: str):
    page = admin_page
    open_menu_admin(page, base_url)
    diner = tablet(browser, base_url, 7)
    diner.get_by_role("tab", name="음료").click()
    diner.get_by_role("button", name="콜라 자세히 보기").click()
    dialog = diner.get_by_role("dialog")
    expect(dialog.get_by_role("group", name="얼음")).to_have_count(0)

    page.get_by_label("새 옵션 그룹 이름(한국어)").fill("얼음")
    page.get_by_label("새 옵션 그룹 이름(영어)").fill("Ice")
    page.get_by_role("button", name="옵션 그룹 추가").click()
    group = page.get_by_role("region", name="얼음")
    group.get_by_label("옵션 이름(한국어)").fill("얼음 빼기")
    group.get_by_label("옵션 이름(영어)").fill("No ice")
    group.get_by_role("button", name="얼음에 옵션 추가").click()
    group.get_by_label("옵션 이름(한국어)").fill("얼음 많이")
    group.get_by_label("추가 금액").fill("500")
    group.get_by_role("button", name="얼음에 옵션 추가").click()
    expect(group.get_by_role("listitem")).to_have_count(2)
    group.get_by_label("콜라에 얼음").click()
    group.get_by_label("사이다에 얼음").click()
    expect(group.get_by_label("사이다에 얼음")).to_be_checked()

    # The open dialog asks the new group, without a reload; then one option goes sold out.
    ice = dialog.get_by_role("group", name="얼음")
    expect(ice.get_by_text("얼음 많이 (+500원)")).to_be_visible()
    expect(ice.get_by_role("checkbox", name="얼음 빼기")).to_be_enabled()
    group.get_by_label("얼음 빼기 품절").click()
    expect(ice.get_by_role("checkbox", name="얼음 빼기")).to_be_disabled()

    # The shared group is on the other drink too.
    diner.keyboard.press("Escape")
    diner.get_by_role("button", name="사이다 자세히 보기").click()
    expect(diner.get_by_role("dialog").get_by_role("group", name="얼음")).to_be_visible()

    # Cleaned up: the drinks stop asking it.
    group.get_by_role("button", name="얼음 그룹 삭제").click()
    expect(page.get_by_role("region", name="얼음")).to_have_count(0)


def test_an_empty_category_is_deleted_and_one_with_items_asks_where_they_go(admin_page: Page, base_url: str):
    page = admin_page
    open_menu_admin(page, base_url)
    page.get_by_label("새 카테고리 이름(한국어)").fill("시즌 한정")
    page.get_by_role("button", name="카테고리 추가").click()
    categories = page.get_by_role("list", name="카테고리 목록")
    expect(categories.get_by_text("시즌 한정")).to_be_visible()
    page.get_by_role("button", name="시즌 한정 삭제").click()
    expect(categories.get_by_text("시즌 한정")).to_have_count(0)

    # One with items asks where they go; cancelled, nothing changes.
    page.get_by_role("button", name="음료 삭제").click()
    dialog = page.get_by_role("alertdialog", name="카테고리 삭제")
    expect(dialog).to_contain_text(re.compile(r"'음료'에 메뉴가 \d+개 있어요"))
    dialog.get_by_role("button", name="취소").click()
    expect(dialog).to_have_count(0)
    expect(categories.get_by_text("음료", exact=True)).to_be_visible()
