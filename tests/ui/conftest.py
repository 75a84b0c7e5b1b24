"""One session-scoped AppHarness running the real app on a fresh, migrated and seeded database,
driven through Debian's Chromium by pytest-playwright."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hiorder_app.services.payments.gateway import reset_gateway
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD, seed_demo
from tests.conftest import SANDBOX_AUTH, SANDBOX_CLIENT_KEY, SANDBOX_SECRET_KEY, database_url, migrate

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools" / "node_modules" / ".bin"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def app_harness(tmp_path_factory, sandbox_url):
    from reflex.testing import AppHarness

    # Reflex needs Node >= 22.22 and bun, which `make` installs into .tools/.
    os.environ["PATH"] = f"{TOOLS}{os.pathsep}{os.environ['PATH']}"
    os.environ.setdefault("REFLEX_BUN_PATH", str(TOOLS / "bun"))
    # Payments go to the sandbox provider running as its own process, over real HTTP.
    os.environ.update(PAYMENT_API_BASE=sandbox_url, PAYMENT_SECRET_KEY=SANDBOX_SECRET_KEY,
                      PAYMENT_CLIENT_KEY=SANDBOX_CLIENT_KEY, SANDBOX_PAY_MOUNTED="false")
    # One seeded store for the whole session: its tables' visits collect the checkouts test after test leaves
    # unpaid. The limit on those is the service suite's to test (tests/services/test_ordering.py).
    os.environ["MAX_UNPAID_ORDERS"] = "1000"
    reset_gateway()
    url = f"sqlite:///{tmp_path_factory.mktemp('ui') / 'hiorder_ui.db'}"
    with database_url(url):
        migrate(url)
        seed_demo()
        with AppHarness.create(root=ROOT, app_name="hiorder_app") as harness:
            yield harness


@pytest.fixture(scope="session")
def base_url(app_harness) -> str:
    return app_harness.frontend_url.rstrip("/")


def sign_in(page: Page, base_url: str, username: str, password: str | None = None) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("매장 코드").fill(DEMO_STORE_CODE)
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(password or DEMO_TABLE_PASSWORD)
    page.get_by_role("button", name="로그인").click()


@pytest.fixture
def admin_page(page: Page, base_url: str) -> Page:
    sign_in(page, base_url, *DEMO_ADMIN)
    expect(page.get_by_role("heading", name="매장 관리")).to_be_visible()
    return page


@pytest.fixture
def sandbox_faults(sandbox_url):
    """Set the sandbox provider's faults for one test; cleared afterwards."""
    import httpx

    with httpx.Client(base_url=sandbox_url, headers=SANDBOX_AUTH, timeout=5) as http:
        def set_faults(**faults):
            assert http.put("/sandbox/faults", json=faults).status_code == 200

        yield set_faults
        set_faults()


def pay_at_checkout(page: Page, button: str = "결제하기 / Pay") -> None:
    """On the provider's hosted checkout page, press Pay (or Cancel)."""
    page.get_by_role("button", name=button).click()
