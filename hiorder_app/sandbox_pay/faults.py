"""Fault injection: what can go wrong between a shop and its payment provider, on demand.

Where each fault applies:
  latency_ms             every /v1 API call waits this long BEFORE it is processed: a client that times out
                         may still have its confirm processed afterwards, as with a slow real provider.
  decline_rate           share of "Pay" clicks on the checkout page refused: the browser goes to failUrl
                         with code=REJECT_CARD_PAYMENT, no payment is created.
  confirm_decline_rate   share of new confirms refused with 403 REJECT_CARD_PAYMENT (the payment becomes
                         ABORTED). Replays of a stored idempotent response are not re-rolled.
  error_rate             share of /v1 API calls answered 500 FAILED_INTERNAL_SYSTEM_PROCESSING without doing
                         anything (nothing processed, nothing stored under the idempotency key).
  lose_confirm_response  the next N confirm requests are handled normally (a new one makes the payment DONE
                         and stores its response under the idempotency key; a replay finds it) but the client
                         gets 504 with a proxy's HTML page instead: what a shop sees when a gateway in between
                         times out after the provider did the work. A retry with the same key after the
                         counter ran out gets the stored 200.
  seed                   seeds the random draws (None: unpredictable); setting faults re-seeds.
"""

import os
import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

_ENV = {
    "latency_ms": "SANDBOX_LATENCY_MS",
    "decline_rate": "SANDBOX_DECLINE_RATE",
    "confirm_decline_rate": "SANDBOX_CONFIRM_DECLINE_RATE",
    "error_rate": "SANDBOX_ERROR_RATE",
    "lose_confirm_response": "SANDBOX_LOSE_CONFIRM",
    "seed": "SANDBOX_SEED",
}
_RATES = ("decline_rate", "confirm_decline_rate", "error_rate")


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0
    decline_rate: float = 0.0
    confirm_decline_rate: float = 0.0
    error_rate: float = 0.0
    lose_confirm_response: int = 0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in _RATES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a number from 0 to 1")
        for name in ("latency_ms", "lose_confirm_response"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0")
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ValueError("seed must be an integer or null")

    @classmethod
    def from_dict(cls, data: Mapping) -> "Faults":
        """Missing fields take their defaults, so `{}` means "no faults"; unknown fields are an error."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        return cls(**data)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Faults":
        environ = os.environ if environ is None else environ
        values: dict = {}
        for name, var in _ENV.items():
            raw = environ.get(var, "").strip()
            if raw:
                try:
                    values[name] = float(raw) if name in _RATES else int(raw)
                except ValueError:
                    raise ValueError(f"{var}={raw!r} is not a number") from None
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)


class FaultInjector:
    """The faults in force and their random draws; shared by all requests of one sandbox app."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self.set(faults)

    def set(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)

    @property
    def faults(self) -> Faults:
        return self._faults

    @property
    def latency_s(self) -> float:
        return self._faults.latency_ms / 1000

    def happens(self, rate_name: str) -> bool:
        with self._lock:
            rate = getattr(self._faults, rate_name)
            return rate > 0 and self._rng.random() < rate

    def take_lost_confirm(self) -> bool:
        with self._lock:
            left = self._faults.lose_confirm_response
            if left <= 0:
                return False
            self._faults = replace(self._faults, lose_confirm_response=left - 1)
            return True
