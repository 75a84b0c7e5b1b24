"""The store's order history, read from the order read model, with its filters."""

import re

from playwright.sync_api import Page, expect

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.services.auth.sessions import sign_in as service_sign_in
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.seed import DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from tests.ui.menu_lookup import demo_item


def paid_order_for(table: int) -> int:
    principal = service_sign_in(DEMO_STORE_CODE, f"table{table}", DEMO_TABLE_PASSWORD, "ui-test")[1]
    order = place_order(principal, [(demo_item("MAIN").id, 1)])
    with session_scope() as s:
        transition(s, lock_order(s, id=order.id), OrderStatus.PAID)
    return order.id


def test_history_filters_by_table_and_status(admin_page: Page, base_url: str):
    mine = paid_order_for(6)
    admin_page.get_by_role("link", name="주문 내역").click()
    expect(admin_page).to_have_url(re.compile(r"/admin/history$"))
    history = admin_page.get_by_role("table", name="주문 내역 표")
    expect(history).to_contain_text(f"#{mine}")

    admin_page.get_by_label("테이블 번호").fill("6")
    admin_page.get_by_role("button", name="조회").click()
    expect(history.get_by_role("row").nth(1)).to_contain_text("6")
    expect(history).to_contain_text(f"#{mine}")
    for row in history.get_by_role("row").all()[1:]:
        expect(row.get_by_role("cell").nth(1)).to_have_text("6")

    admin_page.get_by_role("combobox", name="상태 필터").click()
    admin_page.get_by_role("option", name="서빙 완료").click()
    expect(history).not_to_contain_text(f"#{mine}")  # it is paid, not served

    admin_page.get_by_role("combobox", name="상태 필터").click()
    admin_page.get_by_role("option", name="전체").click()
    admin_page.get_by_label("테이블 번호").fill("999")  # no such table: nothing to list
    admin_page.get_by_role("button", name="조회").click()
    expect(history.get_by_role("row")).to_have_count(1)  # the header only
