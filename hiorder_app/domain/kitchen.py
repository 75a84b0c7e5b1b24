"""The kitchen board's rules: which column a paid order stands in, how old it looks, which lines a
station makes. Pure, so the board, its live folding and the tests read the same definitions."""

from collections.abc import Iterable
from datetime import datetime

from .enums import OrderStatus as S
from .errors import DomainError

NEW, COOKING, READY = "new", "cooking", "ready"
STAGES: tuple[str, ...] = (NEW, COOKING, READY)
STAGE_LABELS: dict[str, tuple[str, str]] = {NEW: ("신규", "New"), COOKING: ("조리 중", "Cooking"),
                                            READY: ("서빙 대기", "Ready to serve")}
MAX_AGE_MINUTES = 240
RECALL_WINDOW_MINUTES = 60  # a served order can be put back on the board this long after serving
# What a board set to "every station" holds: no station may be named so (check_station_name).
ALL_STATIONS = "*"


def stage_of(status: str, lines_done: Iterable[bool]) -> str:
    """Paid and not accepted: new. Accepted: cooking until every line is done, then ready to serve."""
    if status == S.PAID:
        return NEW
    done = list(lines_done)
    return READY if done and all(done) else COOKING


def age_level(paid_at: datetime, now: datetime, amber_minutes: int, red_minutes: int) -> str:
    """'', 'amber' or 'red' for how long ago the order was paid, against the store's thresholds."""
    minutes = (now - paid_at).total_seconds() / 60
    if minutes >= red_minutes:
        return "red"
    return "amber" if minutes >= amber_minutes else ""


def check_thresholds(amber, red) -> tuple[int, int]:
    ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (amber, red))
    if not ok or not 1 <= amber < red <= MAX_AGE_MINUTES:
        raise DomainError("board.bad_thresholds", max=MAX_AGE_MINUTES)
    return amber, red


def check_station_name(name: str) -> str:
    """A station's name as the console saves it ("" is the main kitchen): never the board's "every station"."""
    if name == ALL_STATIONS:
        raise DomainError("menu.station_reserved", name=name)
    return name


def on_station(line_station: str, station: str | None) -> bool:
    """Whether a board showing `station` (None: every station) shows a line made at `line_station`."""
    return station is None or line_station == station
