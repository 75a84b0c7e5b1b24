"""The rules the order check, the read models and the views share, each defined once in the domain:
checked here against check_order (which enforces them) over generated inputs."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hiorder_app.domain.enums import ItemKind
from hiorder_app.domain.enums import OrderStatus as S
from hiorder_app.domain.errors import DomainError, OrderRefused
from hiorder_app.domain.events import BOARD_EVENTS
from hiorder_app.domain.order_rules import (
    MAX_LINE_QUANTITY,
    ItemSnapshot,
    TableHistory,
    check_order,
    is_sold_out,
    line_cap,
    needs_main,
)
from hiorder_app.domain.order_status import (
    LIVE_ON_BOARD,
    PAID_STATUSES,
    STORE_VISIBLE_STATUSES,
    on_board,
    parse_status,
    visible_to_store,
)
from hiorder_app.services.read_models.board_feed import Board, BoardCall, BoardOrder, fold
from hiorder_app.settings import Settings

STORE = 1
NO_HISTORY = TableHistory(has_main=False, once_item_ids=frozenset())
stocks = st.none() | st.integers(min_value=-3, max_value=200)


def snapshot(id=1, kind=ItemKind.MAIN, **kw) -> ItemSnapshot:
    values = dict(store_id=STORE, name_ko=f"메뉴{id}", name_en=f"Dish {id}", price=1000, kind=kind, stock=None,
                  sold_out=False, once_per_table=False, active=True)
    return ItemSnapshot(id=id, **(values | kw))


def refusal(lines, items, history=NO_HISTORY, **kw) -> str | None:
    try:
        check_order(lines, items, STORE, history, **kw)
    except OrderRefused as exc:
        return exc.code
    return None


# --- sold out -------------------------------------------------------------------------------------

@given(marked=st.booleans(), stock=stocks)
def test_an_item_is_refused_as_sold_out_exactly_when_is_sold_out_says(marked, stock):
    code = refusal([(1, 1)], {1: snapshot(stock=stock, sold_out=marked)})
    assert (code == "order.sold_out") == is_sold_out(marked, stock)
    if not is_sold_out(marked, stock):
        assert code is None  # one of it can be ordered


def test_sold_out_cases():
    assert not is_sold_out(False, None)
    assert is_sold_out(True, None) and is_sold_out(True, 10)
    assert is_sold_out(False, 0)
    assert not is_sold_out(False, 1)


# --- the quantity cap of a line (and the cart) ------------------------------------------------------

@given(once=st.booleans(), cap=st.integers(min_value=1, max_value=500), qty=st.integers(min_value=-5, max_value=600))
def test_a_line_is_accepted_exactly_up_to_its_cap(once, cap, qty):
    code = refusal([(1, qty)], {1: snapshot(kind=ItemKind.DRINK, once_per_table=once)}, max_quantity=cap)
    assert (code is None) == (1 <= qty <= line_cap(once, cap))


def test_the_default_cap_is_the_settings_default():
    assert Settings.model_fields["max_line_quantity"].default == MAX_LINE_QUANTITY
    assert line_cap(False, MAX_LINE_QUANTITY) == MAX_LINE_QUANTITY
    assert line_cap(True, MAX_LINE_QUANTITY) == 1


# --- a side needs a main -----------------------------------------------------------------------------

@given(kinds=st.lists(st.sampled_from(list(ItemKind)), min_size=1, max_size=6), had_main=st.booleans())
def test_sides_are_refused_exactly_when_needs_main_and_the_table_had_none(kinds, had_main):
    items = {n: snapshot(n, kind) for n, kind in enumerate(kinds, start=1)}
    history = TableHistory(has_main=had_main, once_item_ids=frozenset())
    code = refusal([(n, 1) for n in items], items, history)
    assert (code == "order.side_needs_main") == (needs_main(kinds) and not had_main)
    assert code in (None, "order.side_needs_main")


def test_needs_main_cases():
    assert needs_main([ItemKind.SIDE]) and needs_main([ItemKind.SIDE, ItemKind.DRINK])
    assert not needs_main([ItemKind.SIDE, ItemKind.MAIN])
    assert not needs_main([ItemKind.DRINK]) and not needs_main([])


# --- what the store and the board see ----------------------------------------------------------------

PAID_AT = datetime(2026, 11, 26, 12, tzinfo=UTC)


@pytest.mark.parametrize("status", list(S))
def test_the_store_sees_an_order_only_once_it_was_paid(status):
    assert not visible_to_store(status, None)
    assert visible_to_store(status, PAID_AT) == (status in STORE_VISIBLE_STATUSES)
    assert visible_to_store(status, PAID_AT) == (status not in (S.PENDING_PAYMENT, S.EXPIRED))


@pytest.mark.parametrize("status", list(S))
def test_the_board_holds_paid_orders_still_to_handle(status):
    assert on_board(status) == (status in (S.PAID, S.ACCEPTED))
    if on_board(status):
        assert visible_to_store(status, PAID_AT) and status in PAID_STATUSES
    assert on_board(status) == (status in LIVE_ON_BOARD)


@given(value=st.text(max_size=30) | st.integers() | st.none() | st.lists(st.text(max_size=5), max_size=2)
       | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
def test_a_status_named_by_a_client_is_a_real_status_or_refused(value):
    if isinstance(value, str) and value in set(S):
        assert parse_status(value) == S(value)
    else:
        with pytest.raises(DomainError) as refused:
            parse_status(value)
        assert refused.value.code == "input.invalid"


@pytest.mark.parametrize("status", list(S))
def test_every_status_parses(status):
    assert parse_status(status.value) is status


BOARD = Board((BoardOrder("2026-11-26T12:00:00+00:00", 1, 3, "PAID", 9000, (("밥", "Rice", 1),)),),
              (BoardCall(7, 3, "2026-11-26T12:00:00+00:00"),))


def _no_reload() -> Board:
    raise AssertionError("no reload expected")


@given(kind=st.text(max_size=30).filter(lambda k: k not in BOARD_EVENTS))
def test_events_the_board_does_not_follow_change_nothing(kind):
    event = {"type": kind, "payload": {"order_id": 1, "call_id": 7, "status": "SERVED", "updated_at": "z"}}
    assert fold(BOARD, [event], _no_reload) == (BOARD, False)
