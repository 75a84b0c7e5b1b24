"""The transactional outbox: events are rows written in the same transaction as the change they
describe, so an event exists exactly when its change was committed. Delivery happens after commit."""

import json
import uuid

from sqlmodel import Session

from ..domain.models import OutboxEvent
from . import projections

PENDING_KEY = "hiorder_outbox_pending"


def record_event(session: Session, store_id: int, event_type: str, payload: dict) -> OutboxEvent:
    event = OutboxEvent(id=str(uuid.uuid4()), store_id=store_id, type=event_type,
                        payload=json.dumps(payload, ensure_ascii=False, default=str))
    session.add(event)
    projections.apply(session, event_type, payload)
    # Published right after this transaction commits (see event_bus); the relay covers any miss.
    session.info.setdefault(PENDING_KEY, []).append(event)
    return event


# Registers the post-commit publisher on every session (it needs PENDING_KEY, defined above).
from . import event_bus  # noqa: E402, F401
