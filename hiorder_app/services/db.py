"""Engine and unit of work. One engine per database URL per process."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session

from ..settings import get_settings


@lru_cache
def engine_for(url: str, pool_size: int = 10, max_overflow: int = 20) -> sa.Engine:
    """One engine per URL (and pool shape) per process."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # WAL lets the tablet read while another request writes; FKs are off by default in SQLite.
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        @sa.event.listens_for(engine, "begin")
        def _sqlite_immediate(conn):
            # Take the write lock at BEGIN so two orders never both read the same stock.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        # pysqlite's own BEGIN handling must be off for the explicit BEGIN above.
        @sa.event.listens_for(engine, "connect", insert=True)
        def _sqlite_autocommit(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)


def get_engine() -> sa.Engine:
    return engine_for(get_settings().database_url)


@lru_cache
def report_engine_for(url: str) -> sa.Engine:
    """A small pool of its own for read-only reports that run one fixed statement (the sales dashboard), set up
    so that statement costs only its execution: on PostgreSQL each statement is prepared at its first run
    (psycopg's prepare_threshold 0) and planned once per connection (a generic plan: its parameters are a
    store and dates, and every plan of it is the same index scans), and no ping precedes each checkout (the
    caller retries once when a connection turns out dead; see `read_once`). SQLite: the usual engine."""
    if url.startswith("sqlite"):
        return engine_for(url)
    # AUTOCOMMIT: no BEGIN and ROLLBACK around the statement (one statement reads one snapshot by itself).
    return sa.create_engine(
        url, pool_size=2, max_overflow=8, pool_pre_ping=False, isolation_level="AUTOCOMMIT",
        connect_args={"prepare_threshold": 0, "options": "-c plan_cache_mode=force_generic_plan",
                      "application_name": "hiorder-reports"})


def read_once(read):
    """`read(conn)` on a report connection (outside a transaction on PostgreSQL); run again on a new connection
    when the first was dead (a database restart)."""
    for attempt in (1, 2):
        try:
            with report_engine_for(get_settings().database_url).connect() as conn:
                return read(conn)
        except sa.exc.DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work: commits when the block ends, rolls everything back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
