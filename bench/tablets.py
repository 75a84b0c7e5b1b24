"""Capacity: how many tablets one box serves, measured from outside over Reflex's real event socket.

    .venv/bin/python bench/tablets.py [--tablets 100,250,500,1000] [--duration 60] [--no-board]

What runs (all on this machine, stopped at the end, on failure and on Ctrl-C too):
  * the production topology, started by deploy/cluster/cluster.py on free ports (supervisord; nginx
    routing order.localhost / store.localhost / pay.localhost; two `ordering` backends and one `store`
    backend, each `reflex run --env prod --backend-only`; the sandbox provider), with state in Redis
    database --redis-db (flushed before and after) and a PostgreSQL database of its own
    (hiorder_bench_<pid>, dropped at the end). Its work folder (.cluster/bench) keeps the logs of the
    last run.
  * tables 11..N added to the demo store (one account per table, password hash copied from table1:
    bcrypt at cost 12 for each would take minutes), tablet i at table (i mod 999) + 1.
  * one board in headless Chromium (/usr/bin/chromium), signed in on store.localhost as the demo admin,
    with a MutationObserver stamping each card's arrival in the browser's own (epoch) clock.

Each tablet (bench/tablet_client.py) is a socket.io client of `/_event` through the proxy, sending what
the browser sends. Most tablets start with a session written beforehand (a tablet signed in earlier,
reloading): its page load of / is `hydrate_and_load` with the token the browser keeps. --sign-ins of them
sign in through the login form instead, all at once, two seconds into the measured window (bcrypt
runs then, under load). Tablets connect --ramp at a time; then, for --duration seconds, each one
repeatedly waits an exponential think time (mean --think) and browses: picks a category, opens and
closes an item, adds to the cart, or opens 주문 내역 and goes back. About every --order-every seconds
(exponential, first at a random point) it orders: place_order, then the provider's checkout page with
httpx as a browser uses it (GET the page, POST its Pay form), then the redirect's page load of
/pay/success (a new socket, `hydrate_and_load` with the query: the success page's on_load confirms and
redirects), then the navigations to /orders and back to /.

Measured, per point of the curve:
  * round trip of every event kind: from the emit to the delta that shows its effect (a navigation or
    a page load: to is_hydrated, after the page's on_load handlers); errors by kind (timeouts after
    --timeout s, error messages shown, refused orders), and busy pages;
  * orders/s (payments confirmed); board latency from the Pay click to the card in Chromium;
  * backend RSS per connected tablet (RSS of the two ordering backends after the ramp minus before,
    over the tablets) and Redis memory per tablet (MEMORY USAGE summed over a sample of tablets' keys);
  * from the backends' logs: the event loop's worst lag (lifespan.watch_event_loop_lag_forever logs
    above 100 ms) and Reflex's expired state locks, by event;
  * CPU seconds per process (each program's process tree; Redis; all of PostgreSQL's processes, which
    other users of this machine share; Chromium; this bench) over the measured window.
Floors, measured in the same run at idle before each point: Redis PING round trip, and a bare Reflex
event round trip (one tablet's language switch, a local handler: the socket, the proxy, Reflex's state
lock and load/save in Redis, and nothing of ours). The page loads before a socket connects (HTML and
JS from nginx, cached in a real tablet) are not included.
"""

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import psutil
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.drills.cluster_control import CLUSTER_SCRIPT, free_port_block, stop_tree  # noqa: E402

