"""Process plumbing for bench/board_latency.py: a private copy of the app, a fresh PostgreSQL database,
the sandbox provider and `reflex run --env prod` as child processes, and their clean shutdown.

Why a private copy: `reflex run --env prod` compiles and builds into `<app>/.web`, the same folder a dev
server or the Playwright suite (AppHarness) of this checkout uses. Building there would rewrite it under
them, so the bench copies the app's sources into its own work folder (kept between runs, so its `.web`
and its frontend packages are reused) and builds and runs there.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import psycopg
import sqlalchemy as sa
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / ".tools" / "node_modules" / ".bin"
PYTHON = sys.executable
# What `reflex run` needs from the checkout; everything else (tests, .venv, .web) stays behind.
APP_SOURCES = ["hiorder_app", "assets", "alembic", "alembic.ini", "rxconfig.py", "reflex.lock"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_app(source: Path, workdir: Path) -> None:
    """Refresh the app's sources in `workdir` from the checkout `source` (its working tree as it is now)."""
    workdir.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in APP_SOURCES:
        src, dst = source / name, workdir / name
        if dst.is_dir():
            shutil.rmtree(dst)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        else:
            shutil.copy2(src, dst)


def recreate_database(url: sa.URL) -> None:
    params = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username, "dbname": "postgres"}
    if url.password:
        params["password"] = url.password
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))


def tool_env(workdir: Path) -> dict[str, str]:
    """The environment `make run` gives Reflex: Node 22 and bun from .tools, no telemetry, caches kept."""
    bun_cache = REPO / ".bun-cache"
    return {
        "PATH": f"{TOOLS}{os.pathsep}{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_BUN_PATH": str(TOOLS / "bun"),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_DIR": str(workdir / ".reflex-dir"),
        "BUN_INSTALL_CACHE_DIR": str(bun_cache if bun_cache.is_dir() else workdir / ".bun-cache"),
        "PYTHONUNBUFFERED": "1",
    }


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the bench itself dies (even by SIGKILL). Linux only."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Processes:
    """Child processes, each in its own process group, stopped in reverse order by `stop_all`."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.children: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
        log = self.logdir / f"{name}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
        self.children.append((name, proc, log))
        return proc

    def check_alive(self) -> None:
        for name, proc, log in self.children:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; last lines of {log}:\n{tail(log)}")

    def stop_all(self, timeout: float = 15) -> None:
        for _name, proc, _log in reversed(self.children):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)  # the group: reflex's granian workers too
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + timeout
        for name, proc, _log in reversed(self.children):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"  {name} did not stop in time: SIGKILL", file=sys.stderr)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)
        self.children.clear()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_http(url: str, procs: Processes, timeout: float, ok=lambda r: r.status_code == 200) -> None:
    """Poll `url` until it answers `ok`, failing early if a child process died."""
    deadline = time.monotonic() + timeout
    while True:
        procs.check_alive()
        try:
            if ok(httpx.get(url, timeout=2)):
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")
        time.sleep(0.5)


def install_stop_on_sigterm() -> None:
    """`kill <bench>` ends the run like Ctrl-C does, so the finally blocks stop the children."""
    def handler(_signum, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


# --- the provider's hosted checkout, driven like a browser ------------------------------------------


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []  # {"action", "fields", "buttons"}
        self._button: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "buttons": []})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "button":
            self._button = []

    def handle_data(self, data):
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            self.forms[-1]["buttons"].append("".join(self._button).strip())
            self._button = None


def pay_at_checkout(http: httpx.Client, checkout_url: str, button: str = "결제하기 / Pay") -> dict[str, str]:
    """Open the hosted checkout page, submit the form holding `button` like a browser, and return the query
    of the successUrl the provider redirects to (paymentKey, orderId, amount)."""
    page = http.get(checkout_url)
    page.raise_for_status()
    parser = _FormParser()
    parser.feed(page.text)
    forms = [f for f in parser.forms if button in f["buttons"]]
    if len(forms) != 1:
        raise RuntimeError(f"no single form with a {button!r} button on the checkout page")
    response = http.post(urljoin(str(page.url), forms[0]["action"]), data=forms[0]["fields"])
    if response.status_code != 303:
        raise RuntimeError(f"checkout answered {response.status_code}: {response.text[:200]}")
    return {k: v[-1] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


# --- optional tracing inside the app's processes (--trace) ------------------------------------------
#
# With --trace the app runs with a generated sitecustomize.py that calls install_app_trace(): it wraps
# a few methods (the app's sources are not changed) and writes one JSON line per board event to
# <logdir>/trace-<pid>.jsonl, stamped with time.time() at each stage. Correlation is by order id; the
# bench has one board open, so "the event being processed" is a per-process global.

TRACE_DIR_ENV = "HIORDER_BENCH_TRACE_DIR"


def write_trace_hook(workdir: Path) -> Path:
    """A folder holding sitecustomize.py; put it first on the app's PYTHONPATH to trace."""
    hook = workdir / "trace-hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(
        "import sys\n"
        f"sys.path[:0] = [{str(Path(__file__).resolve().parent)!r}, {str(workdir)!r}]\n"
        "import board_stack\n"
        "board_stack.install_app_trace()\n")
    return hook


