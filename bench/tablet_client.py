"""One simulated tablet: a browser tab as the backend sees it, over Reflex's real event websocket
(socket.io through the cluster's proxy), sending what the tablet's pages send, in the order a browser
sends it (see .web/utils/state.js: `hydrate_and_load` when a page loads and its socket connects,
`update_vars_internal` + `on_load_internal` on a client-side navigation). tests/ui/event_socket.py
is the synchronous, one-tab version of this; a thousand of these share one asyncio loop instead of
three thousand threads, so the bench itself takes less of the CPU it measures."""

import asyncio
import html
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import httpx
import socketio
from reflex.state import OnLoadInternalState, State, UpdateVarsInternalState
from reflex_base.constants.state import FIELD_MARKER

from hiorder_app.states.login_state import LoginState
from hiorder_app.states.session_state import SessionState
from hiorder_app.states.tablet_state import TabletState

ROOT = State.get_full_name()
SESSION, TABLET = SessionState.get_full_name(), TabletState.get_full_name()
HYDRATE = f"{ROOT}.hydrate_and_load"
ON_LOAD = f"{OnLoadInternalState.get_full_name()}.on_load_internal"
UPDATE_VARS = f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal"
TOKEN_KEY = f"{SESSION}.token{FIELD_MARKER}"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


class Timeout(Exception):
    pass


@dataclass
class Record:
    """Everything the tablets measured: round trips by kind (seconds), errors by kind, payments."""
    rtt: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    paid_clicks: dict[str, float] = field(default_factory=dict)  # payment orderId -> epoch of the Pay click
    orders: int = 0
    busy: int = 0

    def took(self, kind: str, seconds: float) -> None:
        self.rtt.setdefault(kind, []).append(seconds)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def changes(update: dict, state: str) -> dict:
    return {k.removesuffix(FIELD_MARKER): v for k, v in (update.get("delta") or {}).get(state, {}).items()}


def hydrated(update: dict) -> bool:
    return changes(update, ROOT).get("is_hydrated") is True


def redirect(update: dict) -> str | None:
    for ev in update.get("events") or ():
        path = (ev.get("payload") or {}).get("path")
        if isinstance(path, str):
            return path
    return None