PG_SERVER = os.environ.get("HIORDER_TEST_PG_SERVER", "postgres@127.0.0.1:5432")
DB_NAME = f"hiorder_bench_{os.getpid()}"
DATABASE_URL = f"postgresql+psycopg://{PG_SERVER}/{DB_NAME}"
MAX_TABLES = 999
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LAG = re.compile(r"event loop blocked for (\d+) ms")
# Read in the log with Reflex's console wrapping (at 80 columns) undone; the handler's name is kept.
EVENT = r"(?:.*?Happened in event: (?:\w*?___\w*?\.)+(\w+)$)?"
EXPIRED = re.compile(r"Lock expired for token" + EVENT, re.M)
HELD = re.compile(r"was held too long time_taken=([\d.]+)s" + EVENT, re.M)
BACKENDS = ("ordering-1", "ordering-2", "store")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tablets", default="100,250,500,1000", help="the curve's points, comma-separated")
    p.add_argument("--duration", type=float, default=60, help="measured seconds per point")
    p.add_argument("--think", type=float, default=5, help="mean think time between a tablet's taps (s)")
    p.add_argument("--order-every", type=float, default=300, help="mean seconds between a tablet's orders")
    p.add_argument("--sign-ins", type=int, default=10, help="tablets that sign in through the form, at once")
    p.add_argument("--ramp", type=int, default=25, help="tablets connecting at a time")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--redis-db", type=int, default=11)
    p.add_argument("--workdir", type=Path, default=ROOT / ".cluster" / "bench")
    p.add_argument("--no-board", action="store_true", help="no board in Chromium")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def ms(values) -> str:
    return f"{pct(values, 50) * 1000:7.1f} / {pct(values, 99) * 1000:7.1f} / {max(values) * 1000:7.1f}" \
        if values else "      -"


# ---- the cluster -----------------------------------------------------------------------------------------
class Running:
    def __init__(self, args):
        self.args, self.workdir = args, args.workdir.resolve()
        self.proxy, self.base = free_port_block(1), free_port_block(4)
        self.redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        from tests.conftest import recreate_pg_database

        recreate_pg_database(PG_SERVER, DB_NAME)
        self.workdir.mkdir(parents=True, exist_ok=True)
        for log in (self.workdir / "logs").glob("*.log*"):
            log.unlink()
        # Always a fresh frontend build: it holds the proxy's port, and one older than the app's code
        # makes the page ask for a reload instead of sending events.
        cmd = [sys.executable, str(CLUSTER_SCRIPT), "--workdir", str(self.workdir), "--proxy-port", str(self.proxy),
               "--base-port", str(self.base), "--database-url", DATABASE_URL, "--redis-url", self.redis_url]
        with open(self.workdir / "cluster.log", "wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 400
        # Each backend on its own port first: a request through the proxy before a backend listens marks
        # it failed (max_fails), and nginx then gives it only one new connection per fail_timeout until
        # a request to it completes, which a tablet's websocket does not do for the whole run: every
        # tablet of the ramp would land on the other backend (measured: 292 of 303 sockets on one).
        while not all(self.answers(h) for h in ("order", "store")):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the cluster did not start: see {self.workdir / 'cluster.log'}")
            time.sleep(0.5)

    def backend_answers(self, index: int) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.base + index}/ping", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def answers(self, host: str) -> bool:
        if not all(self.backend_answers(i) for i in range(3)):
            return False  # not through the proxy yet (see start)
        try:
            return httpx.get(f"http://127.0.0.1:{self.proxy}/ping", headers={"Host": f"{host}.localhost"},
                             timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        from tests.conftest import drop_pg_database

        if self.proc is not None:
            stop_tree(self.proc.pid)
            self.proc.wait(timeout=10)
        drop_pg_database(PG_SERVER, DB_NAME)

    def programs(self) -> dict[str, list[psutil.Process]]:
        """Each program's process tree, by name: the backends by their port."""
        ports = {str(self.base + i): name for i, name in enumerate(("ordering-1", "ordering-2", "store"))}
        found: dict[str, list[psutil.Process]] = {}
        for child in psutil.Process(self.proc.pid).children():
            cmd = " ".join(child.cmdline())
            name = next((n for p, n in ports.items() if f"--backend-port {p}" in cmd), None)
            name = name or ("sandbox" if "sandbox-pay" in cmd else "nginx" if "nginx" in cmd else cmd[:30])
            found[name] = [child, *child.children(recursive=True)]
        found["redis"] = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "redis-server"]
        found["postgres (shared)"] = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
        me = psutil.Process()
        found["chromium"] = [p for p in me.children(recursive=True) if "chrom" in p.name().lower()]
        found["bench"] = [me]
        return found

    def log_size(self) -> dict[str, int]:
        return {n: (self.workdir / "logs" / f"{n}.log").stat().st_size for n in BACKENDS
                if (self.workdir / "logs" / f"{n}.log").exists()}

    def log_since(self, offsets: dict[str, int]) -> str:
        text = []
        for name in BACKENDS:
            path = self.workdir / "logs" / f"{name}.log"
            if path.exists():
                with open(path, "rb") as f:
                    f.seek(offsets.get(name, 0))
                    text.append(f.read().decode(errors="replace"))
        return "\n".join(text)


