"""The tablet's pages on a phone-sized screen (390x844): nothing wider than the screen, the cart one tap
away, the header on one row with staff actions behind a menu, and category tabs that say they scroll."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import sign_in
from tests.ui.menu_lookup import category_name, demo_item

PHONE = {"width": 390, "height": 844}

# What the page measures: its layout viewport against the visible one, and what a tap at the middle of
# the cart bar would land on.
MEASURE = """() => {
  const bar = [...document.querySelectorAll('a')].find(a => a.textContent.includes('장바구니 보기'));
  const r = bar ? bar.getBoundingClientRect() : null;
  const hit = r ? document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) : null;
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          visibleWidth: window.visualViewport.width, barBottom: r && r.bottom, barHit: !!(hit && bar.contains(hit))};
}"""


@pytest.fixture
def phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_on_a_phone_the_cart_bar_leads_to_the_cart(phone: Page, base_url: str):
    """It used to sit under a menu card's image: the tabs row with the allergen filter beside it was wider
    than the phone, which widened the layout viewport (547x1184 for 390x844) that fixed elements are placed
    in, so the bar was laid out below the visible screen and a tap there hit the menu instead."""
    page, main = phone, demo_item("MAIN")
    sign_in(page, base_url, "table4")
    page.get_by_role("tab", name=category_name(main)).click()
    page.get_by_role("button", name=f"{main.name_ko} 담기").tap()

    bar = page.get_by_role("link", name="장바구니 보기")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(f"{main.price:,}원")
    measured = page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= measured["innerWidth"] == PHONE["width"], measured
    assert measured["barBottom"] <= PHONE["height"] and measured["barHit"], measured
    bar.tap()
    expect(page.get_by_role("button", name="주문하기")).to_be_in_viewport()
    expect(page.get_by_role("region", name="cart").get_by_text(main.name_ko, exact=True)).to_be_visible()


def test_on_a_phone_the_header_is_one_row_and_staff_actions_are_behind_a_menu(phone: Page, base_url: str):
    page = phone
    sign_in(page, base_url, "table4")
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="주문 내역")).to_be_visible()
    box = header.bounding_box()
    assert box["height"] <= 72, box  # one row of 44 px controls and its padding (it took 158 px on two rows)
    tops = {name: header.get_by_role(role, name=name).bounding_box()["y"]
            for role, name in (("link", "메뉴"), ("link", "주문 내역"), ("button", "직원 호출"), ("button", "더보기"))}
    assert max(tops.values()) - min(tops.values()) < 8, tops
    for page_name in ("/", "/orders"):
        page.goto(base_url + page_name)
        expect(page.get_by_role("banner").get_by_role("button", name="더보기")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page_name
        expect(page.get_by_role("button", name="직원용 로그아웃")).to_have_count(0)

    page.get_by_role("button", name="더보기").click()
    expect(page.get_by_role("menuitem", name="직원용 로그아웃")).to_be_visible()
    page.get_by_role("menuitem", name="Show in English").click()  # the language is in the menu on a phone
    expect(page.get_by_role("heading", name="Our table's orders")).to_be_visible()
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="한국어로 보기").click()
    expect(page.get_by_role("heading", name="우리 테이블 주문 내역")).to_be_visible()


def scroll_with(arrow, at_most: int) -> None:
    """Tap a tab row's arrow until it goes away (the row's edge reached); at most `at_most` taps."""
    for _ in range(at_most):
        arrow.tap()
        try:
            expect(arrow).to_be_hidden(timeout=1500)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the arrow was still shown after {at_most} taps")


def test_category_tabs_that_scroll_say_so(phone: Page, base_url: str, browser: Browser):
    page = phone
    sign_in(page, base_url, "table4")
    tabs = page.get_by_role("tab")
    expect(tabs.first).to_be_visible()
    last = tabs.last
    more = page.get_by_role("button", name="다음 카테고리 보기")
    back = page.get_by_role("button", name="이전 카테고리 보기")
    expect(last).not_to_be_in_viewport(ratio=1)  # the last tab is cut off at the edge...
    expect(more).to_be_visible()  # ...under a fade and an arrow that says there is more
    expect(back).to_be_hidden()

    # Each tap moves the row by 240 px; other tests may have added categories, so tap until the end.
    scroll_with(more, tabs.count())
    # The arrow goes within 1 px of the edge, and tab widths are fractional: "whole" means within a pixel.
    expect(last).to_be_in_viewport(ratio=0.95)
    expect(back).to_be_visible()
    scroll_with(back, tabs.count())
    expect(tabs.first).to_be_in_viewport(ratio=0.95)

    # On a tablet the demo's tabs fit: no arrow. (Earlier tests may have added enough categories that they
    # do not; then the arrow must be there.)
    wide = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(wide, base_url, "table4")
    expect(wide.get_by_role("tab").first).to_be_visible()
    wide_more = wide.get_by_role("button", name="다음 카테고리 보기")
    overflows = wide.get_by_role("tablist").first.evaluate("t => t.scrollWidth > t.clientWidth + 1")
    if overflows:
        expect(wide_more).to_be_visible()
    else:
        expect(wide.get_by_role("tab").last).to_be_in_viewport(ratio=0.95)
        expect(wide_more).to_be_hidden()
    wide.context.close()
