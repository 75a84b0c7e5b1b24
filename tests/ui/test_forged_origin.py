"""A client that is no browser writes the socket's Origin header as it likes, and Reflex builds a handler's
router.url from it: the payment return address the tablet hands the provider must still never send a
browser to that host (the app here runs without PUBLIC_BASE_URL, as in development). This client (python-
socketio) sends its own Origin header besides ours, which arrive joined ("http://127.0.0.1:port, https://
evil.example"); a single forged one is tested at the route (tests/payments/test_payment_return.py)."""

import queue
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from hiorder_app.domain.models import Order
from hiorder_app.services.db import session_scope
from hiorder_app.services.seed import DEMO_TABLE_PASSWORD
from hiorder_app.states.session_state import SessionState
from tests.ui.event_socket import EventSocket, backend_url, changes, event_name, sign_in
from tests.ui.menu_lookup import demo_item

EVIL = "https://evil.example"


def answer_of(sock: EventSocket, timeout: float = 15.0) -> tuple[str, str]:
    """The place_order's answer: (the redirect's address, "") or ("", the error the tablet shows)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            update = sock.updates.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        for e in update.get("events") or ():
            if e.get("name") == "_redirect":
                return e["payload"]["path"], ""
        error = changes(update.get("delta") or {}, SessionState).get("error_en")
        if error:
            return "", error
    raise TimeoutError("place_order never answered")


def order_count() -> int:
    with session_scope() as s:
        return s.exec(select(sa.func.count()).select_from(Order)).one()


@pytest.mark.parametrize("origin", [EVIL, "http://[broken", "http://127.0.0.1:99999"])
def test_a_forged_origin_header_gets_no_payment_return_address(app_harness, origin):
    from hiorder_app.states.tablet_state import TabletState

    url = backend_url(app_harness)
    sock = EventSocket(url, headers={"Origin": origin})
    try:
        sign_in(sock, "table7", DEMO_TABLE_PASSWORD)
        sock.send(event_name(TabletState, "load_menu"), path="/")
        sock.settle()
        before = order_count()
        sock.send(event_name(TabletState, "add"), {"key": str(demo_item("MAIN").id)})
        sock.send(event_name(TabletState, "place_order"))
        checkout, error = answer_of(sock)
    finally:
        sock.close()
    if not checkout:  # the joined headers (or a broken one) are no origin: refused, saying so, with nothing placed
        assert "address could not be verified, so nothing was ordered" in error, error
        assert order_count() == before
        return
    # Were the client to send ours alone: the address exists, but the browser is sent nowhere from it.
    success = parse_qs(urlsplit(checkout).query)["successUrl"][0]
    parts = urlsplit(success)
    assert parts.path == "/_pay/return", success
    # The browser follows the provider's redirect to our backend, at the address it reaches it by.
    response = httpx.get(f"{url}{parts.path}?{parts.query}", follow_redirects=False, timeout=10)
    assert response.status_code == 400 and "location" not in response.headers, response.headers


def test_an_anonymous_oversized_upload_is_refused_before_the_backend_reads_it(app_harness):
    # Reflex's upload endpoint parses the whole form before the handler named checks who is asking.
    from hiorder_app.states.admin_menu_state import AdminMenuState
    from hiorder_app.upload_limit import upload_limit

    response = httpx.post(f"{backend_url(app_harness)}/_upload", timeout=30,
                          headers={"reflex-client-token": "nobody", "reflex-event-handler":
                                   event_name(AdminMenuState, "upload_image")},
                          files={"files": ("big.png", b"x" * (upload_limit() + 1), "image/png")})
    assert response.status_code == 413 and "too large" in response.text
