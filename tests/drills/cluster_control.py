"""Driving the cluster that deploy/cluster/cluster.py starts, and the machine's PostgreSQL and Redis under
it: its processes through supervisord, its proxy, its sandbox provider's faults and ledger."""

import base64
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from hiorder_app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_SCRIPT = ROOT / "deploy" / "cluster" / "cluster.py"
SUPERVISORCTL = Path(sys.executable).parent / "supervisorctl"
# The cluster's sandbox provider runs with the default test keys (cluster.py passes no PAYMENT_* keys).
_SANDBOX_KEY = Settings.model_fields["payment_secret_key"].default
SANDBOX_AUTH = {"Authorization": "Basic " + base64.b64encode(f"{_SANDBOX_KEY}:".encode()).decode()}
BACKENDS = ("ordering-1", "ordering-2", "store")


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> float:
    """Poll `check` until it is true; the seconds it took. Fails the test after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)
    return time.monotonic() - started


def free_port_block(count: int) -> int:
    """The first of `count` consecutive ports nobody listens on (random, so parallel runs rarely meet)."""
    def free(port: int) -> bool:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True

    for _ in range(200):
        base = random.randrange(20000, 60000 - count)
        if all(free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no free block of ports")


@dataclass
class Cluster:
    workdir: Path
    proxy_port: int
    ports: dict[str, int]
    database_url: str

    @classmethod
    def from_workdir(cls, workdir: Path) -> "Cluster":
        info = json.loads((workdir / "cluster.json").read_text())
        return cls(workdir, info["proxy_port"], info["ports"], info["database_url"])

    def url(self, host: str) -> str:
        """host: order (tablets), store (console) or pay (the sandbox's checkout page)."""
        return f"http://{host}.localhost:{self.proxy_port}"

    # -- reachability ------------------------------------------------------------------------------------

    def answers(self, host: str, path: str = "/ping", timeout: float = 1.0) -> bool:
        """The proxy answers `path` on `host` (/ping: some backend behind it is up; a page: the frontend)."""
        return _ok(f"http://127.0.0.1:{self.proxy_port}{path}", {"Host": f"{host}.localhost"}, timeout)

    def backend_answers(self, name: str, timeout: float = 1.0) -> bool:
        """The backend process `name` itself answers /ping on its own port."""
        return _ok(f"http://127.0.0.1:{self.ports[name]}/ping", {}, timeout)

    # -- processes ---------------------------------------------------------------------------------------

    def ctl(self, *args: str) -> str:
        # supervisorctl's exit code says whether everything is RUNNING: read its output instead.
        done = subprocess.run([str(SUPERVISORCTL), "-c", str(self.workdir / "supervisord.conf"), *args],
                              capture_output=True, text=True, timeout=60)
        return done.stdout

    def state(self, name: str) -> tuple[str, int | None]:
        """("RUNNING", pid), ("STARTING", None), ..."""
        fields = self.ctl("status", name).split()
        state = fields[1] if len(fields) > 1 else "UNKNOWN"
        pid = int(fields[3].rstrip(",")) if state == "RUNNING" and len(fields) > 3 else None
        return state, pid

    def kill_tree(self, name: str) -> int:
        """SIGKILL program `name` with all its children (a backend is the reflex CLI, the granian master
        under it and its workers), as a crash or the OOM killer would. Returns the pid that was killed."""
        state, pid = self.state(name)
        assert state == "RUNNING" and pid, f"{name} is {state}, not RUNNING"
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        for proc in procs:
            try:
                proc.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(procs, timeout=10)
        return pid

    def wait_back(self, name: str, killed_pid: int, timeout: float = 90) -> float:
        """Seconds until supervisor has `name` RUNNING again as a new process and it answers again."""
        def back() -> bool:
            state, pid = self.state(name)
            if state != "RUNNING" or pid == killed_pid:
                return False
            return self.backend_answers(name) if name in BACKENDS else True

        return wait_for(back, timeout, f"{name} back after SIGKILL", interval=0.25)

    def socket_backends(self, tokens: set[str]) -> list[str]:
        """Which backend served each event socket of these client tokens, oldest first, from the proxy's
        access log (nginx writes a websocket's line when it closes, so an open one is not there yet)."""
        by_port = {str(port): name for name, port in self.ports.items()}
        served = []
        for line in self.log("nginx-access").splitlines():
            if "/_event/?token=" in line and any(f"token={t}&" in line for t in tokens):
                port = line.partition("upstream=")[2].split()[0].rsplit(":", 1)[-1]
                served.append(by_port.get(port, port))
        return served

    def log(self, name: str) -> str:
        path = self.workdir / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- the sandbox provider ----------------------------------------------------------------------------

    def _sandbox(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = httpx.request(method, f"http://127.0.0.1:{self.ports['sandbox']}{path}", headers=SANDBOX_AUTH,
                                 timeout=10, **kwargs)
        response.raise_for_status()
        return response

    def set_faults(self, **faults) -> None:
        """The sandbox's faults (hiorder_app/sandbox_pay/faults.py); no arguments clears them."""
        self._sandbox("PUT", "/sandbox/faults", json=faults)

    def ledger(self) -> list[dict]:
        """Every payment the provider holds: what was really charged."""
        return self._sandbox("GET", "/sandbox/payments").json()["payments"]


def _ok(url: str, headers: dict, timeout: float) -> bool:
    try:
        return httpx.get(url, headers=headers, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def stop_tree(pid: int, timeout: float = 60) -> None:
    """Stop supervisord (SIGTERM: it stops its programs first), then SIGKILL whatever is left of the tree."""
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    procs = [root, *root.children(recursive=True)]
    root.send_signal(signal.SIGTERM)
    try:
        root.wait(timeout)
    except psutil.TimeoutExpired:
        pass
    procs += [p for p in psutil.process_iter() if _is_descendant_of(p, procs)]
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


def _is_descendant_of(proc: psutil.Process, known: list[psutil.Process]) -> bool:
    try:
        return any(parent.pid in {k.pid for k in known} for parent in proc.parents())
    except psutil.Error:
        return False


# -- the machine's Redis and PostgreSQL ----------------------------------------------------------------------

REDIS_HOST, REDIS_PORT = "127.0.0.1", "6379"


def redis_up() -> bool:
    done = subprocess.run(["redis-cli", "-h", REDIS_HOST, "-p", REDIS_PORT, "ping"], capture_output=True, text=True)
    return done.stdout.strip() == "PONG"


def stop_redis() -> None:
    subprocess.run(["redis-cli", "-h", REDIS_HOST, "-p", REDIS_PORT, "shutdown", "nosave"], capture_output=True)
    wait_for(lambda: not redis_up(), 10, "Redis stopped")


def start_redis() -> None:
    """Start Redis as .ci/run does, unless it already answers."""
    if not redis_up():
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", REDIS_HOST, "--port", REDIS_PORT,
                        "--save", ""], check=True, capture_output=True)
    wait_for(redis_up, 20, "Redis answering PING")


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0


def pg_ctl(action: str) -> None:
    """pg_ctlcluster <version> main <action> for the one cluster in /etc/postgresql."""
    (version,) = os.listdir("/etc/postgresql")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action], check=True,
                   capture_output=True, timeout=120)


def start_postgres() -> None:
    """Start PostgreSQL unless it already accepts connections."""
    if not pg_ready():
        try:
            pg_ctl("start")
        except subprocess.CalledProcessError:
            if not pg_ready():  # "already running" while it was still starting is fine
                raise
    wait_for(pg_ready, 60, "PostgreSQL accepting connections")
