"""Paying for an order through the easy-pay provider.

The rule: an order reaches the store only once the provider has confirmed the charge and we have
recorded it. Every path that can leave money and orders out of step (lost responses, crashes, late
redirects, two tabs) ends in `settle`, which either marks the order PAID once or refunds the charge.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from ...domain.enums import OrderStatus
from ...domain.errors import DomainError
from ...domain.models import Order, OrderReadModel, Payment
from ...domain.order_status import PAID_STATUSES
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import session_scope
from ..ordering import placement as ordering
from ..ordering.lifecycle import lock_order, transition
from ..ordering.table_sessions import in_current_visit
from ..principal import Principal, require_admin, require_customer
from ..read_models.order_views import view_of
from .gateway import (
    PaymentDeclined,
    PaymentGateway,
    PaymentNotFound,
    PaymentUnavailable,
    ProviderPayment,
    gateway_from_settings,
)
from .return_ticket import ReturnTicket

log = logging.getLogger(__name__)

# CONFIRMING: asked the provider, answer not yet recorded. REFUND_DUE: charged, but the order is not
# (or no longer) being served, so the money goes back; reconciliation retries until the provider agrees.
CONFIRMING, DONE, FAILED, REFUND_DUE, CANCELED = "CONFIRMING", "DONE", "FAILED", "REFUND_DUE", "CANCELED"
# One refund request body per payment, whoever asks (staff, settle, reconciliation): the provider ties the
# idempotency key to the body, so a retry with other words would be refused instead of deduplicated.
REFUND_REASON = "HiOrder: order cancelled"
# The provider refusing our own credentials is our misconfiguration, not the diner's card.
OUR_FAULT = {"UNAUTHORIZED_KEY", "INVALID_API_KEY", "FORBIDDEN_REQUEST"}


class PaymentProblem(DomainError):
    pass


# Where the provider sends the diner after paying: an address, or one made for the order (its payment ref)
# and the end of its checkout (return_ticket.return_url, which is valid only that long).
SuccessUrl = str | Callable[[str, datetime], str]


def checkout_deadline(created_at: datetime) -> datetime:
    """When an order nobody paid for times out (reconcile expires it): its checkout lasts until then."""
    return created_at + timedelta(minutes=get_settings().payment_timeout_minutes)


def _success_url(success_url: SuccessUrl, payment_ref: str, created_at: datetime) -> str:
    return success_url if isinstance(success_url, str) else success_url(payment_ref, checkout_deadline(created_at))


@dataclass
class CheckoutStart:
    order_id: int
    payment_ref: str
    checkout_url: str


@dataclass
class PaymentOutcome:
    order_id: int
    status: str  # the order's status after this step


def start_checkout(principal: Principal, lines, success_url: SuccessUrl, fail_url: str, lang: str = "ko",
                   gateway: PaymentGateway | None = None, note: str | None = "") -> CheckoutStart:
    """Place the order (rules, stock held) and hand back the provider's checkout page for it. `lines` and
    `note` as ordering.place_order takes them: (item id, quantity[, option ids]) and the diner's request."""
    gateway = gateway or gateway_from_settings()
    principal = require_customer(principal)
    if gateway.breaker_open():
        # Nothing is placed while the provider is known to be failing: the diner keeps the cart.
        raise PaymentProblem("payment.delayed")
    order = ordering.place_order(principal, lines, note)
    url = gateway.checkout_url(order.payment_ref, order.total, order.name(lang),
                               _success_url(success_url, order.payment_ref, order.created_at), fail_url)
    return CheckoutStart(order.id, order.payment_ref, url)


def _own_order(session: Session, owner: Principal | ReturnTicket, payment_ref: str) -> Order:
    return _this_visits(session, owner, lock_order(session, payment_ref=payment_ref or ""))


def _tables_order(session: Session, principal: Principal, order_id: int) -> Order:
    return _this_visits(session, principal, session.get(Order, order_id))


def _this_visits(session: Session, owner: Principal | ReturnTicket, order: Order | None) -> Order:
    """One of this table's orders of its current visit. Another table's (or store's) order is refused
    saying no more than "not found"; an earlier party's at this table, with why (in_current_visit)."""
    if order is None or order.store_id != owner.store_id or order.table_id != owner.table_id:
        raise PaymentProblem("payment.unknown_order")
    if not in_current_visit(session, order):
        raise PaymentProblem("payment.earlier_visit")
    return order


