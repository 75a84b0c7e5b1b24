"""The store console's tables: create, rename, reissue a tablet's password, clear after a party leaves.

Every function takes the caller first and acts only on the admin's own store; another store's table
reads as "not found".
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ...domain.enums import Role
from ...domain.errors import DomainError
from ...domain.models import Account, AuthSession, DiningTable, TableSession
from ...domain.timeutil import utcnow
from ..auth.passwords import hash_password
from ..auth.table_links import as_id
from ..db import session_scope
from ..ordering.table_sessions import close_table_session, lock_table
from ..principal import Principal, require_admin

# No 0/o, 1/l/i: the password is read off a screen and typed on a tablet.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


@dataclass
class TableRow:
    id: int
    number: int
    name: str
    active: bool
    username: str
    occupied: bool  # a party's visit is open
    opened_at: datetime | None


@dataclass
class IssuedPassword:
    """Shown to the admin once; only its hash is stored."""

    table_id: int
    number: int
    username: str
    password: str


def new_table_password() -> str:
    """Three groups of four, e.g. "k7pm-3xq9-hw4d": about 59 bits, easy to read aloud."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def _name(value, number: int) -> str:
    name = str(value or "").strip() or f"{number}번 테이블"
    if len(name) > 50:
        raise DomainError("table.bad_name")
    return name


def _table(s: Session, principal: Principal, table_id, lock: bool = True) -> DiningTable:
    found = s.exec(select(DiningTable).where(DiningTable.id == as_id(table_id),
                                             DiningTable.store_id == principal.store_id)).first()
    if found is None:
        raise DomainError("table.unknown")
    return lock_table(s, found.id) if lock else found


def _tablet_account(s: Session, table: DiningTable) -> Account | None:
    return s.exec(select(Account).where(Account.table_id == table.id, Account.store_id == table.store_id,
                                        Account.role == Role.CUSTOMER).with_for_update()).first()


def list_tables(principal: Principal) -> list[TableRow]:
    principal = require_admin(principal)
    with session_scope() as s:
        rows = s.exec(
            select(DiningTable, Account.username, TableSession.opened_at)
            .join(Account, (Account.table_id == DiningTable.id) & (Account.role == Role.CUSTOMER), isouter=True)
            .join(TableSession, (TableSession.table_id == DiningTable.id) & TableSession.closed_at.is_(None),
                  isouter=True)
            .where(DiningTable.store_id == principal.store_id)
            .order_by(DiningTable.number)
        ).all()
    return [TableRow(t.id, t.number, t.name, t.active, username or "", opened is not None, opened)
            for t, username, opened in rows]


def create_table(principal: Principal, number, name: str = "") -> IssuedPassword:
    """Table N and its tablet account `table<N>`, with a fresh random password."""
    principal = require_admin(principal)
    if isinstance(number, str) and number.strip().isascii() and number.strip().isdigit():
        number = int(number.strip())
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 999:
        raise DomainError("table.bad_number")
    table_name = _name(name, number)
    username = f"table{number}"
    password = new_table_password()
    with session_scope() as s:
        taken = s.exec(select(DiningTable.id).where(DiningTable.store_id == principal.store_id,
                                                    DiningTable.number == number)).first()
        taken = taken or s.exec(select(Account.id).where(Account.store_id == principal.store_id,
                                                         Account.username == username)).first()
        if taken is not None:
            raise DomainError("table.number_taken", number=number)
        table = DiningTable(store_id=principal.store_id, number=number, name=table_name)
        s.add(table)
        s.flush()
        s.add(Account(store_id=principal.store_id, username=username, role=Role.CUSTOMER, table_id=table.id,
                      password_hash=hash_password(password)))
        return IssuedPassword(table.id, number, username, password)


def rename_table(principal: Principal, table_id, name) -> None:
    principal = require_admin(principal)
    with session_scope() as s:
        table = _table(s, principal, table_id)
        if not str(name or "").strip():
            raise DomainError("table.bad_name")
        table.name = _name(name, table.number)
        s.add(table)


def reissue_password(principal: Principal, table_id) -> IssuedPassword:
    """A new password for the table's tablet. Its sessions end and its older QR links stop working."""
    principal = require_admin(principal)
    password = new_table_password()
    with session_scope() as s:
        # Sign-in locks the account before the table; not locking the table here keeps that order.
        table = _table(s, principal, table_id, lock=False)
        account = _tablet_account(s, table)
        if account is None:
            account = Account(store_id=table.store_id, username=f"table{table.number}", role=Role.CUSTOMER,
                              table_id=table.id, password_hash="")
        account.password_hash = hash_password(password)
        account.credential_version += 1
        s.add(account)
        s.flush()
        s.execute(sa.update(AuthSession)
                  .where(AuthSession.account_id == account.id, AuthSession.revoked_at.is_(None))
                  .values(revoked_at=utcnow()))
        return IssuedPassword(table.id, table.number, account.username, password)


def clear_table(principal: Principal, table_id) -> bool:
    """Close the table's open visit, so the next party starts with no orders. False if none was open."""
    principal = require_admin(principal)
    with session_scope() as s:
        # The table lock is the one place_order takes first: no order slips into a visit being closed.
        table = _table(s, principal, table_id)
        return close_table_session(s, table) is not None
