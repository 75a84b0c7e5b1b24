"""The console's settings an owner sets up a kitchen with, in Chromium: the board's amber/red minutes and a
category's station seen on the board; an item's allergens, spicy level and vegetarian flag seen on a tablet;
a category with items deleted after moving them; an option's stock running out on an open tablet."""

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.models import MenuItem, MenuOption, Order, OrderReadModel
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.auth.sessions import sign_in as service_sign_in
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from hiorder_app.services.store_admin import kitchen
from hiorder_app.services.store_admin import options as admin_menu_options
from tests.ui.menu_lookup import category_name, demo_item
from tests.ui.test_admin_menu import new_item, open_menu_admin, tablet
from tests.ui.test_live_board import open_board


def paid_order(table: int, item_ids: list[int], minutes_ago: int = 0) -> int:
    """Set-up: an order of these items, paid `minutes_ago` (as the board reads it)."""
    principal = service_sign_in(DEMO_STORE_CODE, f"table{table}", DEMO_TABLE_PASSWORD, "ui-test")[1]
    order = place_order(principal, [(i, 1) for i in item_ids])
    with session_scope() as s:
        transition(s, lock_order(s, id=order.id), OrderStatus.PAID)
    if minutes_ago:
        paid_at = utcnow() - timedelta(minutes=minutes_ago)
        with session_scope() as s:
            s.execute(sa.update(Order).where(Order.id == order.id).values(paid_at=paid_at))
            s.execute(sa.update(OrderReadModel).where(OrderReadModel.order_id == order.id).values(paid_at=paid_at))
    return order.id


def waiting_badge(card):
    return card.get_by_text(re.compile(r"^\d+분 전$|^방금 전$"))


def test_admin_sets_the_boards_minutes_and_a_categorys_station_and_the_board_shows_them(browser: Browser,
                                                                                         base_url: str):
    dessert = new_item("빙수 스테이션 팥빙수", 9000)
    main = demo_item("MAIN")
    order_id = paid_order(5, [main.id, dessert.id], minutes_ago=3)

    board = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    open_board(board, base_url)
    card = board.get_by_role("article", name=f"5번 테이블 주문 #{order_id}")
    expect(waiting_badge(card)).to_have_text("3분 전")

    # Amber after 2 minutes, red after 5: a 3-minute-old card is amber.
    board.get_by_role("button", name="경고 시간").click()
    settings = board.get_by_role("dialog", name="경고 시간")
    settings.get_by_label("주황 (분)").fill("2")
    settings.get_by_label("빨강 (분)").fill("5")
    settings.get_by_role("button", name="경고 시간 저장").click()
    expect(waiting_badge(card)).to_have_attribute("data-accent-color", "amber")
    # Red before amber is refused with the reason, and nothing changes.
    settings.get_by_label("주황 (분)").fill("9")
    settings.get_by_label("빨강 (분)").fill("4")
    settings.get_by_role("button", name="경고 시간 저장").click()
    expect(board.get_by_role("alert").first).to_contain_text("빨간색이 주황색보다 늦어야")
    settings.get_by_label("주황 (분)").fill("1")
    settings.get_by_label("빨강 (분)").fill("3")
    settings.get_by_role("button", name="경고 시간 저장").click()
    expect(waiting_badge(card)).to_have_attribute("data-accent-color", "red")
    board.keyboard.press("Escape")
    board.reload()
    expect(waiting_badge(board.get_by_role("article", name=f"5번 테이블 주문 #{order_id}"))).to_have_attribute(
        "data-accent-color", "red")

    # The dessert category is made at its own station; a later order's dessert line goes there.
    admin = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    open_board(admin, base_url)
    open_menu_admin(admin, base_url)
    admin.get_by_role("button", name="빙수 스테이션 팥빙수 분류 수정").click()
    dialog = admin.get_by_role("dialog", name="카테고리 수정")
    dialog.get_by_label(re.compile("스테이션")).fill("빙수")
    dialog.get_by_role("button", name="저장").click()
    expect(dialog).to_have_count(0)
    expect(admin.get_by_role("list", name="카테고리 목록").get_by_text("빙수", exact=True)).to_be_visible()

    second = paid_order(5, [main.id, dessert.id])
    card = board.get_by_role("article", name=f"5번 테이블 주문 #{second}")
    expect(card).to_contain_text(main.name_ko)
    board.get_by_role("combobox", name="스테이션").click()
    board.get_by_role("option", name="빙수").click()
    expect(card).to_contain_text("빙수 스테이션 팥빙수")
    expect(card).not_to_contain_text(main.name_ko)
    board.get_by_role("combobox", name="스테이션").click()
    board.get_by_role("option", name="전체").click()
    expect(card).to_contain_text(main.name_ko)
    # Set back for the other tests on this board.
    kitchen.set_board_thresholds(service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1], 10, 20)
    with session_scope() as s:
        for done in (order_id, second):
            transition(s, lock_order(s, id=done), OrderStatus.CANCELLED)


