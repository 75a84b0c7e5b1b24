"""Board latency: how long after a payment is confirmed its card shows on an admin board in Chromium.

    .venv/bin/python bench/board_latency.py [--tablets 100] [--idle-orders 20] [--jitter 0.5] [--trace]

What runs (all on this machine; bench/board_stack.py has the plumbing and stops it all at the end, on
Ctrl-C and on SIGTERM too):
  * PostgreSQL: the database named by --database-url is DROPPED, recreated and set up with
    `python -m hiorder_app setup` (migrations + the demo store); tables 11..N are added. It is kept.
  * the sandbox payment provider as its own process (`python -m hiorder_app sandbox-pay`);
  * the app as production runs it: `reflex run --env prod --single-port` (frontend and backend on one
    port) with REDIS_URL set, so Reflex keeps client state in Redis and runs GRANIAN_WORKERS=--workers
    backend processes; PAYMENT_API_BASE points at the sandbox. It is built and run from a copy of the
    app's sources in --workdir, so this checkout's .web (dev server, UI tests) is left alone;
  * headless Chromium (Playwright) signed in as the demo admin on /admin/board, showing "실시간".

Tablets are simulated through the SERVICE layer, against the same database and Redis (so the
post-commit publish goes to `hiorder:store:<id>` exactly as from a backend worker): each signs in as its
table account, `payments.start_checkout`, pays on the provider's hosted checkout page with httpx in this
process (its own browser: GET the page, POST its "Pay" form; the 303 carries paymentKey/orderId/amount),
then `payments.confirm`. The two service calls run as the app runs them (bench/tablet_server.py): in
--workers child processes with --server-threads threads each (asyncio.to_thread's default pool), a
tablet always on the same one. time.time() is taken in the child right after confirm returns, and, by an
after_commit listener, when the COMMIT of the PAID transaction returned (confirm returns only after the
publish and an outbox UPDATE).

On the page, a MutationObserver (page.evaluate) stamps `performance.timeOrigin + performance.now()` the
first time each card (role=article, aria-label "<N>번 테이블 주문 #<id>") is in the DOM, so the browser
stamps the arrival itself, without polling. Both clocks are epoch-based on one machine; their offset is
measured (min-RTT page.evaluate round trip, typically < 1 ms) and taken out.
Latency = browser arrival - confirm return (and - PAID commit).

Scenarios:
  * idle: --idle-orders orders one after another, each waiting for its card, then a 0.3 s pause;
  * load: all --tablets tablets order at once (a barrier, then a uniform 0..--jitter s delay each);
  * full board: --full-board-orders sequential orders again, now with all the cards on the board (what
    one update costs on a full board, with nothing else going on).
Then the board must show every card of every scenario exactly once (counted in the DOM).

Beside them, in the same run:
  * the floor: a redis-py publisher and subscriber in this process, the payload of a real OrderPaid
    message, --floor-samples sequential publish -> receive times;
  * a probe subscribed to the store's channel here, so "out of Redis -> card" is the app's own share;
  * CPU seconds per process group during each scenario, and the board page's long tasks (> 50 ms);
  * with --trace, stamps inside the app process serving the board (hub, queue, state lock/load, apply,
    delta, emit, save), from a sitecustomize hook that wraps methods; the app's sources are unchanged.
Percentiles are nearest-rank. --app-source runs another checkout's app (e.g. a worktree with a change, or
an older commit: `git archive <commit> | tar -x -C DIR`) with its own --workdir; the database is set up by
this checkout either way, since its services drive the tablets.
"""

import argparse
import json
import math
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import board_stack as stack  # noqa: E402
from tablet_server import Busy, TabletServer, default_threads  # noqa: E402

from hiorder_app.domain.models import MenuItem  # noqa: E402
from hiorder_app.services.auth import accounts  # noqa: E402
from hiorder_app.services.auth import sessions as auth  # noqa: E402
from hiorder_app.services.db import session_scope  # noqa: E402
from hiorder_app.services.events.bus import channel  # noqa: E402
from hiorder_app.services.payments.gateway import reset_gateway  # noqa: E402
from hiorder_app.services.principal import Principal  # noqa: E402
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD, DEMO_TABLES  # noqa: E402
from hiorder_app.settings import get_settings  # noqa: E402

