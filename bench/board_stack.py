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


def copy_app(workdir: Path) -> None:
    """Refresh the app's sources in `workdir` from the checkout (the working tree as it is now)."""
    workdir.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in APP_SOURCES:
        src, dst = REPO / name, workdir / name
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
        for name, proc, _log in reversed(self.children):
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
