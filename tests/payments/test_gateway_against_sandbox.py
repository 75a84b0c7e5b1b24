"""TossPaymentsGateway against the sandbox provider over real HTTP (a separate process, see conftest.py)."""

import asyncio
import logging
import random
import time
from urllib.parse import urljoin

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from hiorder_app.sandbox_pay import Faults, Ledger, create_sandbox_app
from hiorder_app.services.payments.gateway import (
    CIRCUIT_OPEN,
    PROVIDER_UNAVAILABLE,
    PaymentDeclined,
    PaymentError,
    PaymentUnavailable,
    gateway_from_settings,
    reset_gateway,
)
from hiorder_app.settings import get_settings

GATEWAY_LOG = "hiorder_app.services.payments.gateway.toss"


class CountingTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return super().handle_request(request)


def retries_logged(caplog) -> int:
    return sum(1 for r in caplog.records if r.name == GATEWAY_LOG and r.getMessage().startswith("Retrying"))


# -- the happy path ---------------------------------------------------------------------------------------

def test_checkout_pay_confirm_done(sandbox, gateway):
    back = sandbox.pay(gateway, amount=12000)
    assert back["amount"] == "12000" and back["paymentKey"].startswith("tsbx_")
    assert [p["status"] for p in sandbox.payments(back["orderId"])] == ["READY"]

    payment = gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key="confirm-" + back["orderId"])

    assert (payment.status, payment.total_amount, payment.balance_amount) == ("DONE", 12000, 12000)
    assert payment.payment_key == back["paymentKey"] and payment.order_name == "김치찌개 외 1건"
    assert payment.approved_at and payment.method
    assert [p["status"] for p in sandbox.payments(back["orderId"])] == ["DONE"]


def test_lookups_by_key_and_by_order(sandbox, gateway):
    back = sandbox.pay(gateway)
    assert gateway.get_payment(back["paymentKey"]).status == "READY"
    gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key="k-" + back["orderId"])

    assert gateway.get_payment(back["paymentKey"]).status == "DONE"
    by_order = gateway.get_payment_by_order(back["orderId"])
    assert by_order is not None and (by_order.payment_key, by_order.status) == (back["paymentKey"], "DONE")
    assert gateway.get_payment_by_order(sandbox.new_order_id()) is None
    with pytest.raises(PaymentError) as not_found:
        gateway.get_payment("tsbx_nope")
    assert (type(not_found.value).__name__, not_found.value.code) == ("PaymentNotFound", "NOT_FOUND_PAYMENT")


def test_checkout_cancel_button_goes_to_fail_url(sandbox, gateway):
    order_id = sandbox.new_order_id()
    url = gateway.checkout_url(order_id, 5000, "콜라", "http://shop.test/ok", "http://shop.test/fail?table=2")
    back = sandbox.browser_checkout(url, button="취소 / Cancel")
    assert back["_url"].startswith("http://shop.test/fail?table=2&")
    assert (back["code"], back["orderId"]) == ("PAY_PROCESS_CANCELED", order_id) and back["message"]
    assert sandbox.payments(order_id) == []


# -- refusals -----------------------------------------------------------------------------------------------

def test_decline_at_checkout(sandbox, gateway):
    sandbox.set_faults(decline_rate=1.0)
    order_id = sandbox.new_order_id()
    back = sandbox.browser_checkout(gateway.checkout_url(order_id, 5000, "콜라", "http://s/ok", "http://s/fail"))
    assert back["_url"].startswith("http://s/fail?") and back["code"] == "REJECT_CARD_PAYMENT"
    assert sandbox.payments(order_id) == []


