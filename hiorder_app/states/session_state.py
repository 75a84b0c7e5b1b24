"""Who is signed in on this browser, the UI language, and the page guards."""

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import StateUpdate
from reflex_base.constants.state import FIELD_MARKER

from ..domain.enums import Role
from ..domain.errors import DomainError
from ..services.auth import sessions as auth
from ..services.principal import Principal
from .boundary import ADMIN, TABLE, blocking, event, page

# Where Reflex caches a computed var's value on the state instance (ComputedVar._cache_attr).
_CACHED = "__cached_"


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

    # ---- what Reflex keeps in Redis ----------------------------------------------------------------------
    def __getstate__(self):
        """This state as Reflex pickles it into Redis after each event, without the computed vars'
        cached values (`__cached_<var>`): Reflex 0.10.1 stores them too, but a value missing after a
        load is computed again from the stored vars when it is next read (and a var whose inputs
        changed is recomputed anyway), so storing them only made every tablet's Redis state about a
        third larger and every load and save slower (bench/state_size.py)."""
        return {k: v for k, v in super().__getstate__().items() if not k.startswith(_CACHED)}

    # ---- who is calling --------------------------------------------------------------------------------
    def _principal(self) -> Principal | None:
        """Resolved from the database on every call: a revoked or expired session stops at once."""
        principal = auth.resolve(self.token)
        self._record(principal)
        return principal

    async def _principal_in_background(self) -> Principal | None:
        """The same for a background task: resolved off the event loop and outside the state lock. A
        session found gone makes every page's state forget the store's data."""
        async with self:
            token = self.token
        principal = await self._resolve_in_background(token)
        async with self:
            await self._record_in_background(principal)
        return principal

    @staticmethod
    async def _resolve_in_background(token: str) -> Principal | None:
        """A token read under the state lock, resolved outside it and off the event loop."""
        return await blocking(auth.resolve, token)

    async def _record_in_background(self, principal: Principal | None) -> None:
        """Inside `async with self` (a background task that resolved its token outside the lock, so that
        the write joins what the task does next under one lock): record who it is; a session found gone
        makes every page's state forget the store's data."""
        signed_in = bool(self.role)
        self._record(principal)
        if signed_in and principal is None:
            await self._forget_store_data()

    def _record(self, principal: Principal | None) -> None:
        if principal is None:
            self.role, self.username, self.table_number, self.store_id = "", "", 0, 0
            self._clear_store_data()
        else:
            self.role, self.username = principal.role, principal.username
            self.table_number, self.store_id = principal.table_number or 0, principal.store_id

    # ---- forgetting ------------------------------------------------------------------------------------
    def _clear_store_data(self) -> None:
        """Every var this page's state holds (and those of the page states it extends) back to its
        default, but the browser's own settings (client storage, such as the board's sound)."""
        # self.__class__, not type(self): in a background task, self is Reflex's StateProxy.
        for name, field in self.__class__.__fields__.items():
            owner = field._owner
            if owner is not SessionState and issubclass(owner, SessionState) and not owner._is_client_storage(name):
                setattr(self, name, field.default_value())

    async def _forget_store_data(self) -> None:
        """Signed out, expired or revoked: every page's state forgets the store's data, so a reconnect
        with this browser's client token, or a look at the page's memory, finds nothing."""
        for cls in page_states():
            (await self.get_state(cls))._clear_store_data()

    def _recover(self) -> None:
        """Undo what a handler began when it failed for a reason other than a refusal (boundary.py)."""

    # ---- messages --------------------------------------------------------------------------------------
    def _show_error(self, exc: DomainError) -> None:
        self.error_ko, self.error_en = exc.message("ko"), exc.message("en")

    def _clear_error(self) -> None:
        self.error_ko = self.error_en = ""

    # ---- handlers every page shares --------------------------------------------------------------------
    @event(local=True)
    def toggle_lang(self):
        self.lang = "en" if self.lang == "ko" else "ko"

    @event()
    def sign_out(self):
        auth.sign_out(self.token)  # refuses a table's tablet: staff sign those out
        self.token = ""
        self._principal()
        return rx.redirect("/login")

    @page(TABLE)
    def require_customer(self, principal: Principal):
        return None

    @page(ADMIN)
    def require_admin(self, principal: Principal):
        return None


def page_states() -> list[type[SessionState]]:
    """Every state under SessionState, however deep (PaymentState extends TabletState)."""
    found, todo = [], list(SessionState.get_substates())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return sorted(found, key=lambda c: c.get_full_name())


class ForgetSignedOut(Middleware):
    """A browser that (re)connects gets its whole state tree back in one snapshot. One whose session is
    gone (signed out, expired, revoked) gets it without the store's data: the data is forgotten before
    the snapshot is taken, whatever the page last showed under this client token."""

    _HYDRATE = tuple(f"{rx.State.get_full_name()}.{name}" for name in ("hydrate", "hydrate_and_load"))

    async def preprocess(self, app, state, event) -> StateUpdate | None:
        if event.name not in self._HYDRATE:
            return None
        # Hydration resets client storage and then takes the browser's values, so the token that
        # counts is the one the browser sends, not the one the server last saw.
        sent = event.payload.get("vars") if isinstance(event.payload, dict) else None
        token = next((value for key, value in (sent.items() if isinstance(sent, dict) else ())
                      if key.removesuffix(FIELD_MARKER) == f"{SessionState.get_full_name()}.token"), "")
        if await blocking(auth.resolve, token if isinstance(token, str) else None) is None:
            session = await state.get_state(SessionState)
            session._record(None)
            await session._forget_store_data()
        return None
