"""The kitchen board's columns, stations, options and requests, folded from live events as a board does."""

from hiorder_app.domain.kitchen import COOKING, NEW, READY
from hiorder_app.services.read_models.board_feed import Board, columns, fold, stations


def never_reload() -> Board:
    raise AssertionError("no reload expected")


def event(order_id: int, status: str, lines: list[dict], updated_at: str, note: str = "", kind="OrderStatusChanged"):
    return {"type": kind, "payload": {
        "order_id": order_id, "status": status, "updated_at": updated_at, "table_number": order_id, "total": 1000,
        "paid_at": f"2026-11-26T12:00:0{order_id}+00:00", "lines": lines, "note": note}}


STEW = {"name_ko": "김치찌개", "name_en": "Kimchi stew", "quantity": 1, "station": "",
        "options": [{"id": 1, "group_ko": "맵기", "group_en": "Spice", "name_ko": "보통", "name_en": "Medium",
                     "price_delta": 0},
                    {"id": 4, "group_ko": "토핑", "group_en": "Toppings", "name_ko": "라면사리", "name_en": "Ramen",
                     "price_delta": 2000}]}
COLA = {"name_ko": "콜라", "name_en": "Cola", "quantity": 2, "station": "바"}


def test_cards_carry_options_and_the_request():
    board, _ = fold(Board(), [event(1, "PAID", [STEW], "t1", note="덜 맵게 해 주세요", kind="OrderPaid")], never_reload)
    card = board.orders[0]
    assert card.note == "덜 맵게 해 주세요"
    assert card.lines[0].options_ko == "보통, 라면사리 (+2,000원)"
    assert card.lines[0].options_en == "Medium, Ramen (+₩2,000)"


def test_columns_by_stage_with_lines_done_on_their_own():
    board, _ = fold(Board(), [
        event(1, "PAID", [STEW, COLA], "t1", kind="OrderPaid"),
        event(2, "ACCEPTED", [STEW, COLA | {"done": True}], "t1"),
        event(3, "ACCEPTED", [STEW | {"done": True}, COLA | {"done": True}], "t1"),
    ], never_reload)
    cols = columns(board)
    assert {stage: [o.id for o in cards] for stage, cards in cols.items()} == {NEW: [1], COOKING: [2], READY: [3]}
    assert [len(cards) for cards in cols.values()] == [1, 1, 1]


def test_a_station_board_shows_only_its_lines():
    board, _ = fold(Board(), [
        event(1, "ACCEPTED", [STEW, COLA | {"done": True}], "t1"),
        event(2, "PAID", [STEW], "t1", kind="OrderPaid"),
    ], never_reload)
    assert stations(board) == ["", "바"]
    bar = columns(board, "바")
    assert [o.id for o in bar[READY]] == [1] and bar[NEW] == () and bar[COOKING] == ()
    assert [ln.name_ko for ln in bar[READY][0].lines] == ["콜라"]
    kitchen = columns(board, "")
    assert [o.id for o in kitchen[COOKING]] == [1] and [o.id for o in kitchen[NEW]] == [2]


def test_a_recalled_order_comes_back_in_its_stage():
    served = [STEW | {"done": True}]
    board, _ = fold(Board(), [event(1, "ACCEPTED", served, "t1"), event(1, "SERVED", served, "t2")], never_reload)
    assert board.orders == ()
    board, ring = fold(board, [event(1, "ACCEPTED", served, "t3")], never_reload)
    assert [o.id for o in columns(board)[READY]] == [1] and not ring
