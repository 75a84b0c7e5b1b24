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