def unwrap(log: str) -> str:
    """Undo the console's wrapping: a line it broke is 80 columns long or ends in a space."""
    out = []
    for line in log.splitlines():
        out.append(line if len(line) >= 79 or line.endswith(" ") else line + "\n")
    return "".join(out)


def cpu_seconds(procs: dict[str, list[psutil.Process]]) -> dict[str, float]:
    out = {}
    for name, tree in procs.items():
        total = 0.0
        for p in tree:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        out[name] = total
    return out


def rss(tree: list[psutil.Process]) -> int:
    total = 0
    for p in tree:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


# ---- the database: tables and sessions ---------------------------------------------------------------------
def prepare_tables(count: int) -> None:
    from sqlmodel import select

    from hiorder_app.domain.enums import Role
    from hiorder_app.domain.models import Account, DiningTable, Store
    from hiorder_app.services.db import session_scope
    from hiorder_app.services.seed import DEMO_STORE_CODE

    with session_scope() as s:
        store = s.exec(select(Store).where(Store.code == DEMO_STORE_CODE)).one()
        hashed = s.exec(select(Account.password_hash).where(Account.store_id == store.id,
                                                             Account.username == "table1")).one()
        have = set(s.exec(select(DiningTable.number).where(DiningTable.store_id == store.id)))
        for number in range(1, count + 1):
            if number in have:
                continue
            table = DiningTable(store_id=store.id, number=number, name=f"{number}번 테이블")
            s.add(table)
            s.flush()
            s.add(Account(store_id=store.id, username=f"table{number}", password_hash=hashed, role=Role.CUSTOMER,
                          table_id=table.id))


def presigned(numbers: list[int]) -> list[str]:
    """A session for each tablet, as sessions.sign_in writes it, without bcrypt."""
    from sqlmodel import select

    from hiorder_app.domain.models import Account, AuthSession
    from hiorder_app.domain.timeutil import utcnow
    from hiorder_app.services.auth.sessions import _token_hash
    from hiorder_app.services.db import session_scope
    from hiorder_app.services.ordering.table_sessions import lock_table, open_table_session

    tokens = []
    with session_scope() as s:
        accounts = {a.username: a for a in s.exec(select(Account).where(Account.username.like("table%")))}
        for number in numbers:
            account = accounts[f"table{number}"]
            token = secrets.token_urlsafe(32)
            s.add(AuthSession(token_hash=_token_hash(token), account_id=account.id,
                              expires_at=utcnow() + timedelta(hours=12)))
            open_table_session(s, lock_table(s, account.table_id))
            tokens.append(token)
    return tokens


def order_ids_by_payment(refs) -> dict[str, int]:
    from sqlmodel import select

    from hiorder_app.domain.models import Order
    from hiorder_app.services.db import session_scope

    with session_scope() as s:
        rows = s.exec(select(Order.id, Order.payment_ref).where(Order.payment_ref.in_(list(refs))))
        return {ref: oid for oid, ref in rows}


# ---- the board ---------------------------------------------------------------------------------------------
OBSERVE = """() => {
  window.__cards = window.__cards || {};
  const stamp = () => document.querySelectorAll('[role=article][aria-label]').forEach(card => {
    const m = /주문 #(\\d+)$/.exec(card.getAttribute('aria-label'));
    if (m && !(m[1] in window.__cards)) window.__cards[m[1]] = performance.timeOrigin + performance.now();
  });
  stamp();
  new MutationObserver(stamp).observe(document.body, {childList: true, subtree: true});
}"""


async def open_board(playwright, proxy: int):
    from playwright.async_api import expect

    from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE

    browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await page.goto(f"http://store.localhost:{proxy}/login")
    await page.get_by_label("매장 코드").fill(DEMO_STORE_CODE)
    await page.get_by_label("아이디").fill(DEMO_ADMIN[0])
    await page.get_by_label("비밀번호").fill(DEMO_ADMIN[1])
    await page.get_by_role("button", name="로그인").click()
    await expect(page).to_have_url(re.compile(r"/admin$"), timeout=60_000)
    await page.get_by_role("link", name="주문 현황").click()
    await page.get_by_text("실시간", exact=True).wait_for(timeout=60_000)
    await page.evaluate(OBSERVE)
    return browser, page


