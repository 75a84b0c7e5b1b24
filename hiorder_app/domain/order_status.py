"""The order status machine. Only PAID and later orders are ever shown to the store."""

from .enums import OrderStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED, S.EXPIRED}),
    S.PAID: frozenset({S.ACCEPTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.SERVED, S.CANCELLED}),
    S.SERVED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}

# Stock held by these is returned when they end without being paid or are cancelled.
RELEASES_STOCK = frozenset({S.CANCELLED, S.EXPIRED})
VISIBLE_TO_STORE = frozenset({S.PAID, S.ACCEPTED, S.SERVED})
COUNTS_FOR_TABLE_RULES = frozenset({S.PENDING_PAYMENT, S.PAID, S.ACCEPTED, S.SERVED})

LABELS: dict[S, tuple[str, str]] = {
    S.PENDING_PAYMENT: ("결제 대기", "Awaiting payment"),
    S.PAID: ("결제 완료", "Paid"),
    S.ACCEPTED: ("조리 중", "Cooking"),
    S.SERVED: ("서빙 완료", "Served"),
    S.CANCELLED: ("취소됨", "Cancelled"),
    S.EXPIRED: ("시간 초과", "Expired"),
}


def can_transition(current: str, new: str) -> bool:
    return S(new) in TRANSITIONS[S(current)]


def label(status: str, lang: str) -> str:
    ko, en = LABELS[S(status)]
    return en if lang == "en" else ko
