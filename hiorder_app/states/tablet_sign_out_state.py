"""Signing a table's tablet out: staff only, with an admin account of the store (services.auth)."""

import reflex as rx

from ..domain.errors import DomainError
from ..services.auth import sessions as auth
from .session_state import SessionState


class TabletSignOutState(SessionState):
    dialog_open: bool = False

    @rx.event
    def open_dialog(self):
        self._clear_error()
        self.dialog_open = True

    @rx.event
    def close_dialog(self):
        self._clear_error()
        self.dialog_open = False

    @rx.event
    def sign_out_tablet(self, form: dict):
        try:
            auth.sign_out_tablet(self.token, form.get("admin_username", ""), form.get("admin_password", ""))
        except DomainError as exc:
            self._show_error(exc)
            return None
        self._clear_error()
        self.dialog_open = False
        self.token = ""
        self._principal()
        return rx.redirect("/login")
