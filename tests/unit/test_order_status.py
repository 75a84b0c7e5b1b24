"""domain.order_status: the status machine, which statuses count where, and labels."""

import pytest

from hiorder_app.domain.enums import OrderStatus as S
from hiorder_app.domain.order_status import (
    COUNTS_FOR_TABLE_RULES,
    LABELS,
    LIVE_ON_BOARD,
    PAID_STATUSES,
    RELEASES_STOCK,
    STORE_VISIBLE_STATUSES,
    TRANSITIONS,
    can_transition,
    label,
)

ALLOWED = {
    (S.PENDING_PAYMENT, S.PAID),
    (S.PENDING_PAYMENT, S.CANCELLED),
    (S.PENDING_PAYMENT, S.EXPIRED),
    (S.PAID, S.ACCEPTED),
    (S.PAID, S.CANCELLED),
    (S.ACCEPTED, S.SERVED),
    (S.ACCEPTED, S.CANCELLED),
    (S.SERVED, S.ACCEPTED),  # recall
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("new", list(S))
def test_transition_table(current, new):
    assert can_transition(current, new) == ((current, new) in ALLOWED)


def test_transitions_accept_plain_strings():
    assert can_transition("PENDING_PAYMENT", "PAID")
    assert not can_transition("PAID", "PENDING_PAYMENT")


@pytest.mark.parametrize("status", [S.CANCELLED, S.EXPIRED])
def test_final_statuses(status):
    assert TRANSITIONS[status] == frozenset()


def test_no_status_moves_to_itself_or_back_to_pending():
    for current in S:
        assert not can_transition(current, current)
        assert not can_transition(current, S.PENDING_PAYMENT)


def test_every_status_has_transitions_and_labels():
    assert set(TRANSITIONS) == set(S)
    assert set(LABELS) == set(S)


@pytest.mark.parametrize("bad", ["", "paid", "DONE"])
def test_unknown_status_is_an_error(bad):
    with pytest.raises(ValueError):
        can_transition(bad, "PAID")
    with pytest.raises(ValueError):
        can_transition("PAID", bad)
    with pytest.raises(ValueError):
        label(bad, "en")


def test_paid_statuses_are_paid_and_not_cancelled():
    assert PAID_STATUSES == {S.PAID, S.ACCEPTED, S.SERVED}


def test_store_sees_paid_orders_and_refunds_never_unpaid_ones():
    assert STORE_VISIBLE_STATUSES == PAID_STATUSES | {S.CANCELLED}
    assert not STORE_VISIBLE_STATUSES & {S.PENDING_PAYMENT, S.EXPIRED}


def test_board_holds_paid_orders_still_to_handle():
    assert LIVE_ON_BOARD == {S.PAID, S.ACCEPTED}
    assert LIVE_ON_BOARD <= PAID_STATUSES


def test_ended_unpaid_or_cancelled_orders_release_stock():
    assert RELEASES_STOCK == {S.CANCELLED, S.EXPIRED}


def test_table_rules_ignore_cancelled_and_expired_orders():
    assert COUNTS_FOR_TABLE_RULES == set(S) - RELEASES_STOCK
    assert not COUNTS_FOR_TABLE_RULES & RELEASES_STOCK


@pytest.mark.parametrize(
    "status, ko, en",
    [
        ("PENDING_PAYMENT", "결제 대기", "Awaiting payment"),
        ("PAID", "결제 완료", "Paid"),
        ("ACCEPTED", "조리 중", "Cooking"),
        ("SERVED", "서빙 완료", "Served"),
        ("CANCELLED", "취소됨", "Cancelled"),
        ("EXPIRED", "시간 초과", "Expired"),
    ],
)
def test_labels(status, ko, en):
    assert label(status, "ko") == ko
    assert label(status, "en") == en
    assert label(status, "fr") == ko  # unknown language: Korean
