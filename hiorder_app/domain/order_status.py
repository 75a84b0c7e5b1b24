"""The order status machine, and which statuses count where. The store only ever sees paid orders."""

from datetime import datetime

from .enums import OrderStatus as S
from .errors import DomainError

TRANSITIONS: dict[S, frozenset[S]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED, S.EXPIRED}),
    S.PAID: frozenset({S.ACCEPTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.SERVED, S.CANCELLED}),
    # Recall: a served order put back on the board (a mistaken bump), see domain.kitchen.
    S.SERVED: frozenset({S.ACCEPTED}),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}

# Stock held by these is returned when they end without being paid or are cancelled.
RELEASES_STOCK = frozenset({S.CANCELLED, S.EXPIRED})
# Paid and not cancelled: counted as sold, and never to be charged again.
PAID_STATUSES = frozenset({S.PAID, S.ACCEPTED, S.SERVED})
# The store console shows an order once it is paid, and still after a cancel (then refunded). Orders that
# were never paid (awaiting payment, expired, cancelled before paying) are the diner's business alone.
# (Named apart from the old VISIBLE_TO_STORE, which meant PAID_STATUSES, so a stale use fails loudly.)
STORE_VISIBLE_STATUSES = PAID_STATUSES | {S.CANCELLED}
# The live board: paid orders the kitchen and floor still have to handle.
LIVE_ON_BOARD = frozenset({S.PAID, S.ACCEPTED})
COUNTS_FOR_TABLE_RULES = frozenset({S.PENDING_PAYMENT, S.PAID, S.ACCEPTED, S.SERVED})

LABELS: dict[S, tuple[str, str]] = {
    S.PENDING_PAYMENT: ("결제 대기", "Awaiting payment"),
    S.PAID: ("결제 완료", "Paid"),
    S.ACCEPTED: ("조리 중", "Cooking"),
    S.SERVED: ("서빙 완료", "Served"),
    S.CANCELLED: ("취소됨", "Cancelled"),
    S.EXPIRED: ("시간 초과", "Expired"),
}


def visible_to_store(status: str, paid_at: datetime | None) -> bool:
    return paid_at is not None and status in STORE_VISIBLE_STATUSES


def on_board(status: str) -> bool:
    return status in LIVE_ON_BOARD


def parse_status(value) -> S:
    """A status named by a client (a filter), or DomainError: an unknown name never means "any"."""
    try:
        return S(value)
    except (ValueError, TypeError) as exc:
        raise DomainError("input.invalid", field="status") from exc


def can_transition(current: str, new: str) -> bool:
    return S(new) in TRANSITIONS[S(current)]


def label(status: str, lang: str) -> str:
    ko, en = LABELS[S(status)]
    return en if lang == "en" else ko
