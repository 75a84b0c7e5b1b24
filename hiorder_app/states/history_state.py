"""Every table's order history for the store, from the order read model, with filters."""

from datetime import date

import reflex as rx

from ..domain.errors import DomainError
from ..domain.order_status import LABELS, STORE_VISIBLE_STATUSES, label
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
    # Every order the filters match (the list shows at most order_views.HISTORY_LIMIT) and what they took.
    match_count: int = 0
    paid_total: int = 0
    loaded: bool = False  # so "no match" is not said before the first answer

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
        filters = {"day": day, "table_number": table, "status": self.status or None}
        try:
            views = order_views.order_history(principal, get_settings().tz, **filters)
            summary = order_views.history_summary(principal, get_settings().tz, **filters)
        except DomainError as exc:
            self._show_error(exc)
            return None
        self._clear_error()
        self.match_count, self.paid_total, self.loaded = summary.count, summary.paid_total, True
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
        """Over every match, not only the rows listed."""
        return won(self.paid_total, self.lang)

    @rx.var
    def capped_label(self) -> str:
        """Said when the list stops short of what the filters match."""
        shown = len(self.rows)
        if self.match_count <= shown:
            return ""
        if self.lang == "en":
            return f"Showing the latest {shown} of {self.match_count:,} orders; narrow the filters to see the rest."
        return f"최근 {shown}건만 보여요 (조건에 맞는 주문 {self.match_count:,}건). 날짜나 테이블로 좁혀 보세요."
