"""The outbox stays small and fast: published events past retention are pruned in batches (unpublished
ones never), and the relay's scan for unpublished events is answered from its partial index."""

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from hiorder_app.domain.errors import DomainError
from hiorder_app.domain.models import OutboxEvent
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.lifespan import prune_outbox_forever, role_lifespan_tasks
from hiorder_app.services.db import get_engine
from hiorder_app.services.events.bus import unpublished
from hiorder_app.services.events.retention import prune_outbox
from hiorder_app.settings import get_settings
from tests.conftest import PROJECT_ROOT

NOW = utcnow()
DAY = timedelta(days=1)


def add_events(store_id: int, count: int, created_ago: timedelta, published_ago: timedelta | None) -> set[str]:
    """`count` events made `created_ago` before NOW and published `published_ago` before NOW (None: not yet)."""
    rows = [{"id": str(uuid.uuid4()), "store_id": store_id, "type": "OrderPlaced", "payload": json.dumps({}),
             "created_at": NOW - created_ago, "attempts": 1 if published_ago is not None else 0,
             "published_at": None if published_ago is None else NOW - published_ago} for _ in range(count)]
    if rows:
        with get_engine().begin() as conn:
            conn.execute(OutboxEvent.__table__.insert(), rows)
    return {r["id"] for r in rows}


def remaining(db) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(sa.select(OutboxEvent.id)).scalars())


@pytest.fixture
def outbox(db, store) -> dict[str, set[str]]:
    return {
        "old_published": add_events(store.id, 7, 30 * DAY, 30 * DAY - timedelta(seconds=2)),
        "just_past": add_events(store.id, 3, 7 * DAY + timedelta(minutes=5), 7 * DAY + timedelta(minutes=1)),
        "recent_published": add_events(store.id, 4, 6 * DAY, 6 * DAY - timedelta(seconds=1)),
        "old_unpublished": add_events(store.id, 5, 90 * DAY, None),  # the relay still owes these
        "new_unpublished": add_events(store.id, 2, timedelta(seconds=1), None),
    }


def test_old_published_events_go_recent_and_unpublished_stay(db, outbox):
    assert prune_outbox(now=NOW) == 10  # the default: 7 days
    assert remaining(db) == outbox["recent_published"] | outbox["old_unpublished"] | outbox["new_unpublished"]
    assert prune_outbox(now=NOW) == 0  # nothing left to do: a second run (or another worker) is harmless


@pytest.mark.parametrize("batch_size", [1, 3, 10, 11, 5000])
def test_batches_of_any_size_delete_the_same_rows(db, outbox, batch_size):
    assert prune_outbox(now=NOW, batch_size=batch_size) == 10
    assert remaining(db) == outbox["recent_published"] | outbox["old_unpublished"] | outbox["new_unpublished"]


def test_the_setting_decides_the_retention(db, outbox, monkeypatch):
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "1")
    monkeypatch.setenv("OUTBOX_PRUNE_BATCH_SIZE", "2")
    get_settings.cache_clear()
    assert prune_outbox(now=NOW) == 14
    assert remaining(db) == outbox["old_unpublished"] | outbox["new_unpublished"]


def test_zero_days_prunes_every_published_event_and_still_no_unpublished_one(db, outbox):
    assert prune_outbox(now=NOW, retention_days=0) == 14
    assert remaining(db) == outbox["old_unpublished"] | outbox["new_unpublished"]


@pytest.mark.parametrize("days, batch", [(-1, None), (None, 0), (None, -5), ("7", None), (None, True),
                                         (float("nan"), None), (None, 2.5)])
def test_bad_arguments_are_refused_and_delete_nothing(db, outbox, days, batch):
    before = remaining(db)
    with pytest.raises(DomainError) as refused:
        prune_outbox(now=NOW, retention_days=days, batch_size=batch)
    assert refused.value.code == "input.invalid"
    assert remaining(db) == before


def test_prune_outbox_command(db, outbox):
    env = {"DATABASE_URL": db.url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "hiorder_app", "prune-outbox", "--batch-size", "4"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pruned 10 " in done.stdout
    assert remaining(db) == outbox["recent_published"] | outbox["old_unpublished"] | outbox["new_unpublished"]

    done = subprocess.run([sys.executable, "-m", "hiorder_app", "prune-outbox", "--days", "-3"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Invalid input: retention days" in done.stderr


def test_the_ordering_workers_prune_on_a_timer(db, outbox, monkeypatch):
    monkeypatch.setenv("OUTBOX_PRUNE_INTERVAL_SECONDS", "0.05")
    get_settings.cache_clear()
    assert prune_outbox_forever in role_lifespan_tasks("ordering")
    assert prune_outbox_forever not in role_lifespan_tasks("store")

    async def run_a_while():
        task = asyncio.create_task(prune_outbox_forever())
        for _ in range(200):
            await asyncio.sleep(0.05)
            if not remaining(db) & outbox["old_published"]:
                break
        task.cancel()

    asyncio.run(run_a_while())
    assert remaining(db) == outbox["recent_published"] | outbox["old_unpublished"] | outbox["new_unpublished"]


# --- the relay's scan and its index (PostgreSQL's planner) ----------------------------------------------


def plan(db, statement) -> str:
    compiled = statement.compile(dialect=postgresql.psycopg.dialect())
    with db.engine.connect() as conn:
        return json.dumps(conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar())


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
@pytest.mark.parametrize("waiting", [0, 40])
def test_the_relay_reads_unpublished_events_from_their_partial_index(db, store, waiting):
    # What a busy store's outbox looks like before pruning: many published events, few waiting.
    for day in range(20):
        add_events(store.id, 1000, day * DAY + timedelta(hours=1), day * DAY + timedelta(minutes=59))
    add_events(store.id, waiting, timedelta(seconds=30), None)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE outbox_event")

    relay_plan = plan(db, unpublished(utcnow(), 500))
    assert "ix_outbox_event_unpublished" in relay_plan, relay_plan
    assert "Seq Scan" not in relay_plan, relay_plan
