"""When a session ends (signed out, expired, revoked) nothing of the store is readable any more, and the
live views stop; when the database fails, handlers answer "try again" and the live views recover.
Driven over the app's real event socket (tests/ui/event_socket.py), against the one harness."""

import functools
import time
import uuid

import pytest
from sqlmodel import select

from hiorder_app.domain.events import MENU_CHANGED, RESYNC, STAFF_CALLED
from hiorder_app.domain.models import AuthSession, Store
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.auth.sessions import _token_hash
from hiorder_app.services.db import session_scope
from hiorder_app.services.events.live_hub import hub
from hiorder_app.services.seed import DEMO_ADMIN, DEMO_STORE_CODE, DEMO_TABLE_PASSWORD
from hiorder_app.states import live_view
from hiorder_app.states.admin_tables_state import AdminTablesState
from hiorder_app.states.board_state import BoardState
from hiorder_app.states.session_state import SessionState
from hiorder_app.states.tablet_state import TabletState
from tests.conftest import database_url
from tests.ui import backend_log
from tests.ui.event_socket import EventSocket, backend_url, changes, event_name, hydrate, sign_in

RETRY_KO = "잠시 후 다시 시도해 주세요."
# A database that refuses every connection, as one being restarted does.
UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:9/nothing"


@pytest.fixture
def url(app_harness) -> str:
    return backend_url(app_harness)


@pytest.fixture
def log():
    handler, loggers = backend_log.attach()
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


@functools.cache
def store_id() -> int:
    with session_scope() as s:
        return s.exec(select(Store.id).where(Store.code == DEMO_STORE_CODE)).one()


def revoke(token: str) -> None:
    """What staff signing a tablet out, or an operator revoking a session, leave in the database."""
    with session_scope() as s:
        row = s.exec(select(AuthSession).where(AuthSession.token_hash == _token_hash(token))).one()
        row.revoked_at = utcnow()
        s.add(row)


def staff_call(table: int) -> dict:
    call_id = 900_000 + table * 10 + int(time.monotonic() * 1000) % 10
    return {"id": str(uuid.uuid4()), "type": STAFF_CALLED, "store_id": store_id(),
            "payload": {"call_id": call_id, "table_id": 0, "table_number": table, "created_at": utcnow().isoformat()}}


def snapshot(sock: EventSocket, storage: dict | None = None) -> dict:
    """The whole state a reconnecting page receives, by state and var name."""
    hydrate(sock, storage)
    merged: dict = {}
    for delta in sock.settle():
        for state in delta:
            merged.setdefault(state, {}).update({k.removesuffix("_rx_state_"): v for k, v in delta[state].items()})
    return merged


def admin_tables_loaded(url: str) -> tuple[EventSocket, str]:
    sock = EventSocket(url)
    token = sign_in(sock, *DEMO_ADMIN)
    sock.send(event_name(AdminTablesState, "load"))
    rows = sock.value(AdminTablesState, "rows", where=bool)
    assert any(r["username"] == "table1" for r in rows)
    return sock, token


def test_a_signed_out_admin_tab_reconnects_to_nothing(url):
    sock, _token = admin_tables_loaded(url)
    sock.send(event_name(SessionState, "sign_out"))
    # The open tab forgets at once (what its page's memory held goes too)...
    sock.value(AdminTablesState, "rows", where=lambda rows: rows == [])
    sock.close()

    # ...and a reconnect with the same client token sends nothing back.
    again = EventSocket(url, token=sock.token)  # the same tab's client token, as a reload would send
    state = snapshot(again)
    assert state[AdminTablesState.get_full_name()]["rows"] == []
    assert state[SessionState.get_full_name()]["username"] == ""
    again.close()


def test_a_session_revoked_while_the_tab_was_away_reconnects_to_nothing(url):
    sock, token = admin_tables_loaded(url)
    sock.close()
    revoke(token)

    again = EventSocket(url, token=sock.token)
    # The browser still holds its (now revoked) session token and sends it along, as a page does.
    state = snapshot(again, {f"{SessionState.get_full_name()}.token_rx_state_": token})
    assert state[AdminTablesState.get_full_name()]["rows"] == []
    assert state[SessionState.get_full_name()]["username"] == ""
    again.close()


def open_board(url: str) -> tuple[EventSocket, str]:
    sock = EventSocket(url)
    token = sign_in(sock, *DEMO_ADMIN)
    sock.send(event_name(BoardState, "follow"))
    sock.value(BoardState, "live", where=bool)
    hub.deliver(staff_call(7))
    sock.value(BoardState, "call_cards", where=lambda cards: any("7번" in c["text"] for c in cards))
    return sock, token


