"""Handlers wait on the database in worker threads (states/boundary.py): one browser's handler stuck
behind a database lock holds up that browser only, never the event loop that serves all the others."""

import time

from hiorder_app.services.db import get_engine
from hiorder_app.services.seed import DEMO_ADMIN
from hiorder_app.states.admin_tables_state import AdminTablesState
from tests.ui.event_socket import EventSocket, backend_url, event_name, sign_in


def test_a_handler_waiting_on_the_database_does_not_hold_up_other_browsers(app_harness):
    url = backend_url(app_harness)
    admin, other = EventSocket(url), EventSocket(url)
    sign_in(admin, *DEMO_ADMIN)
    admin.settle()
    other.settle()
    with get_engine().connect() as conn:
        conn.begin()  # SQLite's write lock (BEGIN IMMEDIATE, db.py): every other transaction now waits
        admin.send(event_name(AdminTablesState, "load"))
        time.sleep(0.5)  # the admin's handler is waiting for the lock by now
        started = time.monotonic()
        other.settle()  # two round trips of another browser's events
        waited = time.monotonic() - started
        assert waited < 1.0, f"another browser waited {waited:.1f} s behind a handler stuck on the database"
        assert not [d for d in admin.deltas() if AdminTablesState.get_full_name() in d]
        conn.rollback()
    # Released: the admin's page loads as if nothing had happened.
    assert admin.value(AdminTablesState, "rows", where=bool)
    admin.close()
    other.close()