# ---- one point of the curve ------------------------------------------------------------------------------------
async def floors(cluster: Running, tablet_cls, record_cls, http, token: str) -> dict:
    from tablet_client import SESSION, changes

    client = aioredis.from_url(cluster.redis_url)
    pings = []
    for _ in range(200):
        started = time.monotonic()
        await client.ping()
        pings.append(time.monotonic() - started)
    await client.aclose()
    record = record_cls()
    probe = tablet_cls(1, cluster.proxy, record, http, token=token)
    await probe.load("/", "page load /")
    for _ in range(60):
        started = time.monotonic()
        await probe.send(f"{SESSION}.toggle_lang")
        await probe.until(lambda u: "lang" in changes(u, SESSION) or None, "toggle_lang")
        record.took("bare event", time.monotonic() - started)
    await probe.close()
    return {"redis": pings, "event": record.rtt["bare event"][10:]}


async def watch_locks(cluster: Running, expiring: set) -> None:
    """Every state lock seen with under 2 s of its 10 s left: held 8 s or more, most likely by nobody
    (Reflex logs an expired lock only when its holder tries to save)."""
    client = aioredis.from_url(cluster.redis_url)
    try:
        while True:
            async for key in client.scan_iter(match="*_lock", count=2000):
                ttl = await client.pttl(key)
                if 0 <= ttl < 2000 and (value := await client.get(key)):
                    expiring.add(value)
            await asyncio.sleep(1)
    finally:
        await client.aclose()


async def redis_per_tablet(cluster: Running, tablets) -> tuple[float, float]:
    client = aioredis.from_url(cluster.redis_url)
    sizes, keys = [], []
    for tablet in random.Random(0).sample(tablets, min(20, len(tablets))):
        found = [k async for k in client.scan_iter(match=f"{tablet.client_token}*", count=1000)]
        keys.append(len(found))
        sizes.append(sum([await client.memory_usage(k) or 0 for k in found]))
    await client.aclose()
    return statistics.mean(sizes), statistics.mean(keys)


async def redis_calls(cluster: Running) -> dict[str, int]:
    """Redis's count of each command since it started (server-wide: whatever else uses this Redis counts)."""
    client = aioredis.from_url(cluster.redis_url)
    stats = await client.info("commandstats")
    await client.aclose()
    return {k.removeprefix("cmdstat_"): v["calls"] for k, v in stats.items()}


