import reflex as rx

from ..components.admin_nav import admin_shell, visually_hidden_caption
from ..components.admin_table_dialogs import confirm, issued_dialog, qr_dialog, rename_dialog
from ..components.i18n import error_callout, t
from ..states.admin_tables_state import AdminTablesState as S

_PRINT_CSS = """
@media print {
  @page { size: A4; margin: 12mm; }
  .no-print { display: none !important; }
  body, .rt-Theme, .admin-shell { background: white !important; }
  .qr-sheet { grid-template-columns: repeat(3, 1fr) !important; gap: 8mm !important; }
  .qr-card { break-inside: avoid; box-shadow: none !important; border: 1px solid #999 !important; }
}
"""


def _row(r) -> rx.Component:
    occupied = r["occupied"].to(bool)
    return rx.table.row(
        rx.table.row_header_cell(rx.text(r["title"], weight="bold", size="4")),
        rx.table.cell(rx.text(r["name"])),
        rx.table.cell(rx.code(r["username"].to(str), variant="ghost")),
        rx.table.cell(rx.badge(r["status"], color_scheme=rx.cond(occupied, "orange", "gray"),
                               variant=rx.cond(occupied, "solid", "soft"))),
        rx.table.cell(rx.hstack(
            rx.button(rx.icon("qr-code", size=16), "QR", on_click=S.show_qr(r["key"]), aria_label=r["qr_label"],
                      variant="soft", size="2"),
            rx.tooltip(rx.icon_button(rx.icon("pencil", size=16), on_click=S.open_rename(r["key"]),
                                      aria_label=r["rename_label"], variant="soft", color_scheme="gray"),
                       content=r["rename_label"]),
            confirm(rx.icon_button(rx.icon("key-round", size=16), aria_label=r["reissue_label"], variant="soft",
                                   color_scheme="gray"),
                    t("비밀번호를 재발급할까요?", "Issue a new password?"),
                    t("이 테이블의 태블릿은 로그아웃되고, 이전 QR 코드는 더 이상 쓸 수 없어요.",
                      "This table's tablet is signed out and its previous QR codes stop working."),
                    t("재발급", "Issue new password"), S.reissue(r["key"]), color="orange"),
            confirm(rx.button(rx.icon("brush-cleaning", size=16), t("정리", "Clear"), aria_label=r["clear_label"],
                              disabled=~occupied, variant="soft", color_scheme="red", size="2"),
                    t("테이블을 정리할까요?", "Clear this table?"),
                    t("손님이 떠난 뒤에 하세요. 태블릿의 주문 내역이 비워지고 다음 손님이 새로 시작해요.",
                      "Do this after the guests leave: the tablet's order list empties and the next party "
                      "starts fresh."),
                    t("정리하기", "Clear table"), S.clear_table(r["key"])),
            spacing="2", align="center",
        )),
        align="center",
    )


def _create_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(rx.el.label(t("테이블 번호", "Table number"), html_for="new_table_number",
                                  style={"fontWeight": 500}),
                      rx.input(id="new_table_number", name="number", input_mode="numeric", placeholder="11",
                               width="120px", required=True), spacing="1"),
            rx.vstack(rx.el.label(t("테이블 이름 (선택)", "Table name (optional)"), html_for="new_table_name",
                                  style={"fontWeight": 500}),
                      rx.input(id="new_table_name", name="name", placeholder=t("예: 창가 11", "e.g. Window 11"),
                               width="220px"), spacing="1"),
            rx.button(rx.icon("plus", size=16), t("테이블 추가", "Add table"), type="submit"),
            align="end", spacing="3", wrap="wrap",
        ),
        on_submit=S.create_table,
        reset_on_submit=True,
    )


def admin_tables_page() -> rx.Component:
    return admin_shell(
        "tables",
        rx.vstack(
            rx.hstack(
                rx.vstack(rx.heading(t("테이블", "Tables"), size="6"),
                          rx.text(t("테이블마다 태블릿 계정이 하나씩 있어요.", "Each table has one tablet account."),
                                  color_scheme="gray", size="2"), spacing="1"),
                rx.link(rx.button(rx.icon("printer", size=16), t("QR 시트 인쇄", "Print QR sheet"), variant="outline"),
                        href="/admin/tables/print"),
                justify="between", align="end", width="100%",
            ),
            rx.cond((S.issued.length() == 0) & (S.rename_key == ""), error_callout()),
            rx.cond(S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", width="100%")),
            rx.card(_create_form(), width="100%"),
            rx.card(
                rx.table.root(
                    visually_hidden_caption(t("테이블 목록", "Tables")),
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell(t("번호", "No."), width="90px"),
                        rx.table.column_header_cell(t("이름", "Name")),
                        rx.table.column_header_cell(t("태블릿 아이디", "Tablet username")),
                        rx.table.column_header_cell(t("상태", "Status")),
                        rx.table.column_header_cell(t("관리", "Actions")),
                    )),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    width="100%",
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        issued_dialog(),
        qr_dialog(),
        rename_dialog(),
    )


def _sheet_card(link) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("테이블 ", "Table ") + link["number"].to(str), size="7", as_="h2"),
            rx.text(link["name"], color_scheme="gray"),
            rx.image(src=link["qr"].to(str), alt=t("QR 코드", "QR code"), width="180px", height="180px"),
            rx.text(t("태블릿 카메라로 찍으면 이 테이블로 로그인돼요.",
                      "Scan with the tablet to sign in as this table."),
                    size="1", color_scheme="gray", text_align="center"),
            align="center",
            spacing="2",
        ),
        class_name="qr-card",
        role="figure",
        aria_label=t("QR 코드 테이블 ", "QR code table ") + link["number"].to(str),
    )


def admin_tables_print_page() -> rx.Component:
    return admin_shell(
        "tables",
        rx.el.style(_PRINT_CSS),
        rx.hstack(
            rx.vstack(rx.heading(t("테이블 QR 시트", "Table QR sheet"), size="6"),
                      rx.text(t("직원용이에요. 비밀번호를 재발급하면 그 테이블의 QR 코드는 다시 인쇄해야 해요.",
                                "For staff. After a password is reissued, print that table's QR code again."),
                              color_scheme="gray", size="2"), spacing="1"),
            rx.hstack(
                rx.link(rx.button(t("테이블 목록", "Back to tables"), variant="soft", color_scheme="gray"),
                        href="/admin/tables"),
                rx.button(rx.icon("printer", size=16), t("인쇄", "Print"), on_click=rx.call_script("window.print()")),
                spacing="2",
            ),
            justify="between", align="end", width="100%", class_name="no-print", margin_bottom="16px",
        ),
        error_callout(),
        rx.grid(rx.foreach(S.sheet, _sheet_card), columns=rx.breakpoints(initial="2", md="4"), spacing="4",
                class_name="qr-sheet", width="100%"),
    )
