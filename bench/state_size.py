"""What Reflex keeps in Redis for one tablet, key by key and var by var: a quick measurement beside
bench/tablets.py (which prints only the mean per tablet).

    .venv/bin/python bench/state_size.py [--redis-db 13]

Starts one `ordering` backend (`reflex run --env prod --backend-only`, this checkout, state in Redis
database --redis-db, flushed before and after; a PostgreSQL database of its own with the demo store,
dropped at the end), then one simulated tablet (bench/tablet_client.py, the real event socket) does what
a diner does: loads /, picks categories, opens an item, adds to the cart, opens 주문 내역 and goes back.
Then, for each of the tablet's Redis keys: MEMORY USAGE and the pickle's length, and for each var of the
state in it the length of that var's own pickle, largest first.
"""

import argparse
import asyncio
import os
import pickle
import random
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.drills.cluster_control import free_port_block, stop_tree  # noqa: E402

PG_SERVER = os.environ.get("HIORDER_TEST_PG_SERVER", "postgres@127.0.0.1:5432")
DB_NAME = f"hiorder_state_size_{os.getpid()}"
DATABASE_URL = f"postgresql+psycopg://{PG_SERVER}/{DB_NAME}"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--redis-db", type=int, default=13)
    return p.parse_args(argv)


def start_backend(port: int, redis_url: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "PAYMENT_", "HIORDER_"))}
    env.update(DATABASE_URL=DATABASE_URL, REDIS_URL=redis_url, HIORDER_ROLE="ordering", HIORDER_DEMO="true",
               SECRET_KEY="state-size-bench-" + "x" * 32, REFLEX_TELEMETRY_ENABLED="false")
    cmd = [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod", "--backend-only",
           "--backend-host", "127.0.0.1", "--backend-port", str(port)]
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


async def diner(port: int, token: str) -> str:
    from tablet_client import Record, Tablet

    async with httpx.AsyncClient(timeout=30) as http:
        tablet = Tablet(1, port, Record(), http, token=token)
        await tablet.load("/", "page load /")
        rng = random.Random(1)
        for _ in range(3):
            await tablet.browse(rng)
        await tablet.add(rng)
        await tablet.navigate("/orders", "navigation /orders")
        await tablet.navigate("/", "navigation /")
        await tablet.close()
        return tablet.client_token


async def sizes(redis_url: str, client_token: str) -> None:
    client = aioredis.from_url(redis_url)
    keys = sorted([k async for k in client.scan_iter(match=f"{client_token}*")])
    total_mem = total_len = 0
    print(f"\n{len(keys)} keys for the tablet:\n")
    print("| key (state) | MEMORY USAGE B | pickle B | largest vars (pickled B) |\n|---|---:|---:|---|")
    for key in keys:
        raw = await client.get(key)
        mem = await client.memory_usage(key) or 0
        total_mem, total_len = total_mem + mem, total_len + len(raw or b"")
        try:
            _, state = pickle.loads(raw)
            found = sorted(((len(pickle.dumps(v)), n) for n, v in vars(state).items()), reverse=True)[:6]
            top = ", ".join(f"{n} {b}" for b, n in found)
        except Exception as exc:  # a lock or another kind of key
            top = f"({type(exc).__name__})"
        print(f"| {key.decode().split('_', 1)[-1]} | {mem} | {len(raw or b'')} | {top} |")
    print(f"\ntotal: {total_mem / 1024:.1f} KB MEMORY USAGE, {total_len / 1024:.1f} KB of pickles")
    await client.aclose()


def main(argv=None) -> int:
    args = parse_args(argv)
    import importlib
    import pkgutil

    import hiorder_app.states

    for module in pkgutil.iter_modules(hiorder_app.states.__path__):  # every state class, to unpickle them
        importlib.import_module(f"hiorder_app.states.{module.name}")
    from tests.conftest import drop_pg_database, recreate_pg_database

    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    os.environ["DATABASE_URL"] = DATABASE_URL
    recreate_pg_database(PG_SERVER, DB_NAME)
    proc = None
    try:
        subprocess.run([sys.executable, "-m", "hiorder_app", "setup"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": DATABASE_URL}, stdout=subprocess.DEVNULL)
        from tablets import prepare_tables, presigned

        prepare_tables(1)
        (token,) = presigned([1])
        asyncio.run(aioredis.from_url(redis_url).flushdb())
        port = free_port_block(1)
        log = ROOT / ".cluster" / "state-size.log"
        log.parent.mkdir(exist_ok=True)
        proc = start_backend(port, redis_url, log)
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the backend did not start: see {log}")
            time.sleep(0.5)
        client_token = asyncio.run(diner(port, token))
        asyncio.run(sizes(redis_url, client_token))
    finally:
        if proc is not None:
            stop_tree(proc.pid)
        asyncio.run(aioredis.from_url(redis_url).flushdb())
        drop_pg_database(PG_SERVER, DB_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
