"""sales rollups: sales_day (a day in one row) and per-month rollups of the hour, item, option and table day rows

Filled here from the day rows already there (sums, so every figure stays exact to the won); the projector keeps
them in the payment's and the refund's transaction from then on, and `rebuild-insights` recomputes them. A
payment taken by a process of the previous release during a rolling update adds to the day rows only: run
`python -m hiorder_app rebuild-insights` once the old processes are gone.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _int(name: str, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False, primary_key=primary_key, autoincrement=False,
                     server_default=None if primary_key else '0')


def _date(name: str) -> sa.Column:
    return sa.Column(name, sa.Date(), nullable=False, primary_key=True)


def _texts(length: int, *names: str) -> list[sa.Column]:
    return [sa.Column(n, sa.String(length=length), nullable=False) for n in names]


def upgrade() -> None:
    op.create_table('sales_day', _int('store_id', True), _date('day'), _int('orders'), _int('revenue'),
                    _int('refunds'), _int('refunded'))
    op.create_table('sales_month_hour', _int('store_id', True), _date('month'), _int('weekday', True),
                    _int('hour', True), _int('orders'), _int('revenue'), _int('refunds'), _int('refunded'))
    op.create_table('sales_item_month', _int('store_id', True), _date('month'), _int('menu_item_id', True),
                    *_texts(80, 'name_ko', 'name_en'), _int('quantity'), _int('revenue'))
    op.create_table('sales_option_month', _int('store_id', True), _date('month'), _int('option_id', True),
                    *_texts(50, 'group_ko', 'group_en', 'name_ko', 'name_en'), _int('quantity'), _int('revenue'))
    op.create_table('sales_table_month', _int('store_id', True), _date('month'), _int('table_number', True),
                    _int('orders'), _int('revenue'))

    month = ("date_trunc('month', day)::date" if op.get_bind().dialect.name == 'postgresql'
             else "date(day, 'start of month')")
    # Names "as last sold": the latest day's (MAX over (day, name) picks the name of the latest day).
    op.execute("INSERT INTO sales_day (store_id, day, orders, revenue, refunds, refunded) "
               "SELECT store_id, day, SUM(orders), SUM(revenue), SUM(refunds), SUM(refunded) FROM sales_hour "
               "GROUP BY store_id, day")
    op.execute(f"INSERT INTO sales_month_hour (store_id, month, weekday, hour, orders, revenue, refunds, refunded) "
               f"SELECT store_id, {month}, weekday, hour, SUM(orders), SUM(revenue), SUM(refunds), SUM(refunded) "
               f"FROM sales_hour GROUP BY store_id, {month}, weekday, hour")
    op.execute(f"INSERT INTO sales_table_month (store_id, month, table_number, orders, revenue) "
               f"SELECT store_id, {month}, table_number, SUM(orders), SUM(revenue) FROM sales_table_day "
               f"GROUP BY store_id, {month}, table_number")
    for table, key, names in (('sales_item', 'menu_item_id', ('name_ko', 'name_en')),
                              ('sales_option', 'option_id', ('group_ko', 'group_en', 'name_ko', 'name_en'))):
        latest = ", ".join(f"(SELECT d.{n} FROM {table}_day d WHERE d.store_id = s.store_id AND d.{key} = s.{key} "
                           f"AND d.day = s.last_day)" for n in names)
        op.execute(f"INSERT INTO {table}_month (store_id, month, {key}, {', '.join(names)}, quantity, revenue) "
                   f"SELECT s.store_id, s.month, s.{key}, {latest}, s.quantity, s.revenue FROM ("
                   f"SELECT store_id, {month} AS month, {key}, MAX(day) AS last_day, SUM(quantity) AS quantity, "
                   f"SUM(revenue) AS revenue FROM {table}_day GROUP BY store_id, {month}, {key}) s")


def downgrade() -> None:
    for table in ('sales_table_month', 'sales_option_month', 'sales_item_month', 'sales_month_hour', 'sales_day'):
        op.drop_table(table)
