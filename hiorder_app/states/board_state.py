"""The live order board: loads the read model, then follows this store's events as they happen."""

import asyncio
import time
from datetime import datetime
from functools import lru_cache

import reflex as rx

from ..domain.errors import DomainError
from ..domain.order_status import label
from ..domain.timeutil import utcnow
from ..services.events import live_hub
from ..services.ordering import staff_calls
from ..services.principal import Principal
from ..services.read_models import board_feed, order_views
from ..services.read_models import staff_calls as calls
from ..services.read_models.board_feed import BOARD_EVENTS, Board, BoardCall, BoardOrder
from ..services.store_admin import orders as admin_orders
from .formatting import pick, store_time, won
from .session_state import SessionState

TICK_SECONDS = 20
# A rush of orders rings once, not once per order: staff hear "new orders", and the browser is not
# made to decode and play a sound per card.
RING_GAP_SECONDS = 1.5


class BoardState(SessionState):
    # Backend only: the browser receives just the rendered `cards` and `call_cards`. Tuples, which
    # Reflex does not wrap in change-tracking proxies (see board_feed.BoardOrder).
    _orders: tuple[BoardOrder, ...] = ()
    _calls: tuple[BoardCall, ...] = ()
    _versions: tuple[tuple[int, str], ...] = ()
    live: bool = False
    sound: str = rx.LocalStorage("on", name="hiorder_board_sound")
    # The order whose cancel-and-refund is being confirmed (one dialog for the whole board).
    cancel_id: int = 0
    # Moved on by the follow loop, so "minutes since payment" stays current without a reload.
    clock: str = ""

    def _keep(self, board: Board) -> None:
        self._orders, self._calls, self._versions = board.orders, board.calls, board.versions

    def _reload(self, principal: Principal) -> None:
        self._keep(_load(principal))

    def _apply_all(self, events: list[dict], principal: Principal) -> bool:
        """Fold a batch of events into the board, writing each state var once; True for the chime."""
        board, ring = board_feed.fold(Board(self._orders, self._calls, self._versions), events,
                                      lambda: _load(principal))
        self._keep(board)
        return ring

    @rx.event(background=True)
    async def follow(self):
        """One per open board, started from on_load so Reflex cancels it when the tab goes away. It
        subscribes before loading, so nothing that happens in between is missed (repeats are harmless)."""
        async with self:
            principal = self._principal()
            if principal is None or not principal.is_admin:
                return
        queue = live_hub.hub.subscribe(principal.store_id)
        last_ring = 0.0
        try:
            async with self:
                self._reload(principal)
                self.live = True
                self.clock = utcnow().isoformat()
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=TICK_SECONDS)
                except TimeoutError:
                    async with self:
                        self.clock = utcnow().isoformat()
                    continue
                # Everything already waiting goes in with it: one state write and one render per batch.
                events = [event]
                while not queue.empty():
                    events.append(queue.get_nowait())
                events = [e for e in events if e.get("type") in BOARD_EVENTS]
                if not events:
                    continue  # placed-but-unpaid orders, menu edits: nothing on the board changes
                async with self:
                    ring = self._apply_all(events, principal) and self.sound == "on"
                    self.clock = utcnow().isoformat()
                if ring and time.monotonic() - last_ring >= RING_GAP_SECONDS:
                    last_ring = time.monotonic()
                    yield rx.call_script("window.hiorderDing && window.hiorderDing()")
        finally:
            live_hub.hub.unsubscribe(principal.store_id, queue)

    @rx.event
    def toggle_sound(self):
        self.sound = "off" if self.sound == "on" else "on"

    def _act(self, action, *args):
        principal = self._principal()
        try:
            action(principal, *args)
        except DomainError as exc:
            self._show_error(exc)
            return
        self._clear_error()

    @rx.event
    def accept(self, order_id: int):
        self._act(admin_orders.advance, order_id, "ACCEPTED")

    @rx.event
    def serve(self, order_id: int):
        self._act(admin_orders.advance, order_id, "SERVED")

    @rx.event
    def ask_cancel(self, order_id: int):
        self.cancel_id = order_id

    @rx.event
    def keep_order(self):
        self.cancel_id = 0

    @rx.event
    async def cancel(self):
        # The refund is an HTTP call to the provider: keep it off the event loop.
        principal = self._principal()
        try:
            order_id, self.cancel_id = self.cancel_id, 0
            await asyncio.to_thread(admin_orders.cancel, principal, order_id, "cancelled by staff")
        except DomainError as exc:
            self._show_error(exc)
            return
        self._clear_error()

    @rx.event
    def acknowledge(self, call_id: int):
        self._act(staff_calls.acknowledge, call_id)

    @rx.var
    def cards(self) -> list[dict]:
        # Each card is rendered once per (order state, language, minute shown): a batch of new orders
        # costs the new cards, not the whole board again.
        en = self.lang == "en"
        return [_render_card(o, self.lang, _waiting(o.paid_at, self.clock, en)) for o in self._orders]

    @rx.var
    def call_cards(self) -> list[dict]:
        en = self.lang == "en"
        return [{"id": c.id, "text": f"Table {c.table} is calling" if en else f"{c.table}번 테이블 직원 호출",
                 "ack_label": f"Acknowledge table {c.table}" if en else f"{c.table}번 호출 확인"}
                for c in self._calls]

    @rx.var
    def new_count(self) -> int:
        return sum(1 for o in self._orders if o.status == "PAID")


@lru_cache(maxsize=4096)
def _render_card(order: BoardOrder, lang: str, waiting: str) -> dict:
    paid_at, order_id, table, status, total, lines = order
    en = lang == "en"
    return {
        "id": order_id, "status": status, "is_new": status == "PAID",
        "title": f"Table {table}" if en else f"{table}번 테이블",
        "number": f"#{order_id}",
        "label": f"Table {table} order #{order_id}" if en else f"{table}번 테이블 주문 #{order_id}",
        "status_label": label(status, lang),
        "total": won(total, lang), "paid_at": paid_at,
        "paid_clock": store_time_iso(paid_at),
        "waiting": waiting,
        "lines": "\n".join(f"{pick(lang, ko, en_name)} × {q}" for ko, en_name, q in lines),
        "accept_label": f"Accept order #{order_id}" if en else f"주문 #{order_id} 접수",
        "serve_label": f"Order #{order_id} served" if en else f"주문 #{order_id} 서빙 완료",
        "cancel_label": f"Cancel order #{order_id}" if en else f"주문 #{order_id} 취소",
    }


def _load(principal: Principal) -> Board:
    return board_feed.board_from(order_views.board_orders(principal), calls.open_calls(principal))


def store_time_iso(value: str) -> str:
    return store_time(datetime.fromisoformat(value)) if value else ""


def _waiting(paid_at: str, clock: str, en: bool) -> str:
    if not paid_at or not clock:
        return ""
    minutes = max(0, int((datetime.fromisoformat(clock) - datetime.fromisoformat(paid_at)).total_seconds() // 60))
    if minutes == 0:
        return "just now" if en else "방금 전"
    return f"{minutes} min ago" if en else f"{minutes}분 전"
