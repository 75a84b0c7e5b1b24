"""The console follows the kitchen as it runs, in Chromium: the board's station list offers every station
the categories map to (one set while the board is open too) before any order uses it; an open console
menu page shows an item's and an option's stock going down as a tablet orders, without a reload, and a
box the admin is typing in keeps what they typed (its save is refused as stale, not written over); the item
dialog's stock field does the same."""

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.models import MenuItem, MenuOption, OptionGroup
from hiorder_app.services.auth import accounts
from hiorder_app.services.auth.sessions import sign_in as service_sign_in
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from hiorder_app.services.store_admin import menu as admin_menu
from tests.ui.event_socket import EventSocket, backend_url, event_name
from tests.ui.event_socket import sign_in as socket_sign_in
from tests.ui.menu_lookup import category_name
from tests.ui.test_admin_menu import new_item, open_menu_admin, tablet
from tests.ui.test_live_board import open_board


def admin():
    return service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1]


def test_the_boards_station_list_has_every_categorys_station_before_any_order(browser: Browser, base_url: str):
    waffle = new_item("스테이션 목록 와플")
    churros = new_item("스테이션 목록 츄러스")
    admin_menu.set_category_station(admin(), waffle.category_id, "디저트")
    board = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    open_board(board, base_url)
    board.get_by_role("combobox", name="스테이션").click()
    expect(board.get_by_role("option", name="디저트")).to_be_visible()  # no order has a dessert line
    expect(board.get_by_role("option", name="튀김")).to_have_count(0)
    board.keyboard.press("Escape")

    # Set while the board is open: the list follows without a reload.
    admin_menu.set_category_station(admin(), churros.category_id, "튀김")
    board.get_by_role("combobox", name="스테이션").click()
    expect(board.get_by_role("option", name="튀김")).to_be_visible()
    board.get_by_role("option", name="튀김").click()
    expect(board.get_by_role("combobox", name="스테이션")).to_have_text("튀김")
    board.get_by_role("combobox", name="스테이션").click()
    board.get_by_role("option", name="전체").click()  # the board's choice is kept per browser
    for category in (waffle.category_id, churros.category_id):
        admin_menu.set_category_station(admin(), category, "")


def test_an_open_console_menu_page_follows_stock_as_a_tablet_orders(admin_page: Page, browser: Browser,
                                                                     base_url: str):
    item = new_item("실시간 재고 잔치국수")
    admin_menu.set_stock(admin(), item.id, "5")
    with session_scope() as s:
        stew = s.exec(select(MenuItem).where(MenuItem.name_ko == "김치찌개")).one()
        udon = s.exec(select(MenuOption).where(MenuOption.name_ko == "우동사리")).one()
    udon_left = udon.stock
    accounts.create_table_account(admin().store_id, 31, DEMO_TABLE_PASSWORD)

    open_menu_admin(admin_page, base_url)
    item_box = admin_page.get_by_label("실시간 재고 잔치국수 재고")
    udon_box = admin_page.get_by_role("region", name="사리 추가").get_by_label("우동사리 재고")
    expect(item_box).to_have_value("5")
    expect(udon_box).to_have_value(str(udon_left))

    # A diner orders the noodles and a stew with 우동사리 on the tablet.
    diner = tablet(browser, base_url, 31)
    diner.get_by_role("tab", name="실시간 재고 잔치국수 분류").click()
    diner.get_by_role("button", name="실시간 재고 잔치국수 담기").click()
    diner.get_by_role("tab", name=category_name(stew)).click()
    diner.get_by_role("button", name="김치찌개 담기").click()
    dialog = diner.get_by_role("dialog")
    dialog.get_by_role("group", name="맵기").get_by_text("보통").click()
    dialog.get_by_role("group", name="사리 추가").get_by_text("우동사리 (+2,000원)").click()
    dialog.get_by_role("button", name="장바구니에 담기").click()
    diner.get_by_role("button", name="주문하기").click()
    expect(diner).to_have_url(re.compile(r"/checkout\?"))  # placed: the order holds its stock

    # The console page was not reloaded: both boxes moved.
    expect(item_box).to_have_value("4")
    expect(udon_box).to_have_value(str(udon_left - 1))

    # The admin starts typing a new count; an order taking one meanwhile does not overwrite the box.
    item_box.click()
    item_box.fill("30")
    other = service_sign_in(DEMO_STORE_CODE, "table31", DEMO_TABLE_PASSWORD, "ui-test")[1]
    second = place_order(other, [(item.id, 1)])
    order_with_udon = place_order(other, [(stew.id, 1, [_option("맵기", "보통"), udon.id])])
    expect(udon_box).to_have_value(str(udon_left - 2))  # a box not being edited still follows
    expect(admin_page.get_by_role("row", name=re.compile("실시간 재고 잔치국수")).get_by_role("status")).to_have_text(
        "지금 3개")
    expect(item_box).to_have_value("30")
    # Leaving it saves against the count it showed (4): stale, refused with the count now (3).
    item_box.press("Tab")
    expect(admin_page.get_by_role("alert").first).to_contain_text("재고가 3개로 바뀌었어요")
    expect(item_box).to_have_value("3")
    with session_scope() as s:
        assert s.get(MenuItem, item.id).stock == 3
    # Typed again against the count shown, it is saved.
    item_box.fill("30")
    item_box.press("Tab")
    expect(item_box).to_have_value("30")
    with session_scope() as s:
        assert s.get(MenuItem, item.id).stock == 30

    # Unpaid orders that expire give their stock back: the boxes follow that too.
    with session_scope() as s:
        for order_id in (second.id, order_with_udon.id):
            transition(s, lock_order(s, id=order_id), OrderStatus.EXPIRED)
    expect(item_box).to_have_value("31")
    expect(udon_box).to_have_value(str(udon_left - 1))


