"""menu options, order requests, item tags, kitchen stations and board ageing thresholds

Existing data is kept: every new column has a server default (orders and lines keep what they were sold
at, with no options and no request; categories map to the main kitchen; items carry no tags).

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _text(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


# table -> columns added to it
COLUMNS = {
    'store': [
        sa.Column('board_amber_minutes', sa.Integer(), server_default='10', nullable=False),
        sa.Column('board_red_minutes', sa.Integer(), server_default='20', nullable=False),
    ],
    'category': [sa.Column('station', _text(30), server_default='', nullable=False)],
    'menu_item': [
        sa.Column('allergens', _text(200), server_default='', nullable=False),
        sa.Column('spicy_level', sa.Integer(), server_default='0', nullable=False),
        sa.Column('vegetarian', sa.Boolean(), server_default=sa.false(), nullable=False),
    ],
    'orders': [sa.Column('note', _text(100), server_default='', nullable=False)],
    'order_line': [
        sa.Column('options_json', _text(), server_default='[]', nullable=False),
        sa.Column('station', _text(30), server_default='', nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    ],
    'order_view': [sa.Column('note', _text(100), server_default='', nullable=False)],
}


def upgrade() -> None:
    op.create_table('option_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('name_ko', _text(50), nullable=False),
    sa.Column('name_en', _text(50), nullable=False),
    sa.Column('min_select', sa.Integer(), nullable=False),
    sa.Column('max_select', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_option_group_store_id', 'option_group', ['store_id'], unique=False)
    op.create_table('menu_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('name_ko', _text(50), nullable=False),
    sa.Column('name_en', _text(50), nullable=False),
    sa.Column('price_delta', sa.Integer(), nullable=False),
    sa.Column('sold_out', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['option_group.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_menu_option_store_id', 'menu_option', ['store_id'], unique=False)
    op.create_index('ix_menu_option_group_id', 'menu_option', ['group_id'], unique=False)
    op.create_table('menu_item_option_group',
    sa.Column('menu_item_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['menu_item_id'], ['menu_item.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['option_group.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('menu_item_id', 'group_id')
    )
    op.create_index('ix_menu_item_option_group_group_id', 'menu_item_option_group', ['group_id'], unique=False)
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(column)


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column.name)
    op.drop_index('ix_menu_item_option_group_group_id', table_name='menu_item_option_group')
    op.drop_table('menu_item_option_group')
    op.drop_index('ix_menu_option_group_id', table_name='menu_option')
    op.drop_index('ix_menu_option_store_id', table_name='menu_option')
    op.drop_table('menu_option')
    op.drop_index('ix_option_group_store_id', table_name='option_group')
    op.drop_table('option_group')
