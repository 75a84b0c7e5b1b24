"""The diner's tablet: menu, cart, placing an order, and this table's orders."""

import asyncio
import functools
import logging
import time
from dataclasses import asdict

import reflex as rx

from ..domain.errors import DomainError
from ..domain.events import RESYNC
from ..domain.menu_tags import ALLERGENS, hides
from ..domain.order_rules import is_sold_out
from ..domain.order_status import PAID_STATUSES, label
from ..services.events import live_hub
from ..services.ordering import staff_calls
from ..services.ordering.overload import OrderingBusy
from ..services.payments import checkout as payments
from ..services.payments import return_ticket
from ..services.principal import Principal
from ..services.read_models import menu as menu_service
from ..services.read_models import order_views, recommendations
from ..services.read_models import staff_calls as calls
from ..settings import get_settings
from . import live_view, saved_cart
from .backend_address import backend_origin
from .boundary import TABLE, blocking, event, page
from .formatting import pick, store_time, won
from .inputs import Choice, Key, LineKey, Note
from .session_state import SessionState

log = logging.getLogger(__name__)
LOW_STOCK = 5  # "only N left" from this many down

# store id -> (each item's partners, the featured items, each item's share of what sells now), as this process's
# latest menu load of that store carried them (a menu load refreshes them at least every minute:
# recommendations.py caches that long).
_GOES_WITH: dict[int, tuple[dict[str, list[tuple[str, float]]], list[str], dict[str, float]]] = {}


