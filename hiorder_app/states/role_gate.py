"""Each backend process serves one role (HIORDER_ROLE): the tablet's states on `ordering`, the store
console's on `store`, both on `all`. The gate refuses the other role's events on the server, whatever the
browser sends, so a console outage or a flood of console traffic never runs on the ordering processes."""

import logging

from reflex.middleware import Middleware
from reflex.state import StateUpdate

from ..settings import get_settings
from .admin_menu_state import AdminMenuState
from .admin_options_state import AdminOptionsState
from .admin_state import AdminState
from .admin_tables_state import AdminTablesState
from .board_state import BoardState
from .history_state import HistoryState
from .payment_state import PaymentState
from .table_link_state import TableLinkState
from .tablet_sign_out_state import TabletSignOutState
from .tablet_state import TabletState

log = logging.getLogger(__name__)

# Sign-in, sign-out and the language switch (SessionState, LoginState) are served by both roles.
ROLE_STATES = {
    "ordering": (TabletState, PaymentState, TableLinkState, TabletSignOutState),
    "store": (AdminState, BoardState, HistoryState, AdminMenuState, AdminOptionsState, AdminTablesState),
}


def _other_roles_states(role: str) -> tuple[str, ...]:
    return tuple(cls.get_full_name() + "." for other, classes in ROLE_STATES.items() if other != role
                 for cls in classes)


class RoleGate(Middleware):
    def __init__(self, role: str | None = None):
        self.role = role or get_settings().hiorder_role
        self._refused = () if self.role == "all" else _other_roles_states(self.role)

    def refuses(self, event_name: str) -> bool:
        # A state's own handlers are named "<state full name>.<handler>"; a substate's name extends it.
        return event_name.startswith(self._refused)

    async def preprocess(self, app, state, event) -> StateUpdate | None:
        if self.refuses(event.name):
            log.warning("role %s refused event %s", self.role, event.name.rsplit(".", 1)[-1])
            return StateUpdate()
        return None