TARGETS = {"idle": {"p50": 40.0}, "load": {"p50": 100.0, "p99": 300.0}}
# What each order holds: a main and a drink, both without a stock limit in the demo menu.
ORDER_ITEMS = [("Bibimbap", 1), ("Cola", 1)]

# Stamps each card the first time it is in the DOM: inserted, or an existing element relabelled
# (React may reuse a grid slot when a card is sorted in before others).
OBSERVER_JS = """() => {
  const seen = window.__arrivals = {};
  const scan = () => {
    const t = performance.timeOrigin + performance.now();
    for (const el of document.querySelectorAll('[role="article"][aria-label]')) {
      const label = el.getAttribute('aria-label');
      if (!(label in seen)) { seen[label] = t; performance.mark('card ' + label); }
    }
  };
  scan();
  // The page's main thread: tasks over 50 ms (React renders, mostly) are what keeps a card from showing.
  window.__longtasks = {count: 0, total: 0, max: 0};
  new PerformanceObserver(list => {
    const l = window.__longtasks;
    for (const e of list.getEntries()) { l.count++; l.total += e.duration; l.max = Math.max(l.max, e.duration); }
  }).observe({type: 'longtask'});
  window.__observer = new MutationObserver(scan);
  window.__observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                             attributeFilter: ['aria-label']});
  return Object.keys(seen).length;
}"""

LONGTASKS_RESET_JS = "() => { window.__longtasks = {count: 0, total: 0, max: 0}; }"
CARD_LABELS_JS = """() => [...document.querySelectorAll('[role="article"][aria-label]')]
  .map(el => el.getAttribute('aria-label'))"""


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tablets", type=int, default=100, help="tablets ordering at once in the load scenario (100)")
    p.add_argument("--idle-orders", type=int, default=20, help="sequential orders in the idle scenario (20)")
    p.add_argument("--full-board-orders", type=int, default=10,
                   help="after the load: sequential orders again, now with every card on the board (10)")
    p.add_argument("--jitter", type=float, default=0.5, help="load: each tablet starts within 0..JITTER s (0.5)")
    p.add_argument("--workers", type=int, default=2, help="backend worker processes, GRANIAN_WORKERS (2)")
    p.add_argument("--floor-samples", type=int, default=2000, help="Redis publish->receive samples (2000)")
    p.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/hiorder_bench_board",
                   help="PostgreSQL database to DROP, recreate and use")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/9",
                   help="Redis for Reflex state and the event channel (note: pub/sub ignores the db number)")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/hiorder-bench-board"),
                   help="where the app copy is built and run, and the logs go (kept between runs)")
    p.add_argument("--server-threads", type=int, default=default_threads(),
                   help="threads per process running the tablets' service calls (default: min(32, CPUs + 4), "
                        "asyncio.to_thread's pool in each backend worker); there are --workers such processes")
    p.add_argument("--trace", action="store_true",
                   help="stamp each board event's stages inside the app processes and print where time goes")
    p.add_argument("--browser-profile", type=Path, default=None,
                   help="record a Chromium performance trace of the full-board scenario to this file and "
                        "print what the board page's main thread did for each card")
    p.add_argument("--app-source", type=Path, default=stack.REPO,
                   help="the checkout whose app is run (default: this one; e.g. a git worktree with a change)")
    p.add_argument("--port", type=int, default=0, help="the app's one port (default: a free one)")
    p.add_argument("--build-timeout", type=float, default=900, help="seconds for the prod build and start (900)")
    return p.parse_args()


# --- numbers --------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


@dataclass
class Stats:
    name: str
    values: list[float]

    @property
    def n(self) -> int:
        return len(self.values)

    def row(self) -> tuple:
        v = self.values
        return (self.name, self.n, pct(v, 50), pct(v, 99), max(v) if v else float("nan"))


# --- the tablets ----------------------------------------------------------------------------------


@dataclass
class Tablet:
    principal: Principal
    http: httpx.Client  # its "browser" for the provider's hosted checkout page


