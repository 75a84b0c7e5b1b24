"""Drill 4: PostgreSQL goes down and comes back under ordering. A diner who orders meanwhile reads a
friendly "try again in a moment" with the cart kept, never a frozen button; ordering works again within
2 s of the database being back (issue 8 item 7)."""

import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.drills.cluster_control import pg_ctl, start_postgres
from tests.drills.records import tally
from tests.drills.tablets import CHECKOUT, RETRY_TEXT, Tablet

TABLE = 9
RECOVERY_BOUND = 2.0


def place_until_checkout(tablet: Tablet, timeout: float) -> None:
    """Press "order" until the provider's checkout page opens, as a diner would after a retry message."""
    started = time.monotonic()
    while not CHECKOUT.search(tablet.page.url):
        if time.monotonic() - started > timeout:
            raise AssertionError(f"no order placed within {timeout:.0f} s of PostgreSQL being back; the tablet"
                                 f" shows {tablet.describe()}")
        try:
            tablet.place_order_button.click(timeout=1000)
            expect(tablet.page).to_have_url(CHECKOUT, timeout=1000)
        except (AssertionError, PlaywrightError):
            pass


def test_postgres_restarted_under_ordering(cluster, records, board, new_page, measured):
    item = records.plain_items()[0]
    tablet = Tablet(new_page(), cluster.url("order"), TABLE).sign_in()
    tablet.expect_menu()
    tablet.add(item)
    assert tablet.wait_cart({item: 1}) == {item.name: 1}
    before = records.last_order_id()

    pg_ctl("stop")
    try:
        stopped = time.monotonic()
        tablet.place_order()
        expect(tablet.notice(RETRY_TEXT)).to_be_visible(timeout=15_000)
        told = time.monotonic() - stopped
        assert tablet.wait_cart({item: 1}) == {item.name: 1}, "the cart was not kept"
        assert not CHECKOUT.search(tablet.page.url)
    finally:
        start_postgres()  # pg_ctlcluster start, then pg_isready
    ready, ready_wall = time.monotonic(), time.time()

    place_until_checkout(tablet, timeout=30)
    on_checkout = time.monotonic() - ready
    down_for = ready - stopped
    tablet.pay()
    tablet.expect_paid()

    orders = records.orders_after(before)
    seen, _ = board.wait_for([o.id for o in orders], timeout=20)
    count = tally(cluster, orders, seen)
    # When the service took the order (its own clock, same machine), apart from the browser's page load.
    recovered = records.created_at(orders[0].id).timestamp() - ready_wall if orders else float("inf")
    measured(f"{count.line()}; retry message {told:.1f} s after the order was pressed with PostgreSQL down"
             f" ({down_for:.1f} s down); after PostgreSQL was ready again: the order placed in {recovered:.2f} s,"
             f" the tablet on the checkout page in {on_checkout:.2f} s")
    assert [(o.number, o.status) for o in orders] == [(TABLE, "PAID")]
    assert (count.on_board_once, count.on_board_twice_or_more, count.charges, count.doubled_charges) == (1, 0, 1, 0)
    assert recovered <= RECOVERY_BOUND, f"ordering came back {recovered:.2f} s after the database, not within 2 s"
