"""services.payments end to end against the sandbox provider running as its own process (real HTTP).

Every test drives the real flow: start_checkout (order placed, stock held) -> the customer presses Pay on
the provider's hosted page (Sandbox.browser_checkout) -> confirm with what the success redirect carried.
Each checks both sides: our database (order status, payment rows, stock, OrderPaid events) and the
provider's ledger (at most one DONE per order, refunds CANCELED).
"""

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import AccessDenied, DomainError
from hiorder_app.domain.models import Order
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.auth.sessions import sign_in
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.payments.checkout import (
    REFUND_REASON,
    PaymentOutcome,
    PaymentProblem,
    ReconcileReport,
    cancel_checkout,
    cancel_paid_order,
    confirm,
    reconcile,
    start_checkout,
)
from hiorder_app.settings import get_settings
from tests.concurrency import run_together

SUCCESS_URL = "http://shop.test/pay/success"
FAIL_URL = "http://shop.test/pay/fail"
PAYMENTS_LOG = "hiorder_app.services.payments.checkout"
LIMITED_STOCK = 3  # tests/services/conftest.py ITEMS["limited"]


# -- helpers ----------------------------------------------------------------------------------------------


def lines(store) -> list[tuple[int, int]]:
    return [(store.items["main"], 1), (store.items["limited"], 1)]


TOTAL = 9000 + 20000


def checkout(principal, store, gw):
    return start_checkout(principal, lines(store), SUCCESS_URL, FAIL_URL, gateway=gw)


def press_pay(sandbox, start) -> dict:
    """The customer pays on the hosted page; returns the success redirect's query."""
    back = sandbox.browser_checkout(start.checkout_url)
    assert back["_url"].startswith(SUCCESS_URL + "?"), back
    assert back["orderId"] == start.payment_ref and back["amount"] == str(TOTAL)
    return back


def confirm_back(principal, back, gw, amount=None) -> PaymentOutcome:
    return confirm(principal, back["paymentKey"], back["orderId"], back["amount"] if amount is None else amount,
                   gateway=gw)


def rows(db, query: str, **params) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query), params)]


def order_status(db, order_id: int) -> str:
    return db.scalar("SELECT status FROM orders WHERE id = :id", id=order_id)


def payments_of(db, order_id: int) -> dict[str, str]:
    """payment_key -> status of our Payment rows for the order."""
    return dict(rows(db, "SELECT payment_key, status FROM payment WHERE order_id = :id", id=order_id))


def events(db, event_type: str, order_id: int) -> int:
    payloads = rows(db, "SELECT payload FROM outbox_event WHERE type = :t", t=event_type)
    return sum(1 for (payload,) in payloads if json.loads(payload)["order_id"] == order_id)


def stock(db, store) -> int:
    return db.scalar("SELECT stock FROM menu_item WHERE id = :id", id=store.items["limited"])


def ledger(sandbox, payment_ref: str) -> dict[str, str]:
    """payment_key -> status at the provider, for one order; never more than one DONE."""
    found = {p["paymentKey"]: p["status"] for p in sandbox.payments(payment_ref)}
    assert list(found.values()).count("DONE") <= 1, found
    return found


def snapshot(db, store) -> dict:
    counts = {t: db.count(t) for t in ("orders", "order_line", "payment", "outbox_event")}
    return counts | {"order_status": rows(db, "SELECT id, status FROM orders ORDER BY id"),
                     "payment_status": rows(db, "SELECT payment_key, status FROM payment ORDER BY id"),
                     "stock": stock(db, store)}


def after_grace():
    """A reconcile clock past the confirm grace period, before any order times out."""
    return utcnow() + timedelta(seconds=get_settings().payment_confirm_grace_seconds + 1)


def after_timeout():
    return utcnow() + timedelta(minutes=get_settings().payment_timeout_minutes, seconds=1)


