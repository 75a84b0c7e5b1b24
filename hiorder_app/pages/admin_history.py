import reflex as rx

from ..components.admin_nav import admin_shell, visually_hidden_caption
from ..components.i18n import error_callout, t
from ..states.history_state import HistoryState


def _filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(rx.el.label(t("날짜", "Date"), html_for="day"),
                      rx.input(id="day", name="day", type="date", default_value=HistoryState.day), spacing="1"),
            rx.vstack(rx.el.label(t("테이블 번호", "Table number"), html_for="table"),
                      rx.input(id="table", name="table", type="number", min=1, max=999, width="120px",
                               default_value=HistoryState.table), spacing="1"),
            rx.button(t("조회", "Search"), type="submit", size="2"),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        on_submit=HistoryState.apply_filters,
        reset_on_submit=False,
    )


def admin_history_page() -> rx.Component:
    return admin_shell(
        "history",
        rx.vstack(
            rx.heading(t("주문 내역", "Order history"), size="6"),
            rx.hstack(
                _filters(),
                rx.vstack(
                    rx.text(t("상태", "Status")),
                    rx.select.root(
                        rx.select.trigger(aria_label=t("상태 필터", "Status filter")),
                        rx.select.content(rx.foreach(HistoryState.status_options,
                                                     lambda o: rx.select.item(o[1], value=o[0]))),
                        value=rx.cond(HistoryState.status == "", "ALL", HistoryState.status),
                        on_change=HistoryState.set_status_filter,
                    ),
                    spacing="1",
                ),
                align="end",
                spacing="5",
                wrap="wrap",
            ),
            error_callout(),
            rx.text(t("합계(취소 제외) ", "Total (excluding cancelled) ") + HistoryState.total_label, weight="bold"),
            rx.cond(HistoryState.capped_label != "",
                    rx.callout(HistoryState.capped_label, icon="info", color_scheme="blue", role="status")),
            rx.table.root(
                visually_hidden_caption(t("주문 내역 표", "Order history table")),
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(ko, en)) for ko, en in [
                    ("주문", "Order"), ("테이블", "Table"), ("상태", "Status"), ("메뉴", "Items"), ("금액", "Total"),
                    ("주문 시각", "Ordered"), ("결제 시각", "Paid")]])),
                rx.table.body(rx.foreach(HistoryState.view_rows, lambda r: rx.table.row(
                    rx.table.cell(r["id"]), rx.table.cell(r["table"]), rx.table.cell(r["status"]),
                    rx.table.cell(r["items"]), rx.table.cell(r["total"]), rx.table.cell(r["created"]),
                    rx.table.cell(r["paid"])))),
                width="100%",
                variant="surface",
            ),
            rx.cond(HistoryState.loaded & (HistoryState.match_count == 0),
                    rx.text(t("조건에 맞는 주문이 없어요.", "No orders match these filters."), color_scheme="gray",
                            role="status")),
            spacing="4",
            width="100%",
        ),
    )
