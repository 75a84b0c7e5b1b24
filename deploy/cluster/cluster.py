"""`make cluster`: the production topology on one machine.

Migrations once; the sandbox provider as its own process; two `ordering` backends and one `store` backend,
each `reflex run --env prod --backend-only` with client state in Redis; nginx in front, serving the
exported frontend and routing by host name (order.localhost -> ordering, store.localhost -> store,
pay.localhost -> the sandbox's checkout page) with websocket upgrades and failover between the ordering
backends. supervisord (a well-kept process manager) runs them all, restarts one that dies, and stops them
all on Ctrl-C. The drills in tests/drills/ start this same script.

Everything it writes lives in the work folder (default .cluster/): a copy of the app (so its frontend
build never touches the .web folder that `make run` and the UI tests use), configs, logs, uploads.
"""

import argparse
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
TOOLS = ROOT / ".tools" / "node_modules" / ".bin"
APP_FILES = ("hiorder_app", "assets", "alembic", "rxconfig.py", "alembic.ini", "reflex.lock", "requirements.txt")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workdir", type=Path, default=ROOT / ".cluster")
    p.add_argument("--proxy-port", type=int, default=8080)
    p.add_argument("--base-port", type=int, default=8011, help="ordering-1, ordering-2, store, sandbox: +0..+3")
    p.add_argument("--database-url", default=os.environ.get(
        "CLUSTER_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/hiorder_cluster"))
    p.add_argument("--redis-url", default=os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/0"))
    p.add_argument("--workers", type=int, default=1, help="granian workers per backend process")
    p.add_argument("--no-seed", action="store_true", help="do not seed the demo store into an empty database")
    p.add_argument("--no-build", action="store_true", help="reuse the last frontend build")
    p.add_argument("--prepare-only", action="store_true", help="write everything, start nothing")
    return p.parse_args(argv)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist yet (the server itself must be up)."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    with psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                         password=parsed.password, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.database)))


def copy_app(app_dir: Path) -> None:
    app_dir.mkdir(parents=True, exist_ok=True)
    for name in APP_FILES:
        src, dst = ROOT / name, app_dir / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dst)


def secret_key(workdir: Path) -> str:
    """One per work folder, kept across restarts so printed QR links stay valid."""
    path = workdir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def ports(args) -> dict[str, int]:
    b = args.base_port
    return {"ordering-1": b, "ordering-2": b + 1, "store": b + 2, "sandbox": b + 3}


def environment(args, workdir: Path) -> dict[str, str]:
    p = ports(args)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "PAYMENT_", "HIORDER_"))}
    env.update(
        PATH=f"{TOOLS}{os.pathsep}{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_BUN_PATH=str(TOOLS / "bun"), REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_DIR=str(ROOT / ".reflex-dir"), BUN_INSTALL_CACHE_DIR=str(ROOT / ".bun-cache"),
        DATABASE_URL=args.database_url, REDIS_URL=args.redis_url,
        SECRET_KEY=secret_key(workdir),
        # The sandbox provider stands in for the real one: a demo, said explicitly (see hiorder_app/production.py).
        HIORDER_DEMO="true", SANDBOX_PAY_MOUNTED="false",
        PAYMENT_API_BASE=f"http://127.0.0.1:{p['sandbox']}",
        PAYMENT_CHECKOUT_BASE=f"http://pay.localhost:{args.proxy_port}",
        PUBLIC_BASE_URL=f"http://order.localhost:{args.proxy_port}",
        # nginx appends the address it saw to X-Forwarded-For: the sign-in throttle counts that one.
        REFLEX_TRUSTED_PROXY_HOPS="1",
        # Every backend serves menu photos that the store process saved.
        REFLEX_UPLOADED_FILES_DIR=str(workdir / "uploads"),
        GRANIAN_WORKERS=str(args.workers),
        # The frontend's backend address: Reflex keeps the browser's own host name and this port.
        REFLEX_API_URL=f"http://localhost:{args.proxy_port}",
    )
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, env=env, check=True)


def render(template: str, values: dict) -> str:
    out = (HERE / template).read_text()
    for key, value in values.items():
        out = out.replace("{{" + key + "}}", str(value))
    return out


