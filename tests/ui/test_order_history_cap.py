"""Empty states and the capped history, in Chromium: an empty category says so, a history filter with no match
says so, and a history longer than the list says it is capped while its total covers every match.
(Named to run after the insights tests: it adds a few hundred served orders to the demo store.)"""

from playwright.sync_api import Page, expect

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.services.auth.sessions import sign_in as service_sign_in
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models import order_views
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from hiorder_app.services.store_admin import menu as admin_menu
from hiorder_app.services.store_admin import tables as admin_tables
from hiorder_app.settings import get_settings
from tests.ui.conftest import sign_in
from tests.ui.menu_lookup import demo_item

TABLE = 7


def _admin():
    return service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1]


def _served_orders(count: int) -> None:
    """`count` orders of table 7, paid and served (so not on the board), its visit then closed."""
    table = service_sign_in(DEMO_STORE_CODE, f"table{TABLE}", DEMO_TABLE_PASSWORD, "ui-test")[1]
    main = demo_item("MAIN")
    for _ in range(count):
        order = place_order(table, [(main.id, 1)])
        for step in (OrderStatus.PAID, OrderStatus.ACCEPTED, OrderStatus.SERVED):
            with session_scope() as s:
                transition(s, lock_order(s, id=order.id), step)
    admin_tables.clear_table(_admin(), table.table_id)


def test_an_empty_category_says_so(page: Page, base_url: str):
    admin = _admin()
    category = admin_menu.create_category(admin, "빈 카테고리", "Empty category")
    try:
        sign_in(page, base_url, "table4")
        page.get_by_role("tab", name="빈 카테고리").click()
        expect(page.get_by_role("status").filter(has_text="이 카테고리에는 아직 메뉴가 없어요")).to_be_visible()
        page.get_by_role("tab", name="메인 요리").click()
        expect(page.get_by_role("status").filter(has_text="아직 메뉴가 없어요")).to_have_count(0)
    finally:
        admin_menu.delete_category(admin, category)


def test_history_with_no_match_and_a_capped_history_say_so(admin_page: Page, base_url: str):
    limit, tz = order_views.HISTORY_LIMIT, get_settings().tz
    missing = limit + 5 - order_views.history_summary(_admin(), tz).count
    if missing > 0:
        _served_orders(missing)
    summary = order_views.history_summary(_admin(), tz)
    shown = order_views.order_history(_admin(), tz)
    assert summary.count > limit == len(shown)
    assert summary.paid_total > sum(v.total for v in shown if v.status != OrderStatus.CANCELLED)

    page = admin_page
    page.goto(f"{base_url}/admin/history")
    history = page.get_by_role("table", name="주문 내역 표")
    expect(history.get_by_role("row")).to_have_count(limit + 1)  # and the header
    expect(page.get_by_role("status").filter(has_text="최근")).to_have_text(
        f"최근 {limit}건만 보여요 (조건에 맞는 주문 {summary.count:,}건). 날짜나 테이블로 좁혀 보세요.")
    expect(page.get_by_text("합계(취소 제외)")).to_have_text(f"합계(취소 제외) {summary.paid_total:,}원")

    page.get_by_label("테이블 번호").fill("999")  # no such table
    page.get_by_role("button", name="조회").click()
    expect(page.get_by_role("status").filter(has_text="조건에 맞는 주문이 없어요")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="최근")).to_have_count(0)
    expect(page.get_by_text("합계(취소 제외)")).to_have_text("합계(취소 제외) 0원")
