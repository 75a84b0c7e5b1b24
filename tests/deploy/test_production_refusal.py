"""Production refuses unsafe defaults (the public SECRET_KEY, the mounted sandbox provider, test payment
keys) and names each variable; HIORDER_DEMO=true is the explicit way to run a demo anyway. The process
tests start the real backend (`reflex run --env prod --backend-only`) in a copy of the project, so they
never touch the .web folder the UI tests' harness builds in."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hiorder_app import production
from hiorder_app.settings import DEV_SECRET_KEY, Settings

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools" / "node_modules" / ".bin"
SAFE = {"secret_key": "s" * 48, "sandbox_pay_mounted": False, "payment_secret_key": "live_sk_x",
        "payment_client_key": "live_ck_x", "public_base_url": "https://order.example.com"}


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **(SAFE | values))


@pytest.mark.parametrize("field, variable", [
    ("secret_key", "SECRET_KEY"), ("sandbox_pay_mounted", "SANDBOX_PAY_MOUNTED"),
    ("payment_secret_key", "PAYMENT_SECRET_KEY"), ("payment_client_key", "PAYMENT_CLIENT_KEY"),
    ("public_base_url", "PUBLIC_BASE_URL")])
def test_each_unsafe_default_is_named(field, variable):
    unsafe = {"secret_key": DEV_SECRET_KEY, "sandbox_pay_mounted": True, "payment_secret_key": "test_sk_1",
              "payment_client_key": "test_ck_1", "public_base_url": None}[field]
    with pytest.raises(production.UnsafeProductionSettings) as refused:
        production.check(_settings(**{field: unsafe}), prod_mode=True)
    assert variable in str(refused.value)
    assert [name for name, _ in _settings(**{field: unsafe}).unsafe_for_production()] == [variable]


def test_a_short_secret_is_refused_too():
    with pytest.raises(production.UnsafeProductionSettings, match="SECRET_KEY"):
        production.check(_settings(secret_key="short-but-not-default"), prod_mode=True)


def test_safe_settings_and_development_pass():
    production.check(_settings(), prod_mode=True)
    production.check(Settings(_env_file=None), prod_mode=False)  # `make run`: every default is fine


def test_hiorder_env_production_counts_without_reflex_prod_mode():
    with pytest.raises(production.UnsafeProductionSettings):
        production.check(_settings(hiorder_env="production", secret_key=DEV_SECRET_KEY), prod_mode=False)


def test_demo_mode_accepts_the_defaults_and_says_so(caplog):
    production.check(Settings(_env_file=None, hiorder_demo=True), prod_mode=True)
    assert "HIORDER_DEMO" in caplog.text and "SECRET_KEY" in caplog.text


# --- the real backend process ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_copy(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("prod") / "app"
    target.mkdir()
    for name in ("hiorder_app", "assets", "alembic"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("rxconfig.py", "alembic.ini"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "reflex.lock", target / "reflex.lock")
    return target


def _run_backend(app_dir: Path, port: int, **env) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SANDBOX_", "PAYMENT_", "SECRET_", "HIORDER_", "REDIS_", "DATABASE_"))}
    base.update(PATH=f"{TOOLS}{os.pathsep}{base['PATH']}", REFLEX_BUN_PATH=str(TOOLS / "bun"),
                REFLEX_TELEMETRY_ENABLED="false", DATABASE_URL=f"sqlite:///{app_dir / 'prod.db'}", **env)
    reflex = str(Path(sys.executable).parent / "reflex")
    return subprocess.Popen([reflex, "run", "--env", "prod", "--backend-only", "--backend-port", str(port)],
                            cwd=app_dir, env=base, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_the_backend_refuses_to_start_and_names_the_variables(app_copy):
    proc = _run_backend(app_copy, _free_port())
    try:
        out, _ = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode != 0
    for variable in ("SECRET_KEY", "SANDBOX_PAY_MOUNTED", "PAYMENT_SECRET_KEY", "PAYMENT_CLIENT_KEY",
                     "PUBLIC_BASE_URL", "HIORDER_DEMO"):
        assert variable in out, out


def test_the_backend_serves_a_demo_when_asked_explicitly(app_copy):
    port = _free_port()
    proc = _run_backend(app_copy, port, HIORDER_DEMO="true")
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("the demo backend did not answer /ping within 90 s")
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "HIORDER_DEMO=true" in out
