"""The payment provider behind an interface; `gateway_from_settings()` is the one the app uses."""

import threading

from ....settings import get_settings
from .base import (
    CIRCUIT_OPEN,
    PROVIDER_UNAVAILABLE,
    PaymentDeclined,
    PaymentError,
    PaymentGateway,
    PaymentNotFound,
    PaymentUnavailable,
    ProviderPayment,
)
from .toss import TossPaymentsGateway

__all__ = [
    "CIRCUIT_OPEN", "PROVIDER_UNAVAILABLE", "PaymentDeclined", "PaymentError", "PaymentGateway",
    "PaymentNotFound", "PaymentUnavailable", "ProviderPayment", "TossPaymentsGateway", "gateway_from_settings",
    "reset_gateway",
]

# One per process: the connection pool and the circuit breaker's memory only help if they are shared.
_gateway: TossPaymentsGateway | None = None
_lock = threading.Lock()


def gateway_from_settings() -> PaymentGateway:
    global _gateway
    with _lock:
        if _gateway is None:
            s = get_settings()
            _gateway = TossPaymentsGateway(
                api_base=s.payment_api_base, secret_key=s.payment_secret_key, client_key=s.payment_client_key,
                checkout_base=s.payment_checkout_base, connect_timeout=s.payment_connect_timeout,
                read_timeout=s.payment_read_timeout, breaker_threshold=s.payment_breaker_threshold,
                breaker_ttl=s.payment_breaker_ttl)
        return _gateway


def reset_gateway() -> None:
    """Forget the cached gateway (tests, or after changing settings); the next call builds a new one."""
    global _gateway
    with _lock:
        if _gateway is not None:
            _gateway.close()
        _gateway = None
