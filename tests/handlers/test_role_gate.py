"""HIORDER_ROLE: a process refuses the other role's events on the server, whatever a browser sends."""

import asyncio
import importlib
import pkgutil
from concurrent.futures import ThreadPoolExecutor

import pytest
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
from hiorder_app.states.login_state import LoginState
from hiorder_app.states.role_gate import ROLE_STATES, RoleGate
from hiorder_app.states.session_state import SessionState

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
