"""The transactional outbox: events are rows written in the same transaction as the change they
describe, so an event exists exactly when its change was committed. Delivery happens after commit."""

import json
import uuid

from sqlmodel import Session

from ...domain.models import OutboxEvent
from ...domain.timeutil import utcnow
from ..read_models import projections

PENDING_KEY = "hiorder_outbox_pending"
_INSERT_EVENT = OutboxEvent.__table__.insert()


def record_event(session: Session, store_id: int, event_type: str, payload: dict) -> str:
    """Write the event in the caller's transaction and return its id. A plain INSERT, not an ORM object:
    this runs on every order, and the published message is built here once."""
    event_id, created_at = str(uuid.uuid4()), utcnow()
    body = json.dumps(payload, ensure_ascii=False, default=str)
    session.execute(_INSERT_EVENT, {"id": event_id, "store_id": store_id, "type": event_type, "payload": body,
                                    "created_at": created_at, "attempts": 0})
    projections.apply(session, event_type, payload)
    # Published right after this transaction commits (see event_bus); the relay covers any miss.
    session.info.setdefault(PENDING_KEY, []).append(
        {"id": event_id, "type": event_type, "store_id": store_id, "created_at": created_at.isoformat(),
         "payload": json.loads(body)})
    return event_id

