"""The diner's tap to the kitchen's card: from the last click on the provider's checkout page to the
order's card on the store's board, both in Chromium, on `make cluster`'s topology.

    .venv/bin/python bench/pay_to_card.py [--orders 30] [--pause 0.5]

What runs: the cluster as bench/tablets.py starts it (deploy/cluster/cluster.py on free ports: nginx by
host name, two `ordering` backends and one `store` backend with state in Redis, the sandbox provider as
its own process, a PostgreSQL database of its own, dropped at the end). In one headless Chromium
(/usr/bin/chromium): the board, signed in on store.localhost as the demo admin, with the MutationObserver
of bench/tablets.py stamping each card's arrival; and a tablet, signed in on order.localhost as table 1
through the login form, that orders one main dish at a time: 주문하기, then on the provider's page
(pay.localhost) the Pay button is clicked from inside the page, which stamps the click in the same
clock (performance.timeOrigin + now: epoch milliseconds, one machine, one browser). The provider
redirects to the ordering backend's /_pay/return, which confirms, then on to the tablet's /pay/success.

Measured per order: click -> card on the board (the target: p50 <= 150 ms, p99 <= 400 ms), click ->
the backend's answer to the redirect (from the browser's own resource timing), and click -> the tablet
showing 주문 내역 (the diner's view). Floors in the same run: Redis PING, an HTTP round trip through nginx
to a backend (GET /ping), and the provider's Pay POST (its 303, sent from this process). Percentiles are
nearest-rank; the orders are one after another, --pause seconds apart, nothing else running.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import time
from pathlib import Path

import httpx
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tablets import CHROMIUM_ARGS, DATABASE_URL, OBSERVE, Running, pct  # noqa: E402

CLICK_PAY = """() => {
  const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === '결제하기 / Pay');
  const clicked = performance.timeOrigin + performance.now();
  button.click();
  return clicked;
}"""
# The backend's answer to the provider's redirect, from the tablet page's navigation timing: when the
# browser began fetching /pay/success (the 303 from /_pay/return was in), epoch ms.
# Redirect timings are hidden across origins; fetchStart is when the final fetch began.
REDIRECT_END = "() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].fetchStart"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=30)
    p.add_argument("--pause", type=float, default=0.5, help="seconds between orders")
    p.add_argument("--redis-db", type=int, default=12)
    p.add_argument("--workdir", type=Path, default=ROOT / ".cluster" / "pay-to-card")
    return p.parse_args(argv)


async def sign_in(page, url: str, username: str, password: str, landing: str) -> None:
    from playwright.async_api import expect

    from hiorder_app.services.seed import DEMO_STORE_CODE

    await page.goto(f"{url}/login")
    await page.get_by_label("매장 코드").fill(DEMO_STORE_CODE)
    await page.get_by_label("아이디").fill(username)
    await page.get_by_label("비밀번호").fill(password)
    await page.get_by_role("button", name="로그인").click()
    await expect(page).to_have_url(re.compile(landing), timeout=60_000)


async def floors(cluster: Running, http: httpx.AsyncClient) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"redis": [], "ping": []}
    client = aioredis.from_url(cluster.redis_url)
    for _ in range(200):
        started = time.perf_counter()
        await client.ping()
        out["redis"].append((time.perf_counter() - started) * 1000)
    await client.aclose()
    for _ in range(100):
        started = time.perf_counter()
        answer = await http.get(f"http://127.0.0.1:{cluster.proxy}/ping", headers={"Host": "order.localhost"})
        answer.raise_for_status()
        out["ping"].append((time.perf_counter() - started) * 1000)
    return out


class Probe:
    """Subscribed to the store's channel in this process: when each OrderPaid left Redis (epoch ms)."""

    def __init__(self, url: str, store_id: int):
        from hiorder_app.services.events.bus import channel

        self.url, self.channel, self.paid_at = url, channel(store_id), {}

    async def run(self) -> None:
        client = aioredis.from_url(self.url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)
        try:
            async for msg in pubsub.listen():
                at = time.time() * 1000
                event = json.loads(msg["data"])
                if event.get("type") == "OrderPaid":
                    self.paid_at.setdefault(str(event["payload"]["order_id"]), at)
        finally:
            await pubsub.aclose()
            await client.aclose()


