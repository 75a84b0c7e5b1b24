"""The sandbox provider as a real separate process, and gateways that talk to it over HTTP.

`sandbox_url` (session) starts `python -m hiorder_app sandbox-pay` on a free port, once. `sandbox` clears
the faults before and after each test, and waits for calls still in flight from the one before; payments
stay in the ledger, so tests use fresh order ids (`sandbox.new_order_id()`). `gateway` has small timeouts and retry
waits so the suite stays fast.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from hiorder_app.services.payments.gateway import TossPaymentsGateway
from tests.conftest import SANDBOX_AUTH as AUTH
from tests.conftest import SANDBOX_CLIENT_KEY as CLIENT_KEY
from tests.conftest import SANDBOX_SECRET_KEY as SECRET_KEY

# The service tests' store factory, principals and overload-guard reset, shared rather than copied.
from tests.services.conftest import admin, customer, fresh_overload_guard, make_store  # noqa: F401


@dataclass
class Sandbox:
    url: str
    http: httpx.Client
    secret_key: str = SECRET_KEY

    def set_faults(self, **faults) -> dict:
        response = self.http.put("/sandbox/faults", json=faults)
        assert response.status_code == 200, response.text
        return response.json()

    def faults(self) -> dict:
        return self.http.get("/sandbox/faults").json()

    def wait_idle(self, timeout: float = 10) -> None:
        """Until no API call is in flight: a slow call left by an earlier test must not meet this test's faults."""
        response = self.http.get("/sandbox/idle", params={"timeout": timeout}, timeout=timeout + 5)
        assert response.status_code == 200, response.text

    def payments(self, order_id: str | None = None) -> list[dict]:
        payments = self.http.get("/sandbox/payments").json()["payments"]
        return [p for p in payments if order_id is None or p["orderId"] == order_id]

    @staticmethod
    def new_order_id() -> str:
        return "ord-" + uuid.uuid4().hex[:16]

    def pay(self, gateway: TossPaymentsGateway, amount: int = 12000, order_name: str = "김치찌개 외 1건") -> dict:
        """A customer who paid on the checkout page: the successUrl query (paymentKey, orderId, amount)."""
        url = gateway.checkout_url(self.new_order_id(), amount, order_name, "http://shop.test/paid?table=3",
                                   "http://shop.test/failed")
        back = self.browser_checkout(url)
        assert back["_url"].startswith("http://shop.test/paid?table=3&"), back
        return back

    def browser_checkout(self, checkout_url: str, button: str = "결제하기 / Pay") -> dict[str, str]:
        """Open the checkout page, press `button` like a browser would (submit its form), and return the
        query of the page the provider redirects to (the shop's successUrl or failUrl)."""
        with httpx.Client(timeout=5) as browser:
            page = browser.get(checkout_url)
            assert page.status_code == 200, page.text
            form = self.form_with_button(page.text, button)
            response = browser.post(urljoin(str(page.url), form.action), data=form.fields)
            assert response.status_code == 303, response.text
        location = response.headers["location"]
        return {"_url": location, **{k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}}

    @staticmethod
    def form_with_button(html: str, label: str) -> "_Form":
        """The one <form> of `html` holding a button whose text is exactly `label`."""
        parser = _FormParser()
        parser.feed(html)
        matches = [f for f in parser.forms if label in f.buttons]
        assert len(matches) == 1, f"no single form with a {label!r} button in {parser.forms}"
        return matches[0]


@pytest.fixture
def sandbox(sandbox_url) -> Iterator[Sandbox]:
    with httpx.Client(base_url=sandbox_url, headers=AUTH, timeout=5) as http:
        control = Sandbox(sandbox_url, http)
        control.set_faults()
        control.wait_idle()
        yield control
        control.set_faults()


@pytest.fixture
def make_gateway(sandbox) -> Iterator:
    """make_gateway(**overrides) -> a TossPaymentsGateway on the sandbox. Timeouts and retry waits are
    small so that tests waiting for them stay fast."""
    made: list[TossPaymentsGateway] = []

    def make(**overrides) -> TossPaymentsGateway:
        options = {"api_base": sandbox.url, "secret_key": SECRET_KEY, "client_key": CLIENT_KEY,
                   "connect_timeout": 1.0, "read_timeout": 0.4, "breaker_threshold": 3, "breaker_ttl": 1.0,
                   "retry_wait_min": 0.01, "retry_wait_max": 0.05} | overrides
        gateway = TossPaymentsGateway(**options)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.close()


@pytest.fixture
def gateway(make_gateway) -> TossPaymentsGateway:
    return make_gateway()


@pytest.fixture
def gw(make_gateway) -> TossPaymentsGateway:
    """The same; the payment service tests pass it explicitly to every service call."""
    return make_gateway()


@pytest.fixture
def store(make_store):  # noqa: F811  (make_store is the imported fixture, requested by name)
    """Two tables: a second one to forge redirects with."""
    return make_store("store-a", tables=2)


@dataclass
class _Form:
    action: str
    fields: dict[str, str]
    buttons: list[str]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._button: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(_Form(attrs.get("action") or "", {}, []))
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1].fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "button":
            self._button = []

    def handle_data(self, data):
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            self.forms[-1].buttons.append("".join(self._button).strip())
            self._button = None

