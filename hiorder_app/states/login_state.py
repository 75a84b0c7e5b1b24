import reflex as rx

from ..domain.enums import Role
from ..domain.errors import DomainError
from ..services.auth import sessions as auth
from .session_state import SessionState


class LoginState(SessionState):
    @rx.event
    def redirect_if_signed_in(self):
        principal = self._principal()
        if principal is not None:
            return rx.redirect("/admin" if principal.role == Role.ADMIN else "/")
        return None

    @rx.event
    def submit(self, form: dict):
        try:
            token, principal = auth.sign_in(form.get("store", ""), form.get("username", ""), form.get("password", ""))
        except DomainError as exc:
            self._show_error(exc)
            return None
        self._clear_error()
        self.token = token
        self._principal()
        return rx.redirect("/admin" if principal.role == Role.ADMIN else "/")
