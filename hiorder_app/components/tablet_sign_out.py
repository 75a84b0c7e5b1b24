import reflex as rx

from ..states.tablet_sign_out_state import TabletSignOutState
from .form_buttons import form_buttons
from .i18n import error_callout, t


def tablet_sign_out_dialog() -> rx.Component:
    """Signing the tablet out, for staff (opened from the header's menu): it asks for an admin account of
    the store."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("태블릿 로그아웃 (직원용)", "Sign this tablet out (staff)")),
            rx.dialog.description(t("관리자 계정으로 확인해요.", "Confirm with a store admin account."), size="2"),
            rx.form(
                rx.vstack(
                    rx.el.label(t("관리자 아이디", "Admin username"), html_for="staff_username"),
                    rx.input(id="staff_username", name="admin_username", auto_complete="off", width="100%"),
                    rx.el.label(t("관리자 비밀번호", "Admin password"), html_for="staff_password"),
                    rx.input(id="staff_password", name="admin_password", type="password", auto_complete="off",
                             width="100%"),
                    error_callout(),
                    form_buttons(TabletSignOutState.close_dialog, "로그아웃", "Sign out", color_scheme="red"),
                    spacing="2",
                ),
                on_submit=TabletSignOutState.sign_out_tablet,
                reset_on_submit=True,
            ),
            max_width="420px",
            class_name="tablet-ui",
        ),
        open=TabletSignOutState.dialog_open,
        on_open_change=lambda _open: TabletSignOutState.close_dialog(),
    )