async def run_point(n: int, args, cluster: Running, tokens: list[str], http, board) -> dict:
    from tablet_client import Record, Tablet, Timeout

    from hiorder_app.services.seed import DEMO_STORE_CODE, DEMO_TABLE_PASSWORD

    floor = await floors(cluster, Tablet, Record, http, tokens[0])
    ramp_record, record = Record(), Record()
    signing = min(args.sign_ins, n)
    tablets = [Tablet((i % MAX_TABLES) + 1, cluster.proxy, ramp_record, http, timeout=args.timeout,
                      token="" if i < signing else tokens[i], password=DEMO_TABLE_PASSWORD) for i in range(n)]
    procs = cluster.programs()
    ordering = procs.get("ordering-1", []) + procs.get("ordering-2", [])
    rss_before, ramp_started = rss(ordering), time.monotonic()
    gate = asyncio.Semaphore(args.ramp)

    async def connect(t):
        async with gate:
            try:
                await t.load("/", "page load /")
            except Exception as exc:
                ramp_record.error(f"ramp: {type(exc).__name__} {exc}"[:80])

    await asyncio.gather(*(connect(t) for t in tablets[signing:]))
    ramp_seconds = time.monotonic() - ramp_started
    rss_after = rss(ordering)
    redis_bytes, redis_keys = await redis_per_tablet(cluster, tablets[signing:])
    for t in tablets:
        t.record = record
    offsets, cpu_before, redis_before = cluster.log_size(), cpu_seconds(procs), await redis_calls(cluster)
    started = time.monotonic()
    end = started + args.duration

    async def diner(t: Tablet, rng: random.Random, first_order: float):
        next_order = started + first_order
        if not t.token:
            await asyncio.sleep(2)
            try:
                await t.sign_in(DEMO_STORE_CODE, f"table{t.number}")
            except Exception as exc:
                record.error(f"sign-in: {type(exc).__name__}")
                return
        while time.monotonic() < end:
            await asyncio.sleep(min(rng.expovariate(1 / args.think), max(0.0, end - time.monotonic())))
            if time.monotonic() >= end:
                break
            try:
                if time.monotonic() >= next_order:
                    next_order = time.monotonic() + rng.expovariate(1 / args.order_every)
                    await t.order_and_pay(rng)
                else:
                    await t.browse(rng)
            except Timeout as exc:
                record.error(f"timeout: {exc}")
                with contextlib.suppress(Exception):
                    await t.load("/", "page load / (after a timeout)")
            except Exception as exc:
                record.error(f"{type(exc).__name__}: {exc}"[:80])
                with contextlib.suppress(Exception):
                    await t.load("/", "page load / (after an error)")

    rngs = [random.Random(args.seed * 100_003 + i) for i in range(n)]
    watcher = asyncio.create_task(watch_locks(cluster, expiring := set()))
    diners = (diner(t, r, r.uniform(0, args.order_every)) for t, r in zip(tablets, rngs, strict=True))
    await asyncio.wait_for(asyncio.gather(*diners), args.duration + 4 * args.timeout + 60)
    elapsed = time.monotonic() - started
    watcher.cancel()
    cpu_after, redis_after = cpu_seconds(procs), await redis_calls(cluster)
    logs = cluster.log_since(offsets)
    flat = unwrap(logs)
    await asyncio.sleep(3)  # the board's last cards
    board_ms = []
    if board is not None and record.paid_clicks:
        cards = await board.evaluate("() => window.__cards")
        ids = order_ids_by_payment(record.paid_clicks)
        board_ms = [(cards[str(oid)] / 1000 - record.paid_clicks[ref]) for ref, oid in ids.items() if str(oid) in cards]
        missing = len(ids) - len(board_ms)
        if missing:
            record.error(f"card not on the board ({missing})")
    await asyncio.gather(*(t.close() for t in tablets))
    return {"n": n, "floor": floor, "rtt": record.rtt, "ramp_rtt": ramp_record.rtt, "errors": record.errors,
            "ramp_errors": ramp_record.errors, "ramp_s": ramp_seconds, "orders": record.orders, "busy": record.busy,
            "elapsed": elapsed, "board": board_ms, "rss_per_tablet": (rss_after - rss_before) / max(1, n - signing),
            "rss_after": rss_after, "redis_per_tablet": redis_bytes, "redis_keys": redis_keys,
            "cpu": {k: cpu_after[k] - cpu_before.get(k, 0) for k in cpu_after},
            "redis_calls": {k: v - redis_before.get(k, 0) for k, v in redis_after.items()
                            if v > redis_before.get(k, 0)},
            "lag_ms": max((int(m) for m in LAG.findall(logs)), default=0), "lag_warnings": len(LAG.findall(logs)),
            "expired": Counter(m or "?" for m in EXPIRED.findall(flat)),
            "held": Counter(e or "?" for _, e in HELD.findall(flat)), "expiring": expiring}


