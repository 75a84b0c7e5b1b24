"""A browser tab as the backend sees it, without the browser: a client token and a socket.io connection to
the app's event endpoint. Events go over the real socket and through Reflex's own event processing,
as a hand-written client (or an attacker) would send them; the deltas that come back are kept."""

import queue
import time
import uuid

import socketio
from reflex.state import State
from reflex_base.constants.state import FIELD_MARKER

from hiorder_app.states.session_state import SessionState

# A path with no page: events carry router data for it, so no on_load handler runs along with them.
NOWHERE = "/no-such-page"


def event_name(state_cls, handler: str) -> str:
    return f"{state_cls.get_full_name()}.{handler}"


class EventSocket:
    def __init__(self, backend_url: str, token: str | None = None, headers: dict[str, str] | None = None):
        self.token = token or str(uuid.uuid4())
        self.updates: queue.Queue = queue.Queue()
        self._sio = socketio.Client(reconnection=False)
        self._sio.on("event", self.updates.put, namespace="/_event")
        self._sio.connect(f"{backend_url}?token={self.token}", transports=["websocket"], namespaces=["/_event"],
                          socketio_path="/_event", wait_timeout=10, headers=headers or {})

    def close(self) -> None:
        self._sio.disconnect()

    def send(self, name: str, payload=None, path: str = NOWHERE) -> None:
        self._sio.emit("event", {"name": name, "payload": {} if payload is None else payload,
                                 "router_data": {"pathname": path, "asPath": path}}, namespace="/_event")

    def deltas(self):
        """Every state delta received so far (and no longer waiting)."""
        while True:
            try:
                update = self.updates.get_nowait()
            except queue.Empty:
                return
            yield update.get("delta") or {}

    def value(self, state_cls, var: str, timeout: float = 10.0, where=None):
        """Wait for a delta that sets `var` of `state_cls` (and passes `where`); its value."""
        key, deadline = f"{var}{FIELD_MARKER}", time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                update = self.updates.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            changes = (update.get("delta") or {}).get(state_cls.get_full_name(), {})
            for name in (key, var):
                if name in changes and (where is None or where(changes[name])):
                    return changes[name]
        raise TimeoutError(f"no {state_cls.__name__}.{var} within {timeout} s")

    def settle(self, timeout: float = 15.0) -> list[dict]:
        """Wait until every event sent so far has been handled; the deltas they sent. This browser's
        events are handled in order, so once a language switch sent last comes back, all before it are
        done; a second switch puts the language back."""
        seen = []
        for _ in range(2):
            self.send(event_name(SessionState, "toggle_lang"))
            key = f"lang{FIELD_MARKER}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    update = self.updates.get(timeout=max(0.01, deadline - time.monotonic()))
                except queue.Empty as exc:
                    raise TimeoutError("the language switch never came back") from exc
                delta = update.get("delta") or {}
                seen.append(delta)
                changes = delta.get(SessionState.get_full_name(), {})
                if key in changes or "lang" in changes:
                    break
        return seen


def hydrate(sock: EventSocket, storage: dict | None = None, path: str = NOWHERE) -> None:
    """What a page does when it (re)connects: ask for the whole state, handing over what the browser
    keeps in its own storage (fully qualified var name -> value), such as the session token."""
    sock.send(f"{State.get_full_name()}.hydrate_and_load", {"vars": storage or {}}, path=path)


def changes(delta: dict, state_cls) -> dict:
    """What one delta sets on one state, by var name."""
    return {k.removesuffix(FIELD_MARKER): v for k, v in delta.get(state_cls.get_full_name(), {}).items()}


def backend_url(harness) -> str:
    host, port = harness.backend.servers[0].sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


def sign_in(sock: EventSocket, username: str, password: str, store: str = "demo") -> str:
    """Sign this socket's browser in as a user would (the login form's submit); its session token."""
    from hiorder_app.states.login_state import LoginState

    sock.send(event_name(LoginState, "submit"), {"form": {"store": store, "username": username, "password": password}})
    return sock.value(SessionState, "token", where=bool)
