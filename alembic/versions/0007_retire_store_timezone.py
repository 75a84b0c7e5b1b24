"""retire the unread store.timezone; menu_item.featured

Times are shown in STORE_TIMEZONE (settings); the per-store column was written but never read, so the
code no longer has it. The column stays, with a default so new stores can leave it out, until a later
release drops it: during a rolling update the previous release still selects it (expand now, contract
later).
menu_item.featured: items the admin offers on the tablet when the store has too few orders to
recommend from (issue 12); added here because the model gained it first.

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('store') as batch:
        batch.alter_column('timezone', existing_type=sa.String(length=64), server_default='Asia/Seoul',
                           existing_nullable=False)
    with op.batch_alter_table('menu_item') as batch:
        batch.add_column(sa.Column('featured', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('menu_item') as batch:
        batch.drop_column('featured')
    with op.batch_alter_table('store') as batch:
        batch.alter_column('timezone', existing_type=sa.String(length=64), server_default=None,
                           existing_nullable=False)
