"""`/t/<token>`: a table's QR sign-in link, opened on a tablet."""

import reflex as rx

from ..services.auth import sessions as auth
from .boundary import event
from .session_state import SessionState


class TableLinkState(SessionState):
    @event()
    def sign_in_with_link(self):
        link_token = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        token, _principal = auth.sign_in_with_link(link_token)
        # Whoever this browser was signed in as before, it is this table's tablet now.
        auth.replace_session(self.token)
        self._clear_error()
        self.token = token
        self._principal()
        return rx.redirect("/")
