"""The live order board: loads the read model, then follows this store's events as they happen."""

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

import reflex as rx

from ..domain.events import BOARD_EVENTS, RESYNC
from ..domain.order_status import label
from ..domain.timeutil import utcnow
from ..services.events import live_hub
from ..services.ordering import staff_calls
from ..services.principal import Principal
from ..services.read_models import board_feed, order_views
from ..services.read_models import staff_calls as calls
from ..services.read_models.board_feed import Board, BoardCall, BoardOrder
from ..services.store_admin import orders as admin_orders
from . import live_view
from .boundary import ADMIN, blocking, event, page
from .formatting import pick, store_time, won
from .inputs import Id
from .session_state import SessionState

log = logging.getLogger(__name__)

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

    @page(ADMIN, background=True)
    async def follow(self, principal: Principal):
        """One per open board, started from on_load so Reflex cancels it when the tab goes away. It
        subscribes before loading, so nothing that happens in between is missed (repeats are harmless).
        Before a batch is shown, and at least every SESSION_CHECK_SECONDS, the session is checked again:
        a board signed out, expired or revoked stops and forgets the orders. A failed round (the
        database restarting) shows the board as not live, and it reloads itself after a short pause."""
        queue = live_hub.hub.subscribe(principal.store_id)
        last_ring, checked, behind, admitted, failures = 0.0, time.monotonic(), True, True, 0
        try:
            while True:
                wait = min(TICK_SECONDS, live_view.until_check(checked))
                events = [] if behind else await live_view.next_batch(queue, wait)
                # Placed-but-unpaid orders, menu edits: nothing on the board changes.
                events = [e for e in events if e.get("type") in BOARD_EVENTS]
                try:
                    overdue = live_view.until_check(checked) == 0
                    if not admitted and (events or behind or overdue):
                        if await self._principal_in_background() is None:
                            return
                        checked = time.monotonic()
                    admitted = False
                    ring = await self._show(principal, events, reload=behind)
                    behind, failures = False, live_view.recovered(log, "board", failures)
                except Exception as exc:
                    failures = live_view.failed(log, "board", failures, exc)
                    behind = True
                    async with self:
                        self.live = False
                    await asyncio.sleep(live_view.RETRY_SECONDS)
                    continue
                if ring and time.monotonic() - last_ring >= RING_GAP_SECONDS:
                    last_ring = time.monotonic()
                    yield rx.call_script("window.hiorderDing && window.hiorderDing()")
        finally:
            live_hub.hub.unsubscribe(principal.store_id, queue)

    async def _show(self, principal: Principal, events: list[dict], reload: bool) -> bool:
        """Reload the board or fold a batch of events into it, and move the clock on; True for the chime.
        The one database read (a whole board, on a reload or a Resync) happens off the event loop and
        outside the state lock; folding a batch in is quick and stays under it, in one write."""
        fresh = await blocking(_load, principal) if reload or any(e.get("type") == RESYNC for e in events) else None
        async with self:
            if reload:
                self._keep(fresh)
            ring = bool(events) and self._apply_all(events, lambda: fresh) and self.sound == "on"
            self.live = True
            self.clock = utcnow().isoformat()
        return ring

    def _apply_all(self, events: list[dict], reload: Callable[[], Board]) -> bool:
        """Fold a batch of events into the board, writing each state var once; True for the chime."""
        board, ring = board_feed.fold(Board(self._orders, self._calls, self._versions), events, reload)
        self._keep(board)
        return ring

    @event(ADMIN)
    def toggle_sound(self, principal: Principal):
        self.sound = "off" if self.sound == "on" else "on"

    # A refusal (an order already served, another store's call) is shown by the boundary.
    @event(ADMIN)
    def accept(self, principal: Principal, order_id: Id):
        admin_orders.advance(principal, order_id, "ACCEPTED")
        self._clear_error()

    @event(ADMIN)
    def serve(self, principal: Principal, order_id: Id):
        admin_orders.advance(principal, order_id, "SERVED")
        self._clear_error()

    @event(ADMIN)
    def ask_cancel(self, principal: Principal, order_id: Id):
        self.cancel_id = order_id

    @event(ADMIN)
    def keep_order(self, principal: Principal):
        self.cancel_id = 0

    @event(ADMIN)
    def cancel(self, principal: Principal):
        # The refund is an HTTP call to the provider: like every body, this runs in a worker thread.
        order_id, self.cancel_id = self.cancel_id, 0
        admin_orders.cancel(principal, order_id, "cancelled by staff")
        self._clear_error()

    @event(ADMIN)
    def acknowledge(self, principal: Principal, call_id: Id):
        staff_calls.acknowledge(principal, call_id)
        self._clear_error()

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
