"""The backend route the provider's success redirect lands on (hiorder_app/payment_return.py): it
confirms before the tablet's page loads, then sends the browser to the tablet's pages.

Driven over real HTTP semantics (Starlette's ASGI app through httpx, no redirects followed) against the
sandbox provider as its own process and the real database; the checkout is pressed like a browser does.
"""

import asyncio
import functools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import DomainError
from hiorder_app.domain.models import Order
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.lifespan import watch_event_loop_lag_forever
from hiorder_app.payment_return import routes
from hiorder_app.services.db import session_scope
from hiorder_app.services.payments.checkout import checkout_deadline, start_checkout
from hiorder_app.services.payments.gateway import reset_gateway
from hiorder_app.services.payments.return_ticket import EXPIRED_CODE, return_url
from hiorder_app.settings import get_settings
from tests.conftest import SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY
from tests.payments.test_payment_service import (
    LIMITED_STOCK,
    assert_paid_once,
    events,
    ledger,
    lines,
    order_status,
    payments_of,
    stock,
)

# As backend_address gives it: the tablet page's own host name, the backend's port.
BACKEND = "http://tablet.test:8000"
TABLET = "http://tablet.test:3000"
FAIL_URL = f"{TABLET}/pay/fail"


@pytest.fixture(autouse=True)
def provider_settings(monkeypatch, sandbox_url):
    """The route builds its gateway from the settings, as the app does: point them at the sandbox."""
    monkeypatch.setenv("PAYMENT_API_BASE", sandbox_url)
    monkeypatch.setenv("PAYMENT_SECRET_KEY", SANDBOX_SECRET_KEY)
    monkeypatch.setenv("PAYMENT_CLIENT_KEY", SANDBOX_CLIENT_KEY)
    get_settings.cache_clear()
    reset_gateway()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    reset_gateway()


def run_async(coro):
    """In a thread of its own: inside a session that also runs Playwright, this thread may hold a loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _get(url: str, backend: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=Starlette(routes=routes))
    async with httpx.AsyncClient(transport=transport, base_url=backend) as client:
        return await client.get(url)


def land(url: str, backend: str = BACKEND) -> httpx.Response:
    """The browser following the provider's 303 to our backend."""
    parts = urlsplit(url)
    return run_async(_get(f"{parts.path}?{parts.query}", backend))


def ticket_url(principal, backend: str, origin: str, payment_ref: str = "HO-some-order", minutes: float = 10) -> str:
    """A return address for one order, as the provider sends the browser to it (its orderId added)."""
    url = return_url(principal, backend, origin, payment_ref, utcnow() + timedelta(minutes=minutes))
    return with_query(url, orderId=payment_ref)


def pay(sandbox, customer, store, gw, origin: str = TABLET):
    success = functools.partial(return_url, customer, BACKEND, origin)
    start = start_checkout(customer, lines(store), success, FAIL_URL, gateway=gw)
    back = sandbox.browser_checkout(start.checkout_url)
    assert back["_url"].startswith(f"{BACKEND}/_pay/return?"), back
    return start, back


def sent_to(response: httpx.Response) -> tuple[str, dict[str, str]]:
    assert response.status_code == 303, response.text
    parts = urlsplit(response.headers["location"])
    return f"{parts.scheme}://{parts.netloc}{parts.path}", {k: v[-1] for k, v in parse_qs(parts.query).items()}


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()} | changes
    return parts._replace(query=httpx.QueryParams(query).__str__()).geturl()


def test_the_redirect_confirms_then_sends_the_tablet_to_its_success_page(db, sandbox, store, customer, gw):
    start, back = pay(sandbox, customer, store, gw)
    where, query = sent_to(land(back["_url"]))

    assert_paid_once(db, sandbox, start, back["paymentKey"])  # PAID, one charge, one OrderPaid event
    assert where == f"{TABLET}/pay/success"
    # What the page's own (idempotent) confirm reads; the ticket stays behind.
    assert query == {"paymentKey": back["paymentKey"], "orderId": start.payment_ref, "amount": back["amount"]}


def test_a_replayed_redirect_charges_once_and_changes_nothing(db, sandbox, store, customer, gw):
    start, back = pay(sandbox, customer, store, gw)
    first = sent_to(land(back["_url"]))
    again = [sent_to(land(back["_url"])) for _ in range(3)]

    assert again == [first] * 3
    assert_paid_once(db, sandbox, start, back["paymentKey"])


