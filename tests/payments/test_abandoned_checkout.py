"""An order whose checkout the diner left (closed the provider's page, walked back to the menu): the table
can pay for it again or cancel it. Against the sandbox provider as its own process, as the other payment
tests; each checks our database (order status, stock, events) and the provider's ledger."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from hiorder_app.domain.enums import OrderStatus
from hiorder_app.domain.errors import AccessDenied
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.payments.checkout import (
    CheckoutStart,
    PaymentOutcome,
    PaymentProblem,
    ReconcileReport,
    cancel_checkout,
    cancel_unpaid_order,
    reconcile,
    resume_checkout,
)
from hiorder_app.services.read_models.order_views import table_orders
from hiorder_app.services.store_admin.tables import clear_table
from hiorder_app.settings import get_settings
from tests.payments.test_payment_service import (
    FAIL_URL,
    LIMITED_STOCK,
    SUCCESS_URL,
    TOTAL,
    after_timeout,
    assert_paid_once,
    checkout,
    confirm_back,
    events,
    ledger,
    order_status,
    press_pay,
    snapshot,
    stock,
)


@pytest.fixture
def store(make_store):
    return make_store("store-a", tables=2)


@pytest.fixture
def gw(make_gateway):
    return make_gateway()


def resume(principal, start, gw, lang="ko"):
    return resume_checkout(principal, start.order_id, SUCCESS_URL, FAIL_URL, lang, gateway=gw)


def test_resuming_opens_the_same_order_and_amount_and_pays_it_once(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)  # the diner left the provider's page without paying
    before = snapshot(db, store)

    again = resume(customer, start, gw)
    assert isinstance(again, CheckoutStart)
    assert (again.order_id, again.payment_ref) == (start.order_id, start.payment_ref)
    query = parse_qs(urlsplit(again.checkout_url).query)
    assert query["orderId"] == [start.payment_ref] and query["amount"] == [str(TOTAL)]
    assert resume(customer, start, gw).checkout_url == again.checkout_url  # asking twice: the same page
    assert snapshot(db, store) == before  # nothing placed, nothing held twice

    back = press_pay(sandbox, again)
    assert confirm_back(customer, back, gw).status == OrderStatus.PAID
    assert_paid_once(db, sandbox, start, back["paymentKey"])
    assert stock(db, store) == LIMITED_STOCK - 1
    with pytest.raises(PaymentProblem, match="payment.order_closed"):  # paid: nothing left to resume
        resume(customer, start, gw)


def test_cancelling_gives_the_stock_back_once_and_closes_the_order(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    press_pay(sandbox, start)  # even authenticated at the provider: never confirmed, so never charged
    assert stock(db, store) == LIMITED_STOCK - 1

    assert cancel_unpaid_order(customer, start.order_id, gateway=gw) == PaymentOutcome(start.order_id, "CANCELLED")
    assert order_status(db, start.order_id) == OrderStatus.CANCELLED
    assert stock(db, store) == LIMITED_STOCK
    assert events(db, "OrderStatusChanged", start.order_id) == 1

    before = snapshot(db, store)
    assert cancel_unpaid_order(customer, start.order_id, gateway=gw).status == OrderStatus.CANCELLED  # again
    assert snapshot(db, store) == before
    with pytest.raises(PaymentProblem, match="payment.order_closed"):
        resume(customer, start, gw)
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport()  # nothing left to expire
    assert stock(db, store) == LIMITED_STOCK
    assert "DONE" not in ledger(sandbox, start.payment_ref).values()


def test_cancelling_an_order_the_provider_already_charged_pays_it_instead(db, sandbox, store, customer, gw):
    """The money was taken but the way back to the shop was lost: cancel must not hide a real charge."""
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    gw.confirm(back["paymentKey"], start.payment_ref, TOTAL, idempotency_key="lost-" + back["paymentKey"])

    assert cancel_unpaid_order(customer, start.order_id, gateway=gw).status == OrderStatus.PAID
    assert_paid_once(db, sandbox, start, back["paymentKey"])
    assert stock(db, store) == LIMITED_STOCK - 1


def test_resuming_an_order_the_provider_already_charged_settles_it(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    gw.confirm(back["paymentKey"], start.payment_ref, TOTAL, idempotency_key="lost-" + back["paymentKey"])

    assert resume(customer, start, gw) == PaymentOutcome(start.order_id, OrderStatus.PAID)
    assert_paid_once(db, sandbox, start, back["paymentKey"])


def test_cancel_waits_while_the_provider_cannot_say_whether_it_charged(db, sandbox, store, customer, gw):
    start = checkout(customer, store, gw)
    sandbox.set_faults(error_rate=1.0)
    with pytest.raises(PaymentProblem, match="payment.delayed"):
        cancel_unpaid_order(customer, start.order_id, gateway=gw)
    assert order_status(db, start.order_id) == OrderStatus.PENDING_PAYMENT
    assert stock(db, store) == LIMITED_STOCK - 1


def test_only_the_ordering_table_can_pay_or_cancel(db, sandbox, store, customer, admin, gw, make_store):
    start = checkout(customer, store, gw)
    before = snapshot(db, store)
    for stranger in (store.sign_in_table(2), make_store("store-b").sign_in_table(1)):
        for attempt in (lambda p: cancel_unpaid_order(p, start.order_id, gateway=gw),
                        lambda p: resume(p, start, gw)):
            with pytest.raises(PaymentProblem) as refused:
                attempt(stranger)
            assert refused.value.code == "payment.unknown_order"
    for attempt in (lambda: cancel_unpaid_order(admin, start.order_id, gateway=gw), lambda: resume(admin, start, gw)):
        with pytest.raises(AccessDenied):
            attempt()
    with pytest.raises(PaymentProblem, match="payment.unknown_order"):
        cancel_unpaid_order(customer, start.order_id + 1000, gateway=gw)
    assert snapshot(db, store) == before


def test_the_next_party_at_the_table_can_neither_pay_cancel_nor_see_an_earlier_partys_order(
        db, sandbox, store, customer, admin, gw):
    # The first party left its checkout (even pressed Pay on the provider's page) and went; staff cleared the
    # table. The tablet is the same account: only the visit tells the two parties apart.
    start = checkout(customer, store, gw)
    back = press_pay(sandbox, start)
    assert clear_table(admin, store.tables[1]) is True
    later = store.sign_in_table(1)  # the next party sits down (a new visit opens)
    before = snapshot(db, store)

    for attempt in (lambda: cancel_unpaid_order(later, start.order_id, gateway=gw),
                    lambda: resume(later, start, gw),
                    lambda: confirm_back(later, back, gw),
                    lambda: cancel_checkout(later, start.payment_ref)):
        with pytest.raises(PaymentProblem) as refused:
            attempt()
        assert refused.value.code == "payment.earlier_visit"
        assert "earlier party" in refused.value.message("en") and "이전 손님" in refused.value.message("ko")
    assert table_orders(later) == []  # nor is it in 주문 내역
    assert snapshot(db, store) == before  # nothing changed, nothing charged
    assert "DONE" not in ledger(sandbox, start.payment_ref).values()

    # The order was never the new party's: it times out as any unpaid order does, and its stock comes back.
    assert reconcile(gateway=gw, now=after_timeout()) == ReconcileReport(expired=1)
    assert order_status(db, start.order_id) == OrderStatus.EXPIRED
    assert stock(db, store) == LIMITED_STOCK
    # The new party's own order is theirs to cancel.
    own = checkout(later, store, gw)
    assert cancel_unpaid_order(later, own.order_id, gateway=gw).status == OrderStatus.CANCELLED


def test_an_order_past_its_checkout_time_is_not_offered_again(db, sandbox, store, customer, gw):
    # Its return ticket would no longer be honoured: the order times out at the next reconciliation instead.
    start = checkout(customer, store, gw)
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET created_at = :t WHERE id = :id"),
                     {"t": utcnow() - timedelta(minutes=get_settings().payment_timeout_minutes, seconds=1),
                      "id": start.order_id})
    before = snapshot(db, store)
    with pytest.raises(PaymentProblem, match="payment.order_closed"):
        resume(customer, start, gw)
    assert snapshot(db, store) == before
