"""insights: sales aggregates (by local day and hour, item, option, table) and table-visit associations

The aggregates start empty: `python -m hiorder_app rebuild-insights` fills them from the orders
already paid (the projector keeps them current from then on).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _int(name: str, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False, primary_key=primary_key, autoincrement=False,
                     server_default=None if primary_key else '0')


def _day() -> sa.Column:
    return sa.Column('day', sa.Date(), nullable=False, primary_key=True)


def _names() -> list[sa.Column]:
    return [sa.Column('name_ko', sa.String(length=80), nullable=False),
            sa.Column('name_en', sa.String(length=80), nullable=False)]


def upgrade() -> None:
    # menu_item.featured: added by 0007 (the lead moved it there because models.py already had it and every
    # test run broke without the column).
    op.create_table('sales_hour', _int('store_id', True), _day(), _int('hour', True), _int('weekday'),
                    _int('orders'), _int('revenue'), _int('refunds'), _int('refunded'))
    op.create_table('sales_item_day', _int('store_id', True), _day(), _int('menu_item_id', True), *_names(),
                    _int('quantity'), _int('revenue'))
    op.create_table('sales_item_hour', _int('store_id', True), _day(), _int('hour', True),
                    _int('menu_item_id', True), _int('quantity'))
    op.create_table('sales_option_day', _int('store_id', True), _day(), _int('option_id', True),
                    *(sa.Column(c, sa.String(length=50), nullable=False)
                      for c in ('group_ko', 'group_en', 'name_ko', 'name_en')),
                    _int('quantity'), _int('revenue'))
    op.create_table('sales_table_day', _int('store_id', True), _day(), _int('table_number', True),
                    _int('orders'), _int('revenue'))
    op.create_table('visit_item', _int('store_id', True), _int('menu_item_id', True), _int('visits'))
    op.create_table('visit_pair', _int('store_id', True), _int('item_a', True), _int('item_b', True),
                    _int('visits'))


def downgrade() -> None:
    for table in ('visit_pair', 'visit_item', 'sales_table_day', 'sales_option_day', 'sales_item_hour',
                  'sales_item_day', 'sales_hour'):
        op.drop_table(table)