def wait_for_ledger(sandbox, payment_ref: str, status: str, timeout: float = 3.0) -> None:
    """The provider may still be working on a request the client gave up on."""
    deadline = time.monotonic() + timeout
    while status not in ledger(sandbox, payment_ref).values():
        assert time.monotonic() < deadline, f"provider never reached {status}: {ledger(sandbox, payment_ref)}"
        time.sleep(0.05)


def set_order_status(order_id: int, status: OrderStatus, reason: str = "test") -> None:
    with session_scope() as s:
        transition(s, lock_order(s, id=order_id), status, reason=reason)


def assert_paid_once(db, sandbox, start, payment_key: str) -> None:
    assert order_status(db, start.order_id) == OrderStatus.PAID
    assert db.scalar("SELECT paid_at FROM orders WHERE id = :id", id=start.order_id) is not None
    assert list(payments_of(db, start.order_id).values()).count("DONE") == 1
    assert payments_of(db, start.order_id)[payment_key] == "DONE"
    assert ledger(sandbox, start.payment_ref)[payment_key] == "DONE"
    assert events(db, "OrderPaid", start.order_id) == 1




# -- the happy path ---------------------------------------------------------------------------------------


def test_happy_path(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert stock(db, store) == LIMITED_STOCK - 1
    assert start.checkout_url.startswith(sandbox.url + "/checkout?")
    back = press_pay(sandbox, start)
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "READY"}

    outcome = confirm_back(customer, back, gw)

    assert outcome == PaymentOutcome(start.order_id, OrderStatus.PAID)
    assert_paid_once(db, sandbox, start, back["paymentKey"])
    (amount, provider, raw, approved_at), = rows(
        db, "SELECT amount, provider, raw_response, approved_at FROM payment WHERE order_id = :id", id=start.order_id)
    assert (amount, provider, approved_at is not None) == (TOTAL, "toss", True)
    raw = json.loads(raw)
    assert (raw["paymentKey"], raw["orderId"], raw["status"], raw["totalAmount"]) == \
        (back["paymentKey"], start.payment_ref, "DONE", TOTAL)
    assert stock(db, store) == LIMITED_STOCK - 1  # a paid order keeps its stock
    assert events(db, "OrderPlaced", start.order_id) == 1


# -- replays and two tabs ---------------------------------------------------------------------------------


def test_replayed_confirm_charges_once(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)

    first = confirm_back(customer, back, gw)
    again = confirm_back(customer, back, gw)  # reload of the success page, double tap

    assert first == again == PaymentOutcome(start.order_id, OrderStatus.PAID)
    assert_paid_once(db, sandbox, start, back["paymentKey"])
    assert len(payments_of(db, start.order_id)) == 1


def test_confirm_after_delayed_settles_with_the_stored_answer(db, sandbox, store, customer, gw):
    """Answer lost on every attempt, the customer taps "try again": the same idempotency key gets the
    provider's stored answer, never a second charge."""
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(lose_confirm_response=3)
    with pytest.raises(PaymentProblem) as delayed:
        confirm_back(customer, back, gw)
    assert delayed.value.code == "payment.delayed"
    sandbox.set_faults()

    assert confirm_back(customer, back, gw).status == OrderStatus.PAID
    assert_paid_once(db, sandbox, start, back["paymentKey"])


