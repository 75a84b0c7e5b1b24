"""CSV downloads of the sales report and of the orders in its range. UTF-8 with a BOM: without it Excel
reads the file as the local code page and Korean names come out garbled."""

import csv
import io
import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from ...domain.models import OrderReadModel
from ...domain.order_status import label
from ..db import session_scope
from ..principal import Principal, require_admin
from .dashboard import SalesReport, date_range
from .order_views import STORE_SEES


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def figures_csv(report: SalesReport, lang: str = "ko") -> bytes:
    en = lang == "en"

    def name(row) -> str:
        return row.name_en or row.name_ko if en else row.name_ko

    rows: list[list] = [["section", "key", "orders", "quantity", "revenue"] if en else
                        ["구분", "항목", "주문 수", "수량", "매출"]]
    rows.append(["period" if en else "기간", f"{report.first_day}~{report.last_day}", report.orders, "",
                 report.revenue])
    rows.append(["previous period" if en else "이전 기간", f"{report.previous_first_day}~{report.previous_last_day}",
                 report.previous_orders, "", report.previous_revenue])
    rows.append(["average order" if en else "평균 주문 금액", "", "", "", report.average])
    rows.append(["refunds" if en else "환불", "", report.refunds, "", report.refunded])
    for b in report.series:
        rows.append(["series" if en else "추이", b.key, b.orders, "", b.revenue])
    for b in report.hours:
        rows.append(["hour" if en else "시간대", b.key, b.orders, "", b.revenue])
    for t in report.top_items:
        rows.append(["item" if en else "메뉴", name(t), "", t.quantity, t.revenue])
    for t in report.categories:
        rows.append(["category" if en else "카테고리", name(t), "", t.quantity, t.revenue])
    for o in report.options:
        group, option = (o.group_en or o.group_ko, o.name_en or o.name_ko) if en else (o.group_ko, o.name_ko)
        rows.append(["option" if en else "옵션", f"{group}: {option}", "", o.quantity, o.revenue])
    for t in report.tables:
        rows.append(["table" if en else "테이블", t.table_number, t.orders, "", t.revenue])
    return _csv(rows)


def orders_csv(principal: Principal, tz: ZoneInfo, now: datetime, period: str = "today", first=None,
               last=None, lang: str = "ko") -> bytes:
    """Every order the store saw paid in the range (refunded ones too, with their status), oldest first."""
    principal = require_admin(principal)
    first_day, last_day = date_range(period, now.astimezone(tz).date(), first, last)
    since = datetime.combine(first_day, time.min, tzinfo=tz)
    until = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
    with session_scope() as s:
        found = s.exec(select(OrderReadModel).where(
            OrderReadModel.store_id == principal.store_id, *STORE_SEES, OrderReadModel.paid_at >= since,
            OrderReadModel.paid_at < until).order_by(OrderReadModel.paid_at, OrderReadModel.order_id)).all()
        orders = [(o.order_id, o.paid_at, o.table_number, o.status, o.total, o.lines_json) for o in found]
    en = lang == "en"
    rows: list[list] = [["order", "paid at", "table", "status", "total", "items"] if en else
                        ["주문 번호", "결제 시각", "테이블", "상태", "금액", "메뉴"]]
    for order_id, paid_at, table, status, total, lines_json in orders:
        items = "; ".join(f"{ln['name_en'] if en else ln['name_ko']} x{ln['quantity']}"
                          for ln in json.loads(lines_json))
        rows.append([order_id, paid_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), table, label(status, lang), total,
                     items])
    return _csv(rows)
