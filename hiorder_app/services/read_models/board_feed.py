"""The live board's view of open orders and staff calls, and how live events fold into it.

Pure Python, no Reflex: BoardState keeps the result, and tests fold events exactly as a board does.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ...domain.events import (
    ORDER_PAID,
    ORDER_STATUS_CHANGED,
    RESYNC,
    STAFF_CALL_ACKNOWLEDGED,
    STAFF_CALLED,
)
from ...domain.kitchen import STAGES, on_station, stage_of
from ...domain.order_status import on_board
from .order_views import OrderLineView, OrderView, options_text
from .staff_calls import CallView


class BoardLine(NamedTuple):
    name_ko: str
    name_en: str
    quantity: int
    options_ko: str = ""  # "보통, 라면사리 (+2,000원)"
    options_en: str = ""
    station: str = ""  # "" is the main kitchen
    done: bool = False
    position: int = 0  # in the order's lines, which a station's board may show only some of


def _lines(lines: Iterable[dict | OrderLineView]) -> tuple[BoardLine, ...]:
    out = []
    for n, ln in enumerate(lines):
        if isinstance(ln, OrderLineView):
            out.append(BoardLine(ln.name_ko, ln.name_en, ln.quantity, ln.options_text("ko"), ln.options_text("en"),
                                 ln.station, ln.done, n))
        else:
            options = ln.get("options") or []
            out.append(BoardLine(ln["name_ko"], ln["name_en"], ln["quantity"], options_text(options, "ko"),
                                 options_text(options, "en"), ln.get("station", ""), bool(ln.get("done")), n))
    return tuple(out)


class BoardOrder(NamedTuple):
    """One order on the board. Immutable on purpose: inside `async with self` Reflex wraps lists and
    dicts read from state in change-tracking proxies, which made folding a rush of events into a long
    board cost more than the rest of the update. Field order is the board's sort order."""

    paid_at: str  # ISO 8601, UTC
    id: int
    table: int
    status: str
    total: int
    lines: tuple[BoardLine, ...]
    note: str = ""  # the diner's request, plain text

    @property
    def stage(self) -> str:
        """domain.kitchen: new, cooking or ready to serve."""
        return stage_of(self.status, (ln.done for ln in self.lines))


class BoardCall(NamedTuple):
    id: int
    table: int
    at: str


@dataclass(frozen=True)
class Board:
    orders: tuple[BoardOrder, ...] = ()
    calls: tuple[BoardCall, ...] = ()
    # order id -> updated_at of the newest event applied: a late, older event (relayed after a newer one
    # went out directly) must not move a card back.
    versions: tuple[tuple[int, str], ...] = ()


def board_from(orders: Iterable[OrderView], calls: Iterable[CallView]) -> Board:
    """The board as the read model has it, when a board (re)connects."""
    return Board(
        tuple(sorted(BoardOrder(o.paid_at.isoformat() if o.paid_at else "", o.id, o.table_number, o.status, o.total,
                                _lines(o.lines), o.note)
                     for o in orders)),
        tuple(BoardCall(c.id, c.table_number, c.created_at.isoformat()) for c in calls),
    )


def fold(board: Board, events: Iterable[dict], reload: Callable[[], Board]) -> tuple[Board, bool]:
    """Apply a batch of live events in order. Returns the new board, and whether a new paid order or a
    staff call arrived (the chime). A Resync (this process may have missed events) reloads."""
    orders = {o.id: o for o in board.orders}
    calls = {c.id: c for c in board.calls}
    versions = dict(board.versions)
    ring = False
    for event in events:
        kind, p = event.get("type"), event.get("payload", {})
        if kind == RESYNC:
            fresh = reload()
            orders, calls, versions = {o.id: o for o in fresh.orders}, {c.id: c for c in fresh.calls}, {}
        elif kind in (ORDER_PAID, ORDER_STATUS_CHANGED):
            version = p.get("updated_at") or ""
            if versions.get(p["order_id"], "") > version:
                continue
            versions[p["order_id"]] = version
            if on_board(p["status"]):
                orders[p["order_id"]] = BoardOrder(
                    p["paid_at"] or "", p["order_id"], p["table_number"], p["status"], p["total"],
                    _lines(p["lines"]), p.get("note", ""))
            else:
                orders.pop(p["order_id"], None)
            ring = ring or kind == ORDER_PAID
        elif kind == STAFF_CALLED:
            calls.setdefault(p["call_id"], BoardCall(p["call_id"], p["table_number"], p["created_at"]))
            ring = True
        elif kind == STAFF_CALL_ACKNOWLEDGED:
            calls.pop(p["call_id"], None)
    # Versions are only needed while a late event could still arrive for an order: keep the newest.
    kept = sorted(versions.items())[-2000:]
    return Board(tuple(sorted(orders.values())), tuple(sorted(calls.values(), key=lambda c: (c.at, c.id))),
                 tuple(kept)), ring


def columns(board: Board, station: str | None = None) -> dict[str, tuple[BoardOrder, ...]]:
    """The kitchen board's columns (new, cooking, ready to serve), oldest payment first in each. With a
    station, each card keeps only that station's lines, and a card with none of them is left out."""
    result: dict[str, list[BoardOrder]] = {stage: [] for stage in STAGES}
    for order in board.orders:
        if station is not None:
            lines = tuple(ln for ln in order.lines if on_station(ln.station, station))
            if not lines:
                continue
            order = order._replace(lines=lines)
        result[order.stage].append(order)
    return {stage: tuple(cards) for stage, cards in result.items()}


def stations(board: Board) -> list[str]:
    """The stations the open orders' lines are made at ("" is the main kitchen)."""
    return sorted({ln.station for order in board.orders for ln in order.lines})