def test_decline_at_confirm_is_not_retried_and_never_opens_the_circuit(sandbox, make_gateway, caplog):
    caplog.set_level(logging.INFO, logger=GATEWAY_LOG)
    gateway = make_gateway(breaker_threshold=2)
    backs = [sandbox.pay(gateway) for _ in range(3)]
    sandbox.set_faults(confirm_decline_rate=1.0)
    for back in backs:
        with pytest.raises(PaymentDeclined) as declined:
            gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key="k-" + back["orderId"])
        assert (declined.value.code, declined.value.http_status) == ("REJECT_CARD_PAYMENT", 403)
    assert retries_logged(caplog) == 0
    assert not gateway.breaker_open()
    assert sandbox.payments(backs[0]["orderId"])[0]["status"] == "ABORTED"

    sandbox.set_faults()
    with pytest.raises(PaymentDeclined) as gone:  # an aborted session cannot be confirmed again
        gateway.confirm(backs[0]["paymentKey"], backs[0]["orderId"], 12000, idempotency_key="another-key")
    assert gone.value.code == "NOT_FOUND_PAYMENT_SESSION"


def test_tampered_amount_is_refused(sandbox, gateway):
    back = sandbox.pay(gateway, amount=12000)
    with pytest.raises(PaymentDeclined) as refused:
        gateway.confirm(back["paymentKey"], back["orderId"], 100, idempotency_key="k1-" + back["orderId"])
    assert (refused.value.code, refused.value.http_status) == ("INVALID_REQUEST", 400)
    assert sandbox.payments(back["orderId"])[0]["status"] == "READY"
    # The right amount goes through, with a new key: the old key belongs to the refused request.
    assert gateway.confirm(back["paymentKey"], back["orderId"], 12000, "k2-" + back["orderId"]).status == "DONE"


def test_second_payment_for_a_paid_order_is_refused(sandbox, gateway):
    order_id = sandbox.new_order_id()
    url = gateway.checkout_url(order_id, 3000, "사이다", "http://s/ok", "http://s/fail")
    first, second = sandbox.browser_checkout(url), sandbox.browser_checkout(url)
    gateway.confirm(first["paymentKey"], order_id, 3000, idempotency_key="k1-" + order_id)
    with pytest.raises(PaymentDeclined) as refused:
        gateway.confirm(second["paymentKey"], order_id, 3000, idempotency_key="k2-" + order_id)
    assert refused.value.code == "ALREADY_PROCESSED_PAYMENT"
    assert gateway.get_payment_by_order(order_id).payment_key == first["paymentKey"]


def test_a_wrong_api_base_is_an_error_not_a_missing_payment(sandbox, make_gateway):
    gateway = make_gateway(api_base=sandbox.url + "/not-here")
    with pytest.raises(PaymentError) as failed:  # the server's own 404 page, not the provider's JSON
        gateway.get_payment_by_order(sandbox.new_order_id())
    assert type(failed.value) is PaymentError and failed.value.code == "HTTP_404"


def test_wrong_secret_key_is_refused(sandbox, make_gateway):
    with pytest.raises(PaymentDeclined) as refused:
        make_gateway(secret_key="test_sk_wrong").get_payment("tsbx_any")
    assert (refused.value.code, refused.value.http_status) == ("UNAUTHORIZED_KEY", 401)


# -- idempotency ----------------------------------------------------------------------------------------------

def test_replayed_confirm_returns_the_stored_payment(sandbox, gateway):
    back = sandbox.pay(gateway)
    key = "confirm-" + back["orderId"]
    first = gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key=key)
    again = gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key=key)

    assert again.raw == first.raw
    assert [p["status"] for p in sandbox.payments(back["orderId"])] == ["DONE"]
    with pytest.raises(PaymentDeclined) as reused:  # same key, different body
        gateway.confirm(back["paymentKey"], back["orderId"], 11000, idempotency_key=key)
    assert (reused.value.code, reused.value.http_status) == ("IDEMPOTENCY_KEY_REUSED", 422)
    with pytest.raises(PaymentDeclined) as processed:  # same body, no matching key
        gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key="other-" + key)
    assert processed.value.code == "ALREADY_PROCESSED_PAYMENT"


