"""Sign-in, server-side sessions with expiry, and per-account rate limiting of failures."""

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import select

from ...domain.enums import Role
from ...domain.errors import DomainError, SignInFailed
from ...domain.models import Account, AuthSession, DiningTable, Store
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import session_scope
from ..ordering.table_sessions import lock_table, open_table_session
from ..principal import Principal
from .passwords import verify_password
from .table_links import read_token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(s, account: Account | None, password: str, invalid_code: str) -> DomainError | None:
    """Verify a password against a locked account row, counting failures toward a lockout. A lockout is
    raised; a wrong password is returned, to be raised after the commit so the failure count is kept."""
    settings, now = get_settings(), utcnow()
    if account is not None and account.locked_until and account.locked_until > now:
        minutes = max(1, int((account.locked_until - now).total_seconds() // 60) + 1)
        raise SignInFailed("login.locked", minutes=minutes)
    if not verify_password(password or "", account.password_hash if account else None) or not (
        account and account.active
    ):
        if account is not None:
            account.failed_logins += 1
            if account.failed_logins >= settings.login_max_failures:
                account.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
                account.failed_logins = 0
            s.add(account)
        return SignInFailed(invalid_code)
    account.failed_logins = 0
    account.locked_until = None
    s.add(account)
    return None


def sign_in(store_code: str, username: str, password: str) -> tuple[str, Principal]:
    """Return a new bearer token and who it belongs to, or raise SignInFailed."""
    settings = get_settings()
    store_code, username = (store_code or "").strip().lower(), (username or "").strip()
    failure: DomainError | None = None
    with session_scope() as s:
        account = s.exec(
            select(Account)
            .join(Store, Store.id == Account.store_id)
            .where(Store.code == store_code, Account.username == username)
            .with_for_update(of=Account)
        ).first()
        now = utcnow()
        failure = _check_password(s, account, password, "login.invalid")
        if failure is None:
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
        raise failure
    return token, principal


def _principal(account: Account, table_number: int | None) -> Principal:
    return Principal(account_id=account.id, store_id=account.store_id, role=account.role,
                     username=account.username, table_id=account.table_id, table_number=table_number)


def resolve(token: str | None) -> Principal | None:
    """Who holds this token now, or None if it is unknown, expired, revoked or disabled."""
    if not token:
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
    """Staff sign a table's tablet out with an admin account of the same store. Wrong passwords count
    toward that account's lockout, as at sign-in."""
    principal = resolve(token)
    if principal is None:
        return
    failure: DomainError | None = None
    with session_scope() as s:
        admin = s.exec(select(Account).where(Account.store_id == principal.store_id,
                                             Account.username == (admin_username or "").strip(),
                                             Account.role == Role.ADMIN).with_for_update()).first()
        failure = _check_password(s, admin, admin_password, "tablet.staff_invalid")
        if failure is None:
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
