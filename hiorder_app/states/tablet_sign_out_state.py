"""Signing a table's tablet out: staff only, with an admin account of the store (services.auth)."""

import reflex as rx

from ..services.auth import sessions as auth
from .boundary import event
from .inputs import StaffSignOutForm
from .session_state import SessionState


class TabletSignOutState(SessionState):
    dialog_open: bool = False

    @event(local=True)
    def open_dialog(self):
        self._clear_error()
        self.dialog_open = True

    @event(local=True)
    def close_dialog(self):
        self._clear_error()
        self.dialog_open = False

    @event()
    def sign_out_tablet(self, form: StaffSignOutForm):
        auth.sign_out_tablet(self.token, form.admin_username, form.admin_password)
        self._clear_error()
        self.dialog_open = False
        self.token = ""
        self._principal()
        return rx.redirect("/login")
