"""Signed, expiring sign-in links for table tablets, and their QR codes.

A link is `/t/<token>`, token = "<store>-<table>-<credential version>-<expiry>-<HMAC-SHA256>". The
credential version is the tablet account's: reissuing the table's password bumps it, so every older
link (and printed QR code) stops working. Nothing is stored per link.
"""

import base64
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from sqlmodel import select

from ...domain.enums import Role
from ...domain.errors import DomainError
from ...domain.models import Account, DiningTable
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import session_scope
from ..principal import Principal, require_admin

# Part of what is signed, so a signature made for anything else in this app can never pass as a link.
_PURPOSE = b"hiorder.table-link.v1|"


@dataclass(frozen=True)
class LinkClaims:
    store_id: int
    table_id: int
    credential_version: int
    expires_at: int  # unix seconds


@dataclass
class TableLink:
    table_id: int
    number: int
    name: str
    url: str
    qr: str  # SVG data URI
    expires_at: datetime


def _signature(payload: str) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, _PURPOSE + payload.encode(), hashlib.sha256).digest()
    # 128 of the 256 bits: still far beyond guessing, and a shorter link makes a coarser, easier QR code.
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def make_token(store_id: int, table_id: int, credential_version: int, expires_at: datetime) -> str:
    payload = f"{store_id}-{table_id}-{credential_version}-{int(expires_at.timestamp())}"
    # No dots: a dev server takes a last path segment with a dot for a file name.
    return f"{payload}-{_signature(payload)}"


def read_token(token: str | None, now: datetime | None = None) -> LinkClaims:
    """The link's claims if its signature is ours and it has not expired; else DomainError.

    The credential version is checked by the sign-in, which has the account at hand."""
    parts = (token or "").strip().split("-", 4)  # the base64url signature may itself contain "-"
    if len(parts) != 5 or not all(p.isascii() and p.isdigit() for p in parts[:4]):
        raise DomainError("link.invalid")
    payload = "-".join(parts[:4])
    if not hmac.compare_digest(parts[4].encode(), _signature(payload).encode()):
        raise DomainError("link.invalid")
    claims = LinkClaims(*(int(p) for p in parts[:4]))
    if claims.expires_at <= (now or utcnow()).timestamp():
        raise DomainError("link.expired")
    return claims


def as_id(value) -> int:
    """A row id from an event argument; anything else is an unknown table."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isascii()
                                                                  and value.isdigit())):
        raise DomainError("table.unknown")
    number = int(value)
    if not 1 <= number < 2**31:
        raise DomainError("table.unknown")
    return number


def link_path(token: str) -> str:
    return f"/t/{token}"


def qr_data_uri(url: str) -> str:
    """An SVG QR code: sharp at any print size, and no image file to store."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def table_links(principal: Principal, base_url: str, table_id: int | None = None) -> list[TableLink]:
    """Fresh sign-in links (with QR codes) for the caller's tables, or for one of them."""
    principal = require_admin(principal)
    settings = get_settings()
    base = (settings.public_base_url or base_url or "").rstrip("/")
    expires = utcnow() + timedelta(days=settings.table_link_ttl_days)
    query = (select(DiningTable, Account.credential_version)
             .join(Account, (Account.table_id == DiningTable.id) & (Account.role == Role.CUSTOMER))
             .where(DiningTable.store_id == principal.store_id, Account.store_id == principal.store_id)
             .order_by(DiningTable.number))
    if table_id is not None:
        query = query.where(DiningTable.id == as_id(table_id))
    with session_scope() as s:
        rows = s.exec(query).all()
    if table_id is not None and not rows:
        raise DomainError("table.unknown")
    links = []
    for table, version in rows:
        url = base + link_path(make_token(principal.store_id, table.id, version, expires))
        links.append(TableLink(table.id, table.number, table.name, url, qr_data_uri(url), expires))
    return links
