import reflex as rx

from ..domain.enums import Role
from ..services.auth import sessions as auth
from .boundary import away, event
from .inputs import SignInForm
from .session_state import SessionState


class LoginState(SessionState):
    @event()
    def redirect_if_signed_in(self):
        principal = self._principal()
        return away(principal) if principal is not None else None

    @event()
    def submit(self, form: SignInForm):
        session = self.router.session
        # The throttle counts failures per client (this browser tab, from where it connects) and per
        # address: behind a proxy, TRUSTED_PROXY_HOPS makes client_ip the diner's, not the proxy's.
        client = f"{session.client_ip} {session.client_token}"
        token, principal = auth.sign_in(form.store, form.username, form.password, client,
                                        address=session.client_ip)
        self._clear_error()
        self.token = token
        self._principal()
        return rx.redirect("/admin" if principal.role == Role.ADMIN else "/")