@dataclass
class Paid:
    label: str
    order_id: int
    confirmed_at: float  # time.time() right after payments.confirm returned
    place_ms: float  # start_checkout (the order placed, stock held)
    checkout_ms: float  # the hosted checkout page: GET and POST
    confirm_ms: float  # payments.confirm: DB, provider confirm, PAID commit and its publish
    busy_retries: int = 0


# order id -> time.time() when its PAID transaction's COMMIT returned (stamped in the server process).
PAID_COMMITTED: dict[int, float] = {}


def card_label(table_number: int, order_id: int) -> str:
    return f"{table_number}번 테이블 주문 #{order_id}"


def pay_one(tablet: Tablet, lines: list[tuple[int, int]], app_url: str, server: TabletServer) -> Paid:
    """One diner's order: place it, pay on the checkout page, confirm. The two service calls run on
    `server` as the backend would run them; the checkout page is the diner's own browser. OrderingBusy
    is retried after the hint it carries, as the tablet's /busy page does."""
    retries, number = 0, tablet.principal.table_number
    while True:
        t0 = time.perf_counter()
        try:
            start, _ = server.submit(number, "start_checkout", tablet.principal, lines, f"{app_url}/pay/success",
                                     f"{app_url}/pay/fail").result()
            break
        except Busy as exc:
            retries += 1
            time.sleep(exc.retry_after)
    t1 = time.perf_counter()
    back = stack.pay_at_checkout(tablet.http, start.checkout_url)
    t2 = time.perf_counter()
    outcome, stamps = server.submit(number, "confirm", tablet.principal, back["paymentKey"], back["orderId"],
                                    back["amount"]).result()
    t3 = time.perf_counter()
    confirmed_at = stamps["confirmed"]
    if stamps["committed"] is not None:
        PAID_COMMITTED[outcome.order_id] = stamps["committed"]
    if outcome.status != "PAID":
        raise RuntimeError(f"order {start.order_id} is {outcome.status} after confirm")
    return Paid(card_label(tablet.principal.table_number, start.order_id), start.order_id, confirmed_at,
                (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, retries)


def build_tablets(n: int) -> tuple[int, list[Tablet], list[tuple[int, int]]]:
    store_id = accounts.store_id_by_code(DEMO_STORE_CODE)
    for number in range(DEMO_TABLES + 1, n + 1):
        accounts.create_table_account(store_id, number, DEMO_TABLE_PASSWORD)
    tablets = [Tablet(auth.sign_in(DEMO_STORE_CODE, f"table{number}", DEMO_TABLE_PASSWORD, "bench")[1],
                      httpx.Client(timeout=10)) for number in range(1, n + 1)]
    with session_scope() as s:
        ids = {name: item_id for item_id, name in s.exec(
            select(MenuItem.id, MenuItem.name_en).where(MenuItem.store_id == store_id)).all()}
    return store_id, tablets, [(ids[name], qty) for name, qty in ORDER_ITEMS]


# --- Redis: the probe on the store's channel, and the floor ---------------------------------------


class Probe:
    """Subscribed to the store's channel in this process: when each OrderPaid left Redis."""

    def __init__(self, url: str, store_id: int):
        self._pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(channel(store_id))
        self.paid_at: dict[int, float] = {}
        self.payload: bytes = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="probe", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            msg = self._pubsub.get_message(timeout=0.2)
            if msg is None:
                continue
            at = time.time()
            event = json.loads(msg["data"])
            if event.get("type") == "OrderPaid":
                self.paid_at.setdefault(event["payload"]["order_id"], at)
                self.payload = msg["data"]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._pubsub.close()


def redis_floor(url: str, payload: bytes, samples: int) -> list[float]:
    """publish -> receive in ms, one message at a time, publisher and subscriber in this process."""
    name = "hiorder:bench:floor"  # outside the app's hiorder:store:* pattern
    client = redis.Redis.from_url(url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(name)
    while pubsub.get_message(timeout=0.1) is not None:  # drain the subscribe confirmation
        pass
    got = threading.Event()
    received: list[float] = []
    done = threading.Event()

    def listen() -> None:
        while not done.is_set():
            if pubsub.get_message(timeout=0.2) is not None:
                received.append(time.perf_counter())
                got.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    out = []
    try:
        for _ in range(samples):
            got.clear()
            sent = time.perf_counter()
            client.publish(name, payload)
            if not got.wait(2):
                raise RuntimeError("floor: a message did not come back")
            out.append((received[-1] - sent) * 1000)
    finally:
        done.set()
        listener.join(2)
        pubsub.close()
        client.close()
    return out


# --- the board in Chromium ------------------------------------------------------------------------


def open_board(browser, app_url: str):
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/login")
    page.get_by_label("매장 코드").fill(DEMO_STORE_CODE)
    page.get_by_label("아이디").fill(DEMO_ADMIN[0])
    page.get_by_label("비밀번호").fill(DEMO_ADMIN[1])
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(re.compile(r"/admin/?$"))
    page.goto(f"{app_url}/admin/board")
    page.get_by_text("실시간", exact=True).wait_for()
    page.evaluate(OBSERVER_JS)
    return page


def clock_offset_ms(page, rounds: int = 30) -> tuple[float, float]:
    """(browser epoch ms - python epoch ms, uncertainty ms), from the round trip with the smallest RTT."""
    best = None
    for _ in range(rounds):
        t0 = time.time()
        b = page.evaluate("() => performance.timeOrigin + performance.now()")
        t1 = time.time()
        if best is None or t1 - t0 < best[0]:
            best = (t1 - t0, b - (t0 + t1) / 2 * 1000)
    return best[1], best[0] * 1000 / 2


def wait_for_cards(page, labels: list[str], timeout_ms: float) -> bool:
    try:
        page.wait_for_function("labels => labels.every(l => l in window.__arrivals)", arg=labels,
                               timeout=timeout_ms)
        return True
    except PlaywrightTimeout:  # reported as missing cards
        return False


@dataclass
class Scenario:
    name: str
    paid: list[Paid] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    offset_ms: float = 0.0
    offset_err_ms: float = 0.0
    wall_s: float = 0.0
    latency: list[float] = field(default_factory=list)  # confirm return -> card in DOM
    from_commit: list[float] = field(default_factory=list)  # PAID commit -> card in DOM
    app_share: list[float] = field(default_factory=list)  # OrderPaid out of Redis (probe) -> card in DOM
    after_publish: list[float] = field(default_factory=list)  # probe -> confirm return (work after publish)
    missing: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    longtasks: dict[str, float] = field(default_factory=dict)  # the page's main thread, tasks > 50 ms
    arrivals: dict[int, float] = field(default_factory=dict)  # order id -> card in DOM, python epoch s

    def trace_rows(self, traces: dict[int, dict]) -> list[dict]:
        """This scenario's trace records, with the commit (this process) and the DOM arrival added."""
        return [traces[p.order_id] | {"commit": PAID_COMMITTED.get(p.order_id), "dom": self.arrivals[p.order_id]}
                for p in self.paid if p.order_id in traces and p.order_id in self.arrivals]

    def settle(self, page, probe: Probe) -> None:
        ok = wait_for_cards(page, [p.label for p in self.paid], 20_000)
        arrivals = page.evaluate("() => window.__arrivals")
        self.longtasks = page.evaluate("() => window.__longtasks")
        for p in self.paid:
            at = arrivals.get(p.label)
            if at is None:
                self.missing.append(p.label)
                continue
            at = (at - self.offset_ms) / 1000
            self.arrivals[p.order_id] = at
            self.latency.append((at - p.confirmed_at) * 1000)
            if p.order_id in PAID_COMMITTED:
                self.from_commit.append((at - PAID_COMMITTED[p.order_id]) * 1000)
            if p.order_id in probe.paid_at:
                self.app_share.append((at - probe.paid_at[p.order_id]) * 1000)
                self.after_publish.append((p.confirmed_at - probe.paid_at[p.order_id]) * 1000)
        if not ok and not self.missing:
            self.failures.append("timed out waiting for cards")


def run_idle(page, tablets: list[Tablet], lines, app_url: str, orders: int, probe: Probe,
             server: TabletServer, name: str = "idle") -> Scenario:
    sc = Scenario(name)
    sc.offset_ms, sc.offset_err_ms = clock_offset_ms(page)
    page.evaluate(LONGTASKS_RESET_JS)
    start = time.perf_counter()
    for i in range(orders):
        paid = pay_one(tablets[i % len(tablets)], lines, app_url, server)
        sc.paid.append(paid)
        if not wait_for_cards(page, [paid.label], 10_000):
            sc.failures.append(f"{paid.label}: no card within 10 s")
        time.sleep(0.3)  # let everything go quiet before the next one
    sc.wall_s = time.perf_counter() - start
    sc.settle(page, probe)
    return sc


def run_load(page, tablets: list[Tablet], lines, app_url: str, jitter: float, probe: Probe,
             server: TabletServer) -> Scenario:
    sc = Scenario("load")
    sc.offset_ms, sc.offset_err_ms = clock_offset_ms(page)
    page.evaluate(LONGTASKS_RESET_JS)
    barrier = threading.Barrier(len(tablets) + 1)
    rng = random.Random(42)
    delays = [rng.uniform(0, jitter) for _ in tablets]

    def diner(i: int) -> Paid:
        barrier.wait()
        time.sleep(delays[i])
        return pay_one(tablets[i], lines, app_url, server)

    with ThreadPoolExecutor(max_workers=len(tablets)) as pool:
        futures = [pool.submit(diner, i) for i in range(len(tablets))]
        try:
            barrier.wait()
            start = time.perf_counter()
            for f in futures:
                try:
                    sc.paid.append(f.result())
                except Exception as exc:  # reported, and the board check below shows what is missing
                    sc.failures.append(f"{type(exc).__name__}: {exc}")
        except BaseException:  # Ctrl-C: release diners still at the barrier, drop those not started
            barrier.abort()
            for f in futures:
                f.cancel()
            raise
        sc.wall_s = time.perf_counter() - start
    sc.settle(page, probe)
    return sc


def board_check(page, scenarios: list[Scenario]) -> dict:
    page.wait_for_timeout(1000)  # anything late or doubled would show by now
    counts = Counter(page.evaluate(CARD_LABELS_JS))
    expected = {p.label for sc in scenarios for p in sc.paid}
    return {"expected": len(expected), "cards": sum(counts.values()),
            "lost": sorted(expected - set(counts)), "twice": sorted(k for k, n in counts.items() if n > 1),
            "extra": sorted(set(counts) - expected)}


# --- report ---------------------------------------------------------------------------------------


def verdict(value: float, limit: float) -> str:
    return f"{'met' if value <= limit else 'MISSED'} (<= {limit:.0f})"


def targets(name: str, values: list[float]) -> str:
    return ", ".join(f"{k} {verdict(pct(values, float(k[1:])), limit)}"
                     for k, limit in TARGETS.get(name, {}).items())


def print_table(rows: list[tuple[Stats, str]]) -> None:
    print("| measure | n | p50 ms | p99 ms | max ms | target |")
    print("|---|---:|---:|---:|---:|---|")
    for stats, target in rows:
        name, n, p50, p99, mx = stats.row()
        print(f"| {name} | {n} | {p50:.1f} | {p99:.1f} | {mx:.1f} | {target} |")


def report(scenarios: list[Scenario], floor: list[float], payload_bytes: int, check: dict, args) -> None:
    print("\n## Board latency: payment confirmed -> card on the admin board (Chromium)\n")
    print(f"reflex prod (granian, {args.workers} workers, state in Redis), PostgreSQL, sandbox provider; "
          f"{args.tablets} tablets, load jitter 0..{args.jitter:.2f} s; {os.cpu_count()} CPUs; "
          f"OrderPaid message {payload_bytes} B\n")
    rows = []
    for sc in scenarios:
        rows += [(Stats(f"{sc.name}: confirm returned -> card", sc.latency), targets(sc.name, sc.latency)),
                 (Stats(f"{sc.name}: PAID commit -> card", sc.from_commit), targets(sc.name, sc.from_commit))]
    rows += [(Stats(f"{sc.name}: out of Redis -> card (app's share)", sc.app_share), "") for sc in scenarios]
    print_table([*rows, (Stats("floor: Redis publish -> receive, redis-py", floor), "")])
    ok = not (check["lost"] or check["twice"] or check["extra"])
    print(f"\nBoard: {check['cards']} cards for {check['expected']} paid orders: {len(check['lost'])} lost, "
          f"{len(check['twice'])} twice, {len(check['extra'])} unexpected -> {'ok' if ok else 'NOT OK'}")
    for key in ("lost", "twice", "extra"):
        if check[key]:
            print(f"  {key}: {check[key][:10]}{' ...' if len(check[key]) > 10 else ''}")

    print(f"\nTablet side (service calls in {args.workers} processes x {args.server_threads} threads), ms:")
    print(f"{'':11}{'orders':>7}{'wall s':>8}{'place p50':>10}{'pay page p50':>13}{'confirm p50':>12}"
          f"{'confirm p99':>12}{'after publish p50':>18}{'busy retries':>13}{'clock offset':>16}")
    for sc in scenarios:
        p = sc.paid
        print(f"{sc.name:11}{len(p):7}{sc.wall_s:8.1f}{pct([x.place_ms for x in p], 50):10.1f}"
              f"{pct([x.checkout_ms for x in p], 50):13.1f}{pct([x.confirm_ms for x in p], 50):12.1f}"
              f"{pct([x.confirm_ms for x in p], 99):12.1f}{pct(sc.after_publish, 50):18.1f}"
              f"{sum(x.busy_retries for x in p):13}{sc.offset_ms:+11.2f}±{sc.offset_err_ms:.2f}")
        for failure in sc.failures[:5]:
            print(f"  {sc.name} failure: {failure}")
    print("'after publish': confirm returns this long after its OrderPaid left Redis (the post-commit publish and"
          " the outbox 'published' UPDATE run inside confirm), so 'confirm returned -> card' understates the"
          " wait; 'PAID commit -> card' starts when the COMMIT of the PAID transaction returned.")

    print("\nCPU seconds used during each scenario (machine: every process, other users of the machine included;"
          " capacity: wall time x CPUs):\n")
    names = ["bench", "tablet calls", "app", "chromium renderer", "chromium gpu", "chromium other", "postgres", "redis",
             "sandbox",
             "other", "machine", "capacity"]
    print("| scenario | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for sc in scenarios:
        print(f"| {sc.name} | " + " | ".join(f"{sc.cpu.get(n, 0.0):.1f}" for n in names) + " |")
    for sc in scenarios:
        lt = sc.longtasks
        print(f"{sc.name}: the board page's main thread had {lt.get('count', 0)} long tasks (> 50 ms), "
              f"{lt.get('total', 0) / 1000:.1f} s in all, the longest {lt.get('max', 0):.0f} ms")


STAGES = [  # (label, from, to): the board's processing of one OrderPaid, from the trace records
    ("commit -> hub (Redis, worker's subscriber)", "commit", "deliver"),
    ("hub -> follow loop takes it (queue wait)", "deliver", "dequeue"),
    ("async with self: lock + load state (Redis)", "dequeue", "locked"),
    ("_apply (fold event into orders)", "locked", "applied"),
    ("delta: computed vars (cards) + serialise", "applied", "emit_start"),
    ("emit (socket.io)", "emit_start", "emit_end"),
    ("emit -> card in DOM (ws, JS, React)", "emit_end", "dom"),
    ("save state to Redis (after emit)", "emit_end", "saved"),
]


def report_trace(scenarios: list[Scenario], traces: dict[int, dict]) -> None:
    print("\n### Where the time goes (--trace: stamps inside the app process serving the board), ms\n")
    print("| stage | " + " | ".join(f"{sc.name} p50 | {sc.name} p99" for sc in scenarios) + " |")
    print("|---|" + "---:|" * (2 * len(scenarios)))
    for label, a, b in STAGES:
        cells = []
        for sc in scenarios:
            values = [(r[b] - r[a]) * 1000 for r in sc.trace_rows(traces) if r.get(a) and r.get(b)]
            cells += [f"{pct(values, 50):.1f}", f"{pct(values, 99):.1f}"]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for sc in scenarios:
        rows = sc.trace_rows(traces)
        sizes = [r["delta_bytes"] for r in rows if "delta_bytes" in r]
        backlog = [r.get("backlog", 0) for r in rows]
        print(f"{sc.name}: {len(rows)} traced; queue backlog max {max(backlog, default=0)}; "
              f"delta per event {min(sizes, default=0)}..{max(sizes, default=0)} B (sampled)")


def report_browser_profile(path: Path, labels: list[str]) -> None:
    """What the page's main thread (CrRendererMain) did for each card of the traced scenario: the task
    that put the card in the DOM (its MutationObserver mark falls inside it: React's render and commit),
    and all main-thread task time in the 100 ms before it (the socket message, JSON, React)."""
    trace = json.loads(path.read_text())
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    main = {(e["pid"], e["tid"]) for e in events
            if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    tasks = sorted((e for e in events if (e.get("pid"), e.get("tid")) in main and e.get("ph") == "X"
                    and e.get("name") in ("ThreadControllerImpl::RunTask", "RunTask")), key=lambda e: e["ts"])
    inner = [e for e in events if (e.get("pid"), e.get("tid")) in main and e.get("ph") == "X"
             and e.get("name") not in ("ThreadControllerImpl::RunTask", "RunTask")]
    marks = {e["name"][5:]: e["ts"] for e in events if e.get("cat", "").startswith("blink.user_timing")
             and e.get("name", "").startswith("card ")}
    rows = []
    for label in labels:
        at = marks.get(label)
        if at is None:
            continue
        own = next((t for t in tasks if t["ts"] <= at <= t["ts"] + t.get("dur", 0)), None)
        before = sum(min(t["ts"] + t.get("dur", 0), at) - max(t["ts"], at - 100_000) for t in tasks
                     if t["ts"] < at and t["ts"] + t.get("dur", 0) > at - 100_000)
        parts = Counter()
        if own is not None:
            for e in inner:
                if own["ts"] <= e["ts"] < own["ts"] + own["dur"] and e["name"] in (
                        "FunctionCall", "EventDispatch", "TimerFire", "RunMicrotasks", "UpdateLayoutTree",
                        "Layout", "Paint", "ParseHTML", "v8.compile", "MajorGC", "MinorGC"):
                    parts[e["name"]] += e.get("dur", 0)
        rows.append((own.get("dur", 0) / 1000 if own else float("nan"), before / 1000, parts))
    if not rows:
        print("\nbrowser profile: no card marks found in the trace")
        return
    own_ms, before_ms = [r[0] for r in rows], [r[1] for r in rows]
    print(f"\n### Board page main thread per card (Chromium trace, {len(rows)} cards; {path})\n")
    print(f"task that inserted the card: p50 {pct(own_ms, 50):.1f} ms, max {max(own_ms):.1f} ms; main-thread task "
          f"time in the 100 ms before it: p50 {pct(before_ms, 50):.1f} ms, max {max(before_ms):.1f} ms")
    total = sum((r[2] for r in rows), Counter())
    print("inside that task, summed over the cards (ms; nested events overlap): "
          + ", ".join(f"{k} {v / 1000:.1f}" for k, v in total.most_common()))


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    url = sa.make_url(args.database_url)
    if not url.drivername.startswith("postgresql"):
        sys.exit("this benchmark needs PostgreSQL")
    stack.install_stop_on_sigterm()
    workdir: Path = args.workdir
    logdir = workdir / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    for old in logdir.glob("trace-*.jsonl"):
        old.unlink()
    port, sandbox_port = args.port or stack.free_port(), stack.free_port()
    app_url, sandbox_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    common = {"DATABASE_URL": url.render_as_string(hide_password=False), "REDIS_URL": args.redis_url,
              "PAYMENT_API_BASE": sandbox_url, "SANDBOX_PAY_MOUNTED": "false",
              # Cheap password hashes for the bench's own accounts only; sign-in is not measured.
              "BCRYPT_ROUNDS": "4"}
    os.environ.update(common)
    get_settings.cache_clear()
    reset_gateway()

    procs = stack.Processes(logdir)
    meter = stack.CpuMeter(procs)
    server = None
    browser = playwright = probe = None
    tablets: list[Tablet] = []
    try:
        print(f"app from {args.app_source}, built and run in {workdir}; logs in {logdir}")
        stack.copy_app(args.app_source, workdir)
        print(f"database {url.database}: recreating; python -m hiorder_app setup")
        stack.recreate_database(url)
        # Set up by this checkout, whose services drive the tablets: an older --app-source runs against
        # this schema (migrations are expand-only, so an older app still finds every column it reads).
        setup = procs.start("setup", [stack.PYTHON, "-m", "hiorder_app", "setup"], common, stack.REPO)
        if setup.wait() != 0:
            raise RuntimeError(f"setup failed:\n{stack.tail(logdir / 'setup.log')}")
        procs.children.clear()
        store_id, tablets, lines = build_tablets(max(args.tablets, 1))
        server = TabletServer(args.workers, args.server_threads)
        meter.named.update({pid: "tablet calls" for pid in server.pids})
        print(f"store {store_id}: {len(tablets)} tablets signed in")

        procs.start("sandbox", [stack.PYTHON, "-m", "hiorder_app", "sandbox-pay", "--port", str(sandbox_port),
                                "--log-level", "warning"], common, workdir)
        stack.wait_http(f"{sandbox_url}/sandbox/faults", procs, 30, ok=lambda r: r.status_code < 500)
        # The sandbox provider and its test keys: production refuses them unless it is declared a demo.
        app_env = {**stack.tool_env(workdir), **common, "GRANIAN_WORKERS": str(args.workers), "HIORDER_DEMO": "true"}
        if args.trace:
            app_env.update(PYTHONPATH=str(stack.write_trace_hook(workdir)), **{stack.TRACE_DIR_ENV: str(logdir)})
        t0 = time.perf_counter()
        print(f"reflex run --env prod on {app_url}, {args.workers} workers{' (traced)' if args.trace else ''}; "
              "building (the first time takes minutes)")
        procs.start("app", [str(Path(stack.PYTHON).parent / "reflex"), "run", "--env", "prod", "--single-port",
                            "--backend-host", "127.0.0.1", "--backend-port", str(port)], app_env, workdir)
        stack.wait_http(f"{app_url}/ping", procs, args.build_timeout)
        stack.wait_http(f"{app_url}/", procs, 60)  # the built frontend, same port
        print(f"app up in {time.perf_counter() - t0:.0f}s")

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=stack.CHROMIUM, args=stack.CHROMIUM_ARGS)
        page = open_board(browser, app_url)
        print("board open and live; observer installed")
        probe = Probe(args.redis_url, store_id)

        meter.start()
        idle = run_idle(page, tablets, lines, app_url, args.idle_orders, probe, server)
        idle.cpu = meter.stop()
        print(f"idle: {len(idle.paid)} orders, p50 {pct(idle.from_commit, 50):.1f} ms from commit")
        payload = probe.payload or b"x" * 700
        floor = redis_floor(args.redis_url, payload, args.floor_samples)
        print(f"floor: p50 {pct(floor, 50):.3f} ms over {len(floor)} samples")
        meter.start()
        load = run_load(page, tablets[:args.tablets], lines, app_url, args.jitter, probe, server)
        load.cpu = meter.stop()
        print(f"load: {len(load.paid)} orders in {load.wall_s:.1f}s, p50 {pct(load.from_commit, 50):.1f} ms "
              "from commit")
        if args.browser_profile:
            browser.start_tracing(page=page, categories=["devtools.timeline", "blink.user_timing", "toplevel",
                                                         "v8", "disabled-by-default-devtools.timeline"])
        meter.start()
        full = run_idle(page, tablets, lines, app_url, args.full_board_orders, probe, server, name="full board")
        full.cpu = meter.stop()
        if args.browser_profile:
            args.browser_profile.write_bytes(browser.stop_tracing())
        print(f"full board: {len(full.paid)} orders, p50 {pct(full.from_commit, 50):.1f} ms from commit")
        scenarios = [idle, load, full]
        check = board_check(page, scenarios)
        report(scenarios, floor, len(payload), check, args)
        if args.trace:
            report_trace(scenarios, stack.read_traces(logdir))
        if args.browser_profile:
            report_browser_profile(args.browser_profile, [p.label for p in full.paid])
    finally:
        if probe is not None:
            probe.close()
        if server is not None:
            server.close()
        for tablet in tablets:
            tablet.http.close()
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()
        procs.stop_all()
        reset_gateway()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; child processes stopped")
