"""Getting committed outbox events out: published right after the commit that wrote them, and by
the relay for whatever that missed (Redis down, a crash between commit and publish).

With REDIS_URL set, events go to the per-store channel `hiorder:store:<id>` and every backend
process's one subscription feeds its hub. Without it (one process), they go straight to the hub.
An event is marked published only once it has left; consumers ignore repeats by event id.
"""

import json
import logging
from datetime import datetime, timedelta
from functools import lru_cache

import redis
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as SaSession
from sqlmodel import select

from ...domain.models import OutboxEvent
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import engine_for, session_scope
from .live_hub import hub
from .outbox import PENDING_KEY

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "hiorder:store:"


def channel(store_id: int) -> str:
    return f"{CHANNEL_PREFIX}{store_id}"


def message(event: OutboxEvent) -> dict:
    return {"id": event.id, "type": event.type, "store_id": event.store_id,
            "created_at": event.created_at.isoformat(), "payload": json.loads(event.payload)}


@lru_cache
def _redis(url: str) -> redis.Redis:
    # Short timeouts: a dead Redis must not hold up the request that just committed an order.
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def publish(messages: list[dict]) -> list[str]:
    """Send events on; returns the ids that left this process (the rest stay for the relay)."""
    url = get_settings().redis_url
    sent: list[str] = []
    if url:
        try:
            client = _redis(url)
            for msg in messages:
                client.publish(channel(msg["store_id"]), json.dumps(msg, ensure_ascii=False))
                sent.append(msg["id"])
        except redis.RedisError as exc:
            log.warning("redis publish failed (%s); the outbox relay will retry", exc)
    elif hub.bound:
        for msg in messages:
            hub.deliver(msg)
            sent.append(msg["id"])
    return sent


def _mark_published(ids: list[str]) -> None:
    if not ids:
        return
    # Runs inside after_commit, while the committing session still holds its connection: a pool of its
    # own means many threads committing at once can never all wait on the pool they are holding.
    with engine_for(get_settings().database_url, pool_size=2, max_overflow=8).begin() as conn:
        conn.execute(sa.update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(published_at=utcnow()))


@sa_event.listens_for(SaSession, "after_commit")
def _publish_after_commit(session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    try:
        _mark_published(publish(pending))
    except Exception:  # the commit stands; the relay will deliver what this missed
        log.exception("post-commit publish failed")


@sa_event.listens_for(SaSession, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(PENDING_KEY, None)


def unpublished(cutoff: datetime, limit: int):
    """The relay's claim on events still to publish, oldest first. Every worker runs it every few seconds:
    it is answered from the partial index ix_outbox_event_unpublished, whose rows are exactly these."""
    return (select(OutboxEvent).where(OutboxEvent.published_at.is_(None), OutboxEvent.created_at <= cutoff)
            .order_by(OutboxEvent.created_at).limit(limit).with_for_update(skip_locked=True))


def relay_once(limit: int = 500, min_age_seconds: float = 1.0) -> int:
    """Publish outbox events still unpublished; returns how many left. Several processes may run it:
    rows are claimed with SKIP LOCKED where the database has it."""
    cutoff = utcnow() - timedelta(seconds=min_age_seconds)
    with session_scope() as s:
        rows = s.exec(unpublished(cutoff, limit)).all()
        if not rows:
            return 0
        sent = set(publish([message(e) for e in rows]))
        now = utcnow()
        for row in rows:
            row.attempts += 1
            if row.id in sent:
                row.published_at = now
            s.add(row)
    return len(sent)