def worker_user() -> str:
    """Started as root, nginx runs its workers as `nobody`, who cannot read a work folder private to its
    owner (root's home, pytest's temporary folders): they run as the owner then."""
    if os.geteuid() != 0:
        return ""
    return f"user {pwd.getpwuid(os.geteuid()).pw_name};\n"


def write_configs(args, workdir: Path, app_dir: Path, env: dict[str, str]) -> Path:
    p = ports(args)
    (workdir / "logs").mkdir(exist_ok=True)
    (workdir / "uploads").mkdir(exist_ok=True)
    (workdir / "nginx").mkdir(exist_ok=True)
    (workdir / "nginx.conf").write_text(render("nginx.conf.in", {
        "WORKER_USER": worker_user(), "PREFIX": workdir / "nginx", "LOGS": workdir / "logs",
        "PROXY_PORT": args.proxy_port,
        "ORDERING_1": p["ordering-1"], "ORDERING_2": p["ordering-2"], "STORE": p["store"],
        "SANDBOX": p["sandbox"], "STATIC": app_dir / ".web" / "build" / "client"}))
    reflex = VENV_BIN / "reflex"
    backend = f"{reflex} run --env prod --backend-only --backend-host 127.0.0.1 --backend-port"
    programs = {
        "sandbox": (f"{sys.executable} -m hiorder_app sandbox-pay --host 127.0.0.1 --port {p['sandbox']}", {}),
        "ordering-1": (f"{backend} {p['ordering-1']}", {"HIORDER_ROLE": "ordering"}),
        "ordering-2": (f"{backend} {p['ordering-2']}", {"HIORDER_ROLE": "ordering"}),
        "store": (f"{backend} {p['store']}", {"HIORDER_ROLE": "store"}),
        "proxy": (f"/usr/sbin/nginx -p {workdir / 'nginx'} -c {workdir / 'nginx.conf'} -g 'daemon off;'", {}),
    }
    sections = [render("supervisord.conf.in", {"WORKDIR": workdir, "LOGS": workdir / "logs"})]
    for name, (command, extra) in programs.items():
        program_env = ",".join(f'{k}="{v}"' for k, v in {**env, **extra}.items() if '"' not in v and "%" not in v)
        sections.append(
            f"[program:{name}]\ncommand={command}\ndirectory={app_dir}\nenvironment={program_env}\n"
            "autorestart=true\nstartsecs=2\nstartretries=100\nstopasgroup=true\nkillasgroup=true\n"
            f"stopwaitsecs=10\nredirect_stderr=true\nstdout_logfile={workdir / 'logs' / name}.log\n"
            "stdout_logfile_maxbytes=20MB\nstdout_logfile_backups=1\n")
    conf = workdir / "supervisord.conf"
    conf.write_text("\n".join(sections))
    return conf


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    app_dir = workdir / "app"
    copy_app(app_dir)
    env = environment(args, workdir)
    ensure_database(args.database_url)
    run([sys.executable, "-m", "hiorder_app", "upgrade"], app_dir, env)  # once, before any backend starts
    if not args.no_seed:
        run([sys.executable, "-m", "hiorder_app", "seed"], app_dir, env)
    if not (args.no_build and (app_dir / ".web" / "build" / "client").exists()):
        run([str(VENV_BIN / "reflex"), "export", "--frontend-only", "--no-zip", "--env", "prod"], app_dir, env)
    conf = write_configs(args, workdir, app_dir, env)
    port = args.proxy_port
    # What the drills (tests/drills/) read to find this cluster's processes, ports and database.
    (workdir / "cluster.json").write_text(json.dumps({
        "proxy_port": port, "ports": ports(args), "database_url": args.database_url, "redis_url": args.redis_url,
        "supervisord_conf": str(conf)}, indent=2))
    print(f"\nHiOrder cluster (Ctrl-C stops it all; logs in {workdir / 'logs'}):\n"
          f"  tablets       http://order.localhost:{port}/login\n"
          f"  store console http://store.localhost:{port}/admin\n"
          f"  payments      http://pay.localhost:{port} (sandbox provider)\n"
          f"  processes     {VENV_BIN / 'supervisorctl'} -c {conf} status\n", flush=True)
    if args.prepare_only:
        return 0
    os.execv(str(VENV_BIN / "supervisord"), [str(VENV_BIN / "supervisord"), "-n", "-c", str(conf)])


if __name__ == "__main__":
    sys.exit(main())
