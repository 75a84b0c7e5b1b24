"""Sign-in throttling by who is guessing, never by whom they guess.

Up to three counters slow an attempt down: one for (the account as typed, the client), one for the
client across all accounts, and one for the network address the client connects from. A client is a
browser tab or a tablet, and it names itself (a fresh socket is a fresh client token), so the address
counter is what holds a guesser who starts a new client for every few guesses; it allows many more
failures, because a restaurant's tablets and staff share one address. The account is the store and
username as typed, so an unknown username is throttled exactly like a real one and the answers cannot
tell them apart. No counter belongs to the account alone: nobody can keep the owner out by guessing from
elsewhere (only from the owner's own address, and then only past the address's free failures). After a
few free failures each counter imposes a doubling delay (1 s, 2 s, 4 s, ... capped);
a success clears the (account, client) counter; a quiet spell forgets them.

The counters live in the database so every worker process sees them. An attempt holds its client's two
rows locked from the check until its result is written, so parallel guesses from one client queue up
instead of slipping past the count; other clients never touch those rows. The address's row is shared
by every client there (a restaurant's tablets signing in at opening), so it is read without a lock and
counted with one atomic upsert after a failed password check: parallel guesses from many clients may pass
its check together, but every failure is counted, and no sign-in waits on another's bcrypt.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ...domain.models import SignInThrottle
from ...settings import get_settings

_T = SignInThrottle.__table__
_PURGE_BATCH = 200


@dataclass(frozen=True)
class Backoff:
    free_failures: int
    first_delay: float  # seconds, after the last free failure
    max_delay: float
    forget_after: timedelta  # a counter with no failure for this long starts again from zero


def delay_seconds(failures: int, backoff: Backoff) -> float:
    """How long to refuse attempts after the `failures`-th failure in a row."""
    if failures < backoff.free_failures:
        return 0.0
    doublings = min(failures - backoff.free_failures, 64)  # beyond any cap; keeps the float finite
    return min(backoff.max_delay, backoff.first_delay * 2.0**doublings)


def after_failure(failures: int, last_failure_at: datetime | None, now: datetime,
                  backoff: Backoff) -> tuple[int, datetime | None]:
    """A counter's (failures, blocked_until) once one more failure happened at `now`."""
    recent = last_failure_at is not None and now - last_failure_at < backoff.forget_after
    count = failures + 1 if recent else 1
    delay = delay_seconds(count, backoff)
    return count, (now + timedelta(seconds=delay) if delay > 0 else None)


def wait_seconds(blocked_until: datetime | None, now: datetime) -> int:
    """Whole seconds until a counter allows an attempt again (rounded up), 0 if it does now."""
    if blocked_until is None or blocked_until <= now:
        return 0
    return math.ceil((blocked_until - now).total_seconds())


def backoffs() -> tuple[Backoff, Backoff, Backoff]:
    """(per account and client, per client, per address) from the settings."""
    settings = get_settings()
    forget = timedelta(minutes=settings.sign_in_forget_minutes)
    first, cap = settings.sign_in_first_delay_seconds, settings.sign_in_max_delay_seconds
    return (Backoff(settings.sign_in_free_failures, first, cap, forget),
            Backoff(settings.sign_in_client_free_failures, first, cap, forget),
            Backoff(settings.sign_in_address_free_failures, first, cap, forget))


def _key(*parts) -> str:
    # Hashed: what was typed (of any length) is neither stored nor able to overflow the column.
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()


class Attempt:
    """One sign-in attempt's counters, locked until the enclosing transaction ends."""

    def __init__(self, s: Session, now: datetime, account: tuple, client: tuple, address: tuple | None = None):
        self._s, self._now = s, now
        pair_backoff, client_backoff, address_backoff = backoffs()
        self._pair = _key("account", *account, *client)
        counters = {self._pair: ("account", pair_backoff), _key("client", *client): ("client", client_backoff)}
        self._address = (_key("address", *address), address_backoff) if address is not None else None
        self._counters = counters
        self._forget_after = max(pair_backoff.forget_after, client_backoff.forget_after,
                                 address_backoff.forget_after)
        insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = insert(_T).values(sorted([{"key": key, "scope": scope, "failures": 0}
                                         for key, (scope, _) in counters.items()], key=lambda row: row["key"]))
        # DO UPDATE rather than DO NOTHING: it locks and returns the row in the same statement, even one
        # another transaction has just created or is purging.
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"scope": stmt.excluded.scope})
        rows = s.execute(stmt.returning(_T.c.key, _T.c.failures, _T.c.blocked_until, _T.c.last_failure_at))
        self._rows = {row.key: row for row in rows}
        self._insert = insert
        self._address_blocked_until = None
        if self._address is not None:  # no row until the address's first failure
            self._address_blocked_until = s.execute(
                sa.select(_T.c.blocked_until).where(_T.c.key == self._address[0])).scalar_one_or_none()

    @property
    def wait(self) -> int:
        """Seconds this client must wait before its password is even looked at; 0 to go ahead."""
        blocked = [row.blocked_until for row in self._rows.values()]
        if self._address is not None:
            blocked.append(self._address_blocked_until)
        return max(wait_seconds(until, self._now) for until in blocked)

    def failed(self) -> None:
        for key, (_, backoff) in self._counters.items():
            row = self._rows[key]
            failures, blocked_until = after_failure(row.failures, row.last_failure_at, self._now, backoff)
            self._s.execute(sa.update(_T).where(_T.c.key == key).values(
                failures=failures, blocked_until=blocked_until, last_failure_at=self._now))
        if self._address is not None:
            self._address_failed(*self._address)
        self._purge()

    def _address_failed(self, key: str, backoff: Backoff) -> None:
        # One atomic count on the shared row (what was read at the check may be stale by now).
        recent = _T.c.last_failure_at > self._now - backoff.forget_after
        stmt = self._insert(_T).values(key=key, scope="address", failures=1, last_failure_at=self._now)
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={
            "failures": sa.case((recent, _T.c.failures + 1), else_=1), "last_failure_at": self._now})
        failures = self._s.execute(stmt.returning(_T.c.failures)).scalar_one()
        delay = delay_seconds(failures, backoff)
        if delay > 0:
            self._s.execute(sa.update(_T).where(_T.c.key == key)
                            .values(blocked_until=self._now + timedelta(seconds=delay)))

    def succeeded(self) -> None:
        """The right password: this client's count for this account starts again. The client's and the
        address's counts across accounts stay, so one account known to a guesser does not buy guesses at
        others."""
        self._s.execute(sa.delete(_T).where(_T.c.key == self._pair))
        others = [k for k in self._counters if k != self._pair]
        self._s.execute(sa.delete(_T).where(_T.c.key.in_(others), _T.c.failures == 0))

    def _purge(self) -> None:
        # Rows that no longer hold anything (forgotten, or never failed), a batch at a time; rows other
        # attempts hold are skipped, so this never waits and never deadlocks.
        cutoff = self._now - self._forget_after
        stale = (sa.select(_T.c.key)
                 .where(sa.or_(_T.c.last_failure_at.is_(None), _T.c.last_failure_at < cutoff))
                 .limit(_PURGE_BATCH).with_for_update(skip_locked=True))
        self._s.execute(sa.delete(_T).where(_T.c.key.in_(stale.scalar_subquery())))