def test_two_tabs_second_confirm_after_the_first_paid(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    tab1, tab2 = press_pay(sandbox, start), press_pay(sandbox, start)
    assert tab1["paymentKey"] != tab2["paymentKey"]

    assert confirm_back(customer, tab1, gw).status == OrderStatus.PAID
    assert confirm_back(customer, tab2, gw).status == OrderStatus.PAID

    assert_paid_once(db, sandbox, start, tab1["paymentKey"])
    assert ledger(sandbox, start.payment_ref) == {tab1["paymentKey"]: "DONE", tab2["paymentKey"]: "READY"}


def test_two_tabs_second_confirm_while_the_first_answer_is_lost(db, sandbox, store, customer, gw):
    """Tab 1's confirm went through at the provider but its answer never came back; tab 2 confirms
    next and the provider refuses it (ALREADY_PROCESSED_PAYMENT). The order was paid: it must end PAID
    with tab 1's payment, not be cancelled and refunded."""
    start = checkout(customer, store, gw)
    tab1, tab2 = press_pay(sandbox, start), press_pay(sandbox, start)
    sandbox.set_faults(lose_confirm_response=3)
    with pytest.raises(PaymentProblem, match="payment.delayed"):
        confirm_back(customer, tab1, gw)
    sandbox.set_faults()

    assert confirm_back(customer, tab2, gw) == PaymentOutcome(start.order_id, OrderStatus.PAID)

    assert_paid_once(db, sandbox, start, tab1["paymentKey"])
    assert payments_of(db, start.order_id) == {tab1["paymentKey"]: "DONE", tab2["paymentKey"]: "FAILED"}
    assert ledger(sandbox, start.payment_ref) == {tab1["paymentKey"]: "DONE", tab2["paymentKey"]: "READY"}
    assert stock(db, store) == LIMITED_STOCK - 1
    assert reconcile(gateway=gw, now=after_grace()) == ReconcileReport()
    assert events(db, "OrderPaid", start.order_id) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_two_tabs_confirm_at_once(db, sandbox, store, customer, gw):
    for _ in range(4):
        start = checkout(customer, store, gw)
        tab1, tab2 = press_pay(sandbox, start), press_pay(sandbox, start)

        results = run_together([partial(confirm_back, customer, tab, gw) for tab in (tab1, tab2, tab1)])

        assert results == [PaymentOutcome(start.order_id, OrderStatus.PAID)] * 3, results
        done = [k for k, status in ledger(sandbox, start.payment_ref).items() if status == "DONE"]
        assert len(done) == 1
        assert_paid_once(db, sandbox, start, done[0])
        assert set(payments_of(db, start.order_id).values()) <= {"DONE", "FAILED"}
        # the order's stock stays held: lines of 4 paid orders would exceed the stock of 3, so give it back
        with session_scope() as s:
            transition(s, lock_order(s, id=start.order_id), OrderStatus.CANCELLED, reason="test cleanup")


# -- refusals that change nothing -------------------------------------------------------------------------


def test_tampered_amount_is_refused_without_asking_the_provider(db, sandbox, store, customer, gw, caplog):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    before = snapshot(db, store)

    with caplog.at_level(logging.WARNING, logger=PAYMENTS_LOG):
        for amount in ("100", "29000.0", " 29000", "", "29001", 1):
            with pytest.raises(PaymentProblem) as refused:
                confirm_back(customer, back, gw, amount=amount)
            assert refused.value.code == "payment.amount_mismatch"

    assert snapshot(db, store) == before  # no payment row, order pending, stock held
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "READY"}
    warnings = [r for r in caplog.records if r.name == PAYMENTS_LOG and r.levelno == logging.WARNING]
    assert len(warnings) == 6 and "tampered amount" in warnings[0].getMessage()
    assert f"order {start.order_id}" in warnings[0].getMessage()

    # the genuine redirect still works afterwards
    assert confirm_back(customer, back, gw).status == OrderStatus.PAID
    assert_paid_once(db, sandbox, start, back["paymentKey"])


def test_forged_redirect_with_another_tables_order(db, sandbox, store, customer, gw, make_store):
    victim = checkout(customer, store, gw)
    victim_back = press_pay(sandbox, victim)
    other_table = store.sign_in_table(2)
    other_store = make_store("store-b").sign_in_table(1)
    before = snapshot(db, store)

    for forger in (other_table, other_store):
        with pytest.raises(PaymentProblem) as refused:
            confirm_back(forger, victim_back, gw)
        assert refused.value.code == "payment.unknown_order"
        with pytest.raises(PaymentProblem) as refused:
            cancel_checkout(forger, victim.payment_ref)
        assert refused.value.code == "payment.unknown_order"

    assert snapshot(db, store) == before
    assert ledger(sandbox, victim.payment_ref) == {victim_back["paymentKey"]: "READY"}
    assert confirm_back(customer, victim_back, gw).status == OrderStatus.PAID  # the owner still can