def test_a_wrong_amount_is_refused_and_nothing_is_charged(db, sandbox, store, customer, gw, caplog):
    caplog.set_level(logging.WARNING)
    start, back = pay(sandbox, customer, store, gw)
    where, query = sent_to(land(with_query(back["_url"], amount="100")))

    # The tablet's page meets the same refusal from its own confirm and says why.
    assert where == f"{TABLET}/pay/success" and query["amount"] == "100"
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert payments_of(db, start.order_id) == {}
    assert "DONE" not in ledger(sandbox, start.payment_ref).values()
    assert "tampered amount refused" in caplog.text
    # The genuine redirect still pays, once.
    sent_to(land(back["_url"]))
    assert_paid_once(db, sandbox, start, back["paymentKey"])


def ticket_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["t"][0]


def test_a_ticket_confirms_only_its_own_order(db, sandbox, store, customer, gw):
    start, back = pay(sandbox, customer, store, gw)
    other_table = store.sign_in_table(2)
    other, other_back = pay(sandbox, customer, store, gw)  # this table's second order, paid at the provider
    # Another order named in the redirect, and this table's ticket used for its other order: refused outright.
    for url in (with_query(back["_url"], orderId="HO-nosuchorder"),
                with_query(other_back["_url"], t=ticket_of(back["_url"]))):
        response = land(url)
        assert response.status_code == 400 and "location" not in response.headers
        assert "not valid" in response.text
    # A ticket of another table naming this order (we never make one): the page is told "not found".
    stranger = with_query(back["_url"], t=ticket_of(ticket_url(other_table, BACKEND, TABLET, start.payment_ref)))
    assert sent_to(land(stranger))[0] == f"{TABLET}/pay/success"
    for order in (start, other):
        assert order_status(db, order.order_id) == OrderStatus.PENDING_PAYMENT
        assert payments_of(db, order.order_id) == {}
        assert "DONE" not in ledger(sandbox, order.payment_ref).values()
    sent_to(land(other_back["_url"]))  # each genuine return still pays its own order, once
    assert_paid_once(db, sandbox, other, other_back["paymentKey"])


def test_a_ticket_past_its_orders_checkout_does_nothing(db, sandbox, store, customer, gw, monkeypatch):
    start, back = pay(sandbox, customer, store, gw)
    # The same genuine return, but as it would be made once the order's checkout had ended.
    late = functools.partial(ticket_url, customer, BACKEND, TABLET, start.payment_ref, minutes=-1)
    expired = with_query(back["_url"], t=ticket_of(late()))
    response = land(expired)

    # Ours, so the browser goes back to the tablet's fail page, which says why (not a bare error page).
    where, query = sent_to(response)
    assert where == f"{TABLET}/pay/fail"
    assert query == {"code": EXPIRED_CODE, "orderId": start.payment_ref}
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert payments_of(db, start.order_id) == {}
    assert "DONE" not in ledger(sandbox, start.payment_ref).values()
    # The ticket the provider got lasts as long as the order's checkout (PAYMENT_TIMEOUT_MINUTES).
    exp = int(ticket_of(back["_url"]).split(".")[2])
    with session_scope() as s:
        created = s.get(Order, start.order_id).created_at
    assert exp == int(checkout_deadline(created).timestamp())
    # A forged expiry breaks the signature: still "not valid", not "expired".
    parts = ticket_of(back["_url"]).split(".")
    stretched = with_query(back["_url"], t=".".join([*parts[:2], str(exp + 3600), parts[3]]))
    assert "not valid" in land(stretched).text


@pytest.mark.parametrize("change", [{"t": "1.1.forged"}, {"t": ""}, {"to": "http://elsewhere.test"},
                                    {"to": "http://[broken"}])  # urlsplit raises on the last
def test_a_ticket_not_signed_by_us_does_nothing_and_sends_the_browser_nowhere(db, sandbox, store, customer, gw,
                                                                              change):
    start, back = pay(sandbox, customer, store, gw)
    response = land(with_query(back["_url"], **change))

    assert response.status_code == 400 and "location" not in response.headers
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert payments_of(db, start.order_id) == {}


def test_a_decline_at_confirm_sends_the_tablet_to_the_failure_page_with_the_reason(db, sandbox, store, customer,
                                                                                     gw):
    start, back = pay(sandbox, customer, store, gw)
    sandbox.set_faults(confirm_decline_rate=1.0)
    where, query = sent_to(land(back["_url"]))

    assert where == f"{TABLET}/pay/fail"
    assert query["code"] == "REJECT_CARD_PAYMENT" and "잔액부족" in query["message"]
    assert query["orderId"] == start.payment_ref
    assert order_status(db, start.order_id) == OrderStatus.CANCELLED
    assert stock(db, store) == LIMITED_STOCK
    assert events(db, "OrderPaid", start.order_id) == 0


