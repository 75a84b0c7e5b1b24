"""Sales dashboard and tablet menu load with one store holding 1,000,000 paid orders over two years (PostgreSQL).

    .venv/bin/python bench/dashboard.py [--orders 1000000] [--runs 15] [--keep]

The database named by --database-url is DROPPED, recreated and migrated, and dropped again at the end
(--keep leaves it). One store (the demo menu's shape: 19 items, 20 tables) gets generated table visits
of one to three paid orders, lunch and dinner hours in Seoul, 1% of orders refunded, written with COPY:
table sessions, orders, order lines, and the aggregate read models
(sales_hour, sales_item_day, sales_item_hour, sales_table_day, visit_item, visit_pair, and sales_day and the
month rollups sales_month_hour, sales_item_month, sales_table_month) summed while generating, as the projector
would have written them order by order. A check compares the report's orders and revenue with a scan of the
orders.

Then, in the same run, the median of --runs calls of:
* services.read_models.dashboard.sales_report for each range (today, 7 days, 30 days, this month,
  last month, a custom 90 days and 365 days), beside a plain aggregate scan of the same range's order rows
  (SELECT COUNT(*), SUM(total) FROM orders ... paid in the range);
* services.read_models.menu.get_menu (a tablet's menu load, its "popular now" cache warm, and cold:
  the cache emptied before each call) and "goes well with" for a cart, beside the scan today's code
  ran on every menu load (top 3 items by quantity of the last 14 days, from order lines).
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hiorder_app.domain.enums import OrderStatus  # noqa: E402
from hiorder_app.domain.timeutil import utcnow  # noqa: E402
from hiorder_app.services import migrations, seed  # noqa: E402
from hiorder_app.services.auth import accounts  # noqa: E402
from hiorder_app.services.auth.sessions import sign_in  # noqa: E402
from hiorder_app.services.db import get_engine, session_scope  # noqa: E402
from hiorder_app.services.read_models import dashboard, recommendations  # noqa: E402
from hiorder_app.services.read_models.menu import get_menu  # noqa: E402
from hiorder_app.settings import get_settings  # noqa: E402

PAID = [str(s) for s in (OrderStatus.PAID, OrderStatus.ACCEPTED, OrderStatus.SERVED)]
OLD_MENU_SCAN = """SELECT l.menu_item_id, SUM(l.quantity) AS q FROM order_line l JOIN orders o ON o.id = l.order_id
WHERE o.store_id = :store AND o.status IN ('PAID', 'ACCEPTED', 'SERVED') AND o.created_at >= :since
GROUP BY l.menu_item_id ORDER BY q DESC, l.menu_item_id LIMIT 3"""
COPIES = {
    "visits": "COPY table_session (id, store_id, table_id, opened_at, closed_at) FROM STDIN",
    "orders": "COPY orders (id, store_id, table_id, table_session_id, status, total, created_at, updated_at, paid_at, "
              "payment_ref) FROM STDIN",
    "lines": "COPY order_line (id, order_id, menu_item_id, name_ko, name_en, kind, unit_price, quantity, line_total) "
             "FROM STDIN",
}
RANGE_SCAN = """SELECT COUNT(*), COALESCE(SUM(total), 0) FROM orders WHERE store_id = :store
AND status IN ('PAID', 'ACCEPTED', 'SERVED') AND paid_at >= :since AND paid_at < :until"""
# Not timed: the per-table and per-item figures from the order rows, to check the report's to the won.
TABLE_CHECK = """SELECT t.number, COUNT(*), SUM(o.total) FROM orders o JOIN dining_table t ON t.id = o.table_id
WHERE o.store_id = :store AND o.status IN ('PAID', 'ACCEPTED', 'SERVED') AND o.paid_at >= :since
AND o.paid_at < :until GROUP BY t.number"""
ITEM_CHECK = """SELECT l.name_en, SUM(l.quantity), SUM(l.line_total) FROM order_line l
JOIN orders o ON o.id = l.order_id WHERE o.store_id = :store AND o.status IN ('PAID', 'ACCEPTED', 'SERVED')
AND o.paid_at >= :since AND o.paid_at < :until GROUP BY l.name_en"""


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hiorder_bench_insights",
                   help="PostgreSQL database to DROP, recreate and use")
    return p.parse_args()


def _libpq(url: sa.URL, dbname: str | None = None) -> dict:
    params = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username,
              "dbname": dbname or url.database}
    return params | ({"password": url.password} if url.password else {})


def _admin_sql(url: sa.URL, statement: str) -> None:
    with psycopg.connect(**_libpq(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(url.database)))


def build_store() -> tuple[int, dict[int, tuple], dict[int, int]]:
    """The demo menu and 20 tables; returns store id, items {id: (name_ko, name_en, price, kind)}, tables."""
    store_id = accounts.create_store("bench", "벤치 식당", "Bench diner")
    accounts.create_admin(store_id, "admin", "admin1234")
    tables = {n: accounts.create_table_account(store_id, n, "1234")[0] for n in range(1, 21)}
    with session_scope() as s:
        made = seed._add_menu(s, store_id)
        items = {m.id: (m.name_ko, m.name_en, m.price, m.kind) for m in made.values() if not m.once_per_table}
        for m in made.values():
            m.stock = None  # generated history must not be limited by today's stock
            s.add(m)
    return store_id, items, {tid: n for n, tid in tables.items()}


class Sums:
    """The aggregate rows, summed as the projector sums them (aggregates.sale_rows, visit_delta)."""

    def __init__(self):
        self.hour = defaultdict(lambda: [0, 0, 0, 0])
        self.item_day = defaultdict(lambda: [0, 0])
        self.item_hour = defaultdict(int)
        self.table_day = defaultdict(lambda: [0, 0])
        self.visit_item = defaultdict(int)
        self.visit_pair = defaultdict(int)

    def sale(self, local: datetime, table: int, total: int, lines, refunded: bool) -> None:
        day, hour = local.date(), local.hour
        h = self.hour[(day, hour)]
        if refunded:  # paid (+1) then refunded (-1): only the refund stays (and rows of zeros, left out here)
            h[2], h[3] = h[2] + 1, h[3] + total
            return
        h[0], h[1] = h[0] + 1, h[1] + total
        for item, q, price in lines:
            d = self.item_day[(day, item)]
            d[0], d[1] = d[0] + q, d[1] + q * price
            self.item_hour[(day, hour, item)] += q
        t = self.table_day[(day, table)]
        t[0], t[1] = t[0] + 1, t[1] + total

    def visit(self, items: set[int]) -> None:
        item_delta, pair_delta = recommendations.visit_delta(set(), items)
        for k, v in item_delta.items():
            self.visit_item[k] += v
        for k, v in pair_delta.items():
            self.visit_pair[k] += v


def generate(conn: psycopg.Connection, store_id: int, items: dict, tables: dict[int, int], n_orders: int,
             now: datetime, rng: random.Random) -> Sums:
    tz = get_settings().tz
    mains = [i for i, v in items.items() if v[3] == "MAIN"]
    others = [i for i, v in items.items() if v[3] != "MAIN"]
    table_ids = list(tables)
    start = now - timedelta(days=730)
    per_day = n_orders / 730
    sums = Sums()
    order_id = session_id = line_id = 0
    buffers: dict[str, list] = {name: [] for name in COPIES}

    def flush() -> None:
        # One COPY at a time per connection, parents before children (the foreign keys are checked).
        with conn.cursor() as cur:
            for name, statement in COPIES.items():
                with cur.copy(statement) as copy:
                    for row in buffers[name]:
                        copy.write_row(row)
                buffers[name].clear()

    day = 0
    while order_id < n_orders:
        local_day = (start + timedelta(days=day)).astimezone(tz).date()
        day += 1
        target = min(n_orders, int(per_day * day)) if day < 730 else n_orders
        while order_id < target:
            hour = rng.uniform(11, 14.5) if rng.random() < 0.45 else rng.uniform(17, 22)
            opened = datetime(local_day.year, local_day.month, local_day.day, int(hour), int(hour % 1 * 60),
                              rng.randint(0, 59), tzinfo=tz).astimezone(UTC)
            if opened > now:
                opened = now - timedelta(minutes=rng.randint(1, 600))
            table_id = rng.choice(table_ids)
            session_id += 1
            buffers["visits"].append((session_id, store_id, table_id, opened, opened + timedelta(minutes=70)))
            kept: set[int] = set()
            for n in range(1 if rng.random() < 0.6 else rng.randint(2, 3)):
                if order_id >= target:
                    break
                order_id += 1
                picked = {rng.choice(mains): rng.randint(1, 3)} if n == 0 else {}
                for _ in range(rng.randint(0, 3)):
                    picked[rng.choice(others)] = rng.randint(1, 2)
                if not picked:
                    picked = {rng.choice(others): 1}
                lines = [(i, q, items[i][2]) for i, q in picked.items()]
                total = sum(q * p for _i, q, p in lines)
                paid_at = opened + timedelta(minutes=5 + 20 * n)
                refunded = rng.random() < 0.01
                status = OrderStatus.CANCELLED if refunded else OrderStatus.SERVED
                buffers["orders"].append((order_id, store_id, table_id, session_id, status, total, paid_at, paid_at,
                                          paid_at, uuid.uuid4().hex))
                for i, q, p in lines:
                    line_id += 1
                    buffers["lines"].append((line_id, order_id, i, items[i][0], items[i][1], items[i][3], p, q, p * q))
                sums.sale(paid_at.astimezone(tz), tables[table_id], total, lines, refunded)
                if not refunded:
                    kept.update(picked)
            if kept:
                sums.visit(kept)
        if len(buffers["orders"]) >= 50_000:
            flush()
    flush()
    for table, seq_of in (("orders", order_id), ("table_session", session_id), ("order_line", line_id)):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {seq_of})")
    write_sums(conn, store_id, sums)
    conn.commit()
    return sums


def write_sums(conn: psycopg.Connection, store_id: int, sums: Sums) -> None:
    with conn.cursor() as cur:
        with cur.copy("COPY sales_hour (store_id, day, hour, weekday, orders, revenue, refunds, refunded) "
                      "FROM STDIN") as c:
            for (day, hour), v in sums.hour.items():
                c.write_row((store_id, day, hour, day.weekday(), *v))
        names = {}
        for row in conn.execute("SELECT id, name_ko, name_en FROM menu_item").fetchall():
            names[row[0]] = row[1:]
        with cur.copy("COPY sales_item_day (store_id, day, menu_item_id, name_ko, name_en, quantity, revenue) "
                      "FROM STDIN") as c:
            for (day, item), v in sums.item_day.items():
                c.write_row((store_id, day, item, *names[item], *v))
        with cur.copy("COPY sales_item_hour (store_id, day, hour, menu_item_id, quantity) FROM STDIN") as c:
            for (day, hour, item), q in sums.item_hour.items():
                c.write_row((store_id, day, hour, item, q))
        with cur.copy("COPY sales_table_day (store_id, day, table_number, orders, revenue) FROM STDIN") as c:
            for (day, table), v in sums.table_day.items():
                c.write_row((store_id, day, table, *v))
        # sales_day and the month rollups, summed from the day rows as the projector sums them
        days, month_hours = defaultdict(lambda: [0, 0, 0, 0]), defaultdict(lambda: [0, 0, 0, 0])
        for (day, hour), v in sums.hour.items():
            for row in (days[day], month_hours[(day.replace(day=1), day.weekday(), hour)]):
                row[:] = [a + b for a, b in zip(row, v, strict=True)]
        item_months, table_months = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
        for source, into in ((sums.item_day, item_months), (sums.table_day, table_months)):
            for (day, key), (a, b) in source.items():
                row = into[(day.replace(day=1), key)]
                row[0], row[1] = row[0] + a, row[1] + b
        with cur.copy("COPY sales_day (store_id, day, orders, revenue, refunds, refunded) FROM STDIN") as c:
            for day, v in days.items():
                c.write_row((store_id, day, *v))
        with cur.copy("COPY sales_month_hour (store_id, month, weekday, hour, orders, revenue, refunds, refunded) "
                      "FROM STDIN") as c:
            for key, v in month_hours.items():
                c.write_row((store_id, *key, *v))
        with cur.copy("COPY sales_item_month (store_id, month, menu_item_id, name_ko, name_en, quantity, revenue) "
                      "FROM STDIN") as c:
            for (month, item), v in item_months.items():
                c.write_row((store_id, month, item, *names[item], *v))
        with cur.copy("COPY sales_table_month (store_id, month, table_number, orders, revenue) FROM STDIN") as c:
            for (month, table), v in table_months.items():
                c.write_row((store_id, month, table, *v))
        with cur.copy("COPY visit_item (store_id, menu_item_id, visits) FROM STDIN") as c:
            for item, n in sums.visit_item.items():
                c.write_row((store_id, item, n))
        with cur.copy("COPY visit_pair (store_id, item_a, item_b, visits) FROM STDIN") as c:
            for (a, b), n in sums.visit_pair.items():
                c.write_row((store_id, a, b, n))


def median_ms(fn, runs: int, before=None) -> float:
    fn()
    times = []
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def scan(since: datetime, until: datetime, store_id: int):
    with get_engine().connect() as conn:
        return tuple(conn.execute(sa.text(RANGE_SCAN), {"store": store_id, "since": since, "until": until}).one())


def main() -> int:
    args = parse_args()
    url = sa.make_url(args.database_url)
    _admin_sql(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    _admin_sql(url, "CREATE DATABASE {}")
    os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
    get_settings.cache_clear()
    try:
        migrations.upgrade(os.environ["DATABASE_URL"])
        store_id, items, tables = build_store()
        now, tz = utcnow(), get_settings().tz
        t0 = time.perf_counter()
        with psycopg.connect(**_libpq(url)) as conn:
            generate(conn, store_id, items, tables, args.orders, now, random.Random(1))
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
        print(f"generated {args.orders} orders over 730 days in {time.perf_counter() - t0:.0f} s "
              f"(COPY of visits, orders, lines and the aggregates; VACUUM ANALYZE)")
        admin = sign_in("bench", "admin", "admin1234", "bench")[1]

        print("\n| range | days | report ms | scan of order rows ms | report / scan | orders | check to the won |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        today = now.astimezone(tz).date()
        ranges = [("today", {}), ("week", {}), ("month", {}), ("this_month", {}), ("last_month", {}),
                  ("custom", {"first": today - timedelta(days=89), "last": today}),
                  ("custom", {"first": today - timedelta(days=364), "last": today})]
        for period, extra in ranges:
            report = dashboard.sales_report(admin, tz, now, period, **extra)
            first, last = (datetime.fromisoformat(d).date() for d in (report.first_day, report.last_day))
            since = datetime(first.year, first.month, first.day, tzinfo=tz)
            until = datetime(last.year, last.month, last.day, tzinfo=tz) + timedelta(days=1)
            count, revenue = scan(since, until, store_id)
            with get_engine().connect() as conn:
                span = {"store": store_id, "since": since, "until": until}
                by_table = sorted(tuple(r) for r in conn.execute(sa.text(TABLE_CHECK), span))
                by_item = sorted(tuple(r) for r in conn.execute(sa.text(ITEM_CHECK), span))
            mismatches = [name for name, same in (
                ("orders and revenue", (count, revenue) == (report.orders, report.revenue)),
                ("tables", by_table == sorted((t.table_number, t.orders, t.revenue) for t in report.tables)),
                ("items", sorted(by_item, key=lambda r: (-r[2], -r[1], r[0]))[:dashboard.TOP_ITEMS]
                 == [(t.name_en, t.quantity, t.revenue) for t in report.top_items])) if not same]
            check = "ok" if not mismatches else "MISMATCH " + ", ".join(mismatches)
            report_ms = median_ms(lambda p=period, e=extra: dashboard.sales_report(admin, tz, now, p, **e), args.runs)
            scan_ms = median_ms(lambda a=since, b=until: scan(a, b, store_id), args.runs)
            days = (last - first).days + 1
            print(f"| {period} | {days} | {report_ms:.1f} | {scan_ms:.1f} | {report_ms / scan_ms:.1%} | "
                  f"{report.orders} | {check} |")

        def old_scan():
            with get_engine().connect() as conn:
                conn.execute(sa.text(OLD_MENU_SCAN), {"store": store_id, "since": now - timedelta(days=14)}).all()

        menu_warm = median_ms(lambda: get_menu(store_id), args.runs)
        menu_cold = median_ms(lambda: get_menu(store_id), args.runs, before=recommendations.forget)
        # "popular now" at the lunch rush, when it reads the most rows (3 hours of 8 weeks of every item)
        noon = now.astimezone(tz).replace(hour=12, minute=30).astimezone(UTC)
        popular_noon = median_ms(lambda: recommendations.popular_now(store_id, noon, tz), args.runs,
                                 before=recommendations.forget)
        cart = {next(i for i, v in items.items() if v[3] == "MAIN")}
        offer = set(items)
        pairs_warm = median_ms(lambda: recommendations.goes_well_with(store_id, cart, offer), args.runs)
        pairs_cold = median_ms(lambda: recommendations.goes_well_with(store_id, cart, offer), args.runs,
                               before=recommendations.forget)
        old_ms = median_ms(old_scan, max(3, args.runs // 3))
        print("\n| tablet | ms |\n| --- | ---: |")
        print(f"| menu load, recommendations cached (the usual case) | {menu_warm:.1f} |")
        print(f"| menu load, cache empty (once a minute per store and process) | {menu_cold:.1f} |")
        print(f"| popular now at 12:30, cache empty | {popular_noon:.1f} |")
        print(f"| goes well with, cached / cache empty | {pairs_warm:.2f} / {pairs_cold:.1f} |")
        print(f"| the scan the old menu load ran (top 3 of 14 days from order lines) | {old_ms:.1f} |")
    finally:
        get_engine().dispose()
        if not args.keep:
            _admin_sql(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
