"""Toss Payments v1 server API client (https://docs.tosspayments.com/reference), synchronous.

Resilience, from the inside out: one HTTP attempt (explicit timeouts) -> tenacity retries, only for calls
that are safe to repeat -> one circuit breaker around the whole retried call, so a logical call that failed
after its retries counts once.
"""

import base64
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
from purgatory import SyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from .base import (
    CIRCUIT_OPEN,
    PROVIDER_UNAVAILABLE,
    PaymentDeclined,
    PaymentError,
    PaymentNotFound,
    PaymentUnavailable,
    ProviderPayment,
)

log = logging.getLogger(__name__)

CIRCUIT = "easy-pay"
T = TypeVar("T")

# 4xx answers that mean "not now" rather than "no": the same request may succeed later.
_TRANSIENT_CODES = {"IDEMPOTENT_REQUEST_PROCESSING", "TOO_MANY_REQUESTS"}
# Our configuration is wrong, not the customer's card: worth an ERROR in the logs.
_KEY_CODES = {"UNAUTHORIZED_KEY", "INVALID_API_KEY"}


def _is_business_error(exc: BaseException) -> bool:
    """The provider answered (declined, not found...): proof it is up, so the breaker must not count it."""
    return isinstance(exc, PaymentError) and not isinstance(exc, PaymentUnavailable)


