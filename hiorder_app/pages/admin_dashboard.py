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


def _table(label_ko: str, label_en: str, headers: list[tuple[str, str]], rows, keys: list[str]) -> rx.Component:
    return rx.vstack(
        rx.heading(t(label_ko, label_en), size="4"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(ko, en)) for ko, en in headers])),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(r[k]) for k in keys]))),
            width="100%",
        ),
        role="region",
        aria_label=t(label_ko, label_en),
        width="100%",
        min_width="300px",
        flex="1",
    )


_ITEM_HEADERS = [("#", "#"), ("메뉴", "Item"), ("수량", "Qty"), ("매출", "Revenue"), ("비중", "Share")]
_ITEM_KEYS = ["rank", "name", "quantity", "revenue", "share"]


def _heatmap() -> rx.Component:
    def cell(c) -> rx.Component:
        return rx.box(rx.text(c["text"], size="1"), background_color=c["bg"], title=c["title"], min_width="26px",
                      height="24px", text_align="center", border_radius="3px")

    return rx.vstack(
        rx.heading(t("요일·시간대별 주문 수", "Orders by weekday and hour"), size="4"),
        rx.box(
            rx.foreach(AdminState.heatmap_rows, lambda row: rx.hstack(
                rx.text(row["label"], size="1", min_width="32px"), rx.foreach(row["cells"].to(list[dict]), cell),
                spacing="1")),
            overflow_x="auto",
            width="100%",
            role="figure",
            aria_label=t("요일·시간대별 주문 수", "Orders by weekday and hour"),
        ),
        width="100%",
    )


def _range_picker() -> rx.Component:
    return rx.vstack(
        rx.segmented_control.root(
            rx.segmented_control.item(t("오늘", "Today"), value="today"),
            rx.segmented_control.item(t("최근 7일", "Last 7 days"), value="week"),
            rx.segmented_control.item(t("최근 30일", "Last 30 days"), value="month"),
            rx.segmented_control.item(t("이번 달", "This month"), value="this_month"),
            rx.segmented_control.item(t("지난 달", "Last month"), value="last_month"),
            rx.segmented_control.item(t("직접 선택", "Custom"), value="custom"),
            value=AdminState.period,
            on_change=AdminState.set_period,
            aria_label=t("기간", "Period"),
        ),
        rx.cond(
            AdminState.period == "custom",
            rx.form(
                rx.hstack(
                    rx.input(type="date", name="first", value=AdminState.custom_first,
                             on_change=AdminState.set_custom_first, aria_label=t("시작일", "From")),
                    rx.text("–"),
                    rx.input(type="date", name="last", value=AdminState.custom_last,
                             on_change=AdminState.set_custom_last, aria_label=t("종료일", "To")),
                    rx.button(t("조회", "Show"), type="submit"),
                    align="center",
                ),
                on_submit=AdminState.apply_custom_range,
            ),
        ),
        align="end",
    )


def _downloads() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("download"), t("매출 CSV", "Figures CSV"), variant="soft",
                  on_click=AdminState.download_figures),
        rx.button(rx.icon("download"), t("주문 CSV", "Orders CSV"), variant="soft",
                  on_click=AdminState.download_orders),
    )


def admin_dashboard_page() -> rx.Component:
    return admin_shell(
        "dashboard",
        rx.vstack(
            rx.hstack(
                rx.heading(t("매출 현황", "Sales"), size="6"),
                rx.text(AdminState.range_label, color_scheme="gray", aria_label="range"),
                rx.spacer(),
                _range_picker(),
                width="100%",
                align="start",
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
            rx.hstack(rx.text(AdminState.previous_label, size="2", color_scheme="gray"), rx.spacer(), _downloads(),
                      width="100%", align="center", wrap="wrap"),
            rx.cond(
                AdminState.one_day,
                _bar_chart(AdminState.series_rows, "revenue", "시간대별 매출", "Revenue by hour", "#f76b15"),
                _bar_chart(AdminState.series_rows, "revenue", "일별 매출", "Revenue by day", "#f76b15"),
            ),
            rx.cond(
                ~AdminState.one_day,
                _bar_chart(AdminState.hour_rows, "orders", "시간대별 주문 수 (기간 합계)", "Orders by hour of day",
                           "#0090ff"),
            ),
            _heatmap(),
            rx.hstack(
                _table("많이 팔린 메뉴 (매출)", "Best sellers by revenue", _ITEM_HEADERS, AdminState.top_item_rows,
                       _ITEM_KEYS),
                _table("많이 팔린 메뉴 (수량)", "Best sellers by quantity", _ITEM_HEADERS,
                       AdminState.top_quantity_rows, _ITEM_KEYS),
                width="100%", wrap="wrap", align="start", spacing="4",
            ),
            rx.hstack(
                _table("카테고리별", "By category", _ITEM_HEADERS, AdminState.category_rows, _ITEM_KEYS),
                _table("테이블별", "By table", [("테이블", "Table"), ("주문", "Orders"), ("매출", "Revenue"),
                                              ("비중", "Share")], AdminState.table_rows,
                       ["name", "orders", "revenue", "share"]),
                width="100%", wrap="wrap", align="start", spacing="4",
            ),
            rx.cond(
                AdminState.option_rows.length() > 0,
                _table("옵션 인기", "Option popularity", [("옵션", "Option"), ("수량", "Qty"), ("추가 매출", "Added")],
                       AdminState.option_rows, ["name", "quantity", "revenue"]),
            ),
            spacing="4",
            padding="16px",
            max_width="1080px",
            margin="0 auto",
        ),
    )