def test_forged_redirect_with_another_orders_payment_key(db, sandbox, store, customer, gw):
    """Table 2 puts table 1's paymentKey on its own order's redirect (same total): the provider refuses
    the mismatch. Neither order may change, and table 1's payment key must stay usable by table 1."""
    victim = checkout(customer, store, gw)
    victim_back = press_pay(sandbox, victim)
    forger = store.sign_in_table(2)
    own = start_checkout(forger, [(store.items["main"], 1), (store.items["limited"], 1)], SUCCESS_URL, FAIL_URL,
                         gateway=gw)
    before = snapshot(db, store)

    with pytest.raises(PaymentProblem) as refused:
        confirm(forger, victim_back["paymentKey"], own.payment_ref, str(TOTAL), gateway=gw)
    assert refused.value.code == "payment.unknown_order"
    for junk in ("", "x" * 201):
        with pytest.raises(PaymentProblem, match="payment.unknown_order"):
            confirm(forger, junk, own.payment_ref, str(TOTAL), gateway=gw)

    assert snapshot(db, store) == before
    assert ledger(sandbox, victim.payment_ref) == {victim_back["paymentKey"]: "READY"}
    assert sandbox.payments(own.payment_ref) == []
    assert confirm_back(customer, victim_back, gw).status == OrderStatus.PAID
    assert_paid_once(db, sandbox, victim, victim_back["paymentKey"])
    assert order_status(db, own.order_id) == OrderStatus.PENDING_PAYMENT

    # once the victim's key is paid and recorded, it is refused before the provider is even asked
    before = snapshot(db, store)
    with pytest.raises(PaymentProblem, match="payment.unknown_order"):
        confirm(forger, victim_back["paymentKey"], own.payment_ref, str(TOTAL), gateway=gw)
    assert snapshot(db, store) == before
    assert order_status(db, own.order_id) == OrderStatus.PENDING_PAYMENT


def test_unknown_order_ref_is_refused(db, sandbox, store, customer, gw):
    for ref in ("", "HO-doesnotexist", None):
        with pytest.raises(PaymentProblem, match="payment.unknown_order"):
            confirm(customer, "tsbx_whatever", ref, str(TOTAL), gateway=gw)
    assert db.count("payment") == 0


def test_admin_cannot_confirm_or_start_checkout(db, sandbox, store, customer, admin, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    with pytest.raises(AccessDenied):
        confirm_back(admin, back, gw)
    with pytest.raises(AccessDenied):
        start_checkout(admin, lines(store), SUCCESS_URL, FAIL_URL, gateway=gw)
    assert db.count("orders") == 1 and db.count("payment") == 0


# -- declines ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("button, code", [("결제하기 / Pay", "REJECT_CARD_PAYMENT"),
                                          ("취소 / Cancel", "PAY_PROCESS_CANCELED")])
def test_declined_or_cancelled_at_checkout_releases_the_order(db, sandbox, store, customer, gw, button, code):
    start = checkout(customer, store, gw)
    sandbox.set_faults(decline_rate=1.0)
    back = sandbox.browser_checkout(start.checkout_url, button=button)
    assert back["_url"].startswith(FAIL_URL + "?") and (back["code"], back["orderId"]) == (code, start.payment_ref)

    outcome = cancel_checkout(customer, back["orderId"])
    again = cancel_checkout(customer, back["orderId"])  # reload of the fail page

    assert outcome == again == PaymentOutcome(start.order_id, OrderStatus.CANCELLED)
    assert stock(db, store) == LIMITED_STOCK
    assert db.count("payment") == 0
    assert sandbox.payments(start.payment_ref) == []
    assert events(db, "OrderPaid", start.order_id) == 0
    assert events(db, "OrderStatusChanged", start.order_id) == 1