def test_lost_confirm_response_then_retry_gets_the_stored_response(sandbox, gateway, caplog):
    caplog.set_level(logging.INFO, logger=GATEWAY_LOG)
    back = sandbox.pay(gateway)
    sandbox.set_faults(lose_confirm_response=1)

    payment = gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key="k-" + back["orderId"])

    assert payment.status == "DONE" and retries_logged(caplog) == 1
    assert sandbox.faults()["lose_confirm_response"] == 0
    assert [p["status"] for p in sandbox.payments(back["orderId"])] == ["DONE"]


def test_lost_confirm_responses_on_every_attempt_leave_a_done_payment_to_reconcile(sandbox, gateway):
    back = sandbox.pay(gateway)
    sandbox.set_faults(lose_confirm_response=3)  # the gateway's 3 attempts all lose their answer
    key = "k-" + back["orderId"]

    with pytest.raises(PaymentUnavailable) as unknown:
        gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key=key)

    assert (unknown.value.code, unknown.value.http_status) == (PROVIDER_UNAVAILABLE, 504)
    assert [p["status"] for p in sandbox.payments(back["orderId"])] == ["DONE"]
    assert gateway.get_payment_by_order(back["orderId"]).status == "DONE"
    assert gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key=key).status == "DONE"


# -- unavailability: retries, timeouts, circuit breaker -------------------------------------------------------

def test_5xx_is_retried_then_unavailable(sandbox, gateway, caplog):
    caplog.set_level(logging.INFO, logger=GATEWAY_LOG)
    sandbox.set_faults(error_rate=1.0)
    with pytest.raises(PaymentUnavailable) as failed:
        gateway.get_payment("tsbx_any")
    assert (failed.value.code, failed.value.http_status) == (PROVIDER_UNAVAILABLE, 500)
    assert "FAILED_INTERNAL_SYSTEM_PROCESSING" in failed.value.message
    assert retries_logged(caplog) == 2


def test_one_5xx_is_hidden_by_the_retry(sandbox, gateway):
    back = sandbox.pay(gateway)
    # A seed whose first draw fails (< 0.5) and whose second passes: exactly one 500, then the real answer.
    seed = next(s for s in range(1000) if (r := random.Random(s)).random() < 0.5 <= r.random())
    sandbox.set_faults(error_rate=0.5, seed=seed)
    payment = gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key="k-" + back["orderId"])
    assert payment.status == "DONE"


def test_read_timeout_is_unavailable(sandbox, make_gateway):
    gateway = make_gateway(read_timeout=0.3)
    sandbox.set_faults(latency_ms=900)
    started = time.monotonic()
    with pytest.raises(PaymentUnavailable) as failed:
        gateway.get_payment("tsbx_any")
    assert failed.value.code == PROVIDER_UNAVAILABLE and "ReadTimeout" in failed.value.message
    assert time.monotonic() - started < 3 * 0.3 + 0.5  # three attempts, each cut at the read timeout


def test_idle_waits_for_calls_the_client_gave_up_on(sandbox, make_gateway):
    """What the `sandbox` fixture relies on between tests: a call still sleeping its latency is in flight
    until the provider answers it, and /sandbox/idle waits for it."""
    gateway = make_gateway(read_timeout=0.2, retry_attempts=1)
    sandbox.set_faults(latency_ms=800)
    with pytest.raises(PaymentUnavailable):
        gateway.get_payment("tsbx_any")
    sandbox.set_faults()
    busy = sandbox.http.get("/sandbox/idle", params={"timeout": 0})
    assert (busy.status_code, busy.json()) == (409, {"in_flight": 1})
    started = time.monotonic()
    sandbox.wait_idle()
    assert time.monotonic() - started < 1.5
    assert sandbox.http.get("/sandbox/idle", params={"timeout": 0}).json() == {"in_flight": 0}
    assert sandbox.http.get("/sandbox/idle", params={"timeout": "soon"}).status_code == 400


