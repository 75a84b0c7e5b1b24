"""HIORDER_ROLE: a process refuses the other role's events on the server, whatever a browser sends."""

import asyncio
import importlib
import pkgutil
from concurrent.futures import ThreadPoolExecutor

import pytest
import reflex as rx
from reflex.istate.manager.redis import StateManagerRedis
from reflex.state import StateUpdate
from reflex_base.event import Event

# Every state module, without importing the app module itself: an app imported before the UI tests'
# AppHarness compiles it leaves its memoised components out of that compile.
import hiorder_app.states  # noqa: E402
from hiorder_app.lifespan import (
    deliver_live_events_forever,
    prune_outbox_forever,
    reconcile_payments_forever,
    relay_outbox_forever,
    role_lifespan_tasks,
    watch_event_loop_lag_forever,
)
from hiorder_app.states.board_state import BoardState
from hiorder_app.states.login_state import LoginState
from hiorder_app.states.role_gate import ROLE_STATES, RoleGate, keep_to_role
from hiorder_app.states.session_state import SessionState
from hiorder_app.states.tablet_state import TabletState

for _module in pkgutil.iter_modules(hiorder_app.states.__path__):
    importlib.import_module(f"hiorder_app.states.{_module.name}")


def _run(coro):
    """In a thread of its own: inside a session that also runs Playwright, this thread may hold a loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _handlers(cls) -> list[str]:
    return [f"{cls.get_full_name()}.{name}" for name in cls.event_handlers]


ORDERING = [h for cls in ROLE_STATES["ordering"] for h in _handlers(cls)]
STORE = [h for cls in ROLE_STATES["store"] for h in _handlers(cls)]
SHARED = _handlers(SessionState) + _handlers(LoginState)


def test_every_state_of_the_app_belongs_to_a_role_or_is_shared():
    known = {cls for classes in ROLE_STATES.values() for cls in classes} | {SessionState, LoginState}
    pending = [SessionState]
    while pending:
        cls = pending.pop()
        assert cls in known, f"{cls.__name__} serves neither role: add it to ROLE_STATES"
        pending.extend(cls.__subclasses__())


@pytest.mark.parametrize("role, refused, served", [("ordering", STORE, ORDERING), ("store", ORDERING, STORE)])
def test_a_role_refuses_the_others_handlers_and_serves_its_own(role, refused, served):
    gate = RoleGate(role)
    assert refused and served
    assert all(gate.refuses(name) for name in refused)
    assert not any(gate.refuses(name) for name in served + SHARED)


def test_all_serves_everything():
    gate = RoleGate("all")
    assert not any(gate.refuses(name) for name in ORDERING + STORE + SHARED)


def test_a_refused_event_is_answered_with_an_empty_update_and_one_warning(caplog):
    gate = RoleGate("ordering")
    accept = next(h for h in STORE if h.endswith(".accept"))
    refused = _run(gate.preprocess(None, None, Event(name=accept, payload={"order_id": 1})))
    assert isinstance(refused, StateUpdate) and not refused.delta and not refused.events
    assert [r.levelname for r in caplog.records] == ["WARNING"] and "accept" in caplog.text
    add = next(h for h in ORDERING if h.endswith(".add"))
    assert _run(gate.preprocess(None, None, Event(name=add, payload={}))) is None


def test_lifespan_work_by_role():
    """Relay, reconciliation and pruning finish what diners started, so they run where ordering runs."""
    follows = [deliver_live_events_forever, watch_event_loop_lag_forever]
    writers = [relay_outbox_forever, reconcile_payments_forever, prune_outbox_forever]
    assert set(role_lifespan_tasks("store")) == set(follows)
    assert set(role_lifespan_tasks("ordering")) == set(follows + writers)
    assert set(role_lifespan_tasks("all")) == set(follows + writers)


def _every_state():
    found, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return found


@pytest.fixture
def graph():
    """The state classes' dependency graph as built, put back after the test (it is process-wide)."""
    kept = {cls: (cls._potentially_dirty_states, cls._always_dirty_substates, cls._var_dependencies)
            for cls in _every_state()}
    yield
    for cls, (dirty, always, deps) in kept.items():
        cls._potentially_dirty_states, cls._always_dirty_substates, cls._var_dependencies = dirty, always, deps


def _loaded_with(cls) -> set[str]:
    """The states Reflex reads from Redis for an event of `cls` (what its state manager asks for)."""
    manager = StateManagerRedis.__new__(StateManagerRedis)
    return {c.__name__ for c in manager._get_required_state_classes(cls, subclasses=True)}


def test_as_built_every_event_loads_every_page_state():
    """What keep_to_role is for: SessionState's `lang` is read by every page state's computed vars."""
    assert {"AdminState", "BoardState", "AdminMenuState"} <= _loaded_with(TabletState)
    assert "TabletState" in _loaded_with(BoardState)


@pytest.mark.parametrize("role, mine, other", [
    ("ordering", TabletState, BoardState), ("store", BoardState, TabletState)])
def test_a_role_loads_only_its_own_states_with_its_events(graph, role, mine, other):
    keep_to_role(role)
    own = {c.__name__ for c in ROLE_STATES[role]}
    foreign = {c.__name__ for r, classes in ROLE_STATES.items() if r != role for c in classes}
    for cls in (mine, LoginState):  # (an event of SessionState itself loads all its substates, as Reflex does)
        loaded = _loaded_with(cls)
        assert not loaded & foreign, (cls.__name__, loaded & foreign)
        assert {"State", "SessionState"} <= loaded <= own | {"State", "SessionState", "LoginState"}
    # The other role's states keep their own dependencies (their events are refused here anyway).
    assert other.__name__ in _loaded_with(other)


def test_a_language_switch_still_reaches_the_roles_own_views(graph):
    keep_to_role("ordering")
    root = rx.State(_reflex_internal_init=True)
    session = root.get_substate(SessionState.get_full_name().split(".")[1:])
    tablet = root.get_substate(TabletState.get_full_name().split(".")[1:])
    tablet.store_name_ko, tablet.store_name_en = "한식당", "Hansik"
    assert tablet.store_name == "한식당"
    session.lang = "en"
    assert "store_name" in tablet.dirty_vars
    assert tablet.store_name == "Hansik"


def test_all_keeps_the_whole_graph(graph):
    keep_to_role("all")
    assert {"AdminState", "BoardState"} <= _loaded_with(TabletState)
