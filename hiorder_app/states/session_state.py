"""Who is signed in on this browser, the UI language, and the page guards."""

import reflex as rx

from ..domain.enums import Role
from ..domain.errors import DomainError
from ..services.auth import sessions as auth
from ..services.principal import Principal


class SessionState(rx.State):
    # Kept in the browser so a tablet stays signed in across reloads; the server checks it every time.
    token: str = rx.LocalStorage("", name="hiorder_token")
    lang: str = rx.LocalStorage("ko", name="hiorder_lang", sync=True)

    role: str = ""
    username: str = ""
    table_number: int = 0
    store_id: int = 0

    error_ko: str = ""
    error_en: str = ""

    @rx.var
    def error(self) -> str:
        return self.error_en if self.lang == "en" else self.error_ko

    @rx.var
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def _principal(self) -> Principal | None:
        """Resolved from the database on every call: a revoked or expired session stops at once."""
        principal = auth.resolve(self.token)
        if principal is None:
            self.role, self.username, self.table_number, self.store_id = "", "", 0, 0
        else:
            self.role, self.username = principal.role, principal.username
            self.table_number, self.store_id = principal.table_number or 0, principal.store_id
        return principal

    def _show_error(self, exc: DomainError) -> None:
        self.error_ko, self.error_en = exc.message("ko"), exc.message("en")

    def _clear_error(self) -> None:
        self.error_ko = self.error_en = ""

    @rx.event
    def toggle_lang(self):
        self.lang = "en" if self.lang == "ko" else "ko"

    @rx.event
    def sign_out(self):
        try:
            auth.sign_out(self.token)  # refuses a table's tablet: staff sign those out
        except DomainError as exc:
            self._show_error(exc)
            return None
        self.token = ""
        self._principal()
        return rx.redirect("/login")

    @rx.event
    def require_customer(self):
        principal = self._principal()
        if principal is None:
            return rx.redirect("/login")
        if principal.role != Role.CUSTOMER:
            return rx.redirect("/admin")
        return None

    @rx.event
    def require_admin(self):
        principal = self._principal()
        if principal is None:
            return rx.redirect("/login")
        if principal.role != Role.ADMIN:
            # A table tablet never sees store pages.
            return rx.redirect("/")
        return None
