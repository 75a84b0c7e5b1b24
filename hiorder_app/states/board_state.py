"""The live order board: loads the read model, then follows this store's events as they happen."""

import asyncio
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

import reflex as rx

from ..domain.events import BOARD_EVENTS, BOARD_SETTINGS_CHANGED, MENU_CHANGED, RESYNC
from ..domain.kitchen import ALL_STATIONS, COOKING, NEW, READY, STAGE_LABELS, age_level
from ..domain.order_status import label
from ..domain.timeutil import utcnow
from ..services.auth import sessions as auth
from ..services.events import live_hub
from ..services.ordering import staff_calls
from ..services.principal import Principal
from ..services.read_models import board_feed, order_views
from ..services.read_models import staff_calls as calls
from ..services.read_models.board_feed import Board, BoardCall, BoardOrder
from ..services.store_admin import kitchen
from ..services.store_admin import orders as admin_orders
from . import live_view
from .boundary import ADMIN, blocking, event, page
from .formatting import pick, store_time, won
from .inputs import BoardThresholds, Flag, Id, Position, Text
from .session_state import SessionState

log = logging.getLogger(__name__)

TICK_SECONDS = 20
_LOST, _RECHECK = object(), object()  # what _show found instead of showing the batch
# A rush of orders rings once, not once per order: staff hear "new orders", and the browser is not
# made to decode and play a sound per card.
RING_GAP_SECONDS = 1.5