def test_cancel_checkout_does_not_touch_a_paid_order(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    confirm_back(customer, back, gw)
    assert cancel_checkout(customer, start.payment_ref).status == OrderStatus.PAID  # a late fail redirect
    assert_paid_once(db, sandbox, start, back["paymentKey"])


def test_declined_at_confirm_cancels_and_releases_stock(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(confirm_decline_rate=1.0)

    with pytest.raises(PaymentProblem) as declined:
        confirm_back(customer, back, gw)

    assert declined.value.code == "payment.declined"
    assert "잔액부족" in declined.value.params["reason"]
    assert order_status(db, start.order_id) == OrderStatus.CANCELLED
    assert stock(db, store) == LIMITED_STOCK
    (status, code), = rows(db, "SELECT status, failure_code FROM payment WHERE order_id = :id", id=start.order_id)
    assert (status, code) == ("FAILED", "REJECT_CARD_PAYMENT")
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "ABORTED"}
    assert events(db, "OrderPaid", start.order_id) == 0
    # a replay of the redirect finds the order closed and does not ask again
    sandbox.set_faults()
    with pytest.raises(PaymentProblem, match="payment.order_closed"):
        confirm_back(customer, back, gw)
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "ABORTED"}


# -- the provider misbehaving -----------------------------------------------------------------------------


def test_provider_5xx_leaves_the_payment_open(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(error_rate=1.0)

    with pytest.raises(PaymentProblem) as delayed:
        confirm_back(customer, back, gw)

    assert delayed.value.code == "payment.delayed"
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CONFIRMING"}
    assert stock(db, store) == LIMITED_STOCK - 1
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "READY"}  # nothing charged
    # while the provider is still down, reconciliation leaves everything as it is
    assert reconcile(gateway=gw, now=after_grace()).unreachable == 1
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CONFIRMING"}
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    # once it is back, the customer's retry goes through
    sandbox.set_faults()
    assert not gw.breaker_open()  # two failed calls, threshold 3
    assert confirm_back(customer, back, gw).status == OrderStatus.PAID
    assert_paid_once(db, sandbox, start, back["paymentKey"])


def test_timeout_then_reconcile_settles_the_late_confirm(db, sandbox, store, customer, make_gateway):
    gw = make_gateway(read_timeout=0.25, retry_attempts=2)
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(latency_ms=600)

    started = time.monotonic()
    with pytest.raises(PaymentProblem, match="payment.delayed"):
        confirm_back(customer, back, gw)
    assert time.monotonic() - started < 2 * 0.25 + 0.5
    sandbox.set_faults()

    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CONFIRMING"}
    wait_for_ledger(sandbox, start.payment_ref, "DONE")  # the provider processed it after we gave up

    # within the grace period a confirm may still be in flight: reconcile leaves it alone
    assert reconcile(gateway=gw) == ReconcileReport()
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT

    assert reconcile(gateway=gw, now=after_grace()) == ReconcileReport(paid=1)
    assert_paid_once(db, sandbox, start, back["paymentKey"])


def test_lost_confirm_response_then_reconcile_pays_once(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(lose_confirm_response=3)  # the gateway's 3 attempts all lose their answer

    with pytest.raises(PaymentProblem, match="payment.delayed"):
        confirm_back(customer, back, gw)

    assert sandbox.faults()["lose_confirm_response"] == 0
    sandbox.set_faults()
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "DONE"}
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CONFIRMING"}
    assert events(db, "OrderPaid", start.order_id) == 0

    assert reconcile(gateway=gw, now=after_grace()) == ReconcileReport(paid=1)
    assert_paid_once(db, sandbox, start, back["paymentKey"])
    before = snapshot(db, store)

    assert reconcile(gateway=gw, now=after_grace()) == ReconcileReport()
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport()
    assert snapshot(db, store) == before
    assert confirm_back(customer, back, gw).status == OrderStatus.PAID  # the late redirect replay too
    assert snapshot(db, store) == before


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_concurrent_reconcile_runs_pay_once(db, sandbox, store, customer, gw):
    """Every worker runs reconciliation: two rounds at once still settle a lost confirm exactly once."""
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(lose_confirm_response=3)
    with pytest.raises(PaymentProblem, match="payment.delayed"):
        confirm_back(customer, back, gw)
    sandbox.set_faults()

    now = after_grace()
    reports = run_together([lambda: reconcile(gateway=gw, now=now)] * 4)

    assert all(isinstance(r, ReconcileReport) for r in reports), reports
    assert_paid_once(db, sandbox, start, back["paymentKey"])


