"""Fault drills through the production topology: deploy/cluster/cluster.py (migrations, the sandbox
provider, ordering-1, ordering-2, store, nginx under supervisord) started once for the drills on free ports
and a fresh PostgreSQL database `hiorder_drill_<pid>`, driven by real tablets and a real board in
Chromium through the proxy. The cluster is stopped after the last drill (package scope, hence the
__init__.py), so the suites after it do not share the 2 cores with five idle backends.

HIORDER_DRILL_CLUSTER=<workdir> attaches to a cluster already running from that work folder instead
(while writing a drill: the cluster takes a minute to start); it is neither started nor stopped then.
"""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import PG_SERVER, drop_pg_database, recreate_pg_database
from tests.drills.cluster_control import (
    CLUSTER_SCRIPT,
    Cluster,
    free_port_block,
    start_postgres,
    start_redis,
    stop_tree,
)
from tests.drills.records import Records
from tests.drills.tablets import Board
from tests.ui.conftest import CHROMIUM_ARGS

STARTUP_TIMEOUT = 300  # a fresh work folder builds the frontend first (about a minute on 2 busy cores)
_MEASURED: list[str] = []


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package", autouse=True)
def services_back_at_end() -> Iterator[None]:
    """Whatever a drill did to them, the machine's Redis and PostgreSQL answer when the session ends."""
    yield
    start_redis()
    start_postgres()


@pytest.fixture(scope="package")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    attached = os.environ.get("HIORDER_DRILL_CLUSTER")
    if attached:
        yield Cluster.from_workdir(Path(attached).resolve())
        return
    start_redis()
    start_postgres()
    name = f"hiorder_drill_{os.getpid()}"
    url = recreate_pg_database(PG_SERVER, name)
    workdir = tmp_path_factory.mktemp("cluster")
    base_port = free_port_block(5)  # the four backends (cluster.py's --base-port +0..+3), then the proxy
    proxy_port = base_port + 4
    log_path = workdir / "cluster.log"
    with open(log_path, "wb") as log:  # a file, not a pipe: nobody reads supervisord's output meanwhile
        proc = subprocess.Popen(
            [sys.executable, str(CLUSTER_SCRIPT), "--workdir", str(workdir), "--proxy-port", str(proxy_port),
             "--base-port", str(base_port), "--database-url", url],
            # The drills' tablets keep ordering while payments fail: their unpaid checkouts are not what a
            # drill measures (the limit on them is tested in tests/services/test_ordering.py).
            env={**os.environ, "MAX_UNPAID_ORDERS": "1000"},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"cluster.py exited with {proc.returncode}:\n{_tail(log_path)}")
            if (workdir / "cluster.json").exists():
                running = Cluster.from_workdir(workdir)
                if all(running.answers(host, path) for host in ("order", "store") for path in ("/ping", "/login")):
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the cluster did not answer within {STARTUP_TIMEOUT} s:\n{_tail(log_path)}")
            time.sleep(0.5)
        yield running
    finally:
        # cluster.py became supervisord (exec): SIGTERM stops every program, then the tree is reaped.
        stop_tree(proc.pid)
        proc.wait(timeout=10)
        start_postgres()
        drop_pg_database(PG_SERVER, name)
        shutil.rmtree(workdir / "app", ignore_errors=True)  # the built frontend; the logs stay


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="package")
def records(cluster) -> Iterator[Records]:
    found = Records(cluster.database_url)
    yield found
    found.dispose()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """A page in a browser context of its own (its own local storage: one tablet, or the board)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def board(cluster, new_page) -> Board:
    """The store's live board, signed in as the demo admin."""
    found = Board(new_page(), cluster.url("store"))
    found.open()
    return found


@pytest.fixture
def measured(request) -> Callable[[str], None]:
    """Each drill's one line of figures: printed, and repeated at the end of the run."""
    def report(line: str) -> None:
        line = f"{request.node.name}: {line}"
        print(line)
        _MEASURED.append(line)

    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if _MEASURED:
        terminalreporter.section("fault drills: measured")
        for line in _MEASURED:
            terminalreporter.write_line(line)
