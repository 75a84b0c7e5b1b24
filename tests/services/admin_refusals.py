"""Shared checks for the store console's services: who is refused, and that a refusal changes nothing."""

import pytest

from hiorder_app.domain.errors import AccessDenied, DomainError
from hiorder_app.services.auth.sessions import sign_in

# Everything an admin service can write, with its columns in a stable order.
WATCHED = ["category", "menu_item", "dining_table", "account", "auth_session", "table_session", "outbox_event",
           "orders", "order_line"]


def snapshot(db) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        return {t: sorted(map(tuple, conn.exec_driver_sql(f'SELECT * FROM "{t}"').all()), key=repr) for t in WATCHED}


def other_store_admin(make_store):
    other = make_store("store-b")
    return sign_in(other.code, other.admin_username, other.password, "test-client")[1]


def assert_refused(db, call, principal, codes=None) -> DomainError:
    """`call(principal)` raises a DomainError (an AccessDenied unless `codes` says otherwise) and no row changes."""
    before = snapshot(db)
    with pytest.raises(DomainError) as caught:
        call(principal)
    if codes is None:
        assert isinstance(caught.value, AccessDenied), caught.value
    else:
        assert caught.value.code in codes, caught.value
    assert snapshot(db) == before
    return caught.value
