"""The tablet's pages on a phone-sized screen (390x844): the cart stays one tap away."""

import pytest
from playwright.sync_api import Browser, expect

from tests.ui.conftest import sign_in
from tests.ui.menu_lookup import category_name, demo_item


# Kept running, not skipped: it reports XPASS the day the bar is fixed. Tried: moving the fixed layer from the
# link to a wrapping box did not help; next suspect is horizontal overflow widening the layout viewport.
@pytest.mark.xfail(strict=False, reason="known defect, open: a menu card's image intercepts the tap on the fixed "
                   "cart bar (z-index 20); cause not found yet")
def test_on_a_phone_the_cart_bar_leads_to_the_cart(browser: Browser, base_url: str):
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    main = demo_item("MAIN")
    sign_in(page, base_url, "table4")
    page.get_by_role("tab", name=category_name(main)).click()
    page.get_by_role("button", name=f"{main.name_ko} 담기").tap()

    bar = page.get_by_role("link", name="장바구니 보기")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(f"{main.price:,}원")
    bar.tap()
    expect(page.get_by_role("button", name="주문하기")).to_be_in_viewport()
    expect(page.get_by_role("region", name="cart").get_by_text(main.name_ko, exact=True)).to_be_visible()
