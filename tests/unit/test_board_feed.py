"""How the live board folds events: order, late relays, repeats, staff calls, resync."""

from hiorder_app.services.events.live_hub import RESYNC
from hiorder_app.services.read_models.board_feed import Board, BoardCall, BoardLine, BoardOrder, fold

LINES = [{"name_ko": "비빔밥", "name_en": "Bibimbap", "quantity": 2}]


def order_event(kind: str, order_id: int, status: str, updated_at: str, paid_at: str = "2026-11-26T12:00:00+00:00",
                table: int = 3) -> dict:
    return {"type": kind, "payload": {"order_id": order_id, "status": status, "updated_at": updated_at,
                                      "paid_at": paid_at, "table_number": table, "total": 18000, "lines": LINES}}


def never_reload() -> Board:
    raise AssertionError("no reload expected")


def test_paid_orders_join_in_payment_order_and_ring():
    board, ring = fold(Board(), [
        order_event("OrderPaid", 2, "PAID", "t2", paid_at="2026-11-26T12:00:02+00:00"),
        order_event("OrderPaid", 1, "PAID", "t1", paid_at="2026-11-26T12:00:01+00:00"),
    ], never_reload)
    assert [o.id for o in board.orders] == [1, 2]
    assert board.orders[0].lines == (BoardLine("비빔밥", "Bibimbap", 2),)
    assert ring


def test_status_changes_move_or_remove_cards_without_ringing():
    board, _ = fold(Board(), [order_event("OrderPaid", 1, "PAID", "t1")], never_reload)
    board, ring = fold(board, [order_event("OrderStatusChanged", 1, "ACCEPTED", "t2")], never_reload)
    assert [(o.id, o.status) for o in board.orders] == [(1, "ACCEPTED")]
    assert not ring
    board, _ = fold(board, [order_event("OrderStatusChanged", 1, "SERVED", "t3")], never_reload)
    assert board.orders == ()


def test_a_late_relayed_event_does_not_bring_a_served_order_back():
    board, _ = fold(Board(), [order_event("OrderPaid", 1, "PAID", "t1"),
                              order_event("OrderStatusChanged", 1, "SERVED", "t3")], never_reload)
    board, ring = fold(board, [order_event("OrderPaid", 1, "PAID", "t1")], never_reload)  # the relay, late
    assert board.orders == ()
    assert not ring


def test_staff_calls_show_once_and_go_when_acknowledged():
    call = {"type": "StaffCalled", "payload": {"call_id": 7, "table_number": 4, "created_at": "2026-11-26T12:01"}}
    board, ring = fold(Board(), [call, call], never_reload)
    assert board.calls == (BoardCall(7, 4, "2026-11-26T12:01"),)
    assert ring
    board, ring = fold(board, [{"type": "StaffCallAcknowledged", "payload": {"call_id": 7}}], never_reload)
    assert board.calls == ()
    assert not ring


def test_resync_replaces_the_board_with_the_read_model_then_keeps_folding():
    fresh = Board((BoardOrder("2026-11-26T11:00:00+00:00", 9, 1, "ACCEPTED", 5000, ()),), ())
    stale, _ = fold(Board(), [order_event("OrderPaid", 1, "PAID", "t1")], never_reload)
    board, _ = fold(stale, [{"type": RESYNC}, order_event("OrderPaid", 2, "PAID", "t2")], lambda: fresh)
    assert [o.id for o in board.orders] == [9, 2]


def test_events_that_are_not_about_the_board_change_nothing():
    board, _ = fold(Board(), [order_event("OrderPaid", 1, "PAID", "t1")], never_reload)
    same, ring = fold(board, [{"type": "MenuChanged", "payload": {}}], never_reload)
    assert same.orders == board.orders and same.calls == board.calls
    assert not ring