class BoardState(SessionState):
    # Backend only: the browser receives just the rendered `cards` and `call_cards`. Tuples, which
    # Reflex does not wrap in change-tracking proxies (see board_feed.BoardOrder).
    _orders: tuple[BoardOrder, ...] = ()
    _calls: tuple[BoardCall, ...] = ()
    _versions: tuple[tuple[int, str], ...] = ()
    # The board's station's orders by column, each reassigned only when it changed: a new order
    # recomputes and sends the new column alone, not the cooking and ready ones (see _split).
    _new: tuple[BoardOrder, ...] = ()
    _cooking: tuple[BoardOrder, ...] = ()
    _ready: tuple[BoardOrder, ...] = ()
    # Every station the store's categories map to, so a board can be set to one no order has used yet.
    _stations: tuple[str, ...] = ()
    live: bool = False
    sound: str = rx.LocalStorage("on", name="hiorder_board_sound")
    # The order whose cancel-and-refund is being confirmed (one dialog for the whole board).
    cancel_id: int = 0
    # Moved on by the follow loop, so "minutes since payment" stays current without a reload.
    clock: str = ""
    # Which station's lines this board shows ("*": every station); kept per browser, so the bar's tablet
    # stays the bar's board.
    station: str = rx.LocalStorage(ALL_STATIONS, name="hiorder_board_station")
    # The store's ageing thresholds in minutes (shown in the board's settings, followed live).
    amber_minutes: int = 10
    red_minutes: int = 20
    # Recently served orders offered for recall (loaded when the recall list is opened).
    served: list[dict] = []

    def _keep(self, board: Board) -> None:
        self._orders, self._versions = board.orders, board.versions
        if board.calls != self._calls:  # an assignment sends call_cards again, changed or not
            self._calls = board.calls
        self._split()

    def _split(self) -> None:
        """Sort the orders into the columns for this board's station, assigning only the columns that
        changed: Reflex recomputes and sends every computed var whose inputs were assigned."""
        station = None if self.station == ALL_STATIONS else self.station
        board = board_feed.columns(Board(self._orders), station)
        for name, stage in (("_new", NEW), ("_cooking", COOKING), ("_ready", READY)):
            if getattr(self, name) != board[stage]:
                setattr(self, name, board[stage])

    @page(ADMIN, background=True)
    async def follow(self, principal: Principal):
        """One per open board, started from on_load so Reflex cancels it when the tab goes away. It
        subscribes before loading, so nothing that happens in between is missed (repeats are harmless).
        Before a batch is shown, and at least every SESSION_CHECK_SECONDS, the session is checked again:
        a board signed out, expired or revoked stops and forgets the orders. A failed round (the
        database restarting) shows the board as not live, and it reloads itself after a short pause. A
        state found lost (Redis restarted empty) reloads the page, which hydrates it again."""
        queue = live_hub.hub.subscribe(principal.store_id)
        last_ring, checked, behind, admitted, failures = 0.0, time.monotonic(), True, True, 0
        async with self:
            token = self.token
        try:
            while True:
                wait = min(TICK_SECONDS, live_view.until_check(checked))
                events = [] if behind else await live_view.next_batch(queue, wait)
                # A menu edit may have mapped a category to another station: only the station list follows.
                menu = any(e.get("type") == MENU_CHANGED for e in events)
                # Placed-but-unpaid orders: nothing on the board changes.
                events = [e for e in events if e.get("type") in BOARD_EVENTS]
                try:
                    overdue = live_view.until_check(checked) == 0
                    check = None
                    if not admitted and (events or behind or overdue):
                        # The session is resolved off the event loop while the state loads, and the
                        # batch is shown only if it is still this board's (see _show).
                        check = asyncio.ensure_future(blocking(auth.resolve, token))
                        checked = time.monotonic()
                    admitted = False
                    try:
                        ring = await self._show(principal, events, reload=behind, menu=menu,
                                                check=(token, check) if check else None)
                    finally:
                        _settle(check)
                    if ring is _LOST:
                        yield live_view.reload_page()
                        return
                    if ring is _RECHECK:  # the session ended, or the tab signed in anew: the slow path decides
                        if await self._principal_in_background() != principal:
                            # Signed out, expired, revoked (the states forgot the store's data), or now
                            # someone else: this loop follows the board of the one it started for.
                            return
                        async with self:
                            token = self.token
                        behind = True  # this batch was not shown: reload the board instead
                        continue
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

    async def _show(self, principal: Principal, events: list[dict], reload: bool, menu: bool = False,
                    check: tuple[str, asyncio.Future] | None = None):
        """Reload the board or fold a batch of events into it, and move the clock on; True for the chime.
        The one database read (a whole board, on a reload or a Resync) happens off the event loop and
        outside the state lock; folding a batch in is quick and stays under it, in one write.
        `check`: (the token, its resolution under way). Under the lock, before anything is shown: _LOST
        when the state was lost (Redis restarted empty: only a reload hydrates it), _RECHECK when the
        token no longer resolves to this board's principal or the tab's token changed; then nothing is
        shown."""
        fresh = await blocking(_load, principal) if reload or any(e.get("type") == RESYNC for e in events) else None
        limits = await blocking(kitchen.board_thresholds, principal) if reload else None
        stations = await blocking(kitchen.stations, principal) if reload or menu else None
        async with self:
            if check is not None:
                if not self.role:
                    return _LOST
                token, resolving = check
                if self.token != token or await resolving != principal:
                    return _RECHECK
            if reload:
                self._keep(fresh)
                self.amber_minutes, self.red_minutes = limits
            if stations is not None:
                self._stations = tuple(stations)
            for e in events:
                if e.get("type") == BOARD_SETTINGS_CHANGED:
                    p = e.get("payload") or {}
                    self.amber_minutes, self.red_minutes = int(p["amber"]), int(p["red"])
            ring = bool(events) and self._apply_all(events, lambda: fresh) and self.sound == "on"
            if not events:
                self._split()  # a quiet round: a station set by the browser's storage since is applied
            if not self.live:
                self.live = True
            # The clock moves on the quiet rounds (at least every TICK_SECONDS) and on a reload, not with
            # each batch: moving it re-renders every card's "minutes ago", which a new order leaves alone
            # (it shows "just now" against a clock a few seconds old).
            now = utcnow()
            if reload or not events or not self.clock or (
                    now - datetime.fromisoformat(self.clock)).total_seconds() >= TICK_SECONDS:
                self.clock = now.isoformat()
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
    def toggle_line(self, principal: Principal, order_id: Id, position: Position, done: Flag):
        kitchen.mark_line_done(principal, order_id, position, done)
        self._clear_error()

    @event(ADMIN)
    def choose_station(self, principal: Principal, station: Text):
        self.station = station
        self._split()

    @event(ADMIN)
    def save_thresholds(self, principal: Principal, form: BoardThresholds):
        """The service checks the minutes (amber before red, 1 to 240) and refuses with a reason."""
        kitchen.set_board_thresholds(principal, form.amber, form.red)
        self.amber_minutes, self.red_minutes = kitchen.board_thresholds(principal)
        self._clear_error()

    @event(ADMIN)
    def load_served(self, principal: Principal):
        en = self.lang == "en"
        self.served = [{"id": o.id, "text": (f"Table {o.table_number} #{o.id}" if en
                                             else f"{o.table_number}번 테이블 #{o.id}")}
                       for o in kitchen.recently_served(principal)]

    @event(ADMIN)
    def recall(self, principal: Principal, order_id: Id):
        kitchen.recall(principal, order_id)
        self.served = [o for o in self.served if o["id"] != order_id]
        self._clear_error()

    @event(ADMIN)
    def acknowledge(self, principal: Principal, call_id: Id):
        staff_calls.acknowledge(principal, call_id)
        self._clear_error()

    def _cards(self, orders: tuple[BoardOrder, ...]) -> list[dict]:
        # Each card is rendered once per (order state, language, minute shown): a batch of new orders
        # costs the new cards, not the whole board again.
        en, now = self.lang == "en", datetime.fromisoformat(self.clock) if self.clock else None
        return [_render_card(o, self.lang, _waiting(o.paid_at, self.clock, en),
                             age_level(datetime.fromisoformat(o.paid_at), now, self.amber_minutes, self.red_minutes)
                             if now and o.paid_at else "")
                for o in orders]

    # One var per column (not one list of every card): an update sends the columns it changed.
    @rx.var
    def new_cards(self) -> list[dict]:
        return self._cards(self._new)

    @rx.var
    def cooking_cards(self) -> list[dict]:
        return self._cards(self._cooking)

    @rx.var
    def ready_cards(self) -> list[dict]:
        return self._cards(self._ready)

    @rx.var
    def column_titles(self) -> list[str]:
        en = self.lang == "en"
        return [(en_label if en else ko) for ko, en_label in (STAGE_LABELS[s] for s in (NEW, COOKING, READY))]

    @rx.var
    def station_choices(self) -> list[list[str]]:
        """[value, label] pairs: every station, then each one the categories map to or an open order's
        lines were made at (a category moved to another station since)."""
        en = self.lang == "en"
        names = sorted(set(self._stations) | set(board_feed.stations(Board(self._orders))))
        return [[ALL_STATIONS, "All stations" if en else "전체"]] + [
            [name, name or ("Kitchen" if en else "주방")] for name in names if name] + (
            [["", "Kitchen" if en else "주방"]] if "" in names else [])

    @rx.var
    def call_cards(self) -> list[dict]:
        en = self.lang == "en"
        return [{"id": c.id, "text": f"Table {c.table} is calling" if en else f"{c.table}번 테이블 직원 호출",
                 "ack_label": f"Acknowledge table {c.table}" if en else f"{c.table}번 호출 확인"}
                for c in self._calls]

    @rx.var
    def new_count(self) -> int:
        return sum(1 for o in self._orders if o.status == "PAID")


