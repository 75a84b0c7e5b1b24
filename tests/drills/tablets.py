"""A table's tablet and the store's board in real Chromium, reached through the cluster's proxy by host
name, driven by what a person sees (roles, labels, texts), as tests/ui does."""

import re
import time
from collections import Counter
from collections.abc import Iterable

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from tests.drills.records import MenuPick

CHECKOUT = re.compile(r"/checkout\?")
PAID_PAGE = re.compile(r"/orders$")
# The app's answer to an error that is not a refusal (domain/messages.py 'service.retry').
RETRY_TEXT = "잠시 후 다시 시도해 주세요"
PAYMENT_DELAYED_TEXT = "결제가 잠시 지연되고 있어요"


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("매장 코드").fill(DEMO_STORE_CODE)
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


class Tablet:
    def __init__(self, page: Page, base_url: str, number: int):
        self.page, self.base_url, self.number = page, base_url, number

    def sign_in(self) -> "Tablet":
        sign_in(self.page, self.base_url, f"table{self.number}", DEMO_TABLE_PASSWORD)
        return self

    def client_token(self) -> str:
        """Reflex's id for this tab's state (the event socket carries it), not the sign-in token."""
        return self.page.evaluate("() => window.sessionStorage.getItem('token')") or ""

    def expect_menu(self, timeout: float = 20_000) -> None:
        """Signed in as this table, the menu and the cart on screen."""
        expect(self.page.get_by_text(f"테이블 {self.number}", exact=True)).to_be_visible(timeout=timeout)
        expect(self.page.get_by_role("tab").first).to_be_visible(timeout=timeout)
        expect(self.cart.get_by_role("heading", name="장바구니")).to_be_visible(timeout=timeout)

    @property
    def cart(self):
        return self.page.get_by_role("region", name="cart")

    def add_button(self, item: MenuPick):
        """The menu card's "add" (exact: the recommendations strip has its own "추천 메뉴 ... 담기")."""
        return self.page.get_by_role("button", name=f"{item.name} 담기", exact=True)

    def add(self, item: MenuPick) -> None:
        self.page.get_by_role("tab", name=item.category).click()
        self.add_button(item).click()

    def cart_contents(self) -> dict[str, int]:
        """What the cart on screen holds: item name -> quantity (the number between its - and + buttons). Read
        again after the page's own reload (a tablet whose state was lost reloads to restore it)."""
        for attempt in range(20):
            try:
                pairs = self.cart.evaluate(
                    "cart => [...cart.querySelectorAll('button[aria-label$=\" 하나 빼기\"]')]"
                    ".map(less => [less.getAttribute('aria-label').slice(0, -6),"
                    " less.nextElementSibling?.textContent])")
                break
            except PlaywrightError as exc:
                if "Execution context was destroyed" not in str(exc) or attempt == 19:
                    raise
                self.page.wait_for_timeout(250)
        return {name: int(qty) for name, qty in pairs if qty and qty.isdigit()}

    def wait_cart_change(self, shown: dict[str, int], timeout: float = 20) -> dict[str, int]:
        """Wait until the cart on screen is no longer `shown` (a tap answered); what it holds then."""
        deadline = time.monotonic() + timeout
        while (seen := self.cart_contents()) == shown and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
        return seen

    def wait_cart(self, wanted: dict[MenuPick, int], timeout: float = 15) -> dict[str, int]:
        """Wait until the cart holds exactly `wanted`; what it holds then (compare it to fail clearly)."""
        names = {item.name: qty for item, qty in wanted.items()}
        deadline = time.monotonic() + timeout
        while (seen := self.cart_contents()) != names and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
        return seen

    @property
    def place_order_button(self):
        return self.page.get_by_role("button", name="주문하기")

    def place_order(self) -> None:
        self.place_order_button.click()

    def pay(self, timeout: float = 30_000) -> None:
        """On the provider's checkout page (pay.localhost), press Pay."""
        expect(self.page).to_have_url(CHECKOUT, timeout=timeout)
        self.page.get_by_role("button", name="결제하기 / Pay").click()

    def expect_paid(self, timeout: float = 30_000) -> None:
        """Back from the provider, the payment confirmed: the table's orders page."""
        expect(self.page).to_have_url(PAID_PAGE, timeout=timeout)

    def to_menu(self) -> None:
        self.page.get_by_role("link", name="메뉴", exact=True).click()
        expect(self.page).to_have_url(re.compile(r"localhost:\d+/$"))

    def describe(self) -> str:
        """The page in a few words, for a failure message: where it is, its order button, its messages."""
        button = self.place_order_button
        if not button.count():
            state = "no order button"
        else:
            state = "the order button disabled" if button.first.is_disabled() else "the order button enabled"
        messages = self.page.get_by_role("alert").all_inner_texts() + self.page.get_by_role("listitem").filter(
            has_text=re.compile(r"\S")).all_inner_texts()
        return f"{self.page.url.split('?')[0]}, {state}, messages {messages}, cart {self.cart_contents()}"

    def notice(self, text: str | re.Pattern):
        """A message anywhere on the page: the cart's alert, the payment page's, or a toast."""
        return self.page.get_by_text(text).first


def order_and_pay(tablets: list[Tablet], item: MenuPick, rounds: int) -> None:
    """Every tablet orders `item` and pays for it, `rounds` times, all tablets in step: each step is
    started on every tablet before waiting on any, so the backends serve them at once."""
    for _ in range(rounds):
        for tablet in tablets:
            tablet.add(item)
            tablet.place_order()
        for tablet in tablets:
            tablet.pay()
        for tablet in tablets:
            tablet.expect_paid()
            tablet.to_menu()


class Board:
    LABEL = re.compile(r"^\d+번 테이블 주문 #(\d+)$")

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url

    def open(self) -> None:
        sign_in(self.page, self.base_url, *DEMO_ADMIN)
        expect(self.page).to_have_url(re.compile(r"/admin$"))
        self.page.get_by_role("link", name="주문 현황").click()
        self.expect_live()

    def expect_live(self, timeout: float = 20_000) -> None:
        expect(self.page.get_by_text("실시간", exact=True)).to_be_visible(timeout=timeout)

    def order_ids(self) -> Counter:
        """How many cards each order has on the board right now (none while it reloads itself: a board whose
        state was lost, Redis restarted empty, reloads to hydrate again)."""
        try:
            labels = self.page.get_by_role("article").evaluate_all(
                "cards => cards.map(card => card.getAttribute('aria-label'))")
        except PlaywrightError as exc:
            if "Execution context was destroyed" not in str(exc):
                raise
            return Counter()
        return Counter(int(m.group(1)) for label in labels if label and (m := self.LABEL.match(label)))

    def wait_for(self, order_ids: Iterable[int], timeout: float) -> tuple[Counter, float]:
        """Wait until every order has a card (the board as it is then, and the seconds it took)."""
        wanted, started = set(order_ids), time.monotonic()
        while True:
            seen = self.order_ids()
            if wanted <= set(seen) or time.monotonic() - started > timeout:
                return seen, time.monotonic() - started
            self.page.wait_for_timeout(200)
