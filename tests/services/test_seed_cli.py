"""`python -m hiorder_app`: `setup` builds the demo store once, and refusals exit 2 in both languages.

The CLI runs in a subprocess, as `make run` calls it, against its own fresh SQLite file.
"""

import os
import subprocess
import sys
from collections import defaultdict

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from hiorder_app.domain.enums import ItemKind, OrderStatus
from hiorder_app.domain.models import Order, OrderLine, TableSession
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD, DEMO_TABLES, ITEMS, seed_demo
from hiorder_app.services.seed_options import UDON_PORTIONS
from hiorder_app.settings import PROJECT_ROOT


def run_cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hiorder_app", *args], cwd=PROJECT_ROOT,
                          env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A SQLite file after `setup` ran twice; yields (url, first run, second run)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.db'}"
    first, second = run_cli(url, "setup"), run_cli(url, "setup")
    return url, first, second


def scalars(url: str, query: str) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(query)).scalars())
    finally:
        engine.dispose()


def test_setup_twice_seeds_one_demo_store(seeded):
    url, first, second = seeded
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "Seeded the demo store" in first.stdout
    assert "Not seeded" in second.stdout
    assert scalars(url, "SELECT code FROM store") == [DEMO_STORE_CODE]
    assert scalars(url, "SELECT COUNT(*) FROM menu_item") == [len(ITEMS)]
    assert len(ITEMS) >= 16
    assert DEMO_TABLES == 10
    assert scalars(url, "SELECT COUNT(*) FROM dining_table") == [10]
    assert sorted(scalars(url, "SELECT username FROM account WHERE role = 'ADMIN'")) == [DEMO_ADMIN[0]]
    assert scalars(url, "SELECT COUNT(*) FROM account WHERE role = 'CUSTOMER'") == [10]


def test_demo_store_counts_one_option(seeded):
    """`make run` shows a counted option: 우동사리 starts with tonight's portions, the rest unlimited."""
    url, _, _ = seeded
    assert scalars(url, "SELECT name_ko FROM menu_option WHERE stock IS NOT NULL") == ["우동사리"]
    assert scalars(url, "SELECT stock FROM menu_option WHERE stock IS NOT NULL") == [UDON_PORTIONS]


def test_every_menu_image_exists(seeded):
    url, _, _ = seeded
    images = scalars(url, "SELECT image FROM menu_item")
    assert images and all(img.startswith("/menu/") for img in images)
    missing = [img for img in images if not (PROJECT_ROOT / "assets" / img.lstrip("/")).is_file()]
    assert missing == []
    assert len(set(images)) == len(images)  # one picture per dish


def test_create_admin_with_bad_username_explains_and_exits_2(seeded):
    url, _, _ = seeded
    result = run_cli(url, "create-admin", "--store", DEMO_STORE_CODE, "--username", "no spaces!",
                     "--password", "secret123")
    assert result.returncode == 2
    assert "Invalid input: username" in result.stderr
    assert "입력값이 올바르지 않아요: username" in result.stderr


def test_unknown_store_explains_and_exits_2(seeded):
    url, _, _ = seeded
    result = run_cli(url, "create-table", "--store", "nowhere", "--number", "3", "--password", DEMO_TABLE_PASSWORD)
    assert result.returncode == 2
    assert "no store with code 'nowhere'" in result.stderr


def test_seeded_history_obeys_the_order_rules(db):
    """In-process, on both backends: the past orders are ones the app itself could have taken."""
    assert seed_demo() is True
    assert seed_demo() is False
    with Session(db.engine) as s:
        visits = s.exec(select(TableSession)).all()
        assert visits and all(v.closed_at is not None and v.closed_at > v.opened_at for v in visits)
        orders = s.exec(select(Order)).all()
        assert {o.status for o in orders} == {OrderStatus.SERVED}
        assert all(o.paid_at is not None and o.paid_at.tzinfo is not None for o in orders)
        lines = s.exec(select(OrderLine)).all()
    by_order = defaultdict(list)
    for line in lines:
        by_order[line.order_id].append(line)
    by_visit = defaultdict(list)
    for order in orders:
        assert order.total == sum(ln.line_total for ln in by_order[order.id]) > 0
        by_visit[order.table_session_id] += by_order[order.id]
    event_names = {it.name_en for it in ITEMS if it.once_per_table}
    for visit_lines in by_visit.values():
        assert any(ln.kind == ItemKind.MAIN for ln in visit_lines)
        assert sum(ln.quantity for ln in visit_lines if ln.name_en in event_names) <= 1