async def clock_offset(page, rounds: int = 8) -> float:
    """Browser epoch ms - this process's epoch ms, from the round trip with the smallest RTT."""
    best = None
    for _ in range(rounds):
        t0 = time.time() * 1000
        b = await page.evaluate("() => performance.timeOrigin + performance.now()")
        t1 = time.time() * 1000
        if best is None or t1 - t0 < best[0]:
            best = (t1 - t0, b - (t0 + t1) / 2)
    return best[1]


async def order_once(tablet, board, order_url: str, item_name: str, probe: Probe) -> dict[str, float]:
    from playwright.async_api import expect

    await tablet.goto(f"{order_url}/")
    await tablet.get_by_role("button", name=f"{item_name} 담기").click()
    await tablet.get_by_role("button", name="주문하기").click()
    await tablet.wait_for_url(re.compile(r"/checkout\?"), timeout=30_000)
    await tablet.get_by_role("button", name="결제하기 / Pay").wait_for()
    seen = set(await board.evaluate("() => Object.keys(window.__cards)"))
    tablet_offset, board_offset = await clock_offset(tablet), await clock_offset(board)
    clicked = await tablet.evaluate(CLICK_PAY)
    await tablet.wait_for_url(re.compile(r"/pay/success\?"), timeout=30_000)
    returned = await tablet.evaluate(REDIRECT_END)
    await expect(tablet.get_by_role("heading", name="우리 테이블 주문 내역")).to_be_visible(timeout=30_000)
    shown = await tablet.evaluate("() => performance.timeOrigin + performance.now()")
    deadline = time.monotonic() + 30
    while True:
        cards = await board.evaluate("() => window.__cards")
        new = {k: v for k, v in cards.items() if k not in seen}
        if new:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the card never reached the board")
        await asyncio.sleep(0.05)
    ((order_id, card),) = new.items()
    published = probe.paid_at.get(order_id, float("nan"))
    return {"card": card - clicked, "return": returned - clicked, "orders page": shown - clicked,
            "published": published + tablet_offset - clicked, "publish to card": card - (published + board_offset)}


async def main_async(args) -> None:
    from playwright.async_api import async_playwright
    from tablets import prepare_tables

    from hiorder_app.services.seed import DEMO_ADMIN, DEMO_TABLE_PASSWORD

    cluster = Running(args)
    redis_admin = aioredis.from_url(cluster.redis_url)
    await redis_admin.flushdb()
    print(f"starting the cluster (work folder {cluster.workdir}) ...", flush=True)
    rows: list[dict[str, float]] = []
    try:
        await asyncio.to_thread(cluster.start)
        await asyncio.to_thread(prepare_tables, 1)
        item = await asyncio.to_thread(main_dish)
        order_url, store_url = f"http://order.localhost:{cluster.proxy}", f"http://store.localhost:{cluster.proxy}"
        async with httpx.AsyncClient(timeout=10) as http, async_playwright() as pw, contextlib.AsyncExitStack() as st:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            st.push_async_callback(browser.close)
            board = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
            await sign_in(board, store_url, *DEMO_ADMIN, r"/admin$")
            await board.get_by_role("link", name="주문 현황").click()
            await board.get_by_text("실시간", exact=True).wait_for(timeout=60_000)
            await board.evaluate(OBSERVE)
            tablet = await (await browser.new_context(viewport={"width": 1180, "height": 820})).new_page()
            await sign_in(tablet, order_url, "table1", DEMO_TABLE_PASSWORD, r"/$")
            probe = Probe(cluster.redis_url, await asyncio.to_thread(demo_store_id))
            listening = asyncio.create_task(probe.run())
            st.callback(listening.cancel)
            await asyncio.sleep(0.5)
            floor = await floors(cluster, http)
            pay_floor = await provider_floor(http, cluster)
            for i in range(args.orders + 2):
                row = await order_once(tablet, board, order_url, item, probe)
                if i >= 2:  # the first two warm the backends' caches and Chromium's
                    rows.append(row)
                    print(f"  order {i - 1:3}: " + ", ".join(f"{k} {v:6.1f}" for k, v in row.items()), flush=True)
                await asyncio.sleep(args.pause)
        report(rows, floor, pay_floor)
    finally:
        await asyncio.to_thread(cluster.stop)
        await redis_admin.flushdb()
        await redis_admin.aclose()
        print(f"cluster stopped; its logs are in {cluster.workdir / 'logs'}")


