"""Paying through the sandbox provider's hosted checkout, in real Chromium."""

import re

import httpx
from playwright.sync_api import Page, expect

from hiorder_app.settings import get_settings
from tests.conftest import SANDBOX_AUTH
from tests.ui.conftest import pay_at_checkout, sign_in
from tests.ui.menu_lookup import category_name, demo_item, limited_item, orders_of_table, stock_of


def add(page: Page, item) -> None:
    page.get_by_role("tab", name=category_name(item)).click()
    page.get_by_role("button", name=f"{item.name_ko} 담기").click()


def test_cancel_at_checkout_cancels_the_order_returns_stock_and_keeps_the_cart(page: Page, base_url: str):
    item = limited_item()
    before = stock_of(item.id)
    sign_in(page, base_url, "table5")
    add(page, item)
    page.get_by_role("button", name="주문하기").click()
    expect(page).to_have_url(re.compile(r"/checkout\?"))
    assert stock_of(item.id) == before - 1  # held while the diner pays

    pay_at_checkout(page, "취소 / Cancel")

    expect(page).to_have_url(re.compile(r"/pay/fail"))
    expect(page.get_by_role("alert")).to_contain_text("장바구니는 그대로예요")
    assert stock_of(item.id) == before
    assert orders_of_table(5)[-1].status == "CANCELLED"
    page.get_by_role("link", name="장바구니로 돌아가기").click()
    expect(page.get_by_role("region", name="cart").get_by_text(item.name_ko, exact=True)).to_be_visible()


def test_double_taps_make_one_order_and_one_payment(page: Page, base_url: str, sandbox_url: str):
    main = demo_item("MAIN")
    sign_in(page, base_url, "table6")
    add(page, main)
    before = len(orders_of_table(6))
    page.get_by_role("button", name="주문하기").dblclick()
    expect(page).to_have_url(re.compile(r"/checkout\?"))
    page.get_by_role("button", name="결제하기 / Pay").dblclick()

    expect(page).to_have_url(re.compile(r"/orders$"))
    expect(page.get_by_role("article").first).to_contain_text("결제 완료")
    orders = orders_of_table(6)[before:]
    assert [o.status for o in orders] == ["PAID"]
    ledger = httpx.get(f"{sandbox_url}/sandbox/payments", headers=SANDBOX_AUTH).json()["payments"]
    mine = [p for p in ledger if p["orderId"] == orders[0].payment_ref]
    assert [p["status"] for p in mine] == ["DONE"]

    # Reloading the success page (a replayed redirect) charges nothing more and changes nothing.
    page.go_back()
    expect(page.get_by_role("heading", name="우리 테이블 주문 내역")).to_be_visible()
    assert [o.status for o in orders_of_table(6)[before:]] == ["PAID"]
    ledger = httpx.get(f"{sandbox_url}/sandbox/payments", headers=SANDBOX_AUTH).json()["payments"]
    assert len([p for p in ledger if p["orderId"] == orders[0].payment_ref and p["status"] == "DONE"]) == 1


def test_a_declined_card_cancels_the_order_and_says_so(page: Page, base_url: str, sandbox_faults):
    main = demo_item("MAIN")
    sandbox_faults(decline_rate=1.0)
    sign_in(page, base_url, "table5")
    add(page, main)
    page.get_by_role("button", name="주문하기").click()
    pay_at_checkout(page)
    expect(page.get_by_role("alert")).to_contain_text("결제가 승인되지 않았어요")
    assert orders_of_table(5)[-1].status == "CANCELLED"


def test_overload_shows_the_fallback_stores_nothing_and_recovers(page: Page, base_url: str, monkeypatch):
    main = demo_item("MAIN")
    sign_in(page, base_url, "table6")
    add(page, main)
    before = len(orders_of_table(6))
    # Forced overload: no placement may be in flight, so every new one is shed at once.
    monkeypatch.setenv("ORDER_MAX_IN_FLIGHT", "0")
    get_settings.cache_clear()
    try:
        page.get_by_role("button", name="주문하기").click()
        expect(page).to_have_url(re.compile(r"/busy$"))
        expect(page.get_by_role("heading", name="주문이 많아 잠시 후 다시 주문해 주세요")).to_be_visible()
        expect(page.get_by_role("timer")).to_contain_text("초 후에 다시 주문할 수 있어요")
        assert len(orders_of_table(6)) == before
        # Browsing still works and the cart is kept.
        page.get_by_role("link", name="메뉴 보기").click()
        expect(page.get_by_role("region", name="cart").get_by_text(main.name_ko, exact=True)).to_be_visible()
        page.go_back()
    finally:
        monkeypatch.delenv("ORDER_MAX_IN_FLIGHT")
        get_settings.cache_clear()
    retry = page.get_by_role("button", name="다시 주문하기")
    expect(retry).to_be_enabled()
    retry.click()
    expect(page).to_have_url(re.compile(r"/checkout\?"))
    assert len(orders_of_table(6)) == before + 1


def test_the_payment_is_confirmed_before_the_tablets_page_loads(page: Page, base_url: str):
    """The provider's redirect lands on the backend, which confirms; the tablet's page is asked for only
    after that, so the kitchen has the order while the app is still loading."""
    main = demo_item("MAIN")
    sign_in(page, base_url, "table7")
    add(page, main)
    before = len(orders_of_table(7))
    returns: list[tuple[int, str, list[str]]] = []

    def on_response(response):
        # The backend's answer to the provider's redirect: the tablet's page has not been asked for yet.
        if "/_pay/return?" in response.url:
            returns.append((response.status, response.headers.get("location", ""),
                            [o.status for o in orders_of_table(7)[before:]]))

    page.on("response", on_response)
    page.get_by_role("button", name="주문하기").click()
    pay_at_checkout(page)

    expect(page).to_have_url(re.compile(r"/orders$"))
    assert len(returns) == 1, returns
    status, location, orders = returns[0]
    assert status == 303 and location.startswith(f"{base_url}/pay/success?")
    assert orders == ["PAID"]
