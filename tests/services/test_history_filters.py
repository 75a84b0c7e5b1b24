"""The store's order history shows paid orders (and those cancelled after paying) only; its filters
narrow that and never widen it, and a status that does not exist is refused."""

from zoneinfo import ZoneInfo

import pytest

from hiorder_app.domain.enums import OrderStatus as S
from hiorder_app.domain.enums import Role
from hiorder_app.domain.errors import AccessDenied, DomainError
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.db import session_scope
from hiorder_app.services.ordering.lifecycle import lock_order, transition
from hiorder_app.services.ordering.placement import place_order
from hiorder_app.services.principal import Principal
from hiorder_app.services.read_models.order_views import HistorySummary, history_summary, order_history

SEOUL = ZoneInfo("Asia/Seoul")

# name -> the steps after placing; every status, and CANCELLED both before and after payment
PATHS = {
    "pending": (),
    "paid": (S.PAID,),
    "accepted": (S.PAID, S.ACCEPTED),
    "served": (S.PAID, S.ACCEPTED, S.SERVED),
    "refunded": (S.PAID, S.CANCELLED),
    "cancelled_unpaid": (S.CANCELLED,),
    "expired": (S.EXPIRED,),
}
STORE_SEES = {"paid", "accepted", "served", "refunded"}


@pytest.fixture
def admin(store) -> Principal:
    return Principal(store.admin_id, store.id, Role.ADMIN, store.admin_username)


@pytest.fixture
def orders(store) -> dict[str, int]:
    """One order down each path, from table 1 (and one paid order from table 2)."""
    made = {}
    for name, steps in PATHS.items():
        order = place_order(store.table_principal(1), [(store.items["main"], 1)])
        for step in steps:
            with session_scope() as s:
                transition(s, lock_order(s, id=order.id), step)
        made[name] = order.id
    other = place_order(store.table_principal(2), [(store.items["drink"], 1)])
    with session_scope() as s:
        transition(s, lock_order(s, id=other.id), S.PAID)
    made["table2"] = other.id
    return made


def ids(views) -> set[int]:
    return {v.id for v in views}


def test_without_filters_only_paid_orders_show(db, admin, orders):
    assert ids(order_history(admin, SEOUL)) == {orders[n] for n in STORE_SEES | {"table2"}}


@pytest.mark.parametrize("status", list(S))
def test_a_status_filter_narrows_within_what_the_store_sees(db, admin, orders, status):
    expected = {orders[n] for n in STORE_SEES if PATHS[n][-1] == status}
    if status == S.PAID:
        expected.add(orders["table2"])
    got = order_history(admin, SEOUL, status=status.value)
    assert ids(got) == expected
    assert {v.status for v in got} <= {status}
    assert all(v.paid_at is not None for v in got)


@pytest.mark.parametrize("status", list(S))
def test_every_filter_together_still_shows_only_paid_orders(db, admin, orders, status):
    today = utcnow().astimezone(SEOUL).date()
    got = order_history(admin, SEOUL, day=today, table_number=1, status=status.value)
    assert ids(got) == {orders[n] for n in STORE_SEES if PATHS[n][-1] == status}


@pytest.mark.parametrize("bad", ["", "ALL", "paid", "DONE", "PAID ", "PAID' OR '1'='1", "결제", 5, ["PAID"],
                                 {"status": "PAID"}, "x" * 10_000])
def test_an_unknown_status_is_refused_not_widened(db, admin, orders, bad):
    with pytest.raises(DomainError) as refused:
        order_history(admin, SEOUL, status=bad)
    assert refused.value.code == "input.invalid"
    assert refused.value.message("en") == "Invalid input: status"


def test_history_is_the_admins_only(db, store, orders):
    with pytest.raises(AccessDenied):
        order_history(store.table_principal(1), SEOUL, status="PENDING_PAYMENT")


@pytest.mark.parametrize("status", [None, *S])
def test_the_summary_counts_and_sums_every_match_the_list_would_show(db, admin, orders, status):
    everything = order_history(admin, SEOUL, status=status and status.value, limit=1000)
    paid = sum(v.total for v in everything if v.status in (S.PAID, S.ACCEPTED, S.SERVED))
    assert history_summary(admin, SEOUL, status=status and status.value) == HistorySummary(len(everything), paid)


def test_a_capped_list_still_counts_and_sums_every_match(db, store, admin, orders):
    shown = order_history(admin, SEOUL, limit=2)
    assert len(shown) == 2
    summary = history_summary(admin, SEOUL)
    assert summary.count == len(STORE_SEES | {"table2"}) > len(shown)
    assert summary.paid_total == sum(v.total for v in order_history(admin, SEOUL) if v.status != S.CANCELLED)
    assert history_summary(admin, SEOUL, table_number=999) == HistorySummary(0, 0)
    with pytest.raises(AccessDenied):
        history_summary(store.table_principal(1), SEOUL)