def demo_store_id() -> int:
    from sqlmodel import select

    from hiorder_app.domain.models import Store
    from hiorder_app.services.db import session_scope
    from hiorder_app.services.seed import DEMO_STORE_CODE

    with session_scope() as s:
        return s.exec(select(Store.id).where(Store.code == DEMO_STORE_CODE)).one()


def main_dish() -> str:
    """A main dish without options or limited stock, so every order is the same tap."""
    from sqlmodel import select

    from hiorder_app.domain.models import ItemOptionGroup, MenuItem
    from hiorder_app.services.db import session_scope

    with session_scope() as s:
        with_options = set(s.exec(select(ItemOptionGroup.menu_item_id)))
        items = s.exec(select(MenuItem).where(MenuItem.kind == "MAIN", MenuItem.stock.is_(None),
                                              MenuItem.once_per_table.is_(False), MenuItem.sold_out.is_(False))
                       .order_by(MenuItem.id)).all()
        return next(i.name_ko for i in items if i.id not in with_options)


async def provider_floor(http: httpx.AsyncClient, cluster: Running) -> list[float]:
    """The provider's own share: its checkout page's Pay POST answered with the 303 (nothing confirmed)."""
    from urllib.parse import urlencode

    from tablet_client import _HIDDEN

    from hiorder_app.settings import Settings

    base, host = f"http://127.0.0.1:{cluster.proxy}", {"Host": f"pay.localhost:{cluster.proxy}"}
    out = []
    for i in range(30):
        query = urlencode({"clientKey": Settings.model_fields["payment_client_key"].default,
                           "orderId": f"floor-{os.getpid()}-{i}", "amount": 1000, "orderName": "floor",
                           "successUrl": "http://order.localhost/x", "failUrl": "http://order.localhost/y"})
        page = await http.get(f"{base}/checkout?{query}", headers=host)
        page.raise_for_status()
        form = dict(_HIDDEN.findall(page.text))
        started = time.perf_counter()
        answer = await http.post(f"{base}/checkout/pay", data=form, headers=host)
        out.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 303, answer.text
    return out


def report(rows: list[dict[str, float]], floor: dict[str, list[float]], pay_floor: list[float]) -> None:
    def line(name, values, target=""):
        print(f"| {name} | {len(values)} | {pct(values, 50):.1f} | {pct(values, 99):.1f} | {max(values):.1f} "
              f"| {target} |")

    print("\n| from the Pay click to | n | p50 ms | p99 ms | max ms | target |\n|---|---:|---:|---:|---:|---|")
    cards = [r["card"] for r in rows]
    met = pct(cards, 50) <= 150 and pct(cards, 99) <= 400
    line("the card on the board", cards, "p50 <= 150, p99 <= 400: " + ("met" if met else "NOT met"))
    line("the backend's answer to the redirect (confirmed)", [r["return"] for r in rows])
    line("OrderPaid out of Redis (seen by a subscriber here)", [r["published"] for r in rows])
    line("... and from there to the card", [r["publish to card"] for r in rows])
    line("the tablet showing 주문 내역", [r["orders page"] for r in rows])
    line("floor: Redis PING", floor["redis"])
    line("floor: GET /ping through nginx", floor["ping"])
    line("floor: the provider's Pay POST -> 303", pay_floor)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = DATABASE_URL
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
