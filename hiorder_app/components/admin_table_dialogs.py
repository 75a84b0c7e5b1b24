import reflex as rx

from ..states.admin_tables_state import AdminTablesState as S
from .i18n import t
from .rename_dialog import rename_dialog as shared_rename_dialog


def _close(label_ko="닫기", label_en="Close", on_click=None) -> rx.Component:
    return rx.hstack(rx.dialog.close(rx.button(t(label_ko, label_en), on_click=on_click, size="3")),
                     justify="end", width="100%")


def issued_dialog() -> rx.Component:
    """The one time a new tablet password is ever shown."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("태블릿 비밀번호", "Tablet password")),
            rx.dialog.description(t("지금 한 번만 보여요. 태블릿에 입력하거나 적어 두세요.",
                                    "Shown only this once. Enter it on the tablet or write it down."),
                                  color_scheme="gray", size="2"),
            rx.data_list.root(
                rx.data_list.item(rx.data_list.label(t("테이블", "Table")),
                                  rx.data_list.value(S.issued["number"].to(str))),
                rx.data_list.item(rx.data_list.label(t("아이디", "Username")),
                                  rx.data_list.value(rx.code(S.issued["username"].to(str), size="4"))),
                rx.data_list.item(rx.data_list.label(t("비밀번호", "Password")),
                                  rx.data_list.value(rx.code(S.issued["password"].to(str), size="6",
                                                             aria_label=t("새 비밀번호", "New password")))),
                margin_y="16px",
            ),
            rx.callout(t("이전 비밀번호와 이전 QR 코드는 더 이상 쓸 수 없어요.",
                         "The previous password and QR codes no longer work."), icon="info", size="1",
                       margin_bottom="12px"),
            _close(on_click=S.close_issued),
            max_width="440px",
        ),
        open=S.issued.length() > 0,
        on_open_change=lambda _open: S.close_issued(),
    )


def qr_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("QR 로그인 — ", "QR sign-in — ") + S.qr["name"].to(str)),
            rx.dialog.description(t("태블릿 카메라로 찍으면 이 테이블로 로그인돼요.",
                                    "Scan it with the tablet's camera to sign in as this table."),
                                  color_scheme="gray", size="2"),
            rx.center(rx.image(src=S.qr["qr"].to(str), alt=t("QR 코드", "QR code"), width="240px", height="240px"),
                      padding="16px"),
            rx.text(t("로그인 링크", "Sign-in link"), size="1", color_scheme="gray"),
            rx.link(S.qr["url"].to(str), href=S.qr["url"].to(str), is_external=True, size="1",
                    word_break="break-all", aria_label=t("로그인 링크", "Sign-in link")),
            rx.text(t("유효 기간: ", "Valid until: ") + S.qr["expires"].to(str), size="1", color_scheme="gray",
                    margin_top="8px"),
            rx.box(_close(on_click=S.close_qr), margin_top="12px"),
            max_width="420px",
        ),
        open=S.qr.length() > 0,
        on_open_change=lambda _open: S.close_qr(),
    )


def rename_dialog() -> rx.Component:
    return shared_rename_dialog(
        t("테이블 이름 바꾸기", "Rename table"),
        [("table_rename", "name", t("테이블 이름", "Table name"), S.rename_name)],
        is_open=S.rename_key != "", on_save=S.save_rename, on_close=S.close_rename,
    )


def confirm(trigger: rx.Component, title, body, action_label, on_confirm, color="red") -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(body),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("취소", "Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(action_label, color_scheme=color, on_click=on_confirm)),
                justify="end", spacing="2", margin_top="12px",
            ),
            max_width="440px",
        ),
    )