def test_admin_tags_an_item_and_the_tablet_shows_them(admin_page: Page, browser: Browser, base_url: str):
    item = new_item("태그 테스트 쫄면")
    diner = tablet(browser, base_url, 8)
    open_menu_admin(admin_page, base_url)
    admin_page.get_by_role("button", name="태그 테스트 쫄면 수정").click()
    dialog = admin_page.get_by_role("dialog", name="메뉴 수정")
    allergens = dialog.get_by_role("group", name="알레르기 유발 성분")
    expect(allergens.get_by_role("checkbox")).to_have_count(19)
    allergens.get_by_role("checkbox", name="땅콩").click()
    allergens.get_by_role("checkbox", name="밀", exact=True).click()
    dialog.get_by_role("combobox", name="맵기").click()
    admin_page.get_by_role("option", name="2 · 보통").click()
    dialog.get_by_role("switch", name="채식").click()
    dialog.get_by_role("button", name="저장").click()
    expect(dialog).to_have_count(0)
    with session_scope() as s:
        row = s.get(MenuItem, item.id)
        assert (row.allergens, row.spicy_level, row.vegetarian) == ("peanut,wheat", 2, True)

    # The open tablet: the card's badges, the details' allergens, and the allergen filter hides it.
    diner.get_by_role("tab", name="태그 테스트 쫄면 분류").click()
    expect(diner.get_by_label("맵기 2/3")).to_be_visible()
    expect(diner.get_by_text("채식", exact=True)).to_be_visible()
    diner.get_by_role("button", name="태그 테스트 쫄면 자세히 보기").click()
    expect(diner.get_by_role("dialog")).to_contain_text("알레르기 유발 성분: 땅콩, 밀")

    # Reopened, the dialog shows what was saved.
    admin_page.get_by_role("button", name="태그 테스트 쫄면 수정").click()
    dialog = admin_page.get_by_role("dialog", name="메뉴 수정")
    expect(dialog.get_by_role("checkbox", name="땅콩")).to_be_checked()
    expect(dialog.get_by_role("checkbox", name="우유")).not_to_be_checked()
    expect(dialog.get_by_role("switch", name="채식")).to_be_checked()


def test_deleting_a_category_with_items_moves_them_first(admin_page: Page, browser: Browser, base_url: str):
    item = new_item("옮길 메뉴 수제비")
    target = new_item("남을 메뉴 칼국수")
    diner = tablet(browser, base_url, 9)
    open_menu_admin(admin_page, base_url)
    admin_page.get_by_role("button", name="옮길 메뉴 수제비 분류 삭제").click()
    dialog = admin_page.get_by_role("alertdialog", name="카테고리 삭제")
    expect(dialog).to_contain_text("메뉴가 1개 있어요")
    dialog.get_by_role("combobox", name="메뉴를 옮길 카테고리").click()
    admin_page.get_by_role("option", name="남을 메뉴 칼국수 분류").click()
    dialog.get_by_role("button", name="옮기고 삭제").click()
    expect(dialog).to_have_count(0)
    categories = admin_page.get_by_role("list", name="카테고리 목록")
    expect(categories.get_by_text("옮길 메뉴 수제비 분류")).to_have_count(0)
    with session_scope() as s:
        assert s.get(MenuItem, item.id).category_id == target.category_id
    # The tablet lists the dish under its new tab; the old tab is gone.
    expect(diner.get_by_role("tab", name="옮길 메뉴 수제비 분류")).to_have_count(0)
    diner.get_by_role("tab", name="남을 메뉴 칼국수 분류").click()
    expect(diner.get_by_role("button", name="옮길 메뉴 수제비 담기")).to_be_visible()


def test_an_options_stock_runs_out_and_an_open_tablet_shows_it_sold_out(admin_page: Page, browser: Browser,
                                                                          base_url: str):
    with session_scope() as s:
        noodles = s.exec(select(MenuItem).where(MenuItem.name_ko == "물냉면")).one()
        large = s.exec(select(MenuOption).where(MenuOption.name_ko == "곱빼기")).one()
    diner = tablet(browser, base_url, 4)
    diner.get_by_role("tab", name=category_name(noodles)).click()
    diner.get_by_role("button", name="물냉면 자세히 보기").click()
    portion = diner.get_by_role("dialog").get_by_role("group", name="양")
    expect(portion.get_by_role("checkbox", name="곱빼기")).to_be_enabled()

    open_menu_admin(admin_page, base_url)
    box = admin_page.get_by_role("region", name="양").get_by_label("곱빼기 재고")
    box.fill("1")
    box.press("Tab")  # saved when the box is left
    expect(portion.get_by_role("checkbox", name="곱빼기 (+2,000원) · 1개 남음")).to_be_enabled()

    # Two in the cart: it warns before ordering (the server still decides).
    portion.get_by_role("checkbox", name="곱빼기 (+2,000원) · 1개 남음").click()
    diner.get_by_role("dialog").get_by_role("button", name="장바구니에 담기").click()
    cart = diner.get_by_role("region", name="cart")
    cart.get_by_role("button", name="물냉면 하나 더").click()
    expect(cart.get_by_role("status")).to_have_text("'곱빼기' 남은 수량이 1개뿐이에요")
    cart.get_by_role("button", name="물냉면 삭제").click()
    diner.get_by_role("button", name="물냉면 자세히 보기").click()

    # Another table's order takes the last one: the open dialog shows it sold out, without a reload.
    other = service_sign_in(DEMO_STORE_CODE, "table3", DEMO_TABLE_PASSWORD, "ui-test")[1]
    order = place_order(other, [(noodles.id, 1, [large.id])])
    expect(portion.get_by_role("checkbox", name="곱빼기 (+2,000원) · 품절")).to_be_disabled()

    # The unpaid order expires: the unit comes back to the tablet.
    with session_scope() as s:
        transition(s, lock_order(s, id=order.id), OrderStatus.EXPIRED)
    expect(portion.get_by_role("checkbox", name="곱빼기 (+2,000원) · 1개 남음")).to_be_enabled()
    admin_menu_options.set_option_stock(service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1], large.id, "")
    expect(portion.get_by_role("checkbox", name="곱빼기 (+2,000원)", exact=True)).to_be_enabled()
