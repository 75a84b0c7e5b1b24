"""The Reflex app: routes and their guards. Everything else lives in the layers below."""

import reflex as rx
from starlette.applications import Starlette
from starlette.routing import Mount

from .lifespan import reconcile_payments_forever

from .pages.admin_dashboard import admin_dashboard_page
from .pages.login import login_page
from .pages.payment_result import busy_page, payment_fail_page, payment_success_page
from .pages.table_orders import table_orders_page
from .pages.tablet_menu import tablet_menu_page
from .states.admin_state import AdminState
from .states.login_state import LoginState
from .states.payment_state import PaymentState
from .sandbox_pay import create_sandbox_app
from .settings import get_settings
from .states.tablet_state import TabletState

def _extra_routes() -> Starlette | None:
    """The sandbox easy-pay provider, mounted so `make run` pays end to end without an account."""
    settings = get_settings()
    if not settings.sandbox_pay_mounted:
        return None
    return Starlette(routes=[Mount("/sandbox-pay", app=create_sandbox_app(secret_key=settings.payment_secret_key))])


app = rx.App(api_transformer=_extra_routes())
app.register_lifespan_task(reconcile_payments_forever)
app.add_page(login_page, route="/login", title="HiOrder", on_load=LoginState.redirect_if_signed_in)
app.add_page(tablet_menu_page, route="/", title="HiOrder", on_load=TabletState.load_menu)
app.add_page(table_orders_page, route="/orders", title="HiOrder", on_load=[TabletState.load_menu, TabletState.load_orders])
app.add_page(admin_dashboard_page, route="/admin", title="HiOrder Admin", on_load=AdminState.load_dashboard)
app.add_page(payment_success_page, route="/pay/success", title="HiOrder", on_load=[TabletState.load_menu, PaymentState.confirm])
app.add_page(payment_fail_page, route="/pay/fail", title="HiOrder", on_load=[TabletState.load_menu, PaymentState.cancelled])
app.add_page(busy_page, route="/busy", title="HiOrder", on_load=TabletState.count_down)
