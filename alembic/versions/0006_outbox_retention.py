"""outbox retention: partial indexes for unpublished events (the relay) and published ones (pruning)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UNPUBLISHED = "published_at IS NULL"
PUBLISHED = "published_at IS NOT NULL"
# name -> (column, predicate). The relay reads unpublished rows oldest first; pruning finds published ones
# by age. Each index holds only its own rows, so the relay's stays tiny however large the outbox grows.
INDEXES = {
    'ix_outbox_event_unpublished': ('created_at', UNPUBLISHED),
    'ix_outbox_event_published_at': ('published_at', PUBLISHED),
}


def _each_index(create: bool) -> None:
    for name, (column, where) in INDEXES.items():
        where_clause = dict(postgresql_where=sa.text(where), sqlite_where=sa.text(where))
        if create:
            op.create_index(name, 'outbox_event', [column], unique=False,
                            postgresql_concurrently=True, **where_clause)
        else:
            op.drop_index(name, table_name='outbox_event', postgresql_concurrently=True, **where_clause)


def _run(create: bool) -> None:
    # On PostgreSQL the outbox may already be large (it was never pruned): CONCURRENTLY builds the
    # indexes without blocking the writes of every order meanwhile, and must run outside a transaction.
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            _each_index(create)
    else:
        _each_index(create)


def upgrade() -> None:
    _run(create=True)


def downgrade() -> None:
    _run(create=False)