class TossPaymentsGateway:
    name = "toss"

    def __init__(self, api_base: str, secret_key: str, client_key: str, checkout_base: str | None = None,
                 connect_timeout: float = 3.0, read_timeout: float = 10.0, breaker_threshold: int = 5,
                 breaker_ttl: float = 30, *, retry_attempts: int = 3, retry_wait_min: float = 0.2,
                 retry_wait_max: float = 1.0, transport: httpx.BaseTransport | None = None) -> None:
        self.api_base = api_base.rstrip("/")
        self.checkout_base = (checkout_base or api_base).rstrip("/")
        self._client_key = client_key
        token = base64.b64encode(f"{secret_key}:".encode()).decode()
        self._http = httpx.Client(
            base_url=self.api_base,
            headers={"Authorization": f"Basic {token}"},
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout,
                                  pool=connect_timeout),
            transport=transport,
        )
        self._retry_attempts = retry_attempts
        self._retry_wait = (retry_wait_min, retry_wait_max)
        self._breakers = SyncCircuitBreakerFactory(
            default_threshold=breaker_threshold, default_ttl=breaker_ttl,
            exclude=[(PaymentError, _is_business_error)])
        # purgatory's in-memory state is plain objects and lists shared by all callers; UI calls arrive from
        # several threads (asyncio.to_thread), so its bookkeeping runs under a lock (never the HTTP call).
        self._breaker_lock = threading.Lock()

    # -- public API ---------------------------------------------------------------------------------------

    def checkout_url(self, order_id: str, amount: int, order_name: str, success_url: str, fail_url: str) -> str:
        query = urlencode({"clientKey": self._client_key, "orderId": order_id, "amount": amount,
                           "orderName": order_name, "successUrl": success_url, "failUrl": fail_url})
        return f"{self.checkout_base}/checkout?{query}"

    def confirm(self, payment_key: str, order_id: str, amount: int, idempotency_key: str) -> ProviderPayment:
        if not idempotency_key:
            raise ValueError("confirm needs an idempotency key: it is what makes retrying it safe")
        body = {"paymentKey": payment_key, "orderId": order_id, "amount": amount}
        return self._payment("confirm", "POST", "/v1/payments/confirm", body=body,
                             idempotency_key=idempotency_key, retry=True)

    def get_payment(self, payment_key: str) -> ProviderPayment:
        return self._payment("get_payment", "GET", f"/v1/payments/{quote(payment_key, safe='')}", retry=True)

    def get_payment_by_order(self, order_id: str) -> ProviderPayment | None:
        try:
            return self._payment("get_payment_by_order", "GET",
                                 f"/v1/payments/orders/{quote(order_id, safe='')}", retry=True)
        except PaymentNotFound:
            return None

    def cancel(self, payment_key: str, reason: str, amount: int | None = None,
               idempotency_key: str | None = None) -> ProviderPayment:
        body: dict[str, Any] = {"cancelReason": reason}
        if amount is not None:
            body["cancelAmount"] = amount
        # Without a key a repeated partial cancel could refund twice, so only a keyed cancel is retried.
        return self._payment("cancel", "POST", f"/v1/payments/{quote(payment_key, safe='')}/cancel", body=body,
                             idempotency_key=idempotency_key, retry=idempotency_key is not None)

    def breaker_open(self) -> bool:
        """True while calls fail fast with CIRCUIT_OPEN (false again once the ttl has passed)."""
        with self._breaker_lock:
            context = self._breakers.uow.contexts.get(CIRCUIT)
            if context is None or context.state != "opened":
                return False
            return time.time() <= (context.opened_at or 0) + context.ttl

    def close(self) -> None:
        self._http.close()

    # -- plumbing -----------------------------------------------------------------------------------------

    def _payment(self, op: str, method: str, path: str, *, body: dict | None = None,
                 idempotency_key: str | None = None, retry: bool) -> ProviderPayment:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}

        def attempt() -> ProviderPayment:
            return _to_payment(self._send(op, method, path, body, headers))

        return self._guarded(op, self._retried(attempt) if retry else attempt)

    def _retried(self, fn: Callable[[], T]) -> Callable[[], T]:
        shortest, longest = self._retry_wait
        retrying = Retrying(
            stop=stop_after_attempt(self._retry_attempts),
            wait=wait_exponential_jitter(multiplier=shortest, min=shortest, max=longest, jitter=shortest / 2),
            retry=retry_if_exception_type(PaymentUnavailable),
            before_sleep=before_sleep_log(log, logging.INFO),
            reraise=True,
        )
        return lambda: retrying(fn)

    def _guarded(self, op: str, fn: Callable[[], T]) -> T:
        with self._breaker_lock:
            breaker = self._breakers.get_breaker(CIRCUIT)
            try:
                breaker.__enter__()
            except OpenedState:
                log.warning("payment %s: circuit %r open, not calling the provider", op, CIRCUIT)
                raise PaymentUnavailable(CIRCUIT_OPEN, "payment provider circuit is open") from None
        try:
            result = fn()
        except Exception as exc:
            with self._breaker_lock:
                breaker.__exit__(type(exc), exc, exc.__traceback__)
            raise
        with self._breaker_lock:
            breaker.__exit__(None, None, None)
        return result

    def _send(self, op: str, method: str, path: str, body: dict | None, headers: dict) -> dict:
        started = time.monotonic()
        try:
            response = self._http.request(method, path, json=body, headers=headers)
        except httpx.TransportError as exc:  # timeouts, refused/reset connections, truncated responses
            log.warning("payment %s %s %s: %s after %.0f ms", op, method, path, type(exc).__name__,
                        (time.monotonic() - started) * 1000)
            raise PaymentUnavailable(PROVIDER_UNAVAILABLE, f"{type(exc).__name__}: {exc}") from exc
        elapsed_ms = (time.monotonic() - started) * 1000
        status = response.status_code
        if 200 <= status < 300:
            data = _json(response)
            if not isinstance(data, dict):
                log.warning("payment %s %s %s: unreadable %s in %.0f ms", op, method, path, status, elapsed_ms)
                raise PaymentUnavailable(PROVIDER_UNAVAILABLE, f"unreadable {status} response", status)
            log.info("payment %s %s %s: %s %s in %.0f ms", op, method, path, status, data.get("status"), elapsed_ms)
            return data
        error = _json(response)
        code, message = _error_fields(error)
        level = logging.ERROR if code in _KEY_CODES else logging.WARNING
        log.log(level, "payment %s %s %s: %s %s in %.0f ms", op, method, path, status, code, elapsed_ms)
        if status >= 500 or status == 429 or code in _TRANSIENT_CODES:
            detail = f"{code}: {message}" if code else "no provider error body"
            raise PaymentUnavailable(PROVIDER_UNAVAILABLE, f"HTTP {status} ({detail})", status)
        if code is None:
            # Not a provider answer (a proxy page, a wrong api_base): never read it as "no such payment".
            raise PaymentError(f"HTTP_{status}", f"unexpected {status} response from {self.api_base}", status)
        if status == 404 and code == "NOT_FOUND_PAYMENT":
            raise PaymentNotFound(code, message, status)
        raise PaymentDeclined(code, message, status)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_fields(error: Any) -> tuple[str | None, str]:
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return error["code"], str(error.get("message", ""))
    return None, ""


def _to_payment(raw: dict) -> ProviderPayment:
    try:
        return ProviderPayment(
            payment_key=raw["paymentKey"], order_id=raw["orderId"], order_name=raw.get("orderName") or "",
            status=raw["status"], total_amount=int(raw["totalAmount"]),
            balance_amount=int(raw.get("balanceAmount", raw["totalAmount"])), method=raw.get("method"),
            approved_at=raw.get("approvedAt"), raw=raw)
    except (KeyError, TypeError, ValueError) as exc:
        # A 2xx we cannot read leaves the outcome unknown, exactly like a lost response.
        raise PaymentUnavailable(PROVIDER_UNAVAILABLE, f"malformed payment object: {exc!r}") from exc
