"""menu_option.stock: a count of an option left (곱빼기 noodles, a limited 사리); NULL is unlimited

Nullable and without a default, so every existing option stays unlimited and the previous release,
which does not know the column, keeps inserting options during a rolling update.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('menu_option') as batch:
        batch.add_column(sa.Column('stock', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('menu_option') as batch:
        batch.drop_column('stock')
