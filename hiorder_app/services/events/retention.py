"""Keeping the outbox small: events published longer ago than the retention period are deleted, a
batch per transaction. An unpublished event is never deleted, however old: the relay still owes it."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from ...domain.errors import DomainError
from ...domain.models import OutboxEvent
from ...domain.timeutil import utcnow
from ...settings import get_settings
from ..db import session_scope


def prune_outbox(now: datetime | None = None, retention_days: float | None = None,
                 batch_size: int | None = None) -> int:
    """Delete published events older than `retention_days` (default: the setting); returns how many.
    Short transactions of `batch_size` rows each, so ordering and the relay never wait on a long delete;
    rows another worker is pruning at the same moment are skipped, not waited for."""
    settings = get_settings()
    days = settings.outbox_retention_days if retention_days is None else retention_days
    size = settings.outbox_prune_batch_size if batch_size is None else batch_size
    if isinstance(days, bool) or not isinstance(days, int | float) or not 0 <= days <= 36_500:
        raise DomainError("input.invalid", field="retention days")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1_000_000:
        raise DomainError("input.invalid", field="batch size")
    cutoff = (now or utcnow()) - timedelta(days=days)
    # published_at < cutoff is never true of NULL: unpublished events cannot match.
    batch = (select(OutboxEvent.id).where(OutboxEvent.published_at < cutoff)
             .order_by(OutboxEvent.published_at).limit(size).with_for_update(skip_locked=True))
    total = 0
    while True:
        with session_scope() as s:
            deleted = s.execute(sa.delete(OutboxEvent).where(OutboxEvent.id.in_(batch))).rowcount
        total += deleted
        if deleted < size:
            return total
