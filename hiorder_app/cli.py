"""`python -m hiorder_app <command>`: operator chores. It parses arguments and calls services, nothing more.

Reflex is never imported here, so these commands start fast and run where the web app is not built.
"""

import argparse
import sys

from .domain.errors import DomainError
from .services import migrations, seed
from .services.auth import accounts


def _store_id(code: str) -> int:
    store_id = accounts.store_id_by_code(code)
    if store_id is None:
        raise DomainError("input.invalid", field=(f"매장 코드 '{code}' 없음", f"no store with code '{code}'"))
    return store_id


def cmd_upgrade(_args) -> None:
    migrations.upgrade()
    print("Database schema is up to date.")


def cmd_seed(args) -> None:
    if seed.seed_demo(force=args.force):
        username, password = seed.DEMO_ADMIN
        print(f"Seeded the demo store '{seed.DEMO_STORE_CODE}': admin {username} / {password}, "
              f"tablets table1..table{seed.DEMO_TABLES} / {seed.DEMO_TABLE_PASSWORD}.")
    else:
        print("Not seeded: the database already has a store." if not args.force
              else f"Not seeded: store '{seed.DEMO_STORE_CODE}' already exists.")


def cmd_setup(args) -> None:
    cmd_upgrade(args)
    cmd_seed(args)


def cmd_create_admin(args) -> None:
    account_id = accounts.create_admin(_store_id(args.store), args.username, args.password)
    print(f"Created admin '{args.username}' (account {account_id}) in store '{args.store}'.")


def cmd_create_table(args) -> None:
    table_id, username = accounts.create_table_account(_store_id(args.store), args.number, args.password)
    print(f"Table {args.number} (id {table_id}) signs in as '{username}' in store '{args.store}'.")


def cmd_sandbox_pay(args) -> None:
    # Imported here: the other commands need neither uvicorn nor the sandbox.
    import uvicorn

    from .sandbox_pay import create_sandbox_app
    from .settings import get_settings

    settings = get_settings()
    app = create_sandbox_app(secret_key=settings.payment_secret_key, client_key=settings.payment_client_key)
    print(f"Sandbox payment provider on http://{args.host}:{args.port} "
          f"(faults: {app.state.fault_injector.faults.to_dict()}).", flush=True)
    # A short graceful shutdown: requests held by the latency fault would otherwise delay the exit.
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, timeout_graceful_shutdown=2)


def cmd_reconcile(args) -> None:
    from .services.events.bus import relay_once
    from .services.payments import checkout as payments

    report = payments.reconcile()
    print(f"reconciled: {report.paid} paid, {report.refunded} refunded, {report.expired} expired, "
          f"{report.failed} failed, {report.pending} still in progress at the provider, "
          f"{report.unreachable} left for later (provider unreachable or refund not through)")
    # Events this run recorded are published by the relay if no web process is there to take them.
    relay_once(min_age_seconds=0)


def cmd_prune_outbox(args) -> None:
    from .services.events.retention import prune_outbox

    pruned = prune_outbox(retention_days=args.days, batch_size=args.batch_size)
    print(f"pruned {pruned} published outbox events past retention (unpublished events are kept)")


def cmd_rebuild_insights(args) -> None:
    from .services.read_models.projections import rebuild_stores
    from .settings import get_settings

    counts = rebuild_stores(get_settings().tz, [_store_id(args.store)] if args.store else None)
    for store_id, orders in counts.items():
        print(f"store {store_id}: sales aggregates and recommendations rebuilt from {orders} paid orders")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hiorder_app", description="HiOrder maintenance commands.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("upgrade", help="apply the database migrations").set_defaults(run=cmd_upgrade)
    p = sub.add_parser("seed", help="create the demo store if the database has no store")
    p.add_argument("--force", action="store_true", help="create the demo store even if other stores exist")
    p.set_defaults(run=cmd_seed)
    sub.add_parser("setup", help="upgrade, then seed the demo store if the database is empty").set_defaults(
        run=cmd_setup, force=False)

    p = sub.add_parser("create-admin", help="add an admin account to a store")
    p.add_argument("--store", required=True, metavar="CODE")
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.set_defaults(run=cmd_create_admin)

    p = sub.add_parser("create-table", help="add a table and its tablet account (or reset its password)")
    p.add_argument("--store", required=True, metavar="CODE")
    p.add_argument("--number", required=True, type=int)
    p.add_argument("--password", required=True)
    p.set_defaults(run=cmd_create_table)

    sub.add_parser("reconcile", help="settle payments with the provider: lost confirms, due refunds, expiries"
                   ).set_defaults(run=cmd_reconcile)

    p = sub.add_parser("prune-outbox", help="delete published outbox events older than the retention period")
    p.add_argument("--days", type=float, default=None, help="retention in days (default: OUTBOX_RETENTION_DAYS)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="rows per transaction (default: OUTBOX_PRUNE_BATCH_SIZE)")
    p.set_defaults(run=cmd_prune_outbox)

    p = sub.add_parser("rebuild-insights", help="recompute the sales aggregates and recommendations from the "
                       "orders (after an import, or when STORE_TIMEZONE changed)")
    p.add_argument("--store", help="store code (default: every store)")
    p.set_defaults(run=cmd_rebuild_insights)
    p = sub.add_parser("sandbox-pay", help="run the sandbox payment provider (Toss Payments v1 API stand-in)",
                       description="Faults come from SANDBOX_LATENCY_MS, SANDBOX_DECLINE_RATE, "
                                   "SANDBOX_CONFIRM_DECLINE_RATE, SANDBOX_ERROR_RATE, SANDBOX_LOSE_CONFIRM, "
                                   "SANDBOX_SEED; keys from PAYMENT_SECRET_KEY / PAYMENT_CLIENT_KEY.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8100)
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(run=cmd_sandbox_pay)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except DomainError as exc:
        print(f"error: {exc.message('en')}\n오류: {exc.message('ko')}", file=sys.stderr)
        return 2
    return 0