def resume_checkout(principal: Principal, order_id: int, success_url: SuccessUrl, fail_url: str, lang: str = "ko",
                    gateway: PaymentGateway | None = None) -> CheckoutStart | PaymentOutcome:
    """Pay for an order whose checkout the diner left: the provider's page again, for that same order and
    the amount recorded with it, so asking twice gives the same page and nothing new is placed. If the
    provider already took the money (the way back was lost), the order is settled instead: an outcome."""
    gateway = gateway or gateway_from_settings()
    principal = require_customer(principal)
    if gateway.breaker_open():
        raise PaymentProblem("payment.delayed")
    with session_scope() as s:
        order = _tables_order(s, principal, order_id)
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise PaymentProblem("payment.order_closed")
        row = s.exec(select(OrderReadModel).where(OrderReadModel.order_id == order.id)).one()
        ref, total, name, created_at = order.payment_ref, order.total, view_of(row).name(lang), order.created_at
    found = _provider_payment(ref, gateway)
    if found is not None and found.status == "DONE":
        return _paid_or_closed(settle(found, gateway))
    if checkout_deadline(created_at) <= utcnow():  # timed out, reconciliation not yet round: no new checkout
        raise PaymentProblem("payment.order_closed")
    success = _success_url(success_url, ref, created_at)
    return CheckoutStart(order_id, ref, gateway.checkout_url(ref, total, name, success, fail_url))


def cancel_unpaid_order(principal: Principal, order_id: int, gateway: PaymentGateway | None = None) -> PaymentOutcome:
    """The diner gives up an order left waiting for payment: it closes as cancelled and its stock comes back,
    the way expiry closes it (the provider asked first, so money already taken settles it instead). Asking
    again, or about an order already closed, changes nothing."""
    gateway = gateway or gateway_from_settings()
    principal = require_customer(principal)
    with session_scope() as s:
        order = _tables_order(s, principal, order_id)
        ref = order.payment_ref
    try:
        _close_unpaid(order_id, ref, gateway, OrderStatus.CANCELLED, "abandoned checkout cancelled by the table")
    except PaymentUnavailable as exc:
        raise PaymentProblem("payment.delayed") from exc
    with session_scope() as s:
        return PaymentOutcome(order_id, s.get(Order, order_id).status)


def _provider_payment(payment_ref: str, gateway: PaymentGateway) -> ProviderPayment | None:
    try:
        return gateway.get_payment_by_order(payment_ref)
    except PaymentUnavailable as exc:
        raise PaymentProblem("payment.delayed") from exc


def confirm(principal: Principal, payment_key: str, payment_ref: str, amount,
            gateway: PaymentGateway | None = None) -> PaymentOutcome:
    """Handle the provider's success redirect. The amount is checked against the database; the
    redirect's own figures are never trusted. Safe to call again (reload, double tap, two tabs)."""
    return _confirm(require_customer(principal), payment_key, payment_ref, amount, gateway)


def confirm_returned(ticket: ReturnTicket, payment_key: str, payment_ref: str, amount,
                     gateway: PaymentGateway | None = None) -> PaymentOutcome:
    """The same, where the provider's redirect lands (return_ticket.py): only for the ticket's own order."""
    if payment_ref != ticket.payment_ref:
        raise PaymentProblem("payment.unknown_order")
    return _confirm(ticket, payment_key, payment_ref, amount, gateway)


