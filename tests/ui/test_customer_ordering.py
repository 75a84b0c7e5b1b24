"""The diner's tablet in real Chromium: sign in, fill the cart, order, follow the order."""

import re

from playwright.sync_api import Page, expect

from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.auth.sessions import sign_in as service_sign_in
from hiorder_app.services.read_models import dashboard, order_views
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from hiorder_app.settings import get_settings
from tests.ui.conftest import pay_at_checkout, sign_in
from tests.ui.menu_lookup import category_name, demo_item


def add_to_cart(page: Page, item) -> None:
    page.get_by_role("tab", name=category_name(item)).click()
    page.get_by_role("button", name=f"{item.name_ko} 담기").click()


def test_table_orders_a_main_and_a_side_and_sees_it_in_its_orders(page: Page, base_url: str):
    main, side = demo_item("MAIN"), demo_item("SIDE")
    sign_in(page, base_url, "table1")
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()

    add_to_cart(page, main)
    add_to_cart(page, main)
    add_to_cart(page, side)
    cart = page.get_by_role("region", name="cart")
    expect(cart.get_by_text(main.name_ko, exact=True)).to_be_visible()
    expect(cart.get_by_label("cart total")).to_have_text(f"{main.price * 2 + side.price:,}원")

    page.get_by_role("button", name="주문하기").click()

    # The provider's checkout page shows what is being paid for; paying brings the tablet back.
    expect(page).to_have_url(re.compile(r"/checkout\?"))
    expect(page.get_by_text(f"KRW {main.price * 2 + side.price:,}")).to_be_visible()
    pay_at_checkout(page)

    expect(page).to_have_url(re.compile(r"/orders$"))
    expect(page.get_by_role("heading", name="우리 테이블 주문 내역")).to_be_visible()
    order = page.get_by_role("article").first
    expect(order).to_contain_text(f"{main.name_ko} × 2")
    expect(order).to_contain_text(f"{side.name_ko} × 1")
    expect(order).to_contain_text("결제 완료")
    expect(order).to_contain_text(f"{main.price * 2 + side.price:,}원")
    expect(page.get_by_text("결제가 완료되었어요")).to_be_visible()
    # The table's running total: every paid order of this visit (earlier tests may have paid some too).
    table = service_sign_in(DEMO_STORE_CODE, "table1", DEMO_TABLE_PASSWORD, "ui-test")[1]
    paid = [o for o in order_views.table_orders(table) if o.status in ("PAID", "ACCEPTED", "SERVED")]
    expect(page.get_by_role("status").filter(has_text="지금까지 결제")).to_have_text(
        f"지금까지 결제: {sum(o.total for o in paid):,}원 ({len(paid)}건)")

    # The tablet stays signed in across a reload, and the order is still listed.
    page.reload()
    expect(page.get_by_role("article").first).to_contain_text(f"{side.name_ko} × 1")


def test_a_side_dish_alone_is_refused_with_its_name_and_the_cart_is_kept(page: Page, base_url: str):
    side = demo_item("SIDE")
    sign_in(page, base_url, "table2")
    add_to_cart(page, side)
    page.get_by_role("button", name="주문하기").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(side.name_ko)
    expect(alert).to_contain_text("메인 메뉴와 함께")
    expect(page.get_by_role("region", name="cart").get_by_text(side.name_ko, exact=True)).to_be_visible()

    # The same refusal reads in English after one tap.
    page.get_by_role("button", name="Show in English").click()
    expect(page.get_by_role("alert")).to_contain_text("order it with a main dish")
    expect(page.get_by_role("alert")).to_contain_text(side.name_en)
    page.get_by_role("link", name="Our orders").click()
    expect(page.get_by_text("No orders yet.")).to_be_visible()


def test_a_customer_cannot_open_the_admin_pages(page: Page, base_url: str):
    sign_in(page, base_url, "table3")
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()
    page.goto(f"{base_url}/admin")
    expect(page).not_to_have_url(re.compile(r"/admin"))
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()
    expect(page.get_by_role("heading", name="매장 관리")).to_have_count(0)


