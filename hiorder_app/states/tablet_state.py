"""The diner's tablet: menu, cart, placing an order, and this table's orders."""

import asyncio
import logging
import time
from dataclasses import asdict

import reflex as rx

from ..domain.errors import DomainError
from ..domain.events import RESYNC
from ..domain.order_rules import is_sold_out
from ..domain.order_status import PAID_STATUSES, label
from ..services.events import live_hub
from ..services.ordering import staff_calls
from ..services.ordering.overload import OrderingBusy
from ..services.payments import checkout as payments
from ..services.principal import Principal
from ..services.read_models import menu as menu_service
from ..services.read_models import order_views
from ..services.read_models import staff_calls as calls
from . import live_view
from .boundary import TABLE, blocking, event, page
from .formatting import pick, store_time, won
from .inputs import Key
from .session_state import SessionState

log = logging.getLogger(__name__)


class TabletState(SessionState):
    store_name_ko: str = ""
    store_name_en: str = ""
    categories: list[dict] = []
    items: list[dict] = []
    category_id: str = ""
    # item id (as text, for JSON) -> quantity; survives a refused order so nothing is retyped.
    cart: dict[str, int] = {}
    detail_id: str = ""
    orders: list[dict] = []
    notice_ko: str = ""
    notice_en: str = ""
    # Set while a checkout is being started, so a double tap never places two orders.
    placing: bool = False
    busy_left: int = 0
    staff_called: bool = False

    def _recover(self) -> None:
        self.placing = False  # the cart is kept: the diner only taps again

    # ---- loading -------------------------------------------------------------------------------------
    def _refresh_menu(self, principal: Principal) -> None:
        self._show_menu(menu_service.get_menu(principal.store_id))

    def _show_menu(self, view: menu_service.MenuView) -> None:
        self.store_name_ko, self.store_name_en = view.store_name_ko, view.store_name_en
        self.categories = [asdict(c) | {"key": str(c.id)} for c in view.categories]
        self.items = [asdict(i) | {"key": str(i.id), "category_key": str(i.category_id)} for i in view.items]
        known = {c["key"] for c in self.categories}
        if self.category_id not in known:
            self.category_id = self.categories[0]["key"] if self.categories else ""
        # Items that left the menu also leave the cart.
        on_sale = {i["key"] for i in self.items}
        self.cart = {k: q for k, q in self.cart.items() if k in on_sale}

    def _apply_stock(self, stock: dict[str, int]) -> None:
        """New counts carried by order events (item id -> left), applied in place."""
        if not any(i["key"] in stock for i in self.items):
            return
        self.items = [i | {"stock": stock[i["key"]], "sold_out": is_sold_out(i["marked_sold_out"], stock[i["key"]])}
                      if i["key"] in stock else i for i in self.items]

    def _refresh_orders(self, principal: Principal) -> None:
        self._show_orders(*_table_news(principal))

    def _show_orders(self, orders: list, staff_called: bool) -> None:
        self.orders = [
            {"id": o.id, "status": o.status, "total": o.total, "created_at": store_time(o.created_at),
             "lines": [asdict(ln) for ln in o.lines]}
            for o in orders
        ]
        self.staff_called = staff_called

    @page(TABLE)
    def load_menu(self, principal: Principal):
        self.placing = False
        self._refresh_menu(principal)

    @page(TABLE)
    def load_orders(self, principal: Principal):
        self._refresh_orders(principal)

    @page(TABLE, background=True)
    async def follow(self, principal: Principal):
        """Live updates for this tablet while the page is open. Started from on_load, so Reflex
        cancels it when the diner leaves; it waits on this process's hub, not on Redis itself. Before
        anything new is shown, and at least every SESSION_CHECK_SECONDS, the session is checked again:
        a tablet signed out by staff, or whose session expired, stops and forgets what it showed. A
        failed round (the database restarting) is retried as a full reload after a short pause."""
        queue = live_hub.hub.subscribe(principal.store_id)
        checked, behind, failures = time.monotonic(), False, 0
        try:
            while True:
                events = await live_view.next_batch(queue, 0 if behind else live_view.until_check(checked))
                if behind:
                    events.append({"type": RESYNC})
                kinds = {e.get("type") for e in events}
                mine = {e.get("type") for e in events if e.get("payload", {}).get("table_id") == principal.table_id}
                menu = bool(kinds & {"MenuChanged", RESYNC})
                orders = bool(mine - {"StaffCalled"}) or RESYNC in kinds
                stock: dict[str, int] = {}  # any table's order that took or gave back limited stock
                for e in events:
                    stock |= e.get("payload", {}).get("stock_left") or {}
                news = menu or orders or bool(stock)
                if not news and live_view.until_check(checked) > 0:
                    continue  # other tables' news: this tablet's state is not even loaded
                try:
                    if await self._principal_in_background() is None:
                        return
                    checked, behind, failures = time.monotonic(), False, 0
                    if news:
                        await self._show_news(principal, menu, orders, stock, "TableCleared" in mine)
                    failures = live_view.recovered(log, "tablet", failures)
                except Exception as exc:
                    failures = live_view.failed(log, "tablet", failures, exc)
                    behind = True
                    await asyncio.sleep(live_view.RETRY_SECONDS)
        finally:
            live_hub.hub.unsubscribe(principal.store_id, queue)

    async def _show_news(self, principal: Principal, menu: bool, orders: bool, stock: dict[str, int],
                         cleared: bool) -> None:
        # Read outside the state lock and off the event loop; only the writes hold the lock.
        view = await blocking(menu_service.get_menu, principal.store_id) if menu else None
        table = await blocking(_table_news, principal) if orders else None
        async with self:
            if view is not None:
                self._show_menu(view)
            elif stock:
                self._apply_stock(stock)
            if cleared:
                self.cart, self.notice_ko, self.notice_en = {}, "", ""
            if table is not None:
                self._show_orders(*table)

    @event(TABLE)
    def call_staff(self, principal: Principal):
        staff_calls.call_staff(principal)
        self.staff_called = True

    # ---- views ----------------------------------------------------------------------------------------
    @rx.var
    def store_name(self) -> str:
        return pick(self.lang, self.store_name_ko, self.store_name_en)

    @rx.var
    def category_tabs(self) -> list[dict]:
        return [{"key": c["key"], "name": pick(self.lang, c["name_ko"], c["name_en"])} for c in self.categories]

    def _item_view(self, i: dict) -> dict:
        name = pick(self.lang, i["name_ko"], i["name_en"])
        en = self.lang == "en"
        return {
            "add_label": f"Add {name}" if en else f"{name} 담기",
            "detail_label": f"About {name}" if en else f"{name} 자세히 보기",
            "key": i["key"], "image": i["image"], "popular": i["popular"], "sold_out": i["sold_out"],
            "once": i["once_per_table"], "kind": i["kind"],
            "name": name,
            "description": pick(self.lang, i["description_ko"], i["description_en"]),
            "price": won(i["price"], self.lang),
            # Shown only when few are left, so diners order before it runs out.
            "left_label": "" if i["stock"] is None or i["stock"] > 5 or i["sold_out"] or i["stock"] <= 0
            else (f"Only {i['stock']} left" if en else f"남은 수량 {i['stock']}개"),
            "in_cart": self.cart.get(i["key"], 0),
        }

    @rx.var
    def visible_items(self) -> list[dict]:
        return [self._item_view(i) for i in self.items if i["category_key"] == self.category_id]

    @rx.var
    def recommended(self) -> list[dict]:
        return [self._item_view(i) for i in self.items if i["popular"] and not i["sold_out"]]

    @rx.var
    def detail(self) -> dict:
        found = next((i for i in self.items if i["key"] == self.detail_id), None)
        return self._item_view(found) if found else {}

    @rx.var
    def cart_lines(self) -> list[dict]:
        by_key = {i["key"]: i for i in self.items}
        lines = []
        for key, qty in self.cart.items():
            item = by_key.get(key)
            if item is not None:
                name = pick(self.lang, item["name_ko"], item["name_en"])
                en = self.lang == "en"
                lines.append({
                    "key": key, "qty": qty, "name": name, "amount": won(item["price"] * qty, self.lang),
                    "more_label": f"One more {name}" if en else f"{name} 하나 더",
                    "less_label": f"One less {name}" if en else f"{name} 하나 빼기",
                    "remove_label": f"Remove {name}" if en else f"{name} 삭제",
                })
        return lines

    @rx.var
    def cart_count(self) -> int:
        return sum(self.cart.values())

    @rx.var
    def cart_total(self) -> str:
        by_key = {i["key"]: i["price"] for i in self.items}
        return won(sum(by_key.get(k, 0) * q for k, q in self.cart.items()), self.lang)

    @rx.var
    def order_cards(self) -> list[dict]:
        return [
            {
                "id": o["id"], "status": o["status"],
                "title": f"Order #{o['id']}" if self.lang == "en" else f"주문 #{o['id']}",
                "status_label": label(o["status"], self.lang),
                "time": o["created_at"], "total": won(o["total"], self.lang),
                "lines": [f"{pick(self.lang, ln['name_ko'], ln['name_en'])} × {ln['quantity']}" for ln in o["lines"]],
            }
            for o in self.orders
        ]

    @rx.var
    def paid_total_label(self) -> str:
        """What this table has paid so far (orders cancelled and refunded, or never paid, not counted)."""
        paid = [o for o in self.orders if o["status"] in PAID_STATUSES]
        if not paid:
            return ""
        amount, n = won(sum(o["total"] for o in paid), self.lang), len(paid)
        return f"Paid so far: {amount} ({n} orders)" if self.lang == "en" else f"지금까지 결제: {amount} ({n}건)"

    @rx.var
    def notice(self) -> str:
        return pick(self.lang, self.notice_ko, self.notice_en)

    # ---- actions --------------------------------------------------------------------------------------
    # What the diner taps before ordering changes only this page: it runs on the event loop, and the
    # service checks the cart when the order is placed.
    @event(local=True)
    def select_category(self, key: Key):
        self.category_id = key

    @event(local=True)
    def open_detail(self, key: Key):
        self.detail_id = key

    @event(local=True)
    def close_detail(self):
        self.detail_id = ""

    @event(local=True)
    def add(self, key: Key):
        item = next((i for i in self.items if i["key"] == key), None)
        if item is None or item["sold_out"]:
            return
        self.cart = {**self.cart, key: min(self.cart.get(key, 0) + 1, item["max_quantity"])}
        self._clear_error()

    @event(local=True)
    def decrease(self, key: Key):
        qty = self.cart.get(key, 0) - 1
        cart = dict(self.cart)
        if qty <= 0:
            cart.pop(key, None)
        else:
            cart[key] = qty
        self.cart = cart
        self._clear_error()

    @event(local=True)
    def remove(self, key: Key):
        self.cart = {k: q for k, q in self.cart.items() if k != key}
        self._clear_error()

    @event(TABLE)
    def place_order(self, principal: Principal):
        """Place the order and send the tablet to the provider's checkout page to pay for it."""
        if self.placing:
            return None
        origin = self.router.url.origin
        self.placing = True
        try:
            start = payments.start_checkout(
                principal, [(int(k), q) for k, q in self.cart.items()],
                f"{origin}/pay/success", f"{origin}/pay/fail", self.lang,
            )
        except OrderingBusy as exc:
            self.placing = False
            self.busy_left = exc.retry_after
            return rx.redirect("/busy")
        except DomainError as exc:
            self.placing = False
            self._show_error(exc)
            # Stock or menu may have changed under us: show the diner the current state.
            self._refresh_menu(principal)
            return None
        self._clear_error()
        return rx.redirect(start.checkout_url)

    @event(background=True)
    async def count_down(self):
        """Started by the busy page's on_load, so Reflex cancels it when the diner leaves."""
        while True:
            async with self:
                if self.busy_left <= 0:
                    return
                self.busy_left -= 1
            await asyncio.sleep(1)


def _table_news(principal: Principal) -> tuple[list, bool]:
    """This table's orders, and whether it has called staff."""
    return order_views.table_orders(principal), calls.open_call_for_table(principal)