# -- the order closed while the money moved ---------------------------------------------------------------


def test_charged_after_the_order_expired_is_refunded(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(lose_confirm_response=3)
    with pytest.raises(PaymentProblem, match="payment.delayed"):
        confirm_back(customer, back, gw)
    sandbox.set_faults()
    set_order_status(start.order_id, OrderStatus.EXPIRED, reason="payment timeout")  # meanwhile
    assert stock(db, store) == LIMITED_STOCK

    report = reconcile(gateway=gw, now=after_grace())

    assert report == ReconcileReport(refunded=1)  # not "paid": the charge went back
    assert order_status(db, start.order_id) == OrderStatus.EXPIRED
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CANCELED"}
    assert db.scalar("SELECT refunded_amount FROM payment WHERE order_id = :id", id=start.order_id) == TOTAL
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "CANCELED"}
    assert events(db, "OrderPaid", start.order_id) == 0
    assert stock(db, store) == LIMITED_STOCK
    # nothing left to do, and the late redirect replay does not revive the order
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport()
    with pytest.raises(PaymentProblem, match="payment.order_closed"):
        confirm_back(customer, back, gw)
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "CANCELED"}


def test_order_expiring_while_the_provider_confirms_is_refunded_and_not_reported_paid(
        db, sandbox, store, customer, make_gateway):
    """The diner's confirm is at the provider when reconciliation expires the order: the charge that
    arrives after is refunded, and confirm says the order closed (the tablet must not say "paid")."""
    gw = make_gateway(read_timeout=2.0)
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(latency_ms=400)

    with ThreadPoolExecutor(max_workers=1) as pool:
        confirming = pool.submit(confirm_back, customer, back, gw)
        deadline = time.monotonic() + 2
        while not payments_of(db, start.order_id):  # on record: the provider is being asked now
            assert time.monotonic() < deadline
            time.sleep(0.01)
        set_order_status(start.order_id, OrderStatus.EXPIRED, reason="payment timeout")
        with pytest.raises(PaymentProblem) as closed:
            confirming.result(timeout=5)

    assert closed.value.code == "payment.order_closed"
    assert order_status(db, start.order_id) == OrderStatus.EXPIRED
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CANCELED"}
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "CANCELED"}
    assert events(db, "OrderPaid", start.order_id) == 0
    assert stock(db, store) == LIMITED_STOCK


