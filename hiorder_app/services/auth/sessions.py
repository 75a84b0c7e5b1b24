"""Sign-in, server-side sessions with expiry, and throttled password checks (auth/throttle.py)."""

import hashlib
import ipaddress
import secrets
from datetime import timedelta

from sqlmodel import Session, select

from ...domain.enums import Role
from ...domain.errors import DomainError, SignInFailed
from ...domain.models import Account, AuthSession, DiningTable, Store
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import session_scope
from ..ordering.table_sessions import lock_table, open_table_session
from ..principal import Principal
from . import throttle
from .passwords import rehashed, verify_password
from .table_links import read_token

# No account has a longer name (accounts._USERNAME, Store.code): longer input is not looked up at all.
_MAX_USERNAME, _MAX_STORE_CODE = 50, 40


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value) -> str:
    # Anything but a string is as wrong as a wrong string, and is counted the same way.
    return value if isinstance(value, str) else ""


def _client(client) -> str:
    if not isinstance(client, str) or not client:
        raise ValueError("a client key is required: the throttle counts failures per client")
    return client


def _address_key(store_code: str, address) -> tuple | None:
    """The per-address counter's key: the store as typed and the network the attempt came from (an IPv6
    host picks any address of its /64, so that is the unit). Per store, so whatever one address does (a
    guesser on a restaurant's network, or every client at the proxy's address if it is misconfigured)
    holds sign-ins to that store only."""
    if not isinstance(address, str) or not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ("sign-in", store_code, address[:64])
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return ("sign-in", store_code, str(ip.ipv4_mapped))
        return ("sign-in", store_code, str(ipaddress.ip_network(f"{ip}/64", strict=False)))
    return ("sign-in", store_code, str(ip))


def _checked(s: Session, attempt: throttle.Attempt, account: Account | None, password) -> Account | None:
    """The account if `password` is right for it, it is active and its password did not change meanwhile;
    else None, with the failure counted. bcrypt runs without any lock on the account, so nobody's guessing
    can make the owner wait; the account is locked only after, to recheck and maybe rehash."""
    verified = account.password_hash if account is not None else None
    if verify_password(password, verified) and account.active:
        account = s.exec(select(Account).where(Account.id == account.id).with_for_update()
                         .execution_options(populate_existing=True)).one()
        if account.password_hash == verified and account.active:
            attempt.succeeded()
            upgraded = rehashed(password, verified)
            if upgraded is not None:
                account.password_hash = upgraded
                s.add(account)
            return account
    attempt.failed()
    return None


def sign_in(store_code: str, username: str, password: str, client: str,
            address: str | None = None) -> tuple[str, Principal]:
    """Return a new bearer token and who it belongs to, or raise SignInFailed: "login.invalid" for any
    wrong store, username or password, "login.throttled" (with `seconds`) while this client must wait,
    whether or not the password would be right. `client` names the browser or device asking (e.g. its
    client token and address); failures are counted per (store, username as typed, client) and per
    client, never per account, so a real and an unknown username answer alike and nobody guessing
    elsewhere keeps the right password out. `address` (the client's network address, as the proxy in front
    reports it) is counted too, across clients: a guesser cannot start over with a new client token."""
    client = _client(client)
    settings = get_settings()
    store_code, username = _text(store_code).strip().lower(), _text(username).strip()
    failure: DomainError | None = None
    with session_scope() as s:
        now = utcnow()
        attempt = throttle.Attempt(s, now, account=("sign-in", store_code, username), client=("sign-in", client),
                                   address=_address_key(store_code, address))
        if attempt.wait:
            raise SignInFailed("login.throttled", seconds=attempt.wait)
        found = None
        if len(username) <= _MAX_USERNAME and len(store_code) <= _MAX_STORE_CODE:
            found = s.exec(select(Account).join(Store, Store.id == Account.store_id)
                           .where(Store.code == store_code, Account.username == username)).first()
        account = _checked(s, attempt, found, password)
        if account is None:
            failure = SignInFailed("login.invalid")
        else:
            token = secrets.token_urlsafe(32)
            s.add(AuthSession(token_hash=_token_hash(token), account_id=account.id,
                              expires_at=now + timedelta(hours=settings.session_ttl_hours)))
            table_number = None
            if account.role == Role.CUSTOMER and account.table_id is not None:
                table = lock_table(s, account.table_id)
                table_number = table.number
                open_table_session(s, table)
            principal = _principal(account, table_number)
    if failure is not None:
        raise failure  # after the commit, so the failure stays counted
    return token, principal