def test_a_timed_out_confirm_may_still_complete(sandbox, make_gateway):
    gateway = make_gateway(read_timeout=0.3)
    back = sandbox.pay(gateway)
    key = "k-" + back["orderId"]
    sandbox.set_faults(latency_ms=700)
    with pytest.raises(PaymentUnavailable):
        gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key=key)
    sandbox.set_faults()

    deadline = time.monotonic() + 3  # the provider is still working on the requests the client gave up on
    while gateway.get_payment_by_order(back["orderId"]).status != "DONE":
        assert time.monotonic() < deadline, "the slow confirm never completed"
        time.sleep(0.1)
    assert gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key=key).status == "DONE"


def test_circuit_opens_fails_fast_then_closes_after_ttl(sandbox, make_gateway):
    threshold, ttl, transport = 3, 1.0, CountingTransport()
    gateway = make_gateway(transport=transport, breaker_threshold=threshold, breaker_ttl=ttl)
    sandbox.set_faults(error_rate=1.0)
    for _ in range(threshold):
        with pytest.raises(PaymentUnavailable) as failed:
            gateway.get_payment("tsbx_any")
        assert failed.value.code == PROVIDER_UNAVAILABLE
    assert gateway.breaker_open()
    assert transport.requests == threshold * 3  # each logical call counted once, after its 3 attempts

    started = time.monotonic()
    with pytest.raises(PaymentUnavailable) as fast:
        gateway.get_payment("tsbx_any")
    assert fast.value.code == CIRCUIT_OPEN
    assert time.monotonic() - started < 0.05 and transport.requests == threshold * 3

    sandbox.set_faults()
    time.sleep(ttl + 0.1)
    assert not gateway.breaker_open()
    assert gateway.get_payment_by_order(sandbox.new_order_id()) is None  # the trial call goes through
    assert not gateway.breaker_open() and transport.requests == threshold * 3 + 1


# -- cancels --------------------------------------------------------------------------------------------------

def test_full_cancel(sandbox, gateway):
    back = sandbox.pay(gateway)
    gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key="k-" + back["orderId"])

    canceled = gateway.cancel(back["paymentKey"], "고객 요청 / customer asked")

    assert (canceled.status, canceled.balance_amount) == ("CANCELED", 0)
    assert [c["cancelAmount"] for c in canceled.raw["cancels"]] == [12000]
    with pytest.raises(PaymentDeclined) as again:
        gateway.cancel(back["paymentKey"], "again")
    assert again.value.code == "ALREADY_CANCELED_PAYMENT"


def test_partial_cancels_are_idempotent_with_a_key(sandbox, gateway):
    back = sandbox.pay(gateway, amount=12000)
    gateway.confirm(back["paymentKey"], back["orderId"], 12000, idempotency_key="k-" + back["orderId"])

    first = gateway.cancel(back["paymentKey"], "콜라 품절", amount=2000, idempotency_key="c1-" + back["orderId"])
    replay = gateway.cancel(back["paymentKey"], "콜라 품절", amount=2000, idempotency_key="c1-" + back["orderId"])
    assert (first.status, first.balance_amount) == ("PARTIAL_CANCELED", 10000)
    assert replay.raw == first.raw and len(sandbox.payments(back["orderId"])[0]["cancels"]) == 1

    with pytest.raises(PaymentDeclined) as too_much:
        gateway.cancel(back["paymentKey"], "too much", amount=10001, idempotency_key="c2-" + back["orderId"])
    assert too_much.value.code == "NOT_CANCELABLE_AMOUNT"
    rest = gateway.cancel(back["paymentKey"], "나머지", amount=10000, idempotency_key="c3-" + back["orderId"])
    assert (rest.status, rest.balance_amount, len(rest.raw["cancels"])) == ("CANCELED", 0, 2)


