"""Drill 3: Redis (client state, live events) stops for 5 s while tables order. One tablet pays at the
provider during the outage, another is tapped: the diners are told to wait, nothing is lost or doubled,
and once Redis is back events flow again and the board catches up by itself."""

import re
import time

from playwright.sync_api import expect

from tests.drills.cluster_control import start_redis, stop_redis
from tests.drills.records import tally
from tests.drills.tablets import PAID_PAGE, RETRY_TEXT, Tablet

OUTAGE_SECONDS = 5
RECOVERY_BOUND = 30  # generous: Redis is back at once, but every view has to notice it
# What a tablet may show while its events cannot be served: the app's retry message, or Reflex's own
# connection toast if the socket itself drops.
WAIT_NOTICE = re.compile(f"{RETRY_TEXT}|Cannot connect to server")


def test_redis_stopped_for_five_seconds(cluster, records, board, new_page, measured):
    main, side = records.plain_items(count=2)
    paying = Tablet(new_page(), cluster.url("order"), 7).sign_in()
    tapped = Tablet(new_page(), cluster.url("order"), 8).sign_in()
    paying.expect_menu()
    tapped.expect_menu()
    before = records.last_order_id()
    # Before the outage: one order paid, one at the provider's checkout page, one cart filled.
    tapped.add(main)
    tapped.place_order()
    tapped.pay()
    tapped.expect_paid()
    tapped.to_menu()
    tapped.add(side)
    assert tapped.wait_cart({side: 1}) == {side.name: 1}
    paying.add(main)
    paying.place_order()
    expect(paying.page).to_have_url(re.compile(r"/checkout\?"))

    stop_redis()
    stopped = time.monotonic()
    try:
        paying.pay()  # the provider charges; the confirm back at the tablet needs its state in Redis
        tapped.add(main)
        expect(tapped.notice(WAIT_NOTICE)).to_be_visible(timeout=OUTAGE_SECONDS * 1000)
        noticed = time.monotonic() - stopped
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    finally:
        start_redis()
    back = time.monotonic()

    # Events flow again: the tapped tablet's cart answers a tap (the diner taps again until it does).
    deadline = back + RECOVERY_BOUND
    while (cart := tapped.cart_contents()).get(main.name, 0) == 0 and time.monotonic() < deadline:
        add = tapped.add_button(main)
        if add.is_visible():
            add.click()
        tapped.page.wait_for_timeout(1000)
    events_flow = time.monotonic() - back
    # The paying tablet gets its confirmation (pressing "try again" if it offers one).
    while not PAID_PAGE.search(paying.page.url) and time.monotonic() < deadline:
        retry = paying.page.get_by_role("button", name="다시 시도")
        if retry.is_visible():
            retry.click()
        paying.page.wait_for_timeout(500)
    paid_after = time.monotonic() - back
    orders = records.orders_after(before)
    seen, _ = board.wait_for([o.id for o in orders], timeout=max(1.0, deadline - time.monotonic()))
    board_after = time.monotonic() - back

    count = tally(cluster, orders, seen)
    measured(f"{count.line()}; notice after {noticed:.1f} s; after Redis was back: a tap took effect in "
             f"{events_flow:.1f} s, the payment made during the outage confirmed on the tablet in {paid_after:.1f} s,"
             f" the board complete in {board_after:.1f} s; the tapped tablet's cart then held {cart}")
    problems = []
    if cart.get(side.name) != 1:
        problems.append(f"the cart filled before the outage was lost (it holds {cart})")
    if not cart.get(main.name):
        problems.append(f"no tap took effect within {RECOVERY_BOUND} s of Redis being back")
    if not PAID_PAGE.search(paying.page.url):
        problems.append(f"the payment made during the outage was not confirmed on the tablet within {RECOVERY_BOUND} s"
                        f" (it still shows {paying.page.url.split('?')[0]})")
    if count.on_board_once < count.paid:
        problems.append(f"the board shows {count.on_board_once} of the {count.paid} paid orders")
    if (count.placed, count.paid, count.on_board_twice_or_more, count.charges, count.doubled_charges) \
            != (2, 2, 0, 2, 0):
        problems.append(f"counted: {count.line()}")
    assert not problems, "; ".join(problems)