class TabletState(SessionState):
    store_name_ko: str = ""
    store_name_en: str = ""
    categories: list[dict] = []
    items: list[dict] = []
    category_id: str = ""
    # line key (item id, and its chosen option ids: "12" or "12:3.7") -> quantity; survives a refused
    # order so nothing is retyped. The same dish with other choices is another line.
    cart: dict[str, int] = {}
    # The same cart kept in the browser (saved_cart.py), so it survives this tab's state being lost.
    stored_cart: str = rx.LocalStorage("", name="hiorder_cart")
    detail_id: str = ""
    # The options ticked in the item dialog, as text ids.
    detail_choices: list[str] = []
    # The diner's request on the order ("덜 맵게 해 주세요"); the service checks it.
    note: str = ""
    # Allergen codes this diner avoids: dishes containing one are not shown.
    avoid: list[str] = []
    orders: list[dict] = []
    notice_ko: str = ""
    notice_en: str = ""
    # Set while a checkout is being started, so a double tap never places two orders.
    placing: bool = False
    busy_left: int = 0
    # The order the cart became (until the cart changes), and an order being paid again from 주문 내역:
    # paying that one empties the cart only if the cart is still what it ordered.
    cart_order_id: int = 0
    resumed_order_id: int = 0
    staff_called: bool = False
    # Recommendations as the menu carried them (services/read_models/recommendations.py), item ids as text:
    # "popular now" best first. Each item's partners for "goes well with" (so a cart change only ranks)
    # are the same for every tablet of a store: kept once per process (_GOES_WITH), not in each state.
    popular_keys: list[str] = []

    def _recover(self) -> None:
        self.placing = False  # the cart is kept: the diner only taps again

    # ---- loading -------------------------------------------------------------------------------------
    def _refresh_menu(self, principal: Principal) -> None:
        self._show_menu(menu_service.get_menu(principal.store_id))

    def _show_menu(self, view: menu_service.MenuView) -> None:
        self._change(store_name_ko=view.store_name_ko, store_name_en=view.store_name_en,
                     categories=[asdict(c) | {"key": str(c.id)} for c in view.categories],
                     items=[asdict(i) | {"key": str(i.id), "category_key": str(i.category_id)} for i in view.items])
        known = {c["key"] for c in self.categories}
        if self.category_id not in known:
            self.category_id = self.categories[0]["key"] if self.categories else ""
        self._change(popular_keys=[str(i) for i in view.popular_now])
        _GOES_WITH[self.store_id] = (
            {str(c): [(str(j), lift) for j, lift in found] for c, found in view.partners.items()},
            [str(i) for i in view.featured], {str(i): share for i, share in view.popular_shares.items()})
        self._keep_offered()

    def _keep_offered(self) -> None:
        """Items that left the menu, or choices no longer offered, also leave the cart; no line holds
        more than its item allows."""
        offered = {i["key"]: (_option_keys(i), i["max_quantity"]) for i in self.items}
        kept = {k: min(q, offered[_item_key(k)][1]) for k, q in self.cart.items()
                if _item_key(k) in offered and set(_line_options(k)) <= offered[_item_key(k)][0]}
        if kept != self.cart:
            self._set_cart(kept)

    def _set_cart(self, cart: dict[str, int]) -> None:
        """Every change of the cart goes through here, so the browser's copy follows it."""
        if cart != self.cart:
            self.cart_order_id = 0
        self.cart = cart
        self.stored_cart = saved_cart.dump(cart, self.token)

    def _restore_cart(self) -> None:
        """A cart lost with this tab's server-side state comes back from the browser's copy, as far as
        the menu still offers it (quantities within each item's limit)."""
        if self.cart or not self.stored_cart:
            return
        self.cart = saved_cart.load(self.stored_cart, self.token)
        self._keep_offered()
        if not self.cart:
            self.stored_cart = ""  # malformed, foreign or nothing left on the menu: not read again

    def _apply_stock(self, stock: dict[str, int]) -> None:
        """New counts carried by order events (item id -> left), applied in place."""
        if not any(i["key"] in stock for i in self.items):
            return
        self.items = [i | {"stock": stock[i["key"]], "sold_out": is_sold_out(i["marked_sold_out"], stock[i["key"]])}
                      if i["key"] in stock else i for i in self.items]

    def _apply_option_stock(self, stock: dict[str, int]) -> None:
        """New counts of counted options (option id -> left) carried by order events, applied in place."""
        def counted(group: dict) -> dict:
            return group | {"options": [o | {"stock": stock[str(o["id"])]} if str(o["id"]) in stock else o
                                        for o in group["options"]]}
        if any(str(o["id"]) in stock for i in self.items for g in i.get("option_groups") or () for o in g["options"]):
            self.items = [i | {"option_groups": [counted(g) for g in i["option_groups"]]} if i.get("option_groups")
                          else i for i in self.items]

    def _refresh_orders(self, principal: Principal) -> None:
        self._show_orders(*_table_news(principal))

    def _change(self, **values) -> None:
        """Set only the vars whose value differs: Reflex sends (and recomputes what depends on) every var
        assigned, and a page's load mostly finds the menu and orders it showed already (bench/tablets.py)."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _show_orders(self, orders: list, staff_called: bool) -> None:
        self._change(orders=[
            {"id": o.id, "status": o.status, "total": o.total, "created_at": store_time(o.created_at),
             "note": o.note,
             "lines": [asdict(ln) | {"options_ko": ln.options_text("ko"), "options_en": ln.options_text("en")}
                       for ln in o.lines]}
            for o in orders
        ], staff_called=staff_called)

    @page(TABLE)
    def load_menu(self, principal: Principal):
        self._load_menu(principal)

    def _load_menu(self, principal: Principal) -> None:
        self.placing = False
        self._refresh_menu(principal)
        self._restore_cart()

    @page(TABLE)
    def load_orders(self, principal: Principal):
        self._refresh_orders(principal)

    @page(TABLE)
    def load_table(self, principal: Principal):
        """The menu's and 주문 내역's load: load_menu and load_orders as one event, so a navigation takes the
        state lock and checks the session once for both."""
        self._load_menu(principal)
        self._refresh_orders(principal)

    @page(TABLE, background=True)
    async def follow(self, principal: Principal):
        """Live updates for this tablet while the page is open. Started from on_load, so Reflex
        cancels it when the diner leaves; it waits on this process's hub, not on Redis itself. Before
        anything new is shown, and at least every SESSION_CHECK_SECONDS, the session is checked again:
        a tablet signed out by staff, or whose session expired, stops and forgets what it showed. A
        failed round (the database restarting) is retried as a full reload after a short pause. A state
        found lost (Redis restarted empty) reloads the page, which restores it from the browser."""
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
                option_stock: dict[str, int] = {}  # the same for counted options
                for e in events:
                    stock |= e.get("payload", {}).get("stock_left") or {}
                    option_stock |= e.get("payload", {}).get("option_stock_left") or {}
                news = menu or orders or bool(stock) or bool(option_stock)
                if not news and live_view.until_check(checked) > 0:
                    continue  # other tables' news: this tablet's state is not even loaded
                try:
                    # Two lock takes a round (every tablet of the store takes them for another table's
                    # order that changed stock): what the check needs, then the check's result and the
                    # news together. The reads run between them, outside the lock and off the event loop.
                    async with self:
                        lost, token = not self.role, self.token  # lost: see live_view.state_lost
                    if lost:
                        yield live_view.reload_page()
                        return
                    now = await self._resolve_in_background(token)
                    still = now is not None
                    view = await blocking(menu_service.get_menu, principal.store_id) if still and menu else None
                    table = await blocking(_table_news, principal) if still and orders else None
                    async with self:
                        await self._record_in_background(now)
                        if still and news:
                            self._show_news(view, table, stock, "TableCleared" in mine, option_stock)
                    if not still:
                        return
                    checked, behind, failures = time.monotonic(), False, 0
                    failures = live_view.recovered(log, "tablet", failures)
                except Exception as exc:
                    failures = live_view.failed(log, "tablet", failures, exc)
                    behind = True
                    await asyncio.sleep(live_view.RETRY_SECONDS)
        finally:
            live_hub.hub.unsubscribe(principal.store_id, queue)

    def _show_news(self, view: menu_service.MenuView | None, table: tuple[list, bool] | None,
                   stock: dict[str, int], cleared: bool, option_stock: dict[str, int]) -> None:
        """Under the state lock: what follow read (the menu, this table's orders) and what the events
        carried."""
        if view is not None:
            self._show_menu(view)
        else:
            if stock:
                self._apply_stock(stock)
            if option_stock:
                self._apply_option_stock(option_stock)
        if cleared:
            self._set_cart({})
            self.note, self.notice_ko, self.notice_en = "", "", ""
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
            # Not containing add_label (locators match names by substring): the item is also on its menu card.
            "suggest_label": f"Suggested {name}, add" if en else f"추천 {name} 바로 담기",
            "key": i["key"], "image": i["image"], "popular": i["popular"], "sold_out": i["sold_out"],
            "once": i["once_per_table"], "kind": i["kind"],
            "name": name,
            "description": pick(self.lang, i["description_ko"], i["description_en"]),
            "price": won(i["price"], self.lang),
            # Shown only when few are left, so diners order before it runs out.
            "left_label": "" if i["stock"] is None or i["stock"] > LOW_STOCK or i["sold_out"] or i["stock"] <= 0
            else (f"Only {i['stock']} left" if en else f"남은 수량 {i['stock']}개"),
            "in_cart": sum(q for k, q in self.cart.items() if _item_key(k) == i["key"]),
            "spicy": "🌶" * i.get("spicy_level", 0), "vegetarian": bool(i.get("vegetarian")),
            "spicy_label": (f"Spicy {i.get('spicy_level', 0)}/3" if en else f"맵기 {i.get('spicy_level', 0)}/3"),
            "allergens": ", ".join(pick(self.lang, *ALLERGENS[c]) for c in i.get("allergens") or [] if c in ALLERGENS),
            "has_options": bool(i.get("option_groups")),
        }

    @rx.var
    def visible_items(self) -> list[dict]:
        return [self._item_view(i) for i in self.items
                if i["category_key"] == self.category_id and not hides(i.get("allergens") or [], self.avoid)]

    @rx.var
    def allergen_choices(self) -> list[dict]:
        return [{"code": code, "name": pick(self.lang, ko, en), "checked": code in self.avoid}
                for code, (ko, en) in ALLERGENS.items()]

    @rx.var
    def hidden_count(self) -> int:
        """Dishes of this category the allergen filter hides, so an empty-looking tab says why."""
        return sum(1 for i in self.items if i["category_key"] == self.category_id
                   and hides(i.get("allergens") or [], self.avoid))

    def _offer(self, keys: list[str], leave_out) -> list[dict]:
        by_key = {i["key"]: i for i in self.items}
        offered = [by_key[k] for k in keys if k in by_key and not by_key[k]["sold_out"] and k not in leave_out]
        return [self._item_view(i) for i in offered[:recommendations.LIMIT]]

    @rx.var
    def recommended(self) -> list[dict]:
        """Popular now: never sold out (hidden items are not on the menu), nor what the visit already has (the
        cart, this visit's orders); once it has some, what goes with them is raised (rank_for_visit)."""
        visit = self._cart_items() | self._ordered_items()
        partners, _featured, shares = _GOES_WITH.get(self.store_id, ({}, [], {}))
        ranked = recommendations.rank_for_visit(shares, partners, visit) if visit and shares else []
        return self._offer(list(dict.fromkeys(ranked + self.popular_keys)), visit)

    def _cart_items(self) -> set[str]:
        return {_item_key(k) for k in self.cart}

    def _ordered_items(self) -> set[str]:
        """Items of this visit's orders, paid or being paid."""
        return {str(ln["menu_item_id"]) for o in self.orders if o["status"] in PAID_STATUSES | {"PENDING_PAYMENT"}
                for ln in o["lines"]}

    def _goes_with(self, chosen: set[str]) -> list[dict]:
        if not chosen:
            return []
        # Not loaded in this process yet (its menu load is on its way): nothing to suggest for a moment.
        partners, featured, _shares = _GOES_WITH.get(self.store_id, ({}, [], {}))
        ranked = recommendations.rank_partners(partners, chosen)
        offerable = {i["key"] for i in self.items if not i["sold_out"]} - chosen
        return self._offer(recommendations.pick(ranked, featured, offerable, limit=len(offerable)), chosen)

    @rx.var
    def cart_pairings(self) -> list[dict]:
        """Goes well with what is in the cart."""
        return self._goes_with(self._cart_items())

    @rx.var
    def detail_pairings(self) -> list[dict]:
        """Goes well with the item in the dialog (and the cart)."""
        return self._goes_with(self._cart_items() | {self.detail_id}) if self.detail_id else []

    @rx.var
    def detail(self) -> dict:
        found = next((i for i in self.items if i["key"] == self.detail_id), None)
        return self._item_view(found) if found else {}

    @rx.var
    def detail_groups(self) -> list[dict]:
        """The item dialog's questions: each group with its options, ticked or not, and what it asks."""
        found = next((i for i in self.items if i["key"] == self.detail_id), None)
        if found is None:
            return []
        en, chosen = self.lang == "en", set(self.detail_choices)
        groups = []
        for g in found.get("option_groups") or []:
            lo, hi = g["min_select"], g["max_select"]
            if hi == 1:
                rule = ("Required: choose one" if en else "필수 · 1개 선택") if lo else ("Optional" if en else "선택")
            else:
                rule = (f"Choose {lo} to {hi}" if en else f"{lo}~{hi}개 선택") if lo else (
                    f"Up to {hi}" if en else f"최대 {hi}개")
            picked = sum(1 for o in g["options"] if str(o["id"]) in chosen)
            groups.append({
                "key": str(g["id"]), "name": pick(self.lang, g["name_ko"], g["name_en"]), "rule": rule,
                "missing": picked < lo,
                "options": [{"key": str(o["id"]), "group": str(g["id"]), "checked": str(o["id"]) in chosen,
                             "sold_out": is_sold_out(o["sold_out"], o.get("stock")),
                             "label": pick(self.lang, o["name_ko"], o["name_en"]) + (
                                 f" (+{won(o['price_delta'], self.lang)})" if o["price_delta"] else "")
                             + _option_left(o, en)}
                            for o in g["options"]],
            })
        return groups

    @rx.var
    def detail_ready(self) -> bool:
        """Every required group answered: only then can the dish go in the cart."""
        return not any(g["missing"] for g in self.detail_groups)

    @rx.var
    def cart_lines(self) -> list[dict]:
        by_key = {i["key"]: i for i in self.items}
        lines = []
        for key, qty in self.cart.items():
            item = by_key.get(_item_key(key))
            if item is not None:
                name = pick(self.lang, item["name_ko"], item["name_en"])
                en = self.lang == "en"
                options = _chosen(item, _line_options(key))
                unit = item["price"] + sum(o["price_delta"] for o in options)
                lines.append({
                    "key": key, "qty": qty, "name": name, "amount": won(unit * qty, self.lang),
                    "unit": (f"{won(unit, self.lang)} each" if en else f"개당 {won(unit, self.lang)}"),
                    "options": ", ".join(pick(self.lang, o["name_ko"], o["name_en"]) for o in options),
                    "more_label": f"One more {name}" if en else f"{name} 하나 더",
                    "less_label": f"One less {name}" if en else f"{name} 하나 빼기",
                    "remove_label": f"Remove {name}" if en else f"{name} 삭제",
                    "warning": self._cart_warning(item) or self._option_warning(options),
                })
        return lines

    def _cart_warning(self, item: dict) -> str:
        """Said before ordering (the server still decides): more than the stock left over all the item's
        lines, or an event item this table already ordered."""
        en = self.lang == "en"
        wanted = sum(q for k, q in self.cart.items() if _item_key(k) == item["key"])
        if item["stock"] is not None and wanted > item["stock"]:
            return f"Only {item['stock']} left" if en else f"남은 수량이 {item['stock']}개뿐이에요"
        if item["once_per_table"] and item["key"] in self._ordered_items():
            return ("This table already had this event item" if en
                    else "이벤트 메뉴는 테이블당 한 번만 주문할 수 있어요")
        return ""

    def _option_warning(self, options: list[dict]) -> str:
        """A counted option this line chooses that the cart, over all its lines and dishes, asks more of
        than is left."""
        en = self.lang == "en"
        for option in options:
            if option.get("stock") is None:
                continue
            wanted = sum(q for k, q in self.cart.items() if str(option["id"]) in _line_options(k))
            if wanted > option["stock"]:
                name = pick(self.lang, option["name_ko"], option["name_en"])
                return (f"Only {option['stock']} of {name} left" if en
                        else f"'{name}' 남은 수량이 {option['stock']}개뿐이에요")
        return ""

    @rx.var
    def cart_count(self) -> int:
        return sum(self.cart.values())

    @rx.var
    def cart_total(self) -> str:
        by_key = {i["key"]: i for i in self.items}
        total = 0
        for key, qty in self.cart.items():
            item = by_key.get(_item_key(key))
            if item is not None:
                total += (item["price"] + sum(o["price_delta"] for o in _chosen(item, _line_options(key)))) * qty
        return won(total, self.lang)

    @rx.var
    def order_cards(self) -> list[dict]:
        return [
            {
                "id": o["id"], "key": str(o["id"]), "status": o["status"],
                "title": f"Order #{o['id']}" if self.lang == "en" else f"주문 #{o['id']}",
                "status_label": label(o["status"], self.lang),
                "time": o["created_at"], "total": won(o["total"], self.lang),
                "lines": [f"{pick(self.lang, ln['name_ko'], ln['name_en'])} × {ln['quantity']}"
                          + (f" ({pick(self.lang, ln['options_ko'], ln['options_en'])})" if ln["options"] else "")
                          for ln in o["lines"]],
                "note": o["note"],
                "pay_label": f"Pay for order #{o['id']}" if self.lang == "en" else f"주문 #{o['id']} 결제하기",
                "cancel_label": f"Cancel order #{o['id']}" if self.lang == "en" else f"주문 #{o['id']} 취소",
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
        self.detail_id, self.detail_choices = key, []

    @event(local=True)
    def close_detail(self):
        self.detail_id, self.detail_choices = "", []

    @event(local=True)
    def choose(self, group_key: Key, option_key: Key):
        """Tick or untick an option in the dialog: a single-choice group keeps the one ticked last, a
        multi-choice one stops at its maximum."""
        item = next((i for i in self.items if i["key"] == self.detail_id), None)
        group = next((g for g in (item or {}).get("option_groups") or [] if str(g["id"]) == group_key), None)
        option = next((o for o in (group or {}).get("options", []) if str(o["id"]) == option_key), None)
        if option is None or option["sold_out"]:
            return
        siblings = {str(o["id"]) for o in group["options"]}
        chosen = [c for c in self.detail_choices if c != option_key]
        if len(chosen) == len(self.detail_choices):  # ticking it
            if group["max_select"] == 1:
                chosen = [c for c in chosen if c not in siblings]
            elif sum(1 for c in chosen if c in siblings) >= group["max_select"]:
                return
            chosen.append(option_key)
        self.detail_choices = chosen

    @event(local=True)
    def add_detail(self):
        """The dialog's 담기: the dish with the ticked options, once every required group is answered."""
        if not self.detail_ready:
            return
        key = _line_key(self.detail_id, self.detail_choices)
        self.detail_id, self.detail_choices = "", []
        self._add_line(key)

    @event(local=True)
    def add(self, key: LineKey):
        """A menu card's 담기 (a dish that asks options opens its dialog instead) or a cart line's +."""
        item = next((i for i in self.items if i["key"] == _item_key(key)), None)
        if item is not None and item.get("option_groups") and key == item["key"] and key not in self.cart:
            self.detail_id, self.detail_choices = key, []
            return
        self._add_line(key)

    def _add_line(self, key: str) -> None:
        item = next((i for i in self.items if i["key"] == _item_key(key)), None)
        if item is None or item["sold_out"]:
            return
        options = _line_options(key)
        # Only a line the dialog could make (the dish's own options, written one way): a client sending keys
        # by hand must not grow the cart, which every event then stores again, without end.
        if key != _line_key(item["key"], options) or not set(options) <= _option_keys(item):
            return
        most = min(get_settings().max_order_lines, saved_cart.MAX_LINES)
        if key not in self.cart and len(self.cart) >= most:
            self._show_error(DomainError("order.too_many_lines", max=most))
            return
        self._set_cart({**self.cart, key: min(self.cart.get(key, 0) + 1, item["max_quantity"])})
        self._clear_error()

    @event(local=True)
    def toggle_avoid(self, code: Choice):
        if code in ALLERGENS:
            self.avoid = [c for c in self.avoid if c != code] if code in self.avoid else [*self.avoid, code]

    @event(local=True)
    def set_note(self, text: Note):
        self.note = text[:100]

    @event(local=True)
    def decrease(self, key: LineKey):
        qty = self.cart.get(key, 0) - 1
        cart = dict(self.cart)
        if qty <= 0:
            cart.pop(key, None)
        else:
            cart[key] = qty
        self._set_cart(cart)
        self._clear_error()

    @event(local=True)
    def remove(self, key: LineKey):
        self._set_cart({k: q for k, q in self.cart.items() if k != key})
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
                principal, [(int(_item_key(k)), q, [int(o) for o in _line_options(k)]) for k, q in self.cart.items()],
                *_return_urls(principal, origin), self.lang, note=self.note,
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
        self.cart_order_id = start.order_id
        return rx.redirect(start.checkout_url)

    @event(TABLE)
    def pay_order(self, principal: Principal, key: Key):
        """주문 내역's 결제하기 on an order whose checkout was left: the provider's page again, for that order."""
        try:
            found = payments.resume_checkout(principal, int(key), *_return_urls(principal, self.router.url.origin),
                                             self.lang)
        except DomainError as exc:
            self._show_error(exc)
            self._refresh_orders(principal)  # closed meanwhile (expired, paid in another tab): show it
            return None
        self._clear_error()
        if isinstance(found, payments.PaymentOutcome):  # the provider had already taken the money
            self._paid_notice(found.order_id)
            self._refresh_orders(principal)
            return None
        self.resumed_order_id = found.order_id
        return rx.redirect(found.checkout_url)

    @event(TABLE)
    def cancel_order(self, principal: Principal, key: Key):
        """주문 내역's 주문 취소 on an order never paid: it closes and its stock goes back to the menu."""
        try:
            outcome = payments.cancel_unpaid_order(principal, int(key))
        except DomainError as exc:
            self._show_error(exc)
            return None
        self._clear_error()
        if outcome.status in PAID_STATUSES:
            self._paid_notice(outcome.order_id)
        else:
            self.notice_ko = f"주문 #{outcome.order_id} 취소가 완료되었어요."
            self.notice_en = f"Order #{outcome.order_id} is cancelled."
        self._refresh_orders(principal)
        return None

    def _paid_notice(self, order_id: int) -> None:
        self.notice_ko = f"주문 #{order_id} 결제가 완료되었어요. 곧 준비해 드릴게요!"
        self.notice_en = f"Order #{order_id} is paid. It will be with you shortly!"

    @event(background=True)
    async def count_down(self):
        """Started by the busy page's on_load, so Reflex cancels it when the diner leaves."""
        while True:
            async with self:
                if self.busy_left <= 0:
                    return
                self.busy_left -= 1
            await asyncio.sleep(1)


def _return_urls(principal: Principal, origin: str) -> tuple[payments.SuccessUrl, str]:
    """Where the provider sends the diner back: success lands on the backend, which confirms before the page
    loads (a ticket for the order, made once it is placed); failure on the tablet's page, which releases it."""
    origin = return_ticket.page_origin(origin)
    return (functools.partial(return_ticket.return_url, principal, backend_origin(origin), origin),
            f"{origin}/pay/fail")


def _table_news(principal: Principal) -> tuple[list, bool]:
    """This table's orders, and whether it has called staff."""
    return order_views.table_orders(principal), calls.open_call_for_table(principal)


# ---- cart line keys: "12" (item 12, no options) or "12:3.7" (with options 3 and 7) ------------------------
def _item_key(line_key: str) -> str:
    return line_key.split(":", 1)[0]


def _line_options(line_key: str) -> list[str]:
    _, _, options = line_key.partition(":")
    return options.split(".") if options else []


def _line_key(item_key: str, options: list[str]) -> str:
    """The same dish with the same choices is the same line, whatever order they were ticked in."""
    ids = sorted({int(o) for o in options})
    return f"{item_key}:{'.'.join(map(str, ids))}" if ids else item_key


def _option_keys(item: dict) -> set[str]:
    return {str(o["id"]) for g in item.get("option_groups") or [] for o in g["options"]}


def _chosen(item: dict, option_keys: list[str]) -> list[dict]:
    """The item's options of a line, in the order the dialog asks them."""
    wanted = set(option_keys)
    return [o for g in item.get("option_groups") or [] for o in g["options"] if str(o["id"]) in wanted]


def _option_left(option: dict, en: bool) -> str:
    """A counted option says when it is gone, and how many are left once few are (as items do)."""
    stock = option.get("stock")
    if is_sold_out(option["sold_out"], stock):
        return " · sold out" if en else " · 품절"
    if stock is not None and stock <= LOW_STOCK:
        return f" · {stock} left" if en else f" · {stock}개 남음"
    return ""
