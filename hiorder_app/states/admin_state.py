"""The store console's dashboard. Every handler re-checks the caller's role on the server."""

from dataclasses import asdict

import reflex as rx

from ..domain.errors import DomainError
from ..domain.timeutil import utcnow
from ..services.principal import Principal
from ..services.read_models import dashboard
from ..settings import get_settings
from .boundary import ADMIN, event, page
from .formatting import pick, won
from .inputs import Choices, first
from .session_state import SessionState


class AdminState(SessionState):
    period: str = "today"
    _report: dict = {}

    @page(ADMIN)
    def load_dashboard(self, principal: Principal):
        self._load(principal, self.period)

    @event(ADMIN)
    def set_period(self, principal: Principal, period: Choices):
        self._load(principal, first(period))

    def _load(self, principal: Principal, period: str) -> None:
        try:
            report = dashboard.sales_report(principal, get_settings().tz, utcnow(), period)
        except DomainError as exc:
            self._show_error(exc)
            return
        self._clear_error()
        self.period, self._report = period, asdict(report)

    def _won(self, key: str) -> str:
        return won(self._report.get(key, 0), self.lang)

    @rx.var
    def revenue_label(self) -> str:
        return self._won("revenue")

    @rx.var
    def orders_label(self) -> str:
        n = self._report.get("orders", 0)
        return f"{n:,}" if self.lang == "en" else f"{n:,}건"

    @rx.var
    def average_label(self) -> str:
        return self._won("average")

    @rx.var
    def refunds_label(self) -> str:
        n, amount = self._report.get("refunds", 0), self._won("refunded")
        return f"{n:,} ({amount})" if self.lang == "en" else f"{n:,}건 ({amount})"

    @rx.var
    def change_label(self) -> str:
        """Revenue against the same number of days just before."""
        now, before = self._report.get("revenue", 0), self._report.get("previous_revenue", 0)
        en = self.lang == "en"
        if not before:
            return "No sales in the previous period" if en else "이전 기간 매출 없음"
        change = round((now - before) * 100 / before)
        return f"{change:+d}% vs the previous period" if en else f"이전 기간 대비 {change:+d}%"

    @rx.var
    def range_label(self) -> str:
        first, last = self._report.get("first_day", ""), self._report.get("last_day", "")
        return first if first == last else f"{first} – {last}"

    @rx.var
    def series_rows(self) -> list[dict]:
        today, en = self._report.get("period") == "today", self.lang == "en"
        return [{"label": (f"{b['key']}h" if en else f"{b['key']}시") if today else b["key"][5:],
                 "revenue": b["revenue"], "orders": b["orders"]} for b in self._report.get("series", [])]

    @rx.var
    def hour_rows(self) -> list[dict]:
        en = self.lang == "en"
        return [{"label": f"{b['key']}h" if en else f"{b['key']}시", "orders": b["orders"]}
                for b in self._report.get("hours", [])]

    @rx.var
    def top_item_rows(self) -> list[dict]:
        revenue = self._report.get("revenue", 0) or 1
        return [{"rank": n, "name": pick(self.lang, t["name_ko"], t["name_en"]), "quantity": f"{t['quantity']:,}",
                 "revenue": won(t["revenue"], self.lang), "share": f"{t['revenue'] * 100 / revenue:.0f}%"}
                for n, t in enumerate(self._report.get("top_items", []), start=1)]
