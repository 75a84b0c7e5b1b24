"""Creating stores, admins and table accounts: trusted chores (CLI, seed, tests) with input checks."""

import re

from sqlmodel import select

from ...domain.enums import Role
from ...domain.errors import DomainError
from ...domain.models import Account, DiningTable, Store
from ..db import session_scope
from .passwords import check_new_password, hash_password

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,50}$")


def create_store(code: str, name_ko: str, name_en: str) -> int:
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise DomainError("input.invalid", field="store code")
    with session_scope() as s:
        if s.exec(select(Store).where(Store.code == code)).first():
            raise DomainError("input.invalid", field="store code already exists")
        store = Store(code=code, name_ko=name_ko.strip(), name_en=name_en.strip())
        s.add(store)
        s.flush()
        return store.id


def store_id_by_code(code: str) -> int | None:
    with session_scope() as s:
        return s.exec(select(Store.id).where(Store.code == code.strip().lower())).first()


def create_admin(store_id: int, username: str, password: str) -> int:
    if not _USERNAME.match(username or ""):
        raise DomainError("input.invalid", field="username")
    check_new_password(password)
    with session_scope() as s:
        if s.exec(select(Account).where(Account.store_id == store_id, Account.username == username)).first():
            raise DomainError("input.invalid", field="username already exists")
        account = Account(store_id=store_id, username=username, password_hash=hash_password(password), role=Role.ADMIN)
        s.add(account)
        s.flush()
        return account.id


def create_table_account(store_id: int, number: int, password: str, name: str | None = None) -> tuple[int, str]:
    """Create table N (if missing) and its tablet account `table<N>`. Returns (table id, username)."""
    if not isinstance(number, int) or not 1 <= number <= 999:
        raise DomainError("input.invalid", field="table number (1-999)")
    check_new_password(password)
    username = f"table{number}"
    with session_scope() as s:
        table = s.exec(select(DiningTable).where(DiningTable.store_id == store_id,
                                                 DiningTable.number == number)).first()
        if table is None:
            table = DiningTable(store_id=store_id, number=number, name=name or f"{number}번 테이블")
            s.add(table)
            s.flush()
        account = s.exec(select(Account).where(Account.store_id == store_id, Account.username == username)).first()
        if account is None:
            account = Account(store_id=store_id, username=username, role=Role.CUSTOMER, table_id=table.id,
                              password_hash=hash_password(password))
        else:
            account.password_hash = hash_password(password)
        s.add(account)
        return table.id, username
