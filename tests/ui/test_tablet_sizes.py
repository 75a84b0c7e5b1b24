"""What a diner taps is at least 44 px each way, and Korean text breaks between words, never inside one:
measured in Chromium on a phone (390x844) and a tablet (1280x800), on the menu with a cart, the item dialog,
the header's menu and 주문 내역."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import sign_in
from tests.ui.menu_lookup import category_name, demo_item

MIN = 44
TAPPABLE = ("button", "link", "tab", "menuitem", "checkbox", "textbox")

# Words split over two lines: for each word of every text node, its characters' line boxes. A word wider
# than its box may still break (overflow-wrap: anywhere is the safety valve), so those are left out.
SPLIT_WORDS = """() => {
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const box = node.parentElement;
    if (!box || !box.closest('.tablet-ui') || !box.getClientRects().length) continue;
    const width = box.getBoundingClientRect().width;
    for (const m of node.textContent.matchAll(/[가-힣]+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1 && range.getBoundingClientRect().width < width) split.push(m[0]);
    }
  }
  return split;
}"""


def too_small(page: Page) -> list[tuple[str, str, float, float]]:
    """Every visible tappable control smaller than MIN px: a checkbox counts with its label (the tap target)."""
    small = []
    for role in TAPPABLE:
        for control in page.get_by_role(role).all():
            if not control.is_visible():
                continue
            target = control.locator("xpath=ancestor::label[1]") if role == "checkbox" else control
            box = (target if target.count() else control).bounding_box()
            if box and (round(box["width"]) < MIN or round(box["height"]) < MIN):  # subpixel layout
                name = control.get_attribute("aria-label") or control.inner_text()[:30]
                small.append((role, name, round(box["width"]), round(box["height"])))
    return small


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}],
                         ids=["phone", "tablet"])
def test_every_tappable_control_is_44px_and_words_stay_whole(browser: Browser, base_url: str, viewport):
    context = browser.new_context(viewport=viewport, is_mobile=viewport["width"] < 600,
                                  has_touch=True)
    page = context.new_page()
    main, side = demo_item("MAIN"), demo_item("SIDE")
    sign_in(page, base_url, "table4")
    page.get_by_role("tab", name=category_name(main)).click()
    page.get_by_role("button", name=f"{main.name_ko} 담기").click()
    page.get_by_role("tab", name=category_name(side)).click()
    page.get_by_role("button", name=f"{side.name_ko} 담기").click()
    expect(page.get_by_role("button", name=f"{main.name_ko} 하나 더")).to_be_attached()
    page.get_by_role("region", name="cart").scroll_into_view_if_needed()
    assert too_small(page) == []
    assert page.evaluate(SPLIT_WORDS) == []

    page.get_by_role("button", name="알레르기 필터").click()  # its choices are checkboxes
    expect(page.get_by_role("checkbox").first).to_be_visible()
    assert too_small(page) == []
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="메인 요리").click()
    page.get_by_role("button", name="김치찌개 담기").click()  # a dish with options opens its dialog
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("group", name="맵기")).to_be_visible()
    dialog.evaluate("d => Promise.all(d.getAnimations({subtree: true}).map(a => a.finished))")  # opened, not zooming
    assert too_small(page) == []
    assert page.evaluate(SPLIT_WORDS) == []
    dialog.get_by_role("button", name="닫기").click()
    expect(dialog).to_have_count(0)

    page.get_by_role("button", name="더보기").click()
    expect(page.get_by_role("menuitem", name="직원용 로그아웃")).to_be_visible()
    page.get_by_role("menu").evaluate(  # opened, not zooming in (CI measured 43 px mid-animation)
        "m => Promise.all(m.getAnimations({subtree: true}).map(a => a.finished))")
    assert too_small(page) == []
    page.keyboard.press("Escape")

    page.get_by_role("link", name="주문 내역").click()
    expect(page.get_by_role("heading", name="우리 테이블 주문 내역")).to_be_visible()
    assert too_small(page) == []
    assert page.evaluate(SPLIT_WORDS) == []
    context.close()
