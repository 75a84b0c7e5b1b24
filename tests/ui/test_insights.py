"""Insights in Chromium: the admin's ranges (a custom one too), charts and CSV downloads; the tablet's
"goes well with" offering a side for the main in the cart, added in one tap."""

import csv
import io
import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.auth.sessions import sign_in as service_sign_in
from hiorder_app.services.read_models import dashboard, recommendations
from hiorder_app.services.read_models.menu import get_menu
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE
from hiorder_app.services.store_admin import menu as admin_menu
from hiorder_app.settings import get_settings
from tests.ui.conftest import sign_in
from tests.ui.menu_lookup import category_name, demo_item


def _report(period: str, **extra):
    admin = service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1]
    return dashboard.sales_report(admin, get_settings().tz, utcnow(), period, **extra)


def _csv_rows(download) -> list[list[str]]:
    data = open(download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_admin_switches_ranges_sees_the_charts_and_downloads_the_csv(admin_page: Page):
    page = admin_page
    expect(page.get_by_role("heading", name="시간대별 매출")).to_be_visible()
    for name, period in (("이번 달", "this_month"), ("지난 달", "last_month"), ("최근 7일", "week")):
        page.get_by_role("radio", name=name).click()
        report = _report(period)
        expect(page.get_by_label("range")).to_have_text(f"{report.first_day} – {report.last_day}")
        expect(page.get_by_role("group", name="매출")).to_contain_text(f"{report.revenue:,}원")
    expect(page.get_by_role("heading", name="일별 매출")).to_be_visible()
    expect(page.locator(".recharts-bar-rectangle").first).to_be_attached()  # the bars are drawn
    expect(page.get_by_role("figure", name="요일·시간대별 주문 수")).to_be_visible()

    # A custom range of the last three days of the seeded week.
    today = utcnow().astimezone(get_settings().tz).date()
    first, last = today - timedelta(days=3), today - timedelta(days=1)
    page.get_by_role("radio", name="직접 선택").click()
    page.get_by_label("시작일").fill(first.isoformat())
    page.get_by_label("종료일").fill(last.isoformat())
    page.get_by_role("button", name="조회").click()
    report = _report("custom", first=first, last=last)
    expect(page.get_by_label("range")).to_have_text(f"{first} – {last}")
    expect(page.get_by_role("group", name="결제 완료 주문")).to_contain_text(f"{report.orders:,}건")
    assert report.orders > 0, "the seeded week has orders on these days"
    by_category = page.get_by_role("region", name="카테고리별")
    expect(by_category.get_by_role("row")).to_have_count(len(report.categories) + 1)

    with page.expect_download() as figures:
        page.get_by_role("button", name="매출 CSV").click()
    rows = _csv_rows(figures.value)
    assert rows[0] == ["구분", "항목", "주문 수", "수량", "매출"]
    assert ["기간", f"{first}~{last}", str(report.orders), "", str(report.revenue)] in rows
    assert [r for r in rows if r[0] == "추이"] == [["추이", b.key, str(b.orders), "", str(b.revenue)]
                                                  for b in report.series]
    assert [r[1] for r in rows if r[0] == "추이"][0] == first.isoformat()

    with page.expect_download() as orders:
        page.get_by_role("button", name="주문 CSV").click()
    rows = _csv_rows(orders.value)
    assert rows[0] == ["주문 번호", "결제 시각", "테이블", "상태", "금액", "메뉴"]
    paid = [r for r in rows[1:] if r[3] != "취소됨"]
    assert len(paid) == report.orders and sum(int(r[4]) for r in paid) == report.revenue
    assert all(first <= date.fromisoformat(r[1][:10]) <= last for r in rows[1:])


def test_a_main_in_the_cart_is_offered_a_side_that_goes_with_it_added_in_one_tap(page: Page, base_url: str):
    main = demo_item("MAIN")
    menu = get_menu(main.store_id)
    offerable = {i.id for i in menu.items if not i.sold_out}
    expected = recommendations.pick(recommendations.rank_partners(menu.partners, {main.id}), menu.featured,
                                    offerable - {main.id})
    names = {i.id: (i.name_ko, i.kind) for i in menu.items}
    sides = [names[i][0] for i in expected if names[i][1] == "SIDE"]
    assert sides, f"the seeded visits pair {main.name_ko} with a side: {[names[i] for i in expected]}"

    sign_in(page, base_url, "table2")
    page.get_by_role("tab", name=category_name(main)).click()
    page.get_by_role("button", name=f"{main.name_ko} 담기").click()
    cart = page.get_by_role("region", name="cart")
    offer = cart.get_by_role("region", name="함께 주문하면 좋아요")
    expect(offer).to_contain_text(re.compile("|".join(map(re.escape, sides))))
    # (the app's per-store cache may be a minute older than this test's look-up: any of the sides will do)
    side_ko = next(name for name in sides if name in offer.inner_text())

    offer.get_by_role("button", name=f"추천 {side_ko} 바로 담기").click()  # one tap
    expect(cart.get_by_role("button", name=f"{side_ko} 하나 빼기")).to_be_visible()  # now a cart line
    expect(offer).not_to_contain_text(side_ko)  # what is in the cart is not offered again
    # The menu's own "popular now" strip never offers what the cart holds.
    expect(page.get_by_role("region", name="지금 인기")).not_to_contain_text(main.name_ko)


def test_admin_marks_an_item_featured_for_tablets(admin_page: Page, base_url: str):
    page = admin_page
    item = demo_item("DRINK", featured=False)
    admin = service_sign_in(DEMO_STORE_CODE, *DEMO_ADMIN, "ui-test")[1]

    def featured() -> bool:
        return next(i.featured for i in admin_menu.list_menu(admin).items if i.id == item.id)

    page.goto(f"{base_url}/admin/menu")
    page.get_by_role("button", name=f"{item.name_ko} 추천 메뉴로 표시").click()
    expect(page.get_by_role("button", name=f"{item.name_ko} 추천 해제")).to_be_visible()
    assert featured()
    page.get_by_role("button", name=f"{item.name_ko} 추천 해제").click()
    expect(page.get_by_role("button", name=f"{item.name_ko} 추천 메뉴로 표시")).to_be_visible()
    assert not featured()
