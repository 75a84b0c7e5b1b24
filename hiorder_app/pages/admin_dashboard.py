import reflex as rx

from ..components.admin_nav import admin_shell
from ..components.i18n import error_callout, t
from ..states.admin_state import AdminState

_THOUSANDS = rx.vars.FunctionStringVar.create("(v) => Number(v).toLocaleString()")


def _stat(label_ko: str, label_en: str, value, note=None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t(label_ko, label_en), color_scheme="gray", size="2"),
            rx.heading(value, size="7"),
            *([rx.text(note, size="1", color_scheme="gray")] if note is not None else []),
            spacing="1",
        ),
        role="group",
        aria_label=t(label_ko, label_en),
        min_width="180px",
    )


def _bar_chart(data, data_key: str, label_ko: str, label_en: str, color: str) -> rx.Component:
    """`color` is a literal: SVG fill attributes do not resolve CSS variables."""
    return rx.vstack(
        rx.heading(t(label_ko, label_en), size="4"),
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key=data_key, fill=color),
            rx.recharts.x_axis(data_key="label"),
            rx.recharts.y_axis(width=90, tick_formatter=_THOUSANDS),
            rx.recharts.graphing_tooltip(),
            data=data,
            width="100%",
            height=240,
        ),
        width="100%",
    )


def admin_dashboard_page() -> rx.Component:
    return admin_shell(
        "dashboard",
        rx.vstack(
            rx.hstack(
                rx.heading(t("매출 현황", "Sales"), size="6"),
                rx.text(AdminState.range_label, color_scheme="gray"),
                rx.spacer(),
                rx.segmented_control.root(
                    rx.segmented_control.item(t("오늘", "Today"), value="today"),
                    rx.segmented_control.item(t("최근 7일", "Last 7 days"), value="week"),
                    rx.segmented_control.item(t("최근 30일", "Last 30 days"), value="month"),
                    value=AdminState.period,
                    on_change=AdminState.set_period,
                    aria_label=t("기간", "Period"),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            error_callout(),
            rx.hstack(
                _stat("매출", "Revenue", AdminState.revenue_label, AdminState.change_label),
                _stat("결제 완료 주문", "Paid orders", AdminState.orders_label),
                _stat("객단가", "Average order", AdminState.average_label),
                _stat("환불", "Refunds", AdminState.refunds_label),
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(
                AdminState.period == "today",
                _bar_chart(AdminState.series_rows, "revenue", "시간대별 매출", "Revenue by hour", "#f76b15"),
                _bar_chart(AdminState.series_rows, "revenue", "일별 매출", "Revenue by day", "#f76b15"),
            ),
            rx.cond(
                AdminState.period != "today",
                _bar_chart(AdminState.hour_rows, "orders", "시간대별 주문 수 (기간 합계)", "Orders by hour of day",
                           "#0090ff"),
            ),
            rx.heading(t("많이 팔린 메뉴", "Best sellers"), size="4"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("#"),
                    rx.table.column_header_cell(t("메뉴", "Item")),
                    rx.table.column_header_cell(t("수량", "Qty")),
                    rx.table.column_header_cell(t("매출", "Revenue")),
                    rx.table.column_header_cell(t("비중", "Share")),
                )),
                rx.table.body(rx.foreach(AdminState.top_item_rows, lambda r: rx.table.row(
                    rx.table.cell(r["rank"]), rx.table.cell(r["name"]), rx.table.cell(r["quantity"]),
                    rx.table.cell(r["revenue"]), rx.table.cell(r["share"])))),
                width="100%",
            ),
            spacing="4",
            padding="16px",
            max_width="1080px",
            margin="0 auto",
        ),
    )