def close_board(sock: EventSocket) -> None:
    """Sign out, and let the board's loop notice at once (a loop started by an event, not by a page's
    on_load, is not cancelled when its socket goes)."""
    sock.send(event_name(SessionState, "sign_out"))
    sock.value(SessionState, "token", where=lambda t: t == "")
    hub.deliver(staff_call(4))
    sock.close()


def stopped(sock: EventSocket, listeners_before: int) -> None:
    """The board forgot the store's orders and calls, and its loop left the hub."""
    sock.value(BoardState, "call_cards", where=lambda cards: cards == [])
    deadline = time.monotonic() + 5
    while hub.listeners(store_id()) > listeners_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hub.listeners(store_id()) == listeners_before


def test_a_revoked_board_receives_nothing_after_the_next_event(url):
    listeners = hub.listeners(store_id())
    sock, token = open_board(url)
    revoke(token)
    hub.deliver(staff_call(9))
    stopped(sock, listeners)
    hub.deliver(staff_call(6))
    time.sleep(0.5)
    seen = sock.settle()
    assert not any("9번" in str(d) or "6번" in str(d) for d in seen)
    sock.close()


def test_a_revoked_board_stops_at_the_next_check_when_nothing_happens(url, monkeypatch):
    monkeypatch.setattr(live_view, "SESSION_CHECK_SECONDS", 1)
    listeners = hub.listeners(store_id())
    sock, token = open_board(url)
    revoke(token)
    stopped(sock, listeners)  # within about a second, with no event at all
    sock.close()


def test_a_tablet_signed_out_by_staff_stops_following(url):
    sock = EventSocket(url)
    token = sign_in(sock, "table9", DEMO_TABLE_PASSWORD)
    sock.send(event_name(TabletState, "load_menu"))
    sock.value(TabletState, "visible_items", where=bool)
    listeners = hub.listeners(store_id())
    sock.send(event_name(TabletState, "follow"))
    deadline = time.monotonic() + 5
    while hub.listeners(store_id()) == listeners and time.monotonic() < deadline:
        time.sleep(0.05)
    revoke(token)
    hub.deliver({"id": str(uuid.uuid4()), "type": MENU_CHANGED, "store_id": store_id(), "payload": {}})
    sock.value(TabletState, "visible_items", where=lambda items: items == [])
    deadline = time.monotonic() + 5
    while hub.listeners(store_id()) > listeners and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hub.listeners(store_id()) == listeners
    sock.close()


def test_a_database_outage_reads_as_try_again_and_keeps_the_cart(url, log):
    sock = EventSocket(url)
    sign_in(sock, "table9", DEMO_TABLE_PASSWORD)
    sock.send(event_name(TabletState, "load_menu"))
    items = sock.value(TabletState, "visible_items", where=bool)
    key = next(i["key"] for i in items if not i["sold_out"])
    sock.send(event_name(TabletState, "add"), {"key": key})
    assert sock.value(TabletState, "cart_count", where=bool) == 1
    sock.settle()
    log.clear()

    with database_url(UNREACHABLE_DB):
        sock.send(event_name(TabletState, "place_order"))
        assert sock.value(SessionState, "error_ko", where=bool) == RETRY_KO
        seen = sock.settle()
    # The cart is as it was, and the tablet is not left "placing": the diner can simply try again.
    tablet = [changes(d, TabletState) for d in seen]
    assert not any(c.get("placing") or "cart_count" in c for c in tablet), tablet
    lines = [m for m in log.boundary_lines() if "place_order" in m]
    assert len(lines) == 1 and "OperationalError" in lines[0], lines
    log.assert_quiet(backend_log.BackendLog.BOUNDARY)

    sock.send(event_name(TabletState, "open_detail"), {"key": key})  # any tap: the cart is still there
    sock.send(event_name(TabletState, "add"), {"key": key})
    assert sock.value(TabletState, "cart_count", where=bool) == 2
    sock.close()


def test_the_board_survives_a_database_outage_and_recovers_by_itself(url, log):
    sock, _token = open_board(url)
    resync = {"id": str(uuid.uuid4()), "type": RESYNC, "store_id": store_id()}
    log.clear()
    with database_url(UNREACHABLE_DB):
        hub.deliver(resync)
        sock.value(BoardState, "live", where=lambda live: live is False)
    # Back again: within the retry pause the board reloads and is live, with no reload of the page.
    sock.value(BoardState, "live", where=bool, timeout=live_view.RETRY_SECONDS + 5)
    lines = [r.getMessage() for r in log.records if r.name == "hiorder_app.states.board_state"]
    assert lines and all("OperationalError" in m for m in lines), lines
    log.assert_quiet("hiorder_app.states.board_state")
    call = staff_call(5)
    hub.deliver(call)
    sock.value(BoardState, "call_cards", where=lambda cards: any("5번" in c["text"] for c in cards))
    close_board(sock)
