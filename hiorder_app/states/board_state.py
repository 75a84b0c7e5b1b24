"""The live order board: loads the read model, then follows this store's events as they happen."""

import asyncio
from datetime import datetime

import reflex as rx

from ..domain.errors import DomainError
from ..domain.order_status import label
from ..domain.timeutil import utcnow
from ..services import admin_orders, live_hub, order_views, staff_calls
from ..services.principal import Principal
from .formatting import pick, store_time, won
from .session_state import SessionState

ON_BOARD = {"PAID", "ACCEPTED"}
BOARD_EVENTS = {"OrderPaid", "OrderStatusChanged", "StaffCalled", "StaffCallAcknowledged", live_hub.RESYNC}
TICK_SECONDS = 20


class BoardState(SessionState):
    # Backend only: the browser receives just the rendered `cards`, not this list as well.
    _orders: list[dict] = []
    calls: list[dict] = []
    live: bool = False
    sound: str = rx.LocalStorage("on", name="hiorder_board_sound")
    # order id -> updated_at of the newest event applied: a late, older event (relayed after a newer one
    # went out directly) must not move a card back.
    _versions: dict[int, str] = {}
    # The order whose cancel-and-refund is being confirmed (one dialog for the whole board).
    cancel_id: int = 0
    # Moved on by the follow loop, so "minutes since payment" stays current without a reload.
    clock: str = ""

    def _card(self, order_id: int, table_number: int, status: str, total: int, paid_at: str,
              lines: list[dict]) -> dict:
        return {"id": order_id, "table": table_number, "status": status, "total": total, "paid_at": paid_at,
                "lines": [[ln["name_ko"], ln["name_en"], ln["quantity"]] for ln in lines]}

    def _reload(self, principal: Principal) -> None:
        self._versions = {}
        self._orders = [
            self._card(o.id, o.table_number, o.status, o.total, o.paid_at.isoformat() if o.paid_at else "",
                       [{"name_ko": ln.name_ko, "name_en": ln.name_en, "quantity": ln.quantity} for ln in o.lines])
            for o in order_views.board_orders(principal)
        ]
        self.calls = [{"id": c.id, "table": c.table_number, "at": c.created_at.isoformat()}
                      for c in staff_calls.open_calls(principal)]

    def _apply(self, event: dict, principal: Principal) -> bool:
        """Fold one event into the board; True when it deserves the chime."""
        kind, p = event.get("type"), event.get("payload", {})
        if kind == live_hub.RESYNC:
            self._reload(principal)
        elif kind in ("OrderPaid", "OrderStatusChanged"):
            version = p.get("updated_at") or ""
            if self._versions.get(p["order_id"], "") > version:
                return False
            self._versions[p["order_id"]] = version
            others = [o for o in self._orders if o["id"] != p["order_id"]]
            if p["status"] in ON_BOARD:
                card = self._card(p["order_id"], p["table_number"], p["status"], p["total"], p["paid_at"] or "",
                                  p["lines"])
                self._orders = sorted([*others, card], key=lambda o: (o["paid_at"], o["id"]))
            else:
                self._orders = others
            return kind == "OrderPaid"
        elif kind == "StaffCalled":
            if all(c["id"] != p["call_id"] for c in self.calls):
                self.calls = [*self.calls, {"id": p["call_id"], "table": p["table_number"], "at": p["created_at"]}]
            return True
        elif kind == "StaffCallAcknowledged":
            self.calls = [c for c in self.calls if c["id"] != p["call_id"]]
        return False

    @rx.event(background=True)
    async def follow(self):
        """One per open board, started from on_load so Reflex cancels it when the tab goes away. It
        subscribes before loading, so nothing that happens in between is missed (repeats are harmless)."""
        async with self:
            principal = self._principal()
            if principal is None or not principal.is_admin:
                return
        queue = live_hub.hub.subscribe(principal.store_id)
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
                    ring = False
                    for each in events:
                        ring = self._apply(each, principal) or ring
                    ring = ring and self.sound == "on"
                    self.clock = utcnow().isoformat()
                if ring:
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
        en = self.lang == "en"
        return [
            {
                "id": o["id"], "status": o["status"], "is_new": o["status"] == "PAID",
                "title": f"Table {o['table']}" if en else f"{o['table']}번 테이블",
                "number": f"#{o['id']}",
                "label": f"Table {o['table']} order #{o['id']}" if en else f"{o['table']}번 테이블 주문 #{o['id']}",
                "status_label": label(o["status"], self.lang),
                "total": won(o["total"], self.lang), "paid_at": o["paid_at"],
                "paid_clock": store_time_iso(o["paid_at"]),
                "waiting": _waiting(o["paid_at"], self.clock, en),
                "lines": "\n".join(f"{pick(self.lang, ko, en_name)} × {q}" for ko, en_name, q in o["lines"]),
                "accept_label": f"Accept order #{o['id']}" if en else f"주문 #{o['id']} 접수",
                "serve_label": f"Order #{o['id']} served" if en else f"주문 #{o['id']} 서빙 완료",
                "cancel_label": f"Cancel order #{o['id']}" if en else f"주문 #{o['id']} 취소",
            }
            for o in self._orders
        ]

    @rx.var
    def call_cards(self) -> list[dict]:
        en = self.lang == "en"
        return [{"id": c["id"], "text": f"Table {c['table']} is calling" if en else f"{c['table']}번 테이블 직원 호출",
                 "ack_label": f"Acknowledge table {c['table']}" if en else f"{c['table']}번 호출 확인"}
                for c in self.calls]

    @rx.var
    def new_count(self) -> int:
        return sum(1 for o in self._orders if o["status"] == "PAID")


def store_time_iso(value: str) -> str:
    return store_time(datetime.fromisoformat(value)) if value else ""


def _waiting(paid_at: str, clock: str, en: bool) -> str:
    if not paid_at or not clock:
        return ""
    minutes = max(0, int((datetime.fromisoformat(clock) - datetime.fromisoformat(paid_at)).total_seconds() // 60))
    if minutes == 0:
        return "just now" if en else "방금 전"
    return f"{minutes} min ago" if en else f"{minutes}분 전"