def test_lost_confirm_of_a_stale_order_is_paid_not_expired(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(lose_confirm_response=3)
    with pytest.raises(PaymentProblem, match="payment.delayed"):
        confirm_back(customer, back, gw)
    sandbox.set_faults()

    report = reconcile(gateway=gw, now=after_timeout())  # both a lost confirm and a stale order

    assert report == ReconcileReport(paid=1)  # counted once, though it was both
    assert_paid_once(db, sandbox, start, back["paymentKey"])
    assert stock(db, store) == LIMITED_STOCK - 1


def test_confirm_after_expiry_is_refused_and_never_charged(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport(expired=1)  # customer was too slow

    with pytest.raises(PaymentProblem, match="payment.order_closed"):
        confirm_back(customer, back, gw)

    assert order_status(db, start.order_id) == OrderStatus.EXPIRED
    assert db.count("payment") == 0
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "READY"}


def test_confirm_past_the_checkout_time_before_it_is_expired_is_refused_and_never_charged(
        db, sandbox, store, customer, gw):
    # The return ticket stops at the end of the checkout; the tablet's own confirm (/pay/success) does too,
    # even while reconciliation has not yet come round to expire the order.
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    with session_scope() as s:
        order = s.get(Order, start.order_id)
        order.created_at = utcnow() - timedelta(minutes=get_settings().payment_timeout_minutes, seconds=1)
        s.add(order)
    before = snapshot(db, store)

    with pytest.raises(PaymentProblem, match="payment.order_closed"):
        confirm_back(customer, back, gw)
    assert snapshot(db, store) == before
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "READY"}
    assert reconcile(gateway=gw, now=utcnow()) == ReconcileReport(expired=1)


def test_charged_after_the_diner_cancelled_is_refunded(db, sandbox, store, customer, gw):
    """Confirm in flight (answer lost), then the fail page's cancel arrives: the charge goes back."""
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(lose_confirm_response=3)
    with pytest.raises(PaymentProblem, match="payment.delayed"):
        confirm_back(customer, back, gw)
    sandbox.set_faults()
    assert cancel_checkout(customer, start.payment_ref).status == OrderStatus.CANCELLED

    reconcile(gateway=gw, now=after_grace())

    assert order_status(db, start.order_id) == OrderStatus.CANCELLED
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CANCELED"}
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "CANCELED"}
    assert stock(db, store) == LIMITED_STOCK
    assert events(db, "OrderPaid", start.order_id) == 0


# -- staff refunds ----------------------------------------------------------------------------------------


def paid_order(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    assert confirm_back(customer, back, gw).status == OrderStatus.PAID
    return start, back


def test_staff_cancel_refunds_the_payment(db, sandbox, store, customer, admin, gw):
    start, back = paid_order(db, sandbox, store, customer, gw)
    assert stock(db, store) == LIMITED_STOCK - 1

    outcome = cancel_paid_order(admin, start.order_id, reason="손님 요청", gateway=gw)

    assert outcome == PaymentOutcome(start.order_id, OrderStatus.CANCELLED)
    assert order_status(db, start.order_id) == OrderStatus.CANCELLED
    assert stock(db, store) == LIMITED_STOCK
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CANCELED"}
    assert db.scalar("SELECT refunded_amount FROM payment WHERE order_id = :id", id=start.order_id) == TOTAL
    (provider,) = sandbox.payments(start.payment_ref)
    assert (provider["status"], provider["balanceAmount"]) == ("CANCELED", 0)
    assert provider["cancels"][0]["cancelReason"] == REFUND_REASON  # one body per payment: retries dedupe
    assert events(db, "OrderPaid", start.order_id) == 1
    # a second cancel is refused by the status machine and refunds nothing more
    with pytest.raises(DomainError, match="order.bad_transition"):
        cancel_paid_order(admin, start.order_id, gateway=gw)
    assert len(sandbox.payments(start.payment_ref)[0]["cancels"]) == 1


def test_staff_cancel_refused_to_customers_and_other_stores(db, sandbox, store, customer, gw, make_store):
    start, back = paid_order(db, sandbox, store, customer, gw)
    other = make_store("store-b")
    other_admin = sign_in(other.code, other.admin_username, other.password, "test-client")[1]
    before = snapshot(db, store)

    with pytest.raises(AccessDenied):
        cancel_paid_order(customer, start.order_id, gateway=gw)
    with pytest.raises(DomainError, match="order.not_found"):
        cancel_paid_order(other_admin, start.order_id, gateway=gw)

    assert snapshot(db, store) == before
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "DONE"}