# -- the sandbox itself ---------------------------------------------------------------------------------------

def test_checkout_page_works_mounted_under_a_prefix(sandbox):
    """As the dev app mounts it: the page's relative form actions must stay under /sandbox-pay."""
    outer = Starlette(routes=[Mount("/sandbox-pay", create_sandbox_app("sk", Faults(), client_key="ck"))])
    asyncio.run(_browse_mounted(outer, sandbox))


async def _browse_mounted(app, sandbox) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver") as browser:
        page = await browser.get("/sandbox-pay/checkout", params={
            "clientKey": "ck", "orderId": "order-1", "amount": "9000", "orderName": "<b>불고기</b>",
            "successUrl": "http://shop.test/ok", "failUrl": "http://shop.test/fail"})
        assert page.status_code == 200
        assert "&lt;b&gt;불고기&lt;/b&gt;" in page.text and "9,000" in page.text
        form = sandbox.form_with_button(page.text, "결제하기 / Pay")
        sandbox.form_with_button(page.text, "취소 / Cancel")
        action = urljoin(str(page.url), form.action)
        assert action.startswith("http://testserver/sandbox-pay/checkout/pay")
        paid = await browser.post(action, data=form.fields)
        assert paid.status_code == 303 and paid.headers["location"].startswith("http://shop.test/ok?paymentKey=")

        bad = await browser.get("/sandbox-pay/checkout", params={"clientKey": "wrong", "orderId": "order-1"})
        assert bad.status_code == 400


def test_gateway_from_settings_is_cached_until_reset(sandbox, monkeypatch):
    monkeypatch.setenv("PAYMENT_API_BASE", sandbox.url)
    monkeypatch.setenv("PAYMENT_SECRET_KEY", sandbox.secret_key)
    monkeypatch.setenv("PAYMENT_CHECKOUT_BASE", "http://pay.test")
    get_settings.cache_clear()
    reset_gateway()
    try:
        gateway = gateway_from_settings()
        assert gateway_from_settings() is gateway
        assert gateway.checkout_url("order-1", 1000, "x", "http://s/ok", "http://s/no").startswith(
            "http://pay.test/checkout?clientKey=")
        assert gateway.get_payment_by_order(sandbox.new_order_id()) is None  # the key from the env is used
        reset_gateway()
        assert gateway_from_settings() is not gateway
    finally:
        reset_gateway()
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_ready_payment_expires_after_ten_minutes():
    now = [1_000_000.0]
    ledger = Ledger(clock=lambda: now[0])
    key = ledger.open_payment("order-1", "불고기", 15000)
    now[0] += 601
    answer = ledger.confirm({"paymentKey": key, "orderId": "order-1", "amount": 15000}, "k1", decline=False)
    assert (answer.status, answer.body["code"]) == (404, "NOT_FOUND_PAYMENT_SESSION")
    assert ledger.get(key).body["status"] == "EXPIRED"


def test_faults_are_validated(sandbox):
    for bad in ({"error_rate": 2}, {"latency_ms": -1}, {"chaos": 1}, {"lose_confirm_response": "x"}):
        assert sandbox.http.put("/sandbox/faults", json=bad).status_code == 400, bad
    assert sandbox.set_faults(latency_ms=5, seed=7)["seed"] == 7


def test_faults_from_env():
    faults = Faults.from_env({"SANDBOX_LATENCY_MS": "250", "SANDBOX_DECLINE_RATE": "0.1",
                              "SANDBOX_ERROR_RATE": "0.05", "SANDBOX_LOSE_CONFIRM": "2"})
    assert (faults.latency_ms, faults.decline_rate, faults.error_rate, faults.lose_confirm_response) == \
        (250, 0.1, 0.05, 2)
    with pytest.raises(ValueError):
        Faults.from_env({"SANDBOX_ERROR_RATE": "lots"})
