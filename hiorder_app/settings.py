"""Runtime settings, read from the environment (and a `.env` file when present)."""

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'hiorder.db'}"
    # Unset means one process: events are delivered in memory, no Redis needed.
    redis_url: str | None = None
    store_timezone: str = "Asia/Seoul"

    # Lower only for test runs: the cost is read from each hash, so checks still work either way.
    bcrypt_rounds: int = 12
    session_ttl_hours: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 5

    max_order_lines: int = 50
    max_line_quantity: int = 99

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.store_timezone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