def _confirm(owner: Principal | ReturnTicket, payment_key: str, payment_ref: str, amount,
             gateway: PaymentGateway | None) -> PaymentOutcome:
    gateway = gateway or gateway_from_settings()
    if not payment_key or len(payment_key) > 200:
        raise PaymentProblem("payment.unknown_order")
    with session_scope() as s:
        order = _own_order(s, owner, payment_ref)
        if order.status in PAID_STATUSES:
            return PaymentOutcome(order.id, order.status)
        if str(amount) != str(order.total):
            log.warning("tampered amount refused: order %s total %s, redirect said %r, payment key %s",
                        order.id, order.total, amount, payment_key)
            raise PaymentProblem("payment.amount_mismatch")
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise PaymentProblem("payment.order_closed")
        # The attempt is on record before the provider is asked, so a crash in between is found later.
        payment = s.exec(select(Payment).where(Payment.payment_key == payment_key)).first()
        if payment is None and checkout_deadline(order.created_at) <= utcnow():
            # Its checkout is over (reconciliation expires it next round): a first confirm now would charge an
            # order about to close. One already asked of the provider goes on (reconciliation settles it).
            raise PaymentProblem("payment.order_closed")
        if payment is None:
            s.add(Payment(store_id=order.store_id, order_id=order.id, provider=gateway.name,
                          payment_key=payment_key, amount=order.total, status=CONFIRMING))
        elif payment.order_id != order.id:
            raise PaymentProblem("payment.unknown_order")
        order_id, total = order.id, order.total
    try:
        # One idempotency key per payment key and order: a repeat can never become a second charge, and a
        # forged redirect pairing this key with another order cannot use up the key's genuine confirm.
        result = gateway.confirm(payment_key, payment_ref, total, f"confirm-{payment_ref}-{payment_key}")
    except PaymentUnavailable as exc:
        log.warning("confirm of order %s left open (%s); reconciliation will settle it", order_id, exc.code)
        raise PaymentProblem("payment.delayed") from exc
    except PaymentDeclined as exc:
        if exc.code in OUR_FAULT:
            log.error("provider refused our credentials (%s): check PAYMENT_SECRET_KEY", exc.code)
            raise PaymentProblem("payment.delayed") from exc
        if exc.code == "ALREADY_PROCESSED_PAYMENT":
            return _paid_or_closed(_already_processed(order_id, payment_key, payment_ref, exc, gateway))
        if exc.code == "INVALID_REQUEST":
            return _not_this_orders(order_id, payment_key, exc)
        return _declined(order_id, payment_key, exc)
    return _paid_or_closed(settle(result, gateway))


def _paid_or_closed(outcome: PaymentOutcome) -> PaymentOutcome:
    """The charge went through, but if the order closed meanwhile (expired or cancelled while the provider
    was asked) settle refunded it: the diner must hear that, not "paid"."""
    if outcome.status not in PAID_STATUSES:
        raise PaymentProblem("payment.order_closed")
    return outcome


def _already_processed(order_id: int, payment_key: str, payment_ref: str, exc: PaymentDeclined,
                       gateway: PaymentGateway) -> PaymentOutcome:
    """The provider already approved a payment for this order: another tab's confirm won the race, and
    its answer may not be recorded yet. Settle that payment instead of cancelling a paid order."""
    try:
        found = gateway.get_payment_by_order(payment_ref)
    except PaymentUnavailable as err:
        raise PaymentProblem("payment.delayed") from err
    if found is None or found.status != "DONE":
        return _declined(order_id, payment_key, exc)
    outcome = settle(found, gateway)
    if found.payment_key != payment_key:
        with session_scope() as s:
            _mark(s, payment_key, FAILED, code=exc.code)
    return outcome


def _not_this_orders(order_id: int, payment_key: str, exc: PaymentDeclined) -> PaymentOutcome:
    """The provider says the key does not go with this order or amount (a forged or mixed-up redirect) and
    did nothing. Forget the attempt, so it neither cancels this order nor claims another order's key."""
    log.warning("payment key %s refused for order %s (%s): not this order's", payment_key, order_id, exc.code)
    with session_scope() as s:
        payment = s.exec(select(Payment).where(Payment.payment_key == payment_key, Payment.order_id == order_id,
                                               Payment.status == CONFIRMING).with_for_update()).first()
        if payment is not None:
            s.delete(payment)
    raise PaymentProblem("payment.unknown_order") from exc


def _declined(order_id: int, payment_key: str, exc: PaymentDeclined) -> PaymentOutcome:
    with session_scope() as s:
        order = lock_order(s, id=order_id)
        if order.status in PAID_STATUSES:
            # Another tab's payment for this order went through first; this one was refused by the provider.
            _mark(s, payment_key, FAILED, code=exc.code)
            return PaymentOutcome(order.id, order.status)
        _mark(s, payment_key, FAILED, code=exc.code)
        if order.status == OrderStatus.PENDING_PAYMENT:
            transition(s, order, OrderStatus.CANCELLED, reason=f"declined:{exc.code}")
    # The provider's code goes along for the tablet's failure page (the message names only the reason).
    raise PaymentProblem("payment.declined", reason=exc.message, provider_code=exc.code)


def _mark(session: Session, payment_key: str, status: str, code: str = "", raw: dict | None = None) -> Payment | None:
    payment = session.exec(select(Payment).where(Payment.payment_key == payment_key).with_for_update()).first()
    if payment is not None:
        payment.status, payment.updated_at = status, utcnow()
        payment.failure_code = code or payment.failure_code
        if raw is not None:
            payment.raw_response = json.dumps(raw, ensure_ascii=False)
        session.add(payment)
    return payment


