"""The store console's dashboard. Every handler re-checks the caller's role on the server."""

from dataclasses import asdict

import reflex as rx

from ..domain.errors import DomainError
from ..domain.timeutil import utcnow
from ..services import dashboard
from ..settings import get_settings
from .formatting import pick, won
from .session_state import SessionState


class AdminState(SessionState):
    today_orders: int = 0
    today_revenue: int = 0
    days: list[dict] = []
    top_items: list[dict] = []

    @rx.event
    def load_dashboard(self):
        principal = self._principal()
        if principal is None or not principal.is_admin:
            return rx.redirect("/login" if principal is None else "/")
        try:
            summary = dashboard.sales_summary(principal, get_settings().tz, utcnow())
        except DomainError as exc:
            self._show_error(exc)
            return None
        self.today_orders, self.today_revenue = summary.today_orders, summary.today_revenue
        self.days = [asdict(d) | {"label": d.day[5:]} for d in summary.days]
        self.top_items = [asdict(t) for t in summary.top_items]
        return None

    @rx.var
    def today_revenue_label(self) -> str:
        return won(self.today_revenue, self.lang)

    @rx.var
    def top_item_rows(self) -> list[dict]:
        return [{"name": pick(self.lang, t["name_ko"], t["name_en"]), "quantity": t["quantity"],
                 "revenue": won(t["revenue"], self.lang)} for t in self.top_items]