class Tablet:
    def __init__(self, number: int, proxy_port: int, record: Record, http: httpx.AsyncClient,
                 token: str = "", password: str = "", timeout: float = 30.0):
        self.number, self.port, self.record, self.http = number, proxy_port, record, http
        self.token, self.password, self.timeout = token, password, timeout
        self.origin = f"http://order.localhost:{proxy_port}"
        self.client_token = str(uuid.uuid4())  # sessionStorage: one per tab, kept across reloads
        self.items: list[dict] = []
        self.categories: list[str] = []
        self.category = ""
        self.sio: socketio.AsyncClient | None = None
        self.updates: asyncio.Queue = asyncio.Queue()

    # ---- the socket ------------------------------------------------------------------------------------
    async def connect(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.updates = asyncio.Queue()
        self.sio.on("event", self.updates.put_nowait, namespace="/_event")
        # The proxy routes by host name; the Origin header is what Reflex builds router.url from.
        await self.sio.connect(
            f"http://127.0.0.1:{self.port}?token={self.client_token}", transports=["websocket"],
            namespaces=["/_event"], socketio_path="/_event", wait_timeout=self.timeout,
            headers={"Host": f"order.localhost:{self.port}", "Origin": self.origin})

    async def close(self) -> None:
        if self.sio is not None:
            try:
                await self.sio.disconnect()
            except Exception:
                pass
            self.sio = None

    async def send(self, name: str, payload: dict | None = None, path: str = "/") -> None:
        split = urlsplit(path)
        router = {"pathname": split.path, "asPath": path}
        if split.query:
            router["query"] = dict(parse_qsl(split.query))
        await self.sio.emit("event", {"name": name, "payload": payload or {}, "router_data": router},
                            namespace="/_event")

    async def until(self, match, kind: str):
        """Read updates until `match(update)` gives something; that. Whatever passes on the way is
        looked at for what every page shows: the menu, and an error message."""
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout(kind)
            try:
                update = await asyncio.wait_for(self.updates.get(), left)
            except TimeoutError:
                raise Timeout(kind) from None
            self._look(update)
            found = match(update)
            if found:
                return found

    def _look(self, update: dict) -> None:
        tablet = changes(update, TABLET)
        if "items" in tablet:
            self.items = [i for i in tablet["items"] if not i["sold_out"] and not i["once_per_table"]
                          and not i.get("option_groups") and (i["stock"] is None or i["stock"] > 20)]
        if "categories" in tablet:
            self.categories = [c["key"] for c in tablet["categories"]]
        if "category_id" in tablet:
            self.category = tablet["category_id"]
        if changes(update, SESSION).get("error_ko"):
            self.record.error("error shown")

    async def timed(self, kind: str, name: str, payload: dict | None, match, path: str = "/"):
        started = time.monotonic()
        await self.send(name, payload, path)
        found = await self.until(match, kind)
        self.record.took(kind, time.monotonic() - started)
        return found

    # ---- pages -------------------------------------------------------------------------------------------
    async def load(self, path: str, kind: str) -> None:
        """A full page load: the socket connects and the page hydrates, its on_load handlers run."""
        await self.close()
        await self.connect()
        storage = {TOKEN_KEY: self.token} if self.token else {}
        await self.timed(kind, HYDRATE, {"vars": storage}, hydrated, path)

    async def navigate(self, path: str, kind: str) -> None:
        """A client-side navigation (a link, or rx.redirect): the page's on_load handlers run."""
        await self.send(UPDATE_VARS, {"vars": {TOKEN_KEY: self.token}}, path)
        await self.timed(kind, ON_LOAD, None, hydrated, path)

    async def sign_in(self, store: str, username: str) -> None:
        await self.load("/login", "page load /login")
        self.token = await self.timed(
            "sign-in", f"{LoginState.get_full_name()}.submit",
            {"form": {"store": store, "username": username, "password": self.password}},
            lambda u: changes(u, SESSION).get("token"), "/login")
        await self.navigate("/", "navigation /")

    # ---- what a diner does ------------------------------------------------------------------------------
    async def browse(self, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.4 and len(self.categories) > 1:
            key = rng.choice([c for c in self.categories if c != self.category])
            await self.timed("select_category", f"{TABLET}.select_category", {"key": key},
                             lambda u: changes(u, TABLET).get("category_id") == key or None)
        elif roll < 0.7 and self.items:
            key = rng.choice(self.items)["key"]
            await self.timed("open_detail", f"{TABLET}.open_detail", {"key": key},
                             lambda u: changes(u, TABLET).get("detail_id") == key or None)
            await self.timed("close_detail", f"{TABLET}.close_detail", None,
                             lambda u: changes(u, TABLET).get("detail_id") == "" or None)
        elif roll < 0.9:
            await self.add(rng)
        else:
            await self.navigate("/orders", "navigation /orders")
            await self.navigate("/", "navigation /")

    async def add(self, rng: random.Random, kind: str | None = None) -> None:
        items = [i for i in self.items if kind is None or i["kind"] == kind] or self.items
        if items:
            key = rng.choice(items)["key"]
            await self.timed("add", f"{TABLET}.add", {"key": key}, lambda u: "cart_count" in changes(u, TABLET) or None)

    async def order_and_pay(self, rng: random.Random) -> None:
        await self.add(rng, "MAIN")  # a side dish alone is refused (order_rules)
        target = await self.timed("place_order", f"{TABLET}.place_order", None,
                                  lambda u: redirect(u) or changes(u, SESSION).get("error_ko"))
        if not target.startswith("http"):
            if target == "/busy":
                self.record.busy += 1
            else:
                self.record.error(f"order refused: {target!r:.60}")
            await self.navigate("/", "navigation /")
            return
        landing = await self._pay(target)
        # The provider's redirect reloads the app: a new socket, the success page's on_load confirms.
        started = time.monotonic()
        await self.close()
        await self.connect()
        await self.send(HYDRATE, {"vars": {TOKEN_KEY: self.token}}, landing)
        where = await self.until(redirect, "payment return")
        self.record.took("payment return (page load to confirmed)", time.monotonic() - started)
        await self.until(hydrated, "payment return")
        if where != "/orders":
            self.record.error(f"payment return to {where}")
            return
        self.record.orders += 1
        await self.navigate("/orders", "navigation /orders")
        await self.navigate("/", "navigation /")

    async def _pay(self, checkout_url: str) -> str:
        """The provider's checkout page, as a browser uses it: GET it, press Pay (POST its form)."""
        split = urlsplit(checkout_url)
        local = split._replace(netloc=f"127.0.0.1:{self.port}").geturl()
        headers = {"Host": split.netloc}
        page = await self.http.get(local, headers=headers)
        page.raise_for_status()
        form = {k: html.unescape(v) for k, v in _HIDDEN.findall(page.text)}
        pay_url = split._replace(netloc=f"127.0.0.1:{self.port}", path=split.path.rstrip("/") + "/pay",
                                 query="").geturl()
        clicked = time.time()
        answer = await self.http.post(pay_url, data=form, headers=headers)
        if answer.status_code != 303:
            raise Timeout(f"checkout answered {answer.status_code}")
        back = answer.headers["location"]
        self.record.paid_clicks[dict(parse_qsl(urlsplit(back).query)).get("orderId", "")] = clicked
        split_back = urlsplit(back)
        if split_back.path == "/_pay/return":  # the backend confirms first, then sends the browser on
            started = time.monotonic()
            landed = await self.http.get(split_back._replace(scheme="http", netloc=f"127.0.0.1:{self.port}").geturl(),
                                         headers={"Host": split_back.netloc})
            if landed.status_code != 303:
                raise Timeout(f"payment return answered {landed.status_code}")
            self.record.took("payment return (backend confirm)", time.monotonic() - started)
            split_back = urlsplit(landed.headers["location"])
        return split_back.path + (f"?{split_back.query}" if split_back.query else "")