def test_staff_cancel_while_the_provider_is_down_refunds_later(db, sandbox, store, customer, admin, gw):
    start, back = paid_order(db, sandbox, store, customer, gw)
    sandbox.set_faults(error_rate=1.0)

    outcome = cancel_paid_order(admin, start.order_id, gateway=gw)

    assert outcome.status == OrderStatus.CANCELLED
    assert order_status(db, start.order_id) == OrderStatus.CANCELLED
    assert stock(db, store) == LIMITED_STOCK
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "REFUND_DUE"}
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "DONE"}
    assert reconcile(gateway=gw).unreachable == 1  # still down: still due
    assert payments_of(db, start.order_id) == {back["paymentKey"]: "REFUND_DUE"}

    sandbox.set_faults()
    assert not gw.breaker_open()  # two failed calls, threshold 3
    assert reconcile(gateway=gw) == ReconcileReport(refunded=1)

    assert payments_of(db, start.order_id) == {back["paymentKey"]: "CANCELED"}
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "CANCELED"}
    assert reconcile(gateway=gw) == ReconcileReport()
    assert len(sandbox.payments(start.payment_ref)[0]["cancels"]) == 1


# -- expiry -----------------------------------------------------------------------------------------------


def test_unpaid_order_expires_and_releases_its_stock(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    press_pay(sandbox, start)  # authenticated at the provider, never confirmed
    never_paid = checkout(customer, store, gw)  # not even that
    assert stock(db, store) == LIMITED_STOCK - 2

    assert reconcile(gateway=gw, now=after_grace()) == ReconcileReport()  # too early
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport(expired=2)

    for order in (start, never_paid):
        assert order_status(db, order.order_id) == OrderStatus.EXPIRED
        assert events(db, "OrderStatusChanged", order.order_id) == 1
    assert stock(db, store) == LIMITED_STOCK
    assert db.count("payment") == 0
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport()


def test_stale_order_the_provider_charged_is_paid_not_expired(db, sandbox, store, customer, gw):
    """We crashed between the provider's DONE and recording anything: reconcile finds it by order id."""
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    gw.confirm(back["paymentKey"], start.payment_ref, TOTAL, idempotency_key="crashed-" + back["paymentKey"])
    assert db.count("payment") == 0

    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport(paid=1)

    assert_paid_once(db, sandbox, start, back["paymentKey"])
    assert stock(db, store) == LIMITED_STOCK - 1
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport()


def test_stale_order_is_not_expired_while_the_provider_is_unreachable(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    sandbox.set_faults(error_rate=1.0)
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport(unreachable=1)
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert stock(db, store) == LIMITED_STOCK - 1


# -- circuit breaker --------------------------------------------------------------------------------------


def test_open_breaker_refuses_checkout_before_placing_anything(db, sandbox, store, customer, make_gateway):
    gw = make_gateway(breaker_threshold=2, breaker_ttl=0.5)
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    sandbox.set_faults(error_rate=1.0)
    for _ in range(2):
        with pytest.raises(PaymentProblem, match="payment.delayed"):
            confirm_back(customer, back, gw)
    assert gw.breaker_open()
    sandbox.set_faults()  # the provider is back, but the breaker does not know yet
    before = snapshot(db, store)

    started = time.monotonic()
    with pytest.raises(PaymentProblem) as refused:
        checkout(customer, store, gw)
    assert refused.value.code == "payment.delayed"
    with pytest.raises(PaymentProblem, match="payment.delayed"):  # confirm fails fast too
        confirm_back(customer, back, gw)
    assert time.monotonic() - started < 0.3

    assert snapshot(db, store) == before  # no order, no lines, no events, stock untouched
    assert ledger(sandbox, start.payment_ref) == {back["paymentKey"]: "READY"}

    time.sleep(0.55)  # the breaker's ttl: it lets calls through again
    assert not gw.breaker_open()
    again = checkout(customer, store, gw)
    assert order_status(db, again.order_id) == OrderStatus.PENDING_PAYMENT
    assert confirm_back(customer, back, gw).status == OrderStatus.PAID
    assert_paid_once(db, sandbox, start, back["paymentKey"])