def test_the_provider_unreachable_leaves_it_to_the_page_which_retries(db, sandbox, store, customer, gw):
    start, back = pay(sandbox, customer, store, gw)
    sandbox.set_faults(error_rate=1.0)
    where, _ = sent_to(land(back["_url"]))

    assert where == f"{TABLET}/pay/success"
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT


def test_a_slow_provider_does_not_block_the_event_loop(db, sandbox, store, customer, gw, caplog):
    """The confirm runs in a worker thread: a 400 ms provider leaves the loop free (the lag watcher,
    at 100 ms, would log it otherwise)."""
    caplog.set_level(logging.WARNING, logger="hiorder_app.lifespan")
    start, back = pay(sandbox, customer, store, gw)
    sandbox.set_faults(latency_ms=400)
    parts = urlsplit(back["_url"])

    async def main():
        watcher = asyncio.create_task(watch_event_loop_lag_forever(interval=0.02, threshold=0.1))
        started = time.monotonic()
        response = await _get(f"{parts.path}?{parts.query}", BACKEND)
        took = time.monotonic() - started
        await asyncio.sleep(0.1)
        watcher.cancel()
        return response, took

    response, took = run_async(main())
    assert sent_to(response)[0] == f"{TABLET}/pay/success"
    assert took >= 0.4  # the provider's latency was really in the request
    assert_paid_once(db, sandbox, start, back["paymentKey"])
    assert [r.getMessage() for r in caplog.records if r.name == "hiorder_app.lifespan"] == []


def test_a_ticket_asked_for_a_foreign_origin_sends_the_browser_only_to_the_sites_address(
        db, sandbox, store, customer, gw, monkeypatch):
    # The page origin a handler sees is the socket's Origin header, which a non-browser client writes as it
    # likes: a ticket signed for it would make /_pay/return a lasting open redirect on the backend's host.
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://order.example.com/")
    get_settings.cache_clear()
    start, back = pay(sandbox, customer, store, gw, origin="https://evil.example")
    where, _ = sent_to(land(back["_url"]))

    assert where == "https://order.example.com/pay/success"
    assert_paid_once(db, sandbox, start, back["paymentKey"])
    unpaid = sent_to(land(ticket_url(customer, BACKEND, "https://evil.example")))[0]
    assert urlsplit(unpaid).netloc == "order.example.com"


def test_without_a_site_address_a_ticket_never_sends_the_browser_to_another_host(db, sandbox, store, customer, gw):
    # Development (no PUBLIC_BASE_URL) signs the Origin header as it came: the browser following the return
    # is still sent on only to the host it reached the backend at (or this machine), never to another site.
    start, back = pay(sandbox, customer, store, gw, origin="https://evil.example")
    response = land(back["_url"])

    assert response.status_code == 400 and "location" not in response.headers
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert payments_of(db, start.order_id) == {}
    # A development harness's page and backend on two of this machine's names still come back.
    local = land(ticket_url(customer, "http://127.0.0.1:8000", "http://localhost:3000"), "http://127.0.0.1:8000")
    assert sent_to(local)[0] == "http://localhost:3000/pay/success"
    assert land(ticket_url(customer, BACKEND, "http://localhost:3000")).status_code == 400


@pytest.mark.parametrize("origin", ["http://127.0.0.1:3000, https:", "http://diner@tablet.test:3000",
                                    "http://tablet.test:99999", "http://[broken", "ftp://tablet.test"])
def test_an_origin_that_is_not_a_host_and_port_gets_no_ticket(customer, origin):
    # Two Origin headers (a wire client adding its own) arrive joined by a comma: no Location may carry that.
    from hiorder_app.states.tablet_state import _return_urls

    with pytest.raises(DomainError, match="payment.bad_origin") as refused:
        ticket_url(customer, BACKEND, origin)
    assert "could not be verified" in refused.value.message("en")
    # The tablet's place_order and pay_order ask for the return addresses before anything is placed: a
    # refusal that says why, not a server error (urlsplit raising) read as "try again".
    with pytest.raises(DomainError, match="payment.bad_origin"):
        _return_urls(customer, origin)
