"""The Reflex app: routes and their guards. Everything else lives in the layers below."""

import reflex as rx

from .pages.admin_dashboard import admin_dashboard_page
from .pages.login import login_page
from .pages.table_orders import table_orders_page
from .pages.tablet_menu import tablet_menu_page
from .states.admin_state import AdminState
from .states.login_state import LoginState
from .states.tablet_state import TabletState

app = rx.App()
app.add_page(login_page, route="/login", title="HiOrder", on_load=LoginState.redirect_if_signed_in)
app.add_page(tablet_menu_page, route="/", title="HiOrder", on_load=TabletState.load_menu)
app.add_page(table_orders_page, route="/orders", title="HiOrder", on_load=[TabletState.load_menu, TabletState.load_orders])
app.add_page(admin_dashboard_page, route="/admin", title="HiOrder Admin", on_load=AdminState.load_dashboard)