def _principal(account: Account, table_number: int | None) -> Principal:
    return Principal(account_id=account.id, store_id=account.store_id, role=account.role,
                     username=account.username, table_id=account.table_id, table_number=table_number)


def resolve(token: str | None) -> Principal | None:
    """Who holds this token now, or None if it is unknown, expired, revoked or disabled."""
    if not isinstance(token, str) or not token:
        return None
    with session_scope() as s:
        row = s.exec(
            select(Account, AuthSession, DiningTable.number)
            .join(AuthSession, AuthSession.account_id == Account.id)
            .join(DiningTable, DiningTable.id == Account.table_id, isouter=True)
            .where(AuthSession.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return None
        account, auth, table_number = row
        if auth.revoked_at is not None or auth.expires_at <= utcnow() or not account.active:
            return None
        return _principal(account, table_number)


def _revoke(s, token: str) -> None:
    auth = s.exec(select(AuthSession).where(AuthSession.token_hash == _token_hash(token))).first()
    if auth is not None and auth.revoked_at is None:
        auth.revoked_at = utcnow()
        s.add(auth)


def sign_out(token: str | None) -> None:
    """An admin signing out. A table's tablet is signed out by staff only (sign_out_tablet): a diner who
    signs it out, by the button or by sending the event by hand, leaves the table unable to order."""
    principal = resolve(token)
    if principal is None:
        return
    if principal.role != Role.ADMIN:
        raise DomainError("tablet.signout_staff_only")
    with session_scope() as s:
        _revoke(s, token)


def replace_session(old_token: str | None) -> None:
    """A browser signed in afresh (a table's QR link, which only someone holding it can open): whatever
    session it had before ends."""
    if old_token:
        with session_scope() as s:
            _revoke(s, old_token)


def sign_out_tablet(token: str | None, admin_username: str, admin_password: str) -> None:
    """Staff sign a table's tablet out with an admin account of the same store. Raises SignInFailed
    "tablet.staff_invalid" or "login.throttled", throttled like sign_in with the tablet's own account as
    the client: a diner can neither switch it to guess on nor slow down staff at any other tablet."""
    principal = resolve(token)
    if principal is None:
        return
    username = _text(admin_username).strip()
    tablet = ("tablet", principal.account_id)
    failure: DomainError | None = None
    with session_scope() as s:
        attempt = throttle.Attempt(s, utcnow(), account=("staff", principal.store_id, username), client=tablet)
        if attempt.wait:
            raise SignInFailed("login.throttled", seconds=attempt.wait)
        admin = None
        if len(username) <= _MAX_USERNAME:
            admin = s.exec(select(Account).where(Account.store_id == principal.store_id,
                                                 Account.username == username, Account.role == Role.ADMIN)).first()
        if _checked(s, attempt, admin, admin_password) is None:
            failure = SignInFailed("tablet.staff_invalid")
        else:
            _revoke(s, token)
    if failure is not None:
        raise failure


def sign_in_with_link(link_token: str) -> tuple[str, Principal]:
    """Sign a tablet in from a table's QR link (services/table_links): a new bearer token, or SignInFailed."""
    try:
        claims = read_token(link_token)
    except DomainError as exc:
        raise SignInFailed(exc.code) from exc
    settings = get_settings()
    with session_scope() as s:
        account = s.exec(
            select(Account).where(Account.store_id == claims.store_id, Account.table_id == claims.table_id,
                                  Account.role == Role.CUSTOMER).with_for_update()
        ).first()
        if account is None or not account.active:
            raise SignInFailed("link.invalid")
        if account.credential_version != claims.credential_version:
            raise SignInFailed("link.replaced")
        now = utcnow()
        token = secrets.token_urlsafe(32)
        s.add(AuthSession(token_hash=_token_hash(token), account_id=account.id,
                          expires_at=now + timedelta(hours=settings.session_ttl_hours)))
        table = lock_table(s, account.table_id)
        open_table_session(s, table)
        return token, _principal(account, table.number)