def test_the_item_dialogs_stock_follows_orders_and_a_stale_count_is_not_saved_over_them(admin_page: Page,
                                                                                       base_url: str):
    item = new_item("대화상자 재고 떡볶이")
    admin_menu.set_stock(admin(), item.id, "5")
    accounts.create_table_account(admin().store_id, 32, DEMO_TABLE_PASSWORD)
    table = service_sign_in(DEMO_STORE_CODE, "table32", DEMO_TABLE_PASSWORD, "ui-test")[1]

    open_menu_admin(admin_page, base_url)
    admin_page.get_by_role("button", name="대화상자 재고 떡볶이 수정").click()
    dialog = admin_page.get_by_role("dialog", name="메뉴 수정")
    stock = dialog.get_by_role("textbox", name="재고", exact=True)
    expect(stock).to_have_value("5")

    # An order while the dialog is open: the untouched field follows it.
    place_order(table, [(item.id, 1)])
    expect(stock).to_have_value("4")
    # Saved with the field as shown (another field changed), the stored count stays what orders left.
    dialog.get_by_label("이름(영어)").fill("Tteokbokki")
    place_order(table, [(item.id, 1)])
    expect(stock).to_have_value("3")
    dialog.get_by_role("button", name="저장").click()
    expect(dialog).to_be_hidden()
    with session_scope() as s:
        assert (s.get(MenuItem, item.id).name_en, s.get(MenuItem, item.id).stock) == ("Tteokbokki", 3)

    # The owner starts typing a new count; an order meanwhile shows beside the field, not in it.
    admin_page.get_by_role("button", name="대화상자 재고 떡볶이 수정").click()
    expect(stock).to_have_value("3")
    stock.click()
    stock.fill("20")
    place_order(table, [(item.id, 1)])
    expect(dialog.get_by_role("status")).to_have_text("지금 2개")
    expect(stock).to_have_value("20")
    # Saving a count typed against 3 would undo that order: refused, with the count now in the field.
    dialog.get_by_role("button", name="저장").click()
    expect(dialog.get_by_role("alert")).to_contain_text("재고가 2개로 바뀌었어요")
    expect(stock).to_have_value("2")
    expect(dialog.get_by_role("status")).to_have_count(0)
    with session_scope() as s:
        assert s.get(MenuItem, item.id).stock == 2
    # Typed again against the count shown, it is saved.
    stock.fill("20")
    dialog.get_by_role("button", name="저장").click()
    expect(dialog).to_be_hidden()
    expect(admin_page.get_by_role("textbox", name="대화상자 재고 떡볶이 재고")).to_have_value("20")
    with session_scope() as s:
        assert s.get(MenuItem, item.id).stock == 20


def _option(group: str, name: str) -> int:
    with session_scope() as s:
        return s.exec(select(MenuOption.id).join(OptionGroup, OptionGroup.id == MenuOption.group_id)
                      .where(OptionGroup.name_ko == group, MenuOption.name_ko == name)).one()


def test_a_dialog_save_sent_before_a_live_count_reached_the_page_keeps_what_orders_left(app_harness):
    """Over the event socket, as a browser whose page had not yet drawn an order's count: the dialog's stock
    field still showed 5 and was never touched when the save went, while the server's state already had 4.
    The save is measured against what the page showed, so it keeps the orders' 4 (it once wrote 5 back)."""
    from hiorder_app.states.admin_menu_state import AdminMenuState

    item = new_item("늦은 화면 칼국수")
    admin_menu.set_stock(admin(), item.id, "5")
    accounts.create_table_account(admin().store_id, 33, DEMO_TABLE_PASSWORD)
    table = service_sign_in(DEMO_STORE_CODE, "table33", DEMO_TABLE_PASSWORD, "ui-test")[1]
    sock = EventSocket(backend_url(app_harness))
    try:
        socket_sign_in(sock, *DEMO_ADMIN)
        sock.send(event_name(AdminMenuState, "load"))
        sock.send(event_name(AdminMenuState, "follow"))
        sock.send(event_name(AdminMenuState, "open_edit_item"), {"key": str(item.id)})
        sock.value(AdminMenuState, "dialog_stock", where=lambda box: box["stock"] == "5")
        place_order(table, [(item.id, 1)])
        sock.value(AdminMenuState, "dialog_stock", where=lambda box: box["stock"] == "4")  # the state has it
        form = {"name_ko": item.name_ko, "name_en": "Late noodles", "description_ko": "", "description_en": "",
                "price": str(item.price), "stock": "5", "sort_order": str(item.sort_order), "stock_seen": "5"}
        sock.send(event_name(AdminMenuState, "save_item"), {"form": form})
        sock.value(AdminMenuState, "item_dialog_open", where=lambda is_open: is_open is False)
    finally:
        sock.close()
    with session_scope() as s:
        saved = s.get(MenuItem, item.id)
        assert (saved.name_en, saved.stock) == ("Late noodles", 4)
