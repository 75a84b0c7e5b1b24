"""Order throughput: services.ordering.place_order against the same writes done in raw SQL.

    .venv/bin/python bench/order_throughput.py [--workers 8] [--orders 2000] [--database-url URL]

The database named in the URL is DROPPED and recreated, then migrated. One store is built, with
unlimited items plus a few with a large stock (so the guarded stock decrement runs), and one table
account per worker, so workers never wait on each other's table lock.

Phase 1 places the orders through the service (rules, ORM, outbox), N threads, one table each.
Phase 2 does the same writes per order in one transaction with psycopg and hand-written SQL: lock
the table row, find its open table session, lock the items, guarded stock update, insert the
order, its lines, the outbox row and the order_view read-model row. No rule checks, no history
read. The ratio service/raw is the price of the service layer.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hiorder_app.domain.enums import ItemKind  # noqa: E402
from hiorder_app.domain.models import Category, MenuItem  # noqa: E402
from hiorder_app.services import migrations  # noqa: E402
from hiorder_app.services.auth import accounts  # noqa: E402
from hiorder_app.services.auth import sessions as auth  # noqa: E402
from hiorder_app.services.db import session_scope  # noqa: E402
from hiorder_app.services.ordering import placement as ordering  # noqa: E402
from hiorder_app.settings import get_settings  # noqa: E402

PASSWORD = "bench-pw"
LARGE_STOCK = 10_000_000


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=8, help="concurrent threads (default 8)")
    p.add_argument("--orders", type=int, default=2000, help="orders per phase, in total (default 2000)")
    p.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hiorder_bench",
                   help="PostgreSQL database to DROP, recreate and use")
    return p.parse_args()


def libpq_params(url: sa.URL, dbname: str | None = None) -> dict:
    params = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username,
              "dbname": dbname or url.database}
    if url.password:
        params["password"] = url.password
    return params


# --- setup ----------------------------------------------------------------------------------------


def recreate_database(url: sa.URL) -> None:
    with psycopg.connect(**libpq_params(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))


def build_store(workers: int) -> tuple[dict[str, list[int]], list]:
    """Return item ids by group and one signed-in table principal per worker."""
    store_id = accounts.create_store("bench", "벤치 식당", "Bench diner")
    items: dict[str, list[int]] = {"main": [], "stocked": [], "extra": []}
    with session_scope() as s:
        category = Category(store_id=store_id, name_ko="메뉴", name_en="Menu")
        s.add(category)
        s.flush()
        specs = [("main", ItemKind.MAIN, None)] * 4 + [("stocked", ItemKind.MAIN, LARGE_STOCK)] * 3 + [
            ("extra", ItemKind.SIDE, None), ("extra", ItemKind.DRINK, None), ("extra", ItemKind.DRINK, LARGE_STOCK)]
        for n, (group, kind, stock) in enumerate(specs, 1):
            item = MenuItem(store_id=store_id, category_id=category.id, name_ko=f"메뉴 {n}", name_en=f"Item {n}",
                            price=1000 * n, kind=kind, stock=stock)
            s.add(item)
            s.flush()
            items[group].append(item.id)
    principals = []
    for number in range(1, workers + 1):
        _table_id, username = accounts.create_table_account(store_id, number, PASSWORD)
        principals.append(auth.sign_in("bench", username, PASSWORD, "bench")[1])  # opens the table session
    return items, principals


def order_lines(items: dict[str, list[int]], i: int) -> list[tuple[int, int]]:
    """Order number i: a main, a stocked item and an extra; 3 lines, some quantities above 1."""
    return [
        (items["main"][i % len(items["main"])], 1 + i % 2),
        (items["stocked"][i % len(items["stocked"])], 1),
        (items["extra"][i % len(items["extra"])], 1 + i % 3),
    ]


# --- the two ways of placing an order -------------------------------------------------------------


def raw_order(conn: psycopg.Connection, store_id: int, table_id: int, lines: list[tuple[int, int]]) -> None:
    """The writes place_order makes, by hand: order, lines, outbox row (with the stock its limited items
    have left) and the order_view read model."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT number, active FROM dining_table WHERE id = %s FOR UPDATE", (table_id,))
        table_number, _active = cur.fetchone()
        cur.execute("SELECT id FROM table_session WHERE table_id = %s AND closed_at IS NULL", (table_id,))
        (session_id,) = cur.fetchone()
        cur.execute("SELECT id, name_ko, name_en, kind, price, stock FROM menu_item"
                    " WHERE id = ANY(%s) ORDER BY id FOR UPDATE", (sorted(dict(lines)),))
        items = {row[0]: row for row in cur.fetchall()}
        left = {}
        for item_id, q in lines:
            if items[item_id][5] is not None:
                cur.execute("UPDATE menu_item SET stock = stock - %s WHERE id = %s AND stock >= %s",
                            (q, item_id, q))
                if cur.rowcount != 1:
                    raise RuntimeError("out of stock")
                left[str(item_id)] = items[item_id][5] - q
        total = sum(items[i][4] * q for i, q in lines)
        cur.execute("INSERT INTO orders (store_id, table_id, table_session_id, status, total, payment_ref,"
                    " created_at, updated_at) VALUES (%s, %s, %s, 'PENDING_PAYMENT', %s, %s, now(), now())"
                    " RETURNING id, created_at",
                    (store_id, table_id, session_id, total, f"HO-{uuid.uuid4().hex[:20]}"))
        order_id, created_at = cur.fetchone()
        cur.executemany(
            "INSERT INTO order_line (order_id, menu_item_id, name_ko, name_en, kind, unit_price, quantity, line_total)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(order_id, i, items[i][1], items[i][2], items[i][3], items[i][4], q, items[i][4] * q) for i, q in lines])
        lines_json = [{"menu_item_id": i, "name_ko": items[i][1], "name_en": items[i][2], "quantity": q,
                       "unit_price": items[i][4]} for i, q in lines]
        payload = {"order_id": order_id, "store_id": store_id, "table_id": table_id, "table_number": table_number,
                   "table_session_id": session_id, "status": "PENDING_PAYMENT", "total": total,
                   "created_at": created_at.isoformat(), "paid_at": None, "updated_at": created_at.isoformat(),
                   "lines": lines_json} | ({"stock_left": left} if left else {})
        cur.execute("INSERT INTO outbox_event (id, store_id, type, payload, created_at, attempts)"
                    " VALUES (%s, %s, 'OrderPlaced', %s, now(), 0)",
                    (str(uuid.uuid4()), store_id, json.dumps(payload, ensure_ascii=False)))
        cur.execute("INSERT INTO order_view (order_id, store_id, table_id, table_number, table_session_id,"
                    " session_open, status, total, lines_json, created_at, updated_at)"
                    " VALUES (%s, %s, %s, %s, %s, true, 'PENDING_PAYMENT', %s, %s, %s, %s)",
                    (order_id, store_id, table_id, table_number, session_id, total,
                     json.dumps(lines_json, ensure_ascii=False), created_at, created_at))


# --- measuring ------------------------------------------------------------------------------------


def run_phase(workers: int, orders: int, make_worker: Callable[[int], Callable[[int], None]]) -> dict:
    """make_worker(w) returns place(i) for worker w. Worker w places orders w, w+workers, ...;
    one warm-up order per worker is not timed. Returns throughput and latencies in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers + 1)

    def work(w: int) -> None:
        place = make_worker(w)
        place(orders + w)  # warm-up: connection, caches
        barrier.wait()
        mine = []
        for i in range(w, orders, workers):
            t0 = time.perf_counter()
            place(i)
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(work, w) for w in range(workers)]
        barrier.wait()
        start = time.perf_counter()
        for f in futures:
            f.result()
        elapsed = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100)
    return {"orders": len(latencies), "seconds": elapsed, "per_second": len(latencies) / elapsed,
            "p50": cuts[49], "p99": cuts[98]}


def check(url: sa.URL, expected_orders: int) -> str:
    with psycopg.connect(**libpq_params(url)) as conn:
        n_orders, n_events, n_views = conn.execute(
            "SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM outbox_event),"
            " (SELECT COUNT(*) FROM order_view)").fetchone()
        negative = conn.execute("SELECT COUNT(*) FROM menu_item WHERE stock < 0").fetchone()[0]
    ok = n_orders == n_events == n_views == expected_orders and negative == 0
    return (f"{'ok' if ok else 'MISMATCH'}: {n_orders} orders, {n_events} outbox rows, {n_views} order_view rows,"
            f" {negative} negative stocks")


def main() -> None:
    args = parse_args()
    url = sa.make_url(args.database_url)
    if not url.drivername.startswith("postgresql"):
        sys.exit("this benchmark needs PostgreSQL")
    os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
    # Every order here stays unpaid, so the visit's limit on those is lifted; its count still runs, and reads
    # every unpaid order of the table (a few hundred here, at most MAX_UNPAID_ORDERS in a real visit).
    os.environ["MAX_UNPAID_ORDERS"] = str(10**9)
    get_settings.cache_clear()

    print(f"database {url.database}: recreating and migrating")
    recreate_database(url)
    migrations.upgrade(os.environ["DATABASE_URL"])
    items, principals = build_store(args.workers)
    store_id = principals[0].store_id
    print(f"store with {sum(map(len, items.values()))} items, {args.workers} tables; "
          f"{args.orders} orders per phase, {args.workers} workers\n")

    def service_worker(w: int):
        return lambda i: ordering.place_order(principals[w], order_lines(items, i))

    service = run_phase(args.workers, args.orders, service_worker)
    print(f"service  {check(url, args.orders + args.workers)}")

    connections: list[psycopg.Connection] = []

    def raw_worker(w: int):
        conn = psycopg.connect(**libpq_params(url))
        connections.append(conn)
        return lambda i: raw_order(conn, store_id, principals[w].table_id, order_lines(items, i))

    raw = run_phase(args.workers, args.orders, raw_worker)
    for conn in connections:
        conn.close()
    print(f"raw SQL  {check(url, 2 * (args.orders + args.workers))}\n")

    print(f"{'':10}{'orders/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, r in (("service", service), ("raw SQL", raw)):
        print(f"{name:10}{r['per_second']:10.1f}{r['p50']:10.2f}{r['p99']:10.2f}")
    ratio = service["per_second"] / raw["per_second"]
    print(f"\nratio service/raw: {ratio:.2f} (target >= 0.30: {'met' if ratio >= 0.3 else 'NOT met'})")


if __name__ == "__main__":
    main()
