"""The Reflex app: routes and their guards. Everything else lives in the layers below."""

import reflex as rx
from reflex.utils.exec import is_prod_mode
from starlette.applications import Starlette
from starlette.routing import Mount

from . import payment_return, production
from .lifespan import role_lifespan_tasks
from .pages.admin_board import admin_board_page
from .pages.admin_dashboard import admin_dashboard_page
from .pages.admin_history import admin_history_page
from .pages.admin_menu import admin_menu_page
from .pages.admin_tables import admin_tables_page, admin_tables_print_page
from .pages.login import login_page
from .pages.payment_result import busy_page, payment_fail_page, payment_success_page
from .pages.table_link import table_link_page
from .pages.table_orders import table_orders_page
from .pages.tablet_menu import tablet_menu_page
from .sandbox_pay import create_sandbox_app
from .settings import get_settings
from .states.admin_menu_state import AdminMenuState
from .states.admin_state import AdminState
from .states.admin_tables_state import AdminTablesState
from .states.board_state import BoardState
from .states.boundary import on_unhandled
from .states.history_state import HistoryState
from .states.login_state import LoginState
from .states.payment_state import PaymentState
from .states.redis_lock import install as give_back_cancelled_locks
from .states.role_gate import RoleGate, keep_to_role
from .states.session_state import ForgetSignedOut
from .states.table_link_state import TableLinkState
from .states.tablet_state import TabletState
from .upload_limit import limit_uploads


def _refuse_unsafe_production(asgi_app):
    """Applied when the backend starts serving, so a compile or export needs no production secrets."""
    production.check(get_settings(), is_prod_mode())
    return asgi_app


def _extra_routes() -> list:
    """The provider's success redirect lands on the backend (payment_return.py); the sandbox easy-pay
    provider is mounted so `make run` pays end to end without an account."""
    settings = get_settings()
    routes: list = list(payment_return.routes)
    if settings.sandbox_pay_mounted:
        routes.append(Mount("/sandbox-pay", app=create_sandbox_app(
            secret_key=settings.payment_secret_key, client_key=settings.payment_client_key)))
    # An upload's body is bounded before Reflex reads it (upload_limit.py).
    return [Starlette(routes=routes), limit_uploads, _refuse_unsafe_production]


# A state lock taken by a cancelled event is given back at once, not after 10 s (states/redis_lock.py).
give_back_cancelled_locks()
# What fails before a handler's own boundary (states/boundary.py) is logged as one line, not shown.
# tablet.css: the diner's pages' touch sizes, line breaking and scroll hints.
app = rx.App(api_transformer=_extra_routes(), backend_exception_handler=on_unhandled, stylesheets=["/tablet.css"])
app.add_middleware(RoleGate())
app.add_middleware(ForgetSignedOut())
for task in role_lifespan_tasks(get_settings().hiorder_role):
    app.register_lifespan_task(task)
# Once the app is built, before the first event: the other role's states leave this process's state graph.
app.register_lifespan_task(lambda: keep_to_role(get_settings().hiorder_role))
app.add_page(login_page, route="/login", title="HiOrder", on_load=LoginState.redirect_if_signed_in)
app.add_page(tablet_menu_page, route="/", title="HiOrder",
             on_load=[TabletState.load_table, TabletState.follow])
app.add_page(table_orders_page, route="/orders", title="HiOrder",
             on_load=[TabletState.load_table, TabletState.follow])
app.add_page(admin_dashboard_page, route="/admin", title="HiOrder Admin", on_load=AdminState.load_dashboard)
# No menu load before the confirm: the backend confirmed already (payment_return.py), and a paid order
# goes on to 주문 내역, which loads it; only a failure shows the menu's header here (PaymentState.confirm).
app.add_page(payment_success_page, route="/pay/success", title="HiOrder", on_load=PaymentState.confirm)
app.add_page(payment_fail_page, route="/pay/fail", title="HiOrder",
             on_load=[TabletState.load_menu, PaymentState.cancelled])
app.add_page(busy_page, route="/busy", title="HiOrder", on_load=TabletState.count_down)
app.add_page(admin_board_page, route="/admin/board", title="HiOrder · Orders",
             on_load=[BoardState.require_admin, BoardState.follow])
app.add_page(admin_menu_page, route="/admin/menu", title="HiOrder · Menu",
             on_load=[AdminMenuState.load, AdminMenuState.follow])
app.add_page(admin_tables_page, route="/admin/tables", title="HiOrder · Tables", on_load=AdminTablesState.load)
app.add_page(admin_tables_print_page, route="/admin/tables/print", title="HiOrder · Table QR sheet",
             on_load=AdminTablesState.load_sheet)
# A table's QR sign-in link (services/table_links); the arg is not named `token`, SessionState's var.
app.add_page(table_link_page, route="/t/[link_token]", title="HiOrder", on_load=TableLinkState.sign_in_with_link)
app.add_page(admin_history_page, route="/admin/history", title="HiOrder · History",
             on_load=[HistoryState.require_admin, HistoryState.load])
