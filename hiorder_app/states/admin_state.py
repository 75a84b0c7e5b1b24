"""The store console's dashboard. Every handler re-checks the caller's role on the server."""

from dataclasses import asdict

import reflex as rx

from ..domain.errors import DomainError
from ..domain.timeutil import utcnow
from ..services.principal import Principal
from ..services.read_models import dashboard, exports
from ..settings import get_settings
from .boundary import ADMIN, event, page
from .formatting import pick, won
from .inputs import Choices, DateRange, Text, first
from .session_state import SessionState

CSV = "text/csv;charset=utf-8"
WEEKDAYS_KO = ("월", "화", "수", "목", "금", "토", "일")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class AdminState(SessionState):
    period: str = "today"
    # The custom range's days (YYYY-MM-DD), as the date inputs hold them.
    custom_first: str = ""
    custom_last: str = ""
    _report: dict = {}

    @page(ADMIN)
    def load_dashboard(self, principal: Principal):
        self._load(principal, self.period)

    @event(ADMIN)
    def set_period(self, principal: Principal, period: Choices):
        chosen = first(period)
        if chosen == "custom" and not self.custom_first:
            # Start from the range on screen; the admin then moves its ends.
            self.custom_first = self._report.get("first_day", "")
            self.custom_last = self._report.get("last_day", "")
        self._load(principal, chosen)

    @event(local=True)
    def set_custom_first(self, value: Text):
        self.custom_first = value

    @event(local=True)
    def set_custom_last(self, value: Text):
        self.custom_last = value

    @event(ADMIN)
    def apply_custom_range(self, principal: Principal, form: DateRange):
        self.custom_first, self.custom_last = form.first.strip(), form.last.strip()
        self._load(principal, "custom")

    def _range(self, period: str) -> dict:
        return {"first": self.custom_first, "last": self.custom_last} if period == "custom" else {}

    def _load(self, principal: Principal, period: str) -> None:
        try:
            report = dashboard.sales_report(principal, get_settings().tz, utcnow(), period, **self._range(period))
        except DomainError as exc:
            self._show_error(exc)
            return
        self._clear_error()
        self.period, self._report = period, asdict(report)

    @event(ADMIN)
    def download_figures(self, principal: Principal):
        """The figures on screen as CSV (UTF-8 with BOM, so Excel shows Korean)."""
        report = dashboard.sales_report(principal, get_settings().tz, utcnow(), self.period, **self._range(self.period))
        return rx.download(data=exports.figures_csv(report, self.lang), mime_type=CSV,
                           filename=f"sales_{report.first_day}_{report.last_day}.csv")

    @event(ADMIN)
    def download_orders(self, principal: Principal):
        data = exports.orders_csv(principal, get_settings().tz, utcnow(), self.period, lang=self.lang,
                                  **self._range(self.period))
        return rx.download(data=data, mime_type=CSV, filename=f"orders_{self._report.get('first_day')}_"
                                                              f"{self._report.get('last_day')}.csv")

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
    def one_day(self) -> bool:
        """A one-day range is charted by hour, a longer one by day."""
        return self._report.get("first_day", "") == self._report.get("last_day", "")

    @rx.var
    def previous_label(self) -> str:
        r, en = self._report, self.lang == "en"
        if not r:
            return ""
        days = r["previous_first_day"] if r["previous_first_day"] == r["previous_last_day"] else (
            f"{r['previous_first_day']} – {r['previous_last_day']}")
        n = r["previous_orders"]
        amount = won(r["previous_revenue"], self.lang)
        return f"Previous period {days}: {amount}, {n:,} orders" if en else f"이전 기간 {days}: {amount}, {n:,}건"

    def _rows(self, key: str, total_key: str = "revenue") -> list[dict]:
        total = self._report.get(total_key, 0) or 1
        return [{"rank": n, "name": pick(self.lang, t["name_ko"], t["name_en"]), "quantity": f"{t['quantity']:,}",
                 "revenue": won(t["revenue"], self.lang), "share": f"{t['revenue'] * 100 / total:.0f}%"}
                for n, t in enumerate(self._report.get(key, []), start=1)]

    @rx.var
    def top_quantity_rows(self) -> list[dict]:
        return self._rows("top_by_quantity")

    @rx.var
    def category_rows(self) -> list[dict]:
        return self._rows("categories")

    @rx.var
    def table_rows(self) -> list[dict]:
        total, en = self._report.get("revenue", 0) or 1, self.lang == "en"
        return [{"name": f"Table {t['table_number']}" if en else f"{t['table_number']}번 테이블",
                 "orders": f"{t['orders']:,}", "revenue": won(t["revenue"], self.lang),
                 "share": f"{t['revenue'] * 100 / total:.0f}%"} for t in self._report.get("tables", [])]

    @rx.var
    def option_rows(self) -> list[dict]:
        lang = self.lang
        return [{"name": f"{pick(lang, o['group_ko'], o['group_en'])}: {pick(lang, o['name_ko'], o['name_en'])}",
                 "quantity": f"{o['quantity']:,}", "revenue": won(o["revenue"], lang)}
                for o in self._report.get("options", [])]

    @rx.var
    def heatmap_rows(self) -> list[dict]:
        """Paid orders by weekday and hour; the darker, the busier (hours with no order in the range left out)."""
        if not self._report:
            # Not loaded: every tablet's copy of this state (Reflex keeps the whole tree per browser, in
            # Redis) would otherwise keep an empty 7 x 11 grid, 4.3 KB of its 26.
            return []
        grid = self._report.get("heatmap") or [[0] * 24 for _ in range(7)]
        hours = [h for h in range(24) if any(row[h] for row in grid)] or list(range(11, 22))
        top = max((n for row in grid for n in row), default=0) or 1
        names = WEEKDAYS_EN if self.lang == "en" else WEEKDAYS_KO
        head = {"label": "", "cells": [{"text": f"{h:02d}", "bg": "transparent", "title": ""} for h in hours]}
        return [head] + [{"label": names[d], "cells": [
            {"text": str(grid[d][h]) if grid[d][h] else "", "bg": f"rgba(247, 107, 21, {grid[d][h] / top:.2f})",
             "title": f"{names[d]} {h:02d}: {grid[d][h]}"} for h in hours]} for d in range(7)]

    @rx.var
    def series_rows(self) -> list[dict]:
        today, en = self.one_day, self.lang == "en"
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
