"""Runtime settings, read from the environment (and a `.env` file when present)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict

from .domain.order_rules import MAX_LINE_QUANTITY

PROJECT_ROOT = Path(__file__).resolve().parent.parent


DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # "production" (or `reflex run --env prod`) makes the app refuse unsafe defaults; HIORDER_DEMO=true
    # accepts them for a demo deployment (sandbox payments, a published secret), and says so in the log.
    hiorder_env: str = "development"
    # Which half of the product this process serves (one image, three roles): `ordering` the tablets,
    # `store` the console, `all` both (`make run`). See README "Deploying".
    hiorder_role: Literal["ordering", "store", "all"] = "all"
    hiorder_demo: bool = False

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'hiorder.db'}"
    # Unset means one process: events are delivered in memory, no Redis needed.
    redis_url: str | None = None
    store_timezone: str = "Asia/Seoul"

    # Lower only for test runs: the cost is read from each hash, so checks still work either way.
    bcrypt_rounds: int = 12
    session_ttl_hours: int = 12
    # Sign-in throttling (services/auth/throttle.py), per (account as typed, client) and per client
    # across accounts: after the free failures, refusals for 1 s, 2 s, 4 s ... up to the cap; a counter
    # with no failure for `sign_in_forget_minutes` (keep it above the cap) starts again.
    sign_in_free_failures: int = 3
    sign_in_client_free_failures: int = 10
    # Per network address across clients (a guesser can start a new client for every guess): a
    # restaurant's tablets and staff share one address, so it allows many more.
    sign_in_address_free_failures: int = 30
    sign_in_first_delay_seconds: float = 1.0
    sign_in_max_delay_seconds: float = 300.0
    sign_in_forget_minutes: int = 60

    # Serve the sandbox easy-pay provider at /sandbox-pay on the backend (development and demos).
    sandbox_pay_mounted: bool = True
    # An unpaid order holds its stock this long, then expires; reconciliation runs this often.
    payment_timeout_minutes: int = 10
    payment_confirm_grace_seconds: int = 30
    reconcile_interval_seconds: int = 30
    outbox_relay_interval_seconds: float = 2.0
    # Published outbox events are kept this long (to trace a delivery), then pruned in batches of this
    # size (short transactions, so pruning never holds up the relay or ordering) this often.
    outbox_retention_days: float = 7
    outbox_prune_batch_size: int = 5000
    outbox_prune_interval_seconds: float = 3600

    # Overload protection for order placement (per backend process).
    order_max_in_flight: int = 32
    order_slow_ms: int = 1500
    order_failure_threshold: int = 5
    order_breaker_reset_seconds: int = 10

    max_order_lines: int = 50
    # Orders of one visit left waiting for payment (each holding its stock) before the next is refused.
    max_unpaid_orders: int = 3
    max_line_quantity: int = MAX_LINE_QUANTITY

    # The event loop's lag above which a backend process logs a warning (lifespan.watch_event_loop_lag_forever).
    loop_lag_warn_ms: int = 100

    # Signs the tables' QR sign-in links. SET SECRET_KEY IN PRODUCTION to a long random value (e.g.
    # `python -c "import secrets; print(secrets.token_urlsafe(48))"`), the same on every worker:
    # anyone who knows it can sign in as any table. Changing it invalidates every printed QR code.
    secret_key: str = DEV_SECRET_KEY
    # How long a printed QR sign-in link works; reissuing a table's password ends it sooner.
    table_link_ttl_days: int = 90
    # The site address QR codes and payment returns point to (e.g. https://order.example.com); unset means
    # the address the browser is using, which is wrong when that is localhost. Production requires it.
    public_base_url: str | None = None
    # Largest menu photo an admin may upload.
    max_image_bytes: int = 2 * 1024 * 1024

    # Payment provider (Toss Payments v1 API). The defaults point at the sandbox mounted in the dev app;
    # `python -m hiorder_app sandbox-pay` serves the same API standalone (e.g. http://127.0.0.1:8100).
    payment_api_base: str = "http://127.0.0.1:8000/sandbox-pay"
    # Where the customer's browser is sent to pay; unset means payment_api_base.
    payment_checkout_base: str | None = None
    payment_secret_key: str = "test_sk_hiorder_sandbox"
    payment_client_key: str = "test_ck_hiorder_sandbox"
    payment_connect_timeout: float = 3.0
    payment_read_timeout: float = 10.0
    # Consecutive failed calls (after retries) that open the circuit, and seconds it stays open.
    payment_breaker_threshold: int = 5
    payment_breaker_ttl: int = 30

    def unsafe_for_production(self) -> list[tuple[str, str]]:
        """(variable, why) for each setting that must not reach production as it is."""
        problems = []
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            problems.append(("SECRET_KEY", f"the public default or shorter than {MIN_SECRET_KEY_LENGTH} characters: "
                                           "anyone could forge a table's QR sign-in link"))
        if self.sandbox_pay_mounted:
            problems.append(("SANDBOX_PAY_MOUNTED", "the sandbox provider is mounted: orders would be 'paid' for free"))
        for name, value in (("PAYMENT_SECRET_KEY", self.payment_secret_key),
                            ("PAYMENT_CLIENT_KEY", self.payment_client_key)):
            if value.startswith("test_"):
                problems.append((name, "a test key: no real money would be collected"))
        if not (self.public_base_url or "").strip():
            problems.append(("PUBLIC_BASE_URL", "unset: QR links and payment return addresses would follow the "
                                                "Origin header a client sends, which any client can forge"))
        return problems

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.store_timezone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