def settle(result: ProviderPayment, gateway: PaymentGateway | None = None) -> PaymentOutcome:
    """The provider says this payment is DONE: record it once, or refund it if the order is gone."""
    gateway = gateway or gateway_from_settings()
    with session_scope() as s:
        order = lock_order(s, payment_ref=result.order_id)
        if order is None:
            raise PaymentProblem("payment.unknown_order")
        payment = s.exec(select(Payment).where(Payment.payment_key == result.payment_key).with_for_update()).first()
        if payment is None:
            payment = Payment(store_id=order.store_id, order_id=order.id, provider=gateway.name,
                              payment_key=result.payment_key, amount=result.total_amount, status=CONFIRMING)
        if payment.status in (DONE, CANCELED):
            return PaymentOutcome(order.id, order.status)  # already settled: a replay changes nothing
        payment.raw_response = json.dumps(result.raw, ensure_ascii=False)
        payment.approved_at, payment.updated_at = utcnow(), utcnow()
        if order.status == OrderStatus.PENDING_PAYMENT and result.total_amount == order.total:
            payment.status = DONE
            s.add(payment)
            s.flush()
            transition(s, order, OrderStatus.PAID, reason=f"payment:{result.payment_key}")
            return PaymentOutcome(order.id, order.status)
        # Charged for an order that was cancelled, timed out, paid another way, or for the wrong amount.
        log.error("payment %s for order %s (%s, %s of %s) is refunded", result.payment_key, order.id,
                  order.status, result.total_amount, order.total)
        payment.status = REFUND_DUE
        s.add(payment)
        outcome = PaymentOutcome(order.id, order.status)
    refund_payment(result.payment_key, gateway)
    return outcome


def refund_payment(payment_key: str, gateway: PaymentGateway | None = None) -> bool:
    """Cancel a charge in full at the provider. False if the provider could not be reached (retried later)."""
    gateway = gateway or gateway_from_settings()
    try:
        result = gateway.cancel(payment_key, REFUND_REASON, idempotency_key=f"refund-{payment_key}")
    except PaymentUnavailable as exc:
        log.warning("refund of %s delayed (%s); reconciliation retries it", payment_key, exc.code)
        return False
    except PaymentDeclined as exc:
        if exc.code != "ALREADY_CANCELED_PAYMENT":
            raise
        result = gateway.get_payment(payment_key)
    with session_scope() as s:
        payment = _mark(s, payment_key, CANCELED, raw=result.raw)
        if payment is not None:
            payment.refunded_amount = payment.amount - result.balance_amount
    return True


def cancel_checkout(principal: Principal, payment_ref: str) -> PaymentOutcome:
    """The diner cancelled (or the provider failed) on the checkout page: release the order's stock."""
    principal = require_customer(principal)
    with session_scope() as s:
        order = _own_order(s, principal, payment_ref)
        if order.status == OrderStatus.PENDING_PAYMENT:
            transition(s, order, OrderStatus.CANCELLED, reason="checkout cancelled")
        return PaymentOutcome(order.id, order.status)


def cancel_paid_order(principal: Principal, order_id: int, reason: str = "",
                      gateway: PaymentGateway | None = None) -> PaymentOutcome:
    """Staff cancel a paid order: it leaves the board, its stock returns, and the charge is refunded."""
    principal = require_admin(principal)
    with session_scope() as s:
        order = lock_order(s, id=order_id)
        if order is None or order.store_id != principal.store_id:
            raise DomainError("order.not_found")
        transition(s, order, OrderStatus.CANCELLED, reason=f"staff:{reason}"[:200])
        paid = s.exec(select(Payment).where(Payment.order_id == order.id, Payment.status == DONE)).all()
        for payment in paid:
            payment.status, payment.updated_at = REFUND_DUE, utcnow()
            s.add(payment)
        keys = [p.payment_key for p in paid]
        outcome = PaymentOutcome(order.id, order.status)
    for key in keys:
        # If the provider is down the refund stays due; reconciliation finishes it.
        refund_payment(key, gateway)
    return outcome


@dataclass
class ReconcileReport:
    paid: int = 0
    refunded: int = 0  # charges for orders that had closed, given back (and due refunds retried)
    expired: int = 0
    failed: int = 0
    pending: int = 0  # still in progress at the provider: asked again next round
    unreachable: int = 0  # the provider could not be asked, or a refund did not go through: next round


