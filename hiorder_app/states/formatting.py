"""Presentation helpers shared by states: money and times as a diner or staff member reads them."""

from datetime import datetime
from zoneinfo import ZoneInfo

from ..domain.timeutil import format_store_time
from ..settings import get_settings


def won(amount: int, lang: str) -> str:
    return f"₩{amount:,}" if lang == "en" else f"{amount:,}원"


def store_time(value: datetime | None, tz: ZoneInfo | None = None) -> str:
    return format_store_time(value, tz or get_settings().tz)


def pick(lang: str, ko: str, en: str) -> str:
    return en if lang == "en" and en else ko
