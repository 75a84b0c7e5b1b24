"""read models and staff calls

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:55:42.573252
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('order_view',
    sa.Column('order_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('table_number', sa.Integer(), nullable=False),
    sa.Column('table_session_id', sa.Integer(), nullable=False),
    sa.Column('session_open', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('lines_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('order_id')
    )
    with op.batch_alter_table('order_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_view_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_view_store_id'), ['store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_view_table_id'), ['table_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_view_table_session_id'), ['table_session_id'], unique=False)

    op.create_table('staff_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('table_number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ),
    sa.ForeignKeyConstraint(['table_id'], ['dining_table.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_call_store_id'), ['store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_call_table_id'), ['table_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('staff_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_call_table_id'))
        batch_op.drop_index(batch_op.f('ix_staff_call_store_id'))

    op.drop_table('staff_call')
    with op.batch_alter_table('order_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_view_table_session_id'))
        batch_op.drop_index(batch_op.f('ix_order_view_table_id'))
        batch_op.drop_index(batch_op.f('ix_order_view_store_id'))
        batch_op.drop_index(batch_op.f('ix_order_view_status'))

    op.drop_table('order_view')
