"""What the services need from a payment provider, independent of any one provider's wire format."""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class ProviderPayment:
    payment_key: str
    order_id: str
    order_name: str
    status: str  # READY, IN_PROGRESS, DONE, CANCELED, PARTIAL_CANCELED, ABORTED, EXPIRED
    total_amount: int
    balance_amount: int
    method: str | None
    approved_at: str | None
    raw: dict = field(repr=False)


class PaymentError(Exception):
    """The provider call did not give the expected result; `code` is the provider's (or ours, below)."""

    def __init__(self, code: str, message: str, http_status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status


class PaymentDeclined(PaymentError):
    """The provider answered and said no (card refused, session gone, already processed...). Retrying the
    same request gives the same answer."""


class PaymentNotFound(PaymentError):
    """The provider has no such payment (404 NOT_FOUND_PAYMENT)."""


class PaymentUnavailable(PaymentError):
    """No usable answer: timeout, connection error, 5xx, or our circuit breaker is open. For a confirm or a
    cancel the outcome is UNKNOWN: the provider may have processed it. Reconcile with a look-up (or repeat it
    with the same idempotency key) before telling the customer it failed."""


PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"
CIRCUIT_OPEN = "CIRCUIT_OPEN"


class PaymentGateway(Protocol):
    name: str

    def checkout_url(self, order_id: str, amount: int, order_name: str, success_url: str, fail_url: str) -> str:
        """The provider's hosted page the customer's browser goes to; it comes back to success_url with
        paymentKey, orderId, amount, or to fail_url with code, message, orderId."""
        ...

    def confirm(self, payment_key: str, order_id: str, amount: int, idempotency_key: str) -> ProviderPayment: ...

    def get_payment(self, payment_key: str) -> ProviderPayment: ...

    def get_payment_by_order(self, order_id: str) -> ProviderPayment | None: ...

    def cancel(self, payment_key: str, reason: str, amount: int | None = None,
               idempotency_key: str | None = None) -> ProviderPayment: ...

    def breaker_open(self) -> bool:
        """True while calls fail fast with CIRCUIT_OPEN: the UI can say "payment is down" up front."""
        ...