def install_app_trace() -> None:
    import asyncio
    import json as _json
    import threading as _threading

    out_dir = os.environ.get(TRACE_DIR_ENV)
    if not out_dir:
        return
    from hiorder_app.services.events import live_hub

    state = {"current": None, "file": None, "patched": False}
    lock = _threading.Lock()

    def write(rec: dict) -> None:
        with lock:
            if state["file"] is None or state["file"][0] != os.getpid():  # opened after the fork
                state["file"] = (os.getpid(), open(Path(out_dir) / f"trace-{os.getpid()}.jsonl", "a"))
            state["file"][1].write(_json.dumps(rec) + "\n")
            state["file"][1].flush()

    class TracedQueue(asyncio.Queue):
        async def get(self):
            item = await super().get()
            payload = item.get("payload") or {}
            state["current"] = {"pid": os.getpid(), "type": item.get("type"), "order_id": payload.get("order_id"),
                                "deliver": item.get("_t_deliver"), "fanout": item.get("_t_fanout"),
                                "dequeue": time.time(), "backlog": self.qsize()}
            return item

    hub_cls = live_hub.LiveHub
    original_deliver, original_fan_out = hub_cls.deliver, hub_cls._fan_out

    def deliver(self, event):
        event.setdefault("_t_deliver", time.time())
        return original_deliver(self, event)

    def fan_out(self, event):
        event["_t_fanout"] = time.time()
        return original_fan_out(self, event)

    def subscribe(self, store_id):
        patch_reflex()
        queue = TracedQueue(maxsize=1000)
        with self._lock:
            self._queues.setdefault(store_id, set()).add(queue)
        return queue

    def patch_reflex() -> None:
        """Once Reflex and the app are imported (a board subscribed): the state proxy and the emit."""
        if state["patched"]:
            return
        state["patched"] = True
        from reflex.istate.proxy import StateProxy
        from reflex_base.event.context import EventContext

        from hiorder_app.states.board_state import BoardState

        original_aenter, original_aexit = StateProxy.__aenter__, StateProxy.__aexit__
        original_emit, original_apply = EventContext.emit_delta, BoardState._apply_all

        async def aenter(self):
            rec = state["current"]
            if rec is not None and "locked" not in rec:
                rec["aenter"] = time.time()
            result = await original_aenter(self)
            if rec is not None and "locked" not in rec:
                rec["locked"] = time.time()
            return result

        async def aexit(self, *exc_info):
            rec = state["current"]
            await original_aexit(self, *exc_info)
            if rec is not None and "applied" in rec and "saved" not in rec:
                rec["saved"] = time.time()
                state["current"] = None
                write(rec)

        async def emit_delta(self, delta):
            rec = state["current"]
            if rec is not None and "applied" in rec and "emit_start" not in rec:
                rec["emit_start"] = time.time()
                await original_emit(self, delta)
                rec["emit_end"] = time.time()
                if (rec.get("order_id") or 0) % 10 == 0:  # sampled: serialising it costs time itself
                    rec["delta_bytes"] = len(_json.dumps(delta, default=str))
                return
            await original_emit(self, delta)

        def apply(self, events, principal):
            rec = state["current"]
            if rec is not None:
                rec["apply_start"] = time.time()
            result = original_apply(self, events, principal)
            if rec is not None:
                rec["applied"] = time.time()
                rec["orders"] = len(self._orders)
            return result

        StateProxy.__aenter__, StateProxy.__aexit__ = aenter, aexit
        EventContext.emit_delta = emit_delta
        BoardState._apply_all = apply

    hub_cls.deliver, hub_cls._fan_out, hub_cls.subscribe = deliver, fan_out, subscribe