def reconcile(gateway: PaymentGateway | None = None, now=None) -> ReconcileReport:
    """Bring our records in line with the provider's: settle confirms whose answer was lost, retry due
    refunds, and expire orders nobody paid for. Safe to run from several processes at once; one item
    that cannot be settled now is counted and left for the next round."""
    gateway = gateway or gateway_from_settings()
    settings = get_settings()
    now = now or utcnow()
    report = ReconcileReport()
    quiet = now - timedelta(seconds=settings.payment_confirm_grace_seconds)
    with session_scope() as s:
        confirming = s.exec(select(Payment.payment_key).where(Payment.status == CONFIRMING,
                                                              Payment.updated_at <= quiet)).all()
        due_refunds = s.exec(select(Payment.payment_key).where(Payment.status == REFUND_DUE)).all()
        stale = s.exec(select(Order.id, Order.payment_ref).where(
            Order.status == OrderStatus.PENDING_PAYMENT,
            Order.created_at <= now - timedelta(minutes=settings.payment_timeout_minutes))).all()
    work = ([(_settle_confirming, (key,)) for key in confirming]
            + [(_retry_refund, (key,)) for key in due_refunds]
            + [(_expire_or_settle, (order_id, ref)) for order_id, ref in stale])
    for step, args in work:
        try:
            outcome = step(*args, gateway=gateway)
        except PaymentUnavailable:
            outcome = "unreachable"
        except Exception:  # one bad item must not stop the others
            log.exception("reconciliation of %s failed", args)
            outcome = "unreachable"
        if outcome is not None:
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _settled(found: ProviderPayment, gateway: PaymentGateway) -> str:
    """Settle a DONE payment and say how it ended: the order paid, or the charge refunded (or due)."""
    outcome = settle(found, gateway)
    if outcome.status == OrderStatus.PAID:
        return "paid"
    with session_scope() as s:
        status = s.exec(select(Payment.status).where(Payment.payment_key == found.payment_key)).first()
    return "refunded" if status == CANCELED else "unreachable"


def _settle_confirming(payment_key: str, gateway: PaymentGateway) -> str:
    try:
        found = gateway.get_payment(payment_key)
    except PaymentNotFound:
        found = None
    if found is not None and found.status == "DONE":
        return _settled(found, gateway)
    if found is not None and found.status not in ("ABORTED", "EXPIRED", "CANCELED"):
        # Still READY or in progress at the provider: ask again next round, unless the order it was for has
        # already timed out here, in which case the attempt is over (a late DONE is refunded by settle).
        with session_scope() as s:
            payment = s.exec(select(Payment).where(Payment.payment_key == payment_key)).first()
            order = s.get(Order, payment.order_id) if payment else None
        if order is None or order.status == OrderStatus.PENDING_PAYMENT:
            return "pending"
        with session_scope() as s:
            _mark(s, payment_key, FAILED, code=f"ABANDONED_{found.status}")
        return "failed"
    with session_scope() as s:
        _mark(s, payment_key, FAILED, code=found.status if found else "NOT_FOUND")
    return "failed"


def _retry_refund(payment_key: str, gateway: PaymentGateway) -> str:
    return "refunded" if refund_payment(payment_key, gateway) else "unreachable"


def _expire_or_settle(order_id: int, payment_ref: str, gateway: PaymentGateway) -> str | None:
    return _close_unpaid(order_id, payment_ref, gateway, OrderStatus.EXPIRED, "payment timeout")


def _close_unpaid(order_id: int, payment_ref: str, gateway: PaymentGateway, closed_as: OrderStatus,
                  reason: str) -> str | None:
    """Close an order nobody paid for (expired, or cancelled by its table), giving its stock back; but a
    charge the provider already took settles it instead. Unknown at the provider means unknown: closing
    now could hide a real charge, so an outage raises PaymentUnavailable and the order stays open."""
    with session_scope() as s:
        if s.get(Order, order_id).status != OrderStatus.PENDING_PAYMENT:
            return None  # settled earlier in this round (a lost confirm) or by someone else
    found = gateway.get_payment_by_order(payment_ref)
    if found is not None and found.status == "DONE":
        return _settled(found, gateway)
    with session_scope() as s:
        order = lock_order(s, id=order_id)
        if order.status != OrderStatus.PENDING_PAYMENT:
            return None  # settled by someone else meanwhile: nothing for this round to report
        transition(s, order, closed_as, reason=reason)
    return "expired" if closed_as == OrderStatus.EXPIRED else "cancelled"
