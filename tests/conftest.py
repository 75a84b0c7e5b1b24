"""Shared database fixtures.

Nothing here is autouse: a test gets a database only by asking for `db`, which runs the test once
on PostgreSQL and once on SQLite. For one backend only, parametrize it indirectly:

    @pytest.mark.postgres
    @pytest.mark.parametrize("db", ["postgresql"], indirect=True)

`db` points the app at the test database for the duration of one test (DATABASE_URL +
get_settings.cache_clear()), empties every table before the test, and restores the environment and
the settings cache afterwards, so other suites (tests/ui) can manage DATABASE_URL themselves.

The databases are created once per session, by the Alembic migrations (the schema's only source):
  * PostgreSQL: database `hiorder_test_<pid>` on 127.0.0.1:5432 (server: HIORDER_TEST_PG_SERVER),
    created at session start and dropped at its end; with HIORDER_TEST_PG_DB=name, that database is
    dropped and recreated at the start instead, and kept afterwards for inspection;
  * SQLite: a file in pytest's temp directory.
"""

import base64
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from alembic import command
from hiorder_app.services.db import engine_for
from hiorder_app.services.migrations import alembic_config
from hiorder_app.settings import get_settings

# Cheap password hashes for the whole run, subprocesses included (the cost is read from each hash).
os.environ.setdefault("BCRYPT_ROUNDS", "4")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SANDBOX_SECRET_KEY = "test_sk_pytest_sandbox"
SANDBOX_CLIENT_KEY = "test_ck_pytest_sandbox"
SANDBOX_AUTH = {"Authorization": "Basic " + base64.b64encode(f"{SANDBOX_SECRET_KEY}:".encode()).decode()}

PG_SERVER = os.environ.get("HIORDER_TEST_PG_SERVER", "postgres@127.0.0.1:5432")
# Unique per pytest process: parallel runs (several people, CI shards, xdist) would otherwise drop
# each other's database mid-run. A name set in HIORDER_TEST_PG_DB is kept after the run.
PG_TEST_DB = os.environ.get("HIORDER_TEST_PG_DB")


def migrate(url: str) -> None:
    """Same as services.migrations.upgrade(url), minus alembic.ini's logging setup, which would
    remove pytest's log handlers from the root logger."""
    cfg = alembic_config(url)
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


def _pg_admin(server: str, *statements: sql.Composable) -> None:
    """Run statements on `server` ("user@host:port"), database `postgres`, in autocommit."""
    user, hostport = server.split("@")
    host, port = hostport.split(":")
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def recreate_pg_database(server: str, name: str) -> str:
    """Drop and create database `name`; return its SQLAlchemy URL."""
    _pg_admin(server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
              sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql+psycopg://{server}/{name}"


def drop_pg_database(server: str, name: str) -> None:
    _pg_admin(server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def database_url(url: str) -> Iterator[None]:
    """Point get_settings() (and so every service) at `url`; restore env and cache afterwards."""
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = before
        get_settings.cache_clear()


@dataclass
class TestDatabase:
    """A migrated test database and a few helpers to look inside it."""

    __test__ = False  # not a test class, despite the name

    backend: str  # "postgresql" or "sqlite"
    url: str
    _tables: list[str] = field(default_factory=list)  # children first: a FK-safe DELETE order

    @property
    def engine(self) -> sa.Engine:
        return engine_for(self.url)

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgresql"

    def clear(self) -> None:
        """Empty every table except alembic_version; ids start again from 1."""
        if not self._tables:
            meta = sa.MetaData()
            meta.reflect(self.engine)
            self._tables = [t.name for t in reversed(meta.sorted_tables) if t.name != "alembic_version"]
        with self.engine.begin() as conn:
            if self.is_postgres:
                names = ", ".join(f'"{t}"' for t in self._tables)
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            else:
                for table in self._tables:
                    conn.exec_driver_sql(f'DELETE FROM "{table}"')

    def scalar(self, query: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(query), params).scalar()

    def execute(self, query: str, **params) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(query), params)

    def count(self, table: str) -> int:
        return self.scalar(f'SELECT COUNT(*) FROM "{table}"')


@pytest.fixture(scope="session")
def postgresql_database() -> str:
    name = PG_TEST_DB or f"hiorder_test_{os.getpid()}"
    url = recreate_pg_database(PG_SERVER, name)
    migrate(url)
    yield url
    engine_for(url).dispose()
    if not PG_TEST_DB:
        drop_pg_database(PG_SERVER, name)


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hiorder_test.db'}"
    migrate(url)
    yield url
    engine_for(url).dispose()


# One TestDatabase per URL per session keeps the reflected table order.
_DATABASES: dict[str, TestDatabase] = {}


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def db(request) -> Iterator[TestDatabase]:
    """An empty, migrated database, once on PostgreSQL and once on SQLite."""
    backend = request.param
    url = request.getfixturevalue(f"{backend}_database")
    database = _DATABASES.setdefault(url, TestDatabase(backend, url))
    with database_url(url):
        database.clear()
        yield database


# --- the sandbox easy-pay provider, as its own process (payments and UI tests share it) ---------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def sandbox_url(tmp_path_factory) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env.update(PAYMENT_SECRET_KEY=SANDBOX_SECRET_KEY, PAYMENT_CLIENT_KEY=SANDBOX_CLIENT_KEY)
    log_path = tmp_path_factory.mktemp("sandbox") / "sandbox-pay.log"
    with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would block the server
        proc = subprocess.Popen(
            [sys.executable, "-m", "hiorder_app", "sandbox-pay", "--port", str(port), "--log-level", "warning"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"sandbox-pay exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{url}/sandbox/faults", headers=SANDBOX_AUTH, timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"sandbox-pay did not answer within 20 s:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# pytest.ini's testpaths order, which matters (see there). pytest regroups tests by session-scoped
# parametrized fixtures, so one test whose argument shares a name with a Playwright fixture (`page`)
# pulled every drill and UI test ahead of the service suites; the suites are put back in order after it.
_SUITE_ORDER = ("unit", "services", "payments", "handlers", "deploy", "drills", "ui")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def suite(item: pytest.Item) -> int:
        parts = item.path.relative_to(PROJECT_ROOT).parts
        folder = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
        return _SUITE_ORDER.index(folder) if folder in _SUITE_ORDER else len(_SUITE_ORDER)

    items.sort(key=suite)  # stable: within a suite pytest's own order stays