def _settle(task: asyncio.Future | None) -> None:
    """A session check left behind by a failed round: cancelled, or its outcome read (never left to
    be reported as an exception nobody retrieved)."""
    if task is None:
        return
    if not task.done():
        # blocking() lets its thread finish even when cancelled, so the task may still end in the
        # thread's exception (the database down): read it then.
        task.cancel()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
    elif not task.cancelled():
        task.exception()


def _line_text(line, lang: str) -> str:
    text = f"{pick(lang, line.name_ko, line.name_en)} × {line.quantity}"
    options = pick(lang, line.options_ko, line.options_en)
    return f"{text}\n  └ {options}" if options else text


@lru_cache(maxsize=4096)
def _render_card(order: BoardOrder, lang: str, waiting: str, age: str = "") -> dict:
    """Only what the card shows, every value a string, number or flag: the card is memoised on its
    props, which the browser compares by identity, so a list here (a fresh one in every update) would
    re-render every card on the board for each new order. The lines go as one JSON string instead."""
    paid_at, order_id, table, status, total, lines, note = order
    en = lang == "en"
    return {
        "id": order_id, "is_new": status == "PAID", "age": age, "note": note,
        "line_items": json.dumps([{"position": ln.position, "text": _line_text(ln, lang), "done": ln.done,
                                   "label": (f"{ln.name_en} done" if en else f"{ln.name_ko} 완료")} for ln in lines],
                                 ensure_ascii=False, separators=(",", ":")),
        "title": f"Table {table}" if en else f"{table}번 테이블",
        "number": f"#{order_id}",
        "label": f"Table {table} order #{order_id}" if en else f"{table}번 테이블 주문 #{order_id}",
        "status_label": label(status, lang),
        "total": won(total, lang),
        "paid_clock": store_time_iso(paid_at),
        "waiting": waiting,
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