def report(r: dict) -> None:
    n, f = r["n"], r["floor"]
    print(f"\n=== {n} tablets: {r['elapsed']:.0f} s measured (ramp {r['ramp_s']:.0f} s) ===")
    print(f"floors (idle, same run) p50 / p99 / max ms: Redis PING {ms(f['redis'])}; "
          f"bare Reflex event {ms(f['event'])}")
    print("event round trip, p50 / p99 / max ms (count):")
    every = []
    for kind, values in sorted(r["rtt"].items()):
        every += values
        print(f"  {kind:42s} {ms(values)}  ({len(values)})")
    print(f"  {'every event':42s} {ms(every)}  ({len(every)})")
    for kind, values in sorted(r["ramp_rtt"].items()):
        print(f"  ramp: {kind:36s} {ms(values)}  ({len(values)})")
    print(f"orders paid: {r['orders']} ({r['orders'] / r['elapsed']:.2f}/s), busy pages: {r['busy']}")
    if r["board"]:
        print(f"board, Pay click -> card in Chromium: {ms(r['board'])} ms ({len(r['board'])} cards)")
    print(f"errors: {dict(r['errors']) or 0}; during the ramp: {dict(r['ramp_errors']) or 0}")
    print(f"ordering backends' RSS: {r['rss_after'] / 2**20:.0f} MB, {r['rss_per_tablet'] / 1024:.0f} KB per tablet; "
          f"Redis per tablet: {r['redis_per_tablet'] / 1024:.1f} KB in {r['redis_keys']:.1f} keys")
    print(f"event loop worst lag: {r['lag_ms']} ms ({r['lag_warnings']} warnings above 100 ms)")
    print(f"state locks held > 8 s (Redis, polled each second): {len(r['expiring'])}; Reflex's log: expired "
          f"{sum(r['expired'].values())} {dict(r['expired'])}; "
          f"locks held too long: {sum(r['held'].values())} {dict(r['held'])}")
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["cpu"].items(), key=lambda kv: -kv[1]) if v >= 0.05)
    events = sum(len(v) for v in r["rtt"].values())
    calls = sorted(r["redis_calls"].items(), key=lambda kv: -kv[1])
    total = sum(v for _, v in calls)
    print(f"Redis commands over the window: {total}, {total / max(1, events):.1f} per timed event ({events}): "
          + ", ".join(f"{k} {v}" for k, v in calls[:8]))
    print(f"CPU seconds over the window ({r['elapsed']:.0f} s, 2 cores = {2 * r['elapsed']:.0f}): {cpu}")


def curve(results: list[dict]) -> None:
    print("\n| tablets | browse p50 / p99 | navigation p99 | payment return p99 | every event p99 | orders/s "
          "| errors | locks held > 8 s | worst loop lag | Redis / tablet | RSS / tablet |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        rtt = r["rtt"]
        browse = [v for k in ("select_category", "open_detail", "close_detail", "add") for v in rtt.get(k, [])]
        nav = [v for k, vs in rtt.items() if k.startswith("navigation") for v in vs]
        back = rtt.get("payment return (page load to confirmed)", [])
        every = [v for vs in rtt.values() for v in vs]
        print(f"| {r['n']} | {pct(browse, 50) * 1000:.0f} / {pct(browse, 99) * 1000:.0f} ms "
              f"| {pct(nav, 99) * 1000:.0f} ms | {pct(back, 99) * 1000:.0f} ms | {pct(every, 99) * 1000:.0f} ms "
              f"| {r['orders'] / r['elapsed']:.2f} "
              f"| {sum(r['errors'].values())} | {len(r['expiring'])} | {r['lag_ms']} ms "
              f"| {r['redis_per_tablet'] / 1024:.1f} KB | {r['rss_per_tablet'] / 1024:.0f} KB |")


async def main_async(args) -> None:
    points = [int(x) for x in args.tablets.split(",")]
    cluster = Running(args)
    redis_admin = aioredis.from_url(cluster.redis_url)
    await redis_admin.flushdb()
    print(f"starting the cluster (work folder {cluster.workdir}) ...", flush=True)
    results: list[dict] = []
    try:
        await asyncio.to_thread(cluster.start)
        tables = min(max(points), MAX_TABLES)
        await asyncio.to_thread(prepare_tables, tables)
        tokens = await asyncio.to_thread(presigned, [(i % MAX_TABLES) + 1 for i in range(max(points))])
        async with httpx.AsyncClient(timeout=args.timeout) as http, contextlib.AsyncExitStack() as stack:
            board = None
            if not args.no_board:
                from playwright.async_api import async_playwright

                playwright = await stack.enter_async_context(async_playwright())
                browser, board = await open_board(playwright, cluster.proxy)
                stack.push_async_callback(browser.close)
            for n in points:
                results.append(await run_point(n, args, cluster, tokens, http, board))
                report(results[-1])
                sys.stdout.flush()
    finally:
        if results:  # what was measured, also when a later point failed or the run was stopped
            curve(results)
        await asyncio.to_thread(cluster.stop)
        await redis_admin.flushdb()
        await redis_admin.aclose()
        print(f"cluster stopped; its logs are in {cluster.workdir / 'logs'}")


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = DATABASE_URL  # this process's own service calls (tables, sessions)
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
