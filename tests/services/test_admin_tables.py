"""services.admin_tables: creating tables, tablet passwords, clearing a table after a party leaves."""

import json
import re

import pytest
from sqlmodel import select

from hiorder_app.domain.errors import SignInFailed
from hiorder_app.domain.models import Account, DiningTable, OutboxEvent, TableSession
from hiorder_app.services.auth.sessions import resolve, sign_in
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.read_models.order_views import table_orders
from hiorder_app.services.store_admin import tables as at
from tests.services.admin_refusals import assert_refused, other_store_admin

CALLS = {
    "list_tables": lambda p, st: at.list_tables(p),
    "create_table": lambda p, st: at.create_table(p, 20, "창가 20"),
    "rename_table": lambda p, st: at.rename_table(p, st.tables[1], "바뀐 이름"),
    "reissue_password": lambda p, st: at.reissue_password(p, st.tables[1]),
    "clear_table": lambda p, st: at.clear_table(p, st.tables[1]),
}
NO_TARGET = {"list_tables", "create_table"}


@pytest.mark.parametrize("name", CALLS)
def test_customers_and_signed_out_callers_are_refused_and_nothing_changes(db, store, customer, name):
    for principal in (customer, None):
        assert_refused(db, lambda p: CALLS[name](p, store), principal)


@pytest.mark.parametrize("name", sorted(set(CALLS) - NO_TARGET))
def test_an_admin_of_another_store_cannot_touch_this_stores_tables(db, store, customer, make_store, name):
    intruder = other_store_admin(make_store)
    assert_refused(db, lambda p: CALLS[name](p, store), intruder, codes={"table.unknown"})


def test_another_stores_admin_lists_and_creates_only_in_their_own_store(db, store, make_store):
    intruder = other_store_admin(make_store)
    theirs = at.list_tables(intruder)  # store B's own table 1 only
    assert len(theirs) == 1 and theirs[0].id not in store.tables.values()
    issued = at.create_table(intruder, 2)
    with session_scope() as s:
        assert s.get(DiningTable, issued.table_id).store_id == intruder.store_id


def test_create_table_makes_its_tablet_account_with_a_readable_password(db, store, admin):
    issued = at.create_table(admin, "7", "")
    assert issued.username == "table7"
    assert re.fullmatch(r"[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}", issued.password)
    _token, principal = sign_in(store.code, "table7", issued.password, "test-client")
    assert (principal.table_id, principal.table_number) == (issued.table_id, 7)
    rows = {t.number: t for t in at.list_tables(admin)}
    assert rows[7].name == "7번 테이블" and rows[7].username == "table7" and rows[7].occupied
    assert at.create_table(admin, 8).password != issued.password


@pytest.mark.parametrize("number, name, code", [
    (0, "", "table.bad_number"), (1000, "", "table.bad_number"), ("x", "", "table.bad_number"),
    (True, "", "table.bad_number"), (1, "", "table.number_taken"), (9, "x" * 51, "table.bad_name"),
])
def test_create_table_refuses_bad_input(db, store, admin, number, name, code):
    assert_refused(db, lambda p: at.create_table(p, number, name), admin, codes={code})


def test_rename_table(db, store, admin):
    at.rename_table(admin, store.tables[1], " 창가 1 ")
    assert [t.name for t in at.list_tables(admin)] == ["창가 1"]
    assert_refused(db, lambda p: at.rename_table(p, store.tables[1], "  "), admin, codes={"table.bad_name"})


def test_reissue_password_replaces_the_old_one_and_signs_the_tablet_out(db, store, admin):
    token, _principal = sign_in(store.code, "table1", store.password, "test-client")
    issued = at.reissue_password(admin, store.tables[1])
    assert resolve(token) is None
    with pytest.raises(SignInFailed):
        sign_in(store.code, "table1", store.password, "test-client")
    assert sign_in(store.code, "table1", issued.password, "test-client")[1].table_number == 1
    with session_scope() as s:
        account = s.exec(select(Account).where(Account.username == "table1", Account.store_id == store.id)).one()
        assert account.credential_version == 1


def test_clear_table_starts_the_next_party_with_no_orders(db, store, admin, customer):
    order = place_order(customer, [(store.items["main"], 1)])
    assert [o.id for o in table_orders(customer)] == [order.id]
    assert at.clear_table(admin, store.tables[1]) is True
    assert table_orders(customer) == []
    assert {t.number: t.occupied for t in at.list_tables(admin)} == {1: False}
    with session_scope() as s:
        visit = s.exec(select(TableSession).where(TableSession.table_id == store.tables[1])).one()
        assert visit.closed_at is not None
        event = s.exec(select(OutboxEvent).where(OutboxEvent.type == "TableCleared")).one()
    assert json.loads(event.payload) == {"table_id": store.tables[1], "table_number": 1, "table_session_id": visit.id}
    assert at.clear_table(admin, store.tables[1]) is False  # nothing open any more
    # The same tablet orders on: a new visit opens, with only the new order in it.
    again = place_order(customer, [(store.items["main"], 1)])
    assert [o.id for o in table_orders(customer)] == [again.id]
