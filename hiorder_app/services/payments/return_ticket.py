"""Where the provider's success redirect lands: a backend address that confirms the payment first, then
sends the browser on to the tablet's own page.

The redirect carries no session (a tablet keeps its sign-in in the page's storage, which an HTTP
request does not send), so the return address carries a ticket instead: the table it was issued to, the
one order it is for (the provider's orderId, which the redirect brings back), the tablet's page origin
and when it stops working, signed with SECRET_KEY. It lets its holder do only what the redirect itself
means: confirm a payment of that order (idempotent, the amount checked against the database, the
provider asked) and be sent back to that origin, never anywhere else, and only while the order's
checkout lasts (checkout.checkout_deadline): after that the order times out unpaid anyway.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from ...domain.errors import DomainError
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..principal import Principal, require_customer

PATH = "/_pay/return"
_HOST_PORT = re.compile(r"([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")
# Part of what is signed, so no other signature of this app (table links) can pass for a ticket.
_PURPOSE = b"hiorder.payment-return.v2|"


# The fail page's code for a return past its order's checkout (what the route sends the browser on with).
EXPIRED_CODE = "HIORDER_RETURN_EXPIRED"


@dataclass(frozen=True)
class ReturnTicket:
    store_id: int
    table_id: int
    origin: str  # the tablet page's scheme://host[:port], where the browser is sent back
    payment_ref: str  # the one order it may confirm, as the provider knows it


def _signature(payload: str) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, _PURPOSE + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _origin(value: str, refusal: str = "payment.unknown_order") -> str:
    try:
        parts = urlsplit(value or "")
        parts.port  # noqa: B018 - raises on a port that is no port
    except ValueError:  # an unclosed IPv6 bracket, a port out of range: a refusal, not a server error
        raise DomainError(refusal) from None
    # A host and port only: two Origin headers arrive joined by ", ", and no user part goes in a Location.
    if (parts.scheme not in ("http", "https") or not _HOST_PORT.fullmatch(parts.netloc)
            or parts.path not in ("", "/") or parts.query):
        raise DomainError(refusal)
    return f"{parts.scheme}://{parts.netloc}"


def page_origin(claimed: str) -> str:
    """The origin a tablet's page is sent back to. A handler learns its page's origin from the socket's
    Origin header, which any client other than a browser writes as it likes; where the site's address is
    configured (PUBLIC_BASE_URL) only that is used, so no ticket can send a browser to a host of the
    caller's choosing. Unset (development), the claim is used if it is a plain scheme://host[:port];
    anything else (two headers joined, a user part, a broken port) is refused with "payment.bad_origin",
    before anything is ordered."""
    return _site_origin() or _origin(claimed, "payment.bad_origin")


def _site_origin() -> str | None:
    public = urlsplit(get_settings().public_base_url or "")
    return f"{public.scheme}://{public.netloc}" if public.scheme and public.netloc else None


def return_url(principal: Principal, backend: str, origin: str, payment_ref: str, expires_at: datetime) -> str:
    """The success URL to give the provider for one order: `backend` is the address the tablet's page
    reaches the backend at, `origin` the page's own (as page_origin trusts it), `expires_at` the end of
    the order's checkout."""
    principal = require_customer(principal)
    origin = _origin(page_origin(origin))
    payload = f"{principal.store_id}.{principal.table_id}.{int(expires_at.timestamp())}"
    ticket = f"{payload}.{_signature(_signed(payload, origin, payment_ref))}"
    return f"{backend.rstrip('/')}{PATH}?{urlencode({'to': origin, 't': ticket})}"


def _signed(payload: str, origin: str, payment_ref: str) -> str:
    return f"{payload}|{origin}|{payment_ref}"


# This machine's names: a development tablet page and its backend may be on different ones of these.
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def read(ticket: str | None, origin: str | None, arrived_at: str | None, payment_ref: str | None,
         now: datetime | None = None) -> ReturnTicket:
    """The ticket's claims if we signed it for this origin and this order (`payment_ref`, the redirect's
    orderId); else DomainError: "payment.unknown_order", or "payment.return_expired" for a genuine one
    past its time. `arrived_at` is the host name the browser reached the backend at: without
    PUBLIC_BASE_URL the signed origin is a claimed Origin header, so the browser is sent back only to
    that same host (or a loopback name), never another site."""
    parts = (ticket or "").split(".", 3)
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 12 for p in parts[:3]):
        raise DomainError("payment.unknown_order")
    origin = _origin(origin or "")
    payload = ".".join(parts[:3])
    expected = _signature(_signed(payload, origin, payment_ref or ""))
    if not hmac.compare_digest(parts[3].encode(), expected.encode()):
        raise DomainError("payment.unknown_order")
    host = urlsplit(origin).hostname
    if _site_origin() is None and host != arrived_at and not {host, arrived_at} <= _LOOPBACK:
        raise DomainError("payment.unknown_order")
    if int(parts[2]) <= (now or utcnow()).timestamp():
        # Ours and for this origin (checked above): the browser may be sent back there to say so.
        raise DomainError("payment.return_expired", origin=origin)
    return ReturnTicket(int(parts[0]), int(parts[1]), origin, payment_ref or "")