def test_wrong_password_shows_a_clear_message(page: Page, base_url: str):
    sign_in(page, base_url, "table4", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("올바르지 않아요")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_admin_signs_in_to_the_dashboard_and_signed_out_visitors_are_sent_to_sign_in(admin_page: Page, base_url: str):
    expect(admin_page.get_by_role("heading", name="매출 현황")).to_be_visible()
    admin_page.get_by_role("button", name="로그아웃").click()
    expect(admin_page).to_have_url(re.compile(r"/login$"))
    admin_page.goto(f"{base_url}/admin")
    expect(admin_page).to_have_url(re.compile(r"/login$"))


def test_only_staff_can_sign_a_tablet_out(page: Page, base_url: str):
    sign_in(page, base_url, "table6")
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()
    page.get_by_role("button", name="더보기").click()  # staff actions are not bare buttons for diners
    page.get_by_role("menuitem", name="직원용 로그아웃").click()
    dialog = page.get_by_role("dialog", name="태블릿 로그아웃 (직원용)")

    dialog.get_by_label("관리자 아이디").fill(DEMO_ADMIN[0])
    dialog.get_by_label("관리자 비밀번호").fill("not-the-password")
    dialog.get_by_role("button", name="로그아웃").click()
    expect(dialog.get_by_role("alert")).to_contain_text("관리자 아이디 또는 비밀번호가 올바르지 않아요")
    dialog.get_by_role("button", name="취소").click()
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name="장바구니")).to_be_visible()  # still this table's tablet

    page.get_by_role("button", name="더보기").click()  # staff actions are not bare buttons for diners
    page.get_by_role("menuitem", name="직원용 로그아웃").click()
    dialog.get_by_label("관리자 아이디").fill(DEMO_ADMIN[0])
    dialog.get_by_label("관리자 비밀번호").fill(DEMO_ADMIN[1])
    dialog.get_by_role("button", name="로그아웃").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_the_dashboard_shows_each_periods_sales_from_the_read_model(admin_page: Page, base_url: str):
    admin = service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1]
    expect(admin_page.get_by_role("heading", name="시간대별 매출")).to_be_visible()
    for period, name, chart in (("week", "최근 7일", "일별 매출"), ("month", "최근 30일", "일별 매출"),
                                ("today", "오늘", "시간대별 매출")):
        admin_page.get_by_role("radio", name=name).click()
        expect(admin_page.get_by_role("heading", name=chart)).to_be_visible()
        report = dashboard.sales_report(admin, get_settings().tz, utcnow(), period)
        expect(admin_page.get_by_role("group", name="매출")).to_contain_text(f"{report.revenue:,}원")
        expect(admin_page.get_by_role("group", name="결제 완료 주문")).to_contain_text(f"{report.orders:,}건")
        expect(admin_page.get_by_role("group", name="객단가")).to_contain_text(f"{report.average:,}원")
        best = admin_page.get_by_role("region", name="많이 팔린 메뉴 (매출)")
        expect(best.get_by_role("row")).to_have_count(len(report.top_items) + 1)
        if report.top_items:
            expect(best.get_by_role("row").nth(1)).to_contain_text(report.top_items[0].name_ko)
    # The same page in English.
    admin_page.get_by_role("button", name="English").click()
    expect(admin_page.get_by_role("heading", name="Sales", exact=True)).to_be_visible()
    expect(admin_page.get_by_role("heading", name="Revenue by hour")).to_be_visible()
    today = dashboard.sales_report(admin, get_settings().tz, utcnow(), "today")
    expect(admin_page.get_by_role("group", name="Revenue")).to_contain_text(f"₩{today.revenue:,}")
    expect(admin_page.get_by_role("group", name="Paid orders")).to_contain_text(f"{today.orders:,}")
    admin_page.get_by_role("button", name="한국어").click()
    # The seeded week of history: the week is never empty on the demo store.
    assert dashboard.sales_report(admin, get_settings().tz, utcnow(), "week").orders > 0
