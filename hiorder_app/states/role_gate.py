"""Each backend process serves one role (HIORDER_ROLE): the tablet's states on `ordering`, the store
console's on `store`, both on `all`. The gate refuses the other role's events on the server, whatever the
browser sends, so a console outage or a flood of console traffic never runs on the ordering processes."""

import logging

import reflex as rx
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


def keep_to_role(role: str) -> None:
    """Reflex loads from Redis, with every event, each state whose computed vars read a var of the event's
    state or of its ancestors: every page state reads SessionState's `lang`, so each tablet event also
    loaded and unpickled the store console's six states (and each console event the tablet's, menu and
    all). This process refuses the other role's events (RoleGate) and serves none of its pages, so there
    those states never change and nothing of theirs is shown: they leave the dependency graph here. Run
    once the app is built (a lifespan function): adding a page with a dynamic route rebuilds the graph."""
    if role == "all":
        return
    foreign = set(_other_roles_states(role))

    def is_foreign(full_name: str) -> bool:
        return (full_name + ".").startswith(tuple(foreign))

    todo = [rx.State]
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        cls._potentially_dirty_states = {n for n in cls._potentially_dirty_states if not is_foreign(n)}
        cls._always_dirty_substates = {n for n in cls._always_dirty_substates
                                       if not is_foreign(f"{cls.get_full_name()}.{n}")}
        cls._var_dependencies = {var: {(state, cvar) for state, cvar in deps if not is_foreign(state)}
                                 for var, deps in cls._var_dependencies.items()}
    log.info("role %s: the other role's states are not loaded with this role's events", role)


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
