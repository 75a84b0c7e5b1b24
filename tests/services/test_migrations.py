"""The migrations are the schema's only source: they build exactly what the models describe, and an
upgrade keeps the data of a database made by an earlier release."""

import tempfile

import bcrypt
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import hiorder_app.domain.models  # noqa: F401  (registers every table)
from alembic import command
from hiorder_app.services.migrations import alembic_config
from tests.conftest import PG_SERVER, database_url, drop_pg_database, recreate_pg_database

# Columns the code no longer uses, kept one release so the previous one keeps working during a rolling
# update (expand now, contract later); see migrations 0005 and 0007.
RETIRED = {("account", "failed_logins"), ("account", "locked_until"), ("store", "timezone")}


def _config(url: str):
    cfg = alembic_config(url)
    cfg.attributes["configure_logger"] = False
    return cfg


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_url(request):
    if request.param == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp()}/migrations.db"
        return
    name = "hiorder_migrations_check"
    yield recreate_pg_database(PG_SERVER, name)
    sa.create_engine(f"postgresql+psycopg://{PG_SERVER}/postgres").dispose()
    drop_pg_database(PG_SERVER, name)


def _differences(url: str) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}),
                                    SQLModel.metadata)
    finally:
        engine.dispose()
    left = []
    for change in diff:
        if change[0] == "remove_column" and (change[2], change[3].name) in RETIRED:
            continue
        left.append(change)
    return left


def test_the_migrations_build_what_the_models_describe(empty_url):
    command.upgrade(_config(empty_url), "head")
    assert _differences(empty_url) == []


def test_an_upgrade_keeps_an_earlier_release_s_data_and_the_new_code_reads_it(empty_url):
    cfg = _config(empty_url)
    command.upgrade(cfg, "0004")
    engine = sa.create_engine(empty_url)
    old_hash = bcrypt.hashpw(b"pw-1234", bcrypt.gensalt(4)).decode()  # the format releases before 0005 wrote
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO store (id, code, name_ko, name_en, timezone, created_at) "
                             "VALUES (1, 'old', '옛 식당', 'Old diner', 'Asia/Seoul', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text(
            "INSERT INTO account (id, store_id, username, password_hash, role, active, failed_logins, "
            "credential_version, created_at) VALUES (1, 1, 'boss', :h, 'ADMIN', true, 2, 0, CURRENT_TIMESTAMP)"),
            {"h": old_hash})
    engine.dispose()
    command.upgrade(cfg, "head")

    from hiorder_app.services.auth.accounts import create_store
    from hiorder_app.services.auth.sessions import sign_in

    with database_url(empty_url):
        _token, principal = sign_in("old", "boss", "pw-1234", "migration-test")
        assert (principal.username, principal.store_id, principal.is_admin) == ("boss", 1, True)
        if empty_url.startswith("postgresql"):
            with sa.create_engine(empty_url).begin() as conn:  # the old rows' ids are taken
                conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('store', 'id'), 1)"))
        create_store("new", "새 식당", "New diner")  # new rows leave the retired columns out
        engine = sa.create_engine(empty_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT code, name_ko FROM store ORDER BY id")).all()
            new_hash = conn.execute(sa.text("SELECT password_hash FROM account WHERE id = 1")).scalar()
        engine.dispose()
    assert rows == [("old", "옛 식당"), ("new", "새 식당")]
    assert new_hash != old_hash  # rewritten in the new format at the first sign-in


def test_0010_keeps_the_options_of_0009_unlimited_and_the_code_counts_new_ones(empty_url):
    cfg = _config(empty_url)
    command.upgrade(cfg, "0009")
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO store (id, code, name_ko, name_en, created_at) "
                             "VALUES (1, 'old', '옛 식당', 'Old diner', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO option_group (id, store_id, name_ko, name_en, min_select, max_select, "
                             "sort_order, deleted) VALUES (1, 1, '양', 'Portion', 1, 1, 1, false)"))
        conn.execute(sa.text("INSERT INTO menu_option (id, store_id, group_id, name_ko, name_en, price_delta, "
                             "sold_out, sort_order, deleted) "
                             "VALUES (1, 1, 1, '곱빼기', 'Large', 2000, false, 1, false)"))
    engine.dispose()
    command.upgrade(cfg, "head")

    from hiorder_app.services.auth.accounts import create_admin
    from hiorder_app.services.auth.sessions import sign_in
    from hiorder_app.services.store_admin import options

    with database_url(empty_url):
        create_admin(1, "boss", "pw-1234")
        admin = sign_in("old", "boss", "pw-1234", "migration-test")[1]
        [group] = options.list_option_groups(admin)
        assert [(o.name_ko, o.price_delta, o.stock) for o in group.options] == [("곱빼기", 2000, None)]
        options.set_option_stock(admin, 1, "7")
        assert options.list_option_groups(admin)[0].options[0].stock == 7


