import reflex as rx

from ..components.admin_nav import admin_shell
from ..components.i18n import t
from ..states.admin_state import AdminState


def _stat(label_ko: str, label_en: str, value) -> rx.Component:
    return rx.card(rx.vstack(rx.text(t(label_ko, label_en), color_scheme="gray"), rx.heading(value, size="7")))


def admin_dashboard_page() -> rx.Component:
    return admin_shell(
        "dashboard",
        rx.vstack(
            rx.heading(t("오늘 매출", "Today's sales"), size="5"),
            rx.hstack(
                _stat("결제 완료 주문", "Paid orders", AdminState.today_orders.to_string()),
                _stat("매출", "Revenue", AdminState.today_revenue_label),
                spacing="3",
            ),
            rx.heading(t("최근 7일", "Last 7 days"), size="4"),
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="revenue", fill="var(--orange-9)"),
                rx.recharts.x_axis(data_key="label"),
                rx.recharts.y_axis(width=90),
                rx.recharts.graphing_tooltip(),
                data=AdminState.days,
                width="100%",
                height=260,
            ),
            rx.heading(t("많이 팔린 메뉴", "Best sellers"), size="4"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell(t("메뉴", "Item")),
                    rx.table.column_header_cell(t("수량", "Qty")),
                    rx.table.column_header_cell(t("매출", "Revenue")),
                )),
                rx.table.body(rx.foreach(AdminState.top_item_rows, lambda r: rx.table.row(
                    rx.table.cell(r["name"]), rx.table.cell(r["quantity"]), rx.table.cell(r["revenue"])))),
                width="100%",
            ),
            spacing="4",
            padding="16px",
            max_width="960px",
            margin="0 auto",
        ),
    )
