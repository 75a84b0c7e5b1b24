"""A tablet whose server-side state is lost (a new Reflex client token: what a killed ordering process or
Redis restarted empty leaves) gets its cart back from the browser's copy; a tampered copy is ignored."""

from playwright.sync_api import Page, expect

from tests.ui.conftest import sign_in
from tests.ui.menu_lookup import category_name, demo_item

CART_KEY = "hiorder_cart"


def _add(page: Page, item) -> None:
    page.get_by_role("tab", name=category_name(item)).click()
    page.get_by_role("button", name=f"{item.name_ko} 담기").click()


def _lose_server_state(page: Page) -> None:
    """Reload under a new client token: the server holds no state for it, only the browser's storage."""
    page.evaluate("() => window.sessionStorage.removeItem('token')")
    page.reload()


def test_the_cart_comes_back_from_the_browser_and_a_tampered_copy_is_ignored(page: Page, base_url: str):
    main, side = demo_item("MAIN"), demo_item("SIDE")
    sign_in(page, base_url, "table3")
    cart = page.get_by_role("region", name="cart")
    expect(cart.get_by_role("heading", name="장바구니")).to_be_visible()
    _add(page, main)
    _add(page, main)
    _add(page, side)
    expect(cart.get_by_label("cart total")).to_have_text(f"{main.price * 2 + side.price:,}원")
    page.wait_for_function(f"() => (window.localStorage.getItem('{CART_KEY}') || '').includes('\"c\"')")

    _lose_server_state(page)
    expect(cart.get_by_label("cart total")).to_have_text(f"{main.price * 2 + side.price:,}원")
    expect(cart.get_by_text(main.name_ko, exact=True)).to_be_visible()
    # Still this table's signed-in tablet, which goes on changing the restored cart.
    expect(page.get_by_text("테이블 3", exact=True)).to_be_visible()
    page.get_by_role("button", name=f"{side.name_ko} 삭제").click()
    expect(cart.get_by_label("cart total")).to_have_text(f"{main.price * 2:,}원")

    # A copy the browser changed (a price, an unknown field, a quantity past any limit) is dropped whole.
    saved = page.evaluate(f"() => window.localStorage.getItem('{CART_KEY}')")
    for tampered in ["garbage", saved.replace('"c":', '"price":0,"c":'), saved.replace(":2}", ":500}")]:
        page.evaluate("([key, value]) => window.localStorage.setItem(key, value)", [CART_KEY, tampered])
        _lose_server_state(page)
        expect(page.get_by_text("테이블 3", exact=True)).to_be_visible()
        expect(cart.get_by_text("메뉴를 골라 담아 주세요.")).to_be_visible()
        page.wait_for_function(f"() => !window.localStorage.getItem('{CART_KEY}')")
