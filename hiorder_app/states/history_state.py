"""Every table's order history for the store, from the order read model, with filters."""

from datetime import date

import reflex as rx

from ..domain.errors import DomainError
from ..domain.order_status import LABELS, PAID_STATUSES, STORE_VISIBLE_STATUSES, label
from ..services.principal import Principal
from ..services.read_models import order_views
from ..settings import get_settings
from .boundary import ADMIN, event, page
from .formatting import pick, store_time, won
from .inputs import Choice, HistoryFilters
from .session_state import SessionState


class HistoryState(SessionState):
    day: str = ""
    table: str = ""
    status: str = ""
    rows: list[dict] = []

    @page(ADMIN)
    def load(self, principal: Principal):
        try:
            day = date.fromisoformat(self.day) if self.day else None
            table = int(self.table) if self.table.strip() else None
            if table is not None and not 1 <= table <= 999:
                raise ValueError
        except ValueError:
            self._show_error(DomainError("input.invalid", field="date / table"))
            return None
        try:
            views = order_views.order_history(principal, get_settings().tz, day=day, table_number=table,
                                              status=self.status or None)
        except DomainError as exc:
            self._show_error(exc)
            return None
        self._clear_error()
        self.rows = [
            {"id": v.id, "table": v.table_number, "status": v.status, "total": v.total,
             "created": store_time(v.created_at), "paid": store_time(v.paid_at),
             "note": v.note,
             "lines": [[ln.name_ko, ln.name_en, ln.quantity, ln.options_text("ko"), ln.options_text("en")]
                       for ln in v.lines]}
            for v in views
        ]
        return None

    @event(ADMIN)
    def apply_filters(self, principal: Principal, form: HistoryFilters):
        self.day = form.day.strip()
        self.table = form.table.strip()
        return HistoryState.load

    @event(ADMIN)
    def set_status_filter(self, principal: Principal, value: Choice):
        self.status = "" if value == "ALL" else value
        return HistoryState.load

    @rx.var
    def status_options(self) -> list[list[str]]:
        return [["ALL", "전체" if self.lang != "en" else "All"]] + [
            [s, label(s, self.lang)] for s in LABELS if s in STORE_VISIBLE_STATUSES]

    @rx.var
    def view_rows(self) -> list[dict]:
        return [
            {"id": f"#{r['id']}", "table": str(r["table"]), "status": label(r["status"], self.lang),
             "total": won(r["total"], self.lang), "created": r["created"], "paid": r["paid"],
             "items": ", ".join(f"{pick(self.lang, ko, en)} × {q}" + (f" ({pick(self.lang, oko, oen)})" if oko else "")
                                for ko, en, q, oko, oen in r["lines"])
             + (f" · {'Request' if self.lang == 'en' else '요청'}: {r['note']}" if r.get("note") else "")}
            for r in self.rows
        ]

    @rx.var
    def total_label(self) -> str:
        paid = sum(r["total"] for r in self.rows if r["status"] in PAID_STATUSES)
        return won(paid, self.lang)