def test_0011_rolls_up_the_day_rows_already_there_and_the_report_reads_them(empty_url):
    cfg = _config(empty_url)
    command.upgrade(cfg, "0010")
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO store (id, code, name_ko, name_en, created_at) "
                             "VALUES (1, 'old', '옛 식당', 'Old diner', CURRENT_TIMESTAMP)"))
        # 2026-10-31 is a Saturday, 2026-11-01 a Sunday
        for day, hour, weekday, orders, revenue, refunds, refunded in [
                ("2026-10-31", 12, 5, 2, 30000, 0, 0), ("2026-10-31", 19, 5, 1, 9000, 1, 9000),
                ("2026-10-01", 12, 3, 1, 5000, 0, 0), ("2026-11-01", 12, 6, 3, 27000, 0, 0)]:
            conn.execute(sa.text("INSERT INTO sales_hour VALUES (1, :d, :h, :w, :o, :r, :f, :x)"),
                         {"d": day, "h": hour, "w": weekday, "o": orders, "r": revenue, "f": refunds, "x": refunded})
        for day, item, ko, quantity, revenue in [
                ("2026-10-01", 7, "옛 이름", 1, 5000), ("2026-10-31", 7, "새 이름", 2, 10000),
                ("2026-10-31", 8, "불고기", 2, 29000), ("2026-11-01", 7, "새 이름", 3, 27000)]:
            conn.execute(sa.text("INSERT INTO sales_item_day VALUES (1, :d, :i, :ko, :en, :q, :r)"),
                         {"d": day, "i": item, "ko": ko, "en": ko, "q": quantity, "r": revenue})
        for day, table, orders, revenue in [("2026-10-01", 3, 1, 5000), ("2026-10-31", 3, 3, 39000),
                                            ("2026-11-01", 4, 3, 27000)]:
            conn.execute(sa.text("INSERT INTO sales_table_day VALUES (1, :d, :t, :o, :r)"),
                         {"d": day, "t": table, "o": orders, "r": revenue})
        conn.execute(sa.text("INSERT INTO sales_option_day VALUES (1, '2026-10-31', 5, '맵기', 'Spice', '매운맛', "
                             "'Hot', 2, 1000)"))
    engine.dispose()
    command.upgrade(cfg, "head")

    engine = sa.create_engine(empty_url)
    with engine.connect() as conn:
        def rows(query):
            return [tuple(str(v) for v in r) for r in conn.execute(sa.text(query))]
        assert rows("SELECT * FROM sales_day ORDER BY day") == [
            ("1", "2026-10-01", "1", "5000", "0", "0"), ("1", "2026-10-31", "3", "39000", "1", "9000"),
            ("1", "2026-11-01", "3", "27000", "0", "0")]
        assert rows("SELECT * FROM sales_month_hour ORDER BY month, weekday, hour") == [
            ("1", "2026-10-01", "3", "12", "1", "5000", "0", "0"),
            ("1", "2026-10-01", "5", "12", "2", "30000", "0", "0"),
            ("1", "2026-10-01", "5", "19", "1", "9000", "1", "9000"),
            ("1", "2026-11-01", "6", "12", "3", "27000", "0", "0")]
        assert rows("SELECT * FROM sales_item_month ORDER BY month, menu_item_id") == [
            ("1", "2026-10-01", "7", "새 이름", "새 이름", "3", "15000"),  # the name it was last sold under
            ("1", "2026-10-01", "8", "불고기", "불고기", "2", "29000"),
            ("1", "2026-11-01", "7", "새 이름", "새 이름", "3", "27000")]
        assert rows("SELECT * FROM sales_table_month ORDER BY month, table_number") == [
            ("1", "2026-10-01", "3", "4", "44000"), ("1", "2026-11-01", "4", "3", "27000")]
        assert rows("SELECT * FROM sales_option_month") == [
            ("1", "2026-10-01", "5", "맵기", "Spice", "매운맛", "Hot", "2", "1000")]
    engine.dispose()

    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from hiorder_app.services.auth.accounts import create_admin
    from hiorder_app.services.auth.sessions import sign_in
    from hiorder_app.services.read_models import dashboard

    with database_url(empty_url):
        create_admin(1, "boss", "pw-1234")
        admin = sign_in("old", "boss", "pw-1234", "migration-test")[1]
        october = dashboard.sales_report(admin, ZoneInfo("Asia/Seoul"), datetime(2026, 11, 5, tzinfo=UTC),
                                         "last_month")
        assert (october.orders, october.revenue, october.refunds, october.refunded) == (4, 44000, 1, 9000)
        assert [(t.name_ko, t.quantity, t.revenue) for t in october.top_items] == [("불고기", 2, 29000),
                                                                                   ("새 이름", 3, 15000)]
        assert [(o.name_en, o.quantity) for o in october.options] == [("Hot", 2)]