def read_traces(logdir: Path) -> dict[int, dict]:
    """order id -> the OrderPaid trace record written by the app process that serves the board."""
    import json as _json

    out = {}
    for path in logdir.glob("trace-*.jsonl"):
        for line in path.read_text().splitlines():
            rec = _json.loads(line)
            if rec.get("type") == "OrderPaid" and rec.get("order_id") is not None:
                out[rec["order_id"]] = rec
    return out


# --- CPU accounting -----------------------------------------------------------------------------------


def _cpu_ticks() -> dict[int, tuple[int, int, str, int]]:
    """pid -> (ppid, pgid, comm, utime+stime ticks) for every process we can read."""
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        out[int(entry.name)] = (int(fields[1]), int(fields[2]), comm, int(fields[11]) + int(fields[12]))
    return out


def _machine_ticks() -> tuple[int, int]:
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = list(map(int, cpu))
    return sum(values), values[3] + values[4]  # total, idle + iowait


def _chromium_part(pid: int) -> str:
    """chromium's renderer (the page: JS, style, layout, paint), gpu (raster, compositing: software here),
    or the rest (browser process, network, the Playwright driver)."""
    try:
        # Chromium rewrites its process title, so the arguments may be one space-separated string.
        args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
    except OSError:
        return "chromium other"
    kind = next((a.split(b"=", 1)[1].decode() for a in args if a.startswith(b"--type=")), "")
    return {"renderer": "chromium renderer", "gpu-process": "chromium gpu"}.get(kind, "chromium other")


class CpuMeter:
    """CPU seconds used between start() and stop(), by group: this bench process, its browser, the
    app's processes, the sandbox, PostgreSQL and Redis (all servers, whoever uses them), and the
    whole machine (other users of the machine included)."""

    def __init__(self, procs: "Processes"):
        self.procs = procs
        self.named: dict[int, str] = {}  # pid -> group, for processes the rules below would misfile

    def _sample(self):
        return _cpu_ticks(), _machine_ticks(), time.monotonic()

    def start(self) -> None:
        self._before = self._sample()

    def stop(self) -> dict[str, float]:
        (before, (m_total0, m_idle0), t0), (after, (m_total1, m_idle1), t1) = self._before, self._sample()
        hz = os.sysconf("SC_CLK_TCK")
        groups = {name: proc.pid for name, proc, _ in self.procs.children}
        me = os.getpid()

        def group(pid: int, info) -> str:
            ppid, pgid, comm, _ = info
            if pid in self.named:
                return self.named[pid]
            for name, leader in groups.items():
                if pgid == leader:
                    return name
            if pid == me:
                return "bench"
            if comm.startswith("postgres"):
                return "postgres"
            if comm.startswith("redis"):
                return "redis"
            seen = set()
            while ppid and ppid not in seen:  # our descendants: the Playwright driver and Chromium
                if ppid == me:
                    return _chromium_part(pid)
                seen.add(ppid)
                ppid = after.get(ppid, before.get(ppid, (0,)))[0]
            return "other"

        used: dict[str, float] = {}
        for pid, info in after.items():
            delta = info[3] - (before[pid][3] if pid in before else 0)
            if delta > 0:
                name = group(pid, info)
                used[name] = used.get(name, 0.0) + delta / hz
        used["machine"] = ((m_total1 - m_total0) - (m_idle1 - m_idle0)) / hz
        used["capacity"] = (t1 - t0) * (os.cpu_count() or 1)  # CPU-seconds the machine had
        return used
