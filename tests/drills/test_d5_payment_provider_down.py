"""Drill 5: the payment provider turns slow (2 s per call), then down (every API call a 500). Slow still
pays; down, the diner reads "payment is delayed" with the cart kept, the circuit breaker of the process
serving the tablet opens after payment_breaker_threshold failed confirms, and from then on the tablet is
told at once, without an order being placed or the provider being asked. Nobody is charged twice.

Runs last of the drills: the breaker it opens stays open for payment_breaker_ttl (30 s)."""

import time

from playwright.sync_api import expect

from hiorder_app.settings import Settings
from tests.drills.cluster_control import wait_for
from tests.drills.records import tally
from tests.drills.tablets import CHECKOUT, PAYMENT_DELAYED_TEXT, Tablet

TABLE = 10
LATENCY_MS = 2000
THRESHOLD = Settings.model_fields["payment_breaker_threshold"].default


def confirms_left_open(cluster, code: str = "") -> int:
    """Confirms the ordering processes gave up on so far, by code ("confirm of order N left open
    (PROVIDER_UNAVAILABLE)": the provider failed; "(CIRCUIT_OPEN)": not asked), from their logs."""
    return sum(log.count(f"left open ({code}") for log in (cluster.log("ordering-1"), cluster.log("ordering-2")))


def test_payment_provider_slow_then_down(cluster, records, board, new_page, measured):
    item = records.plain_items()[0]
    tablet = Tablet(new_page(), cluster.url("order"), TABLE).sign_in()
    tablet.expect_menu()
    before = records.last_order_id()
    try:
        cluster.set_faults(latency_ms=LATENCY_MS)
        tablet.add(item)
        tablet.place_order()
        tablet.pay()
        pressed = time.monotonic()
        tablet.expect_paid(timeout=40_000)
        slow_paid = time.monotonic() - pressed
        tablet.to_menu()

        cluster.set_faults(error_rate=1.0)
        failed_before, skipped_before = confirms_left_open(cluster, "PROVIDER"), confirms_left_open(cluster, "CIRCUIT")
        tablet.add(item)
        assert tablet.wait_cart({item: 1}) == {item.name: 1}
        tablet.place_order()
        tablet.pay()
        pressed = time.monotonic()
        expect(tablet.notice(PAYMENT_DELAYED_TEXT)).to_be_visible(timeout=30_000)
        delayed_after = time.monotonic() - pressed
        # The diner presses "try again" until the breaker of the process serving the tablet has opened: a
        # confirm then fails at once, without calling the provider ("left open (CIRCUIT_OPEN)" in its log).
        retry = tablet.page.get_by_role("button", name="다시 시도")
        for _ in range(THRESHOLD + 1):
            if confirms_left_open(cluster, "CIRCUIT") > skipped_before:
                break
            done = confirms_left_open(cluster)
            retry.click()
            wait_for(lambda done=done: confirms_left_open(cluster) > done, 30, "the retried confirm answered")
        breaker_open = confirms_left_open(cluster, "CIRCUIT") > skipped_before
        failed = confirms_left_open(cluster, "PROVIDER") - failed_before
        tablet.page.get_by_role("link", name="장바구니로 돌아가기").click()
        assert tablet.wait_cart({item: 1}) == {item.name: 1}, "the cart was not kept"
        # A tap clears the payment page's message, so the refusal read below is a new one.
        tablet.add(item)
        assert tablet.wait_cart({item: 2}) == {item.name: 2}
        expect(tablet.cart.get_by_role("alert")).to_have_count(0)
        placed_before = len(records.orders_after(before))
        pressed = time.monotonic()
        tablet.place_order()
        expect(tablet.cart.get_by_role("alert")).to_contain_text(PAYMENT_DELAYED_TEXT, timeout=30_000)
        refused_after = time.monotonic() - pressed
        assert not CHECKOUT.search(tablet.page.url)
        assert tablet.wait_cart({item: 2}) == {item.name: 2}, "the cart was not kept"
    finally:
        cluster.set_faults()

    orders = records.orders_after(before)
    seen, _ = board.wait_for([o.id for o in orders if o.status == "PAID"], timeout=15)
    count = tally(cluster, orders, seen)
    measured(f"{count.line()}; slow provider: paid {slow_paid:.1f} s after Pay; down: 'payment delayed' "
             f"{delayed_after:.1f} s after Pay; breaker open: the order refused in {refused_after:.2f} s with no "
             f"order placed; the breaker opened after {failed} failed confirms")
    assert breaker_open, f"the breaker did not open after {failed} failed confirms"
    # The slow payment went through; the one made while the provider was down was never charged.
    assert [o.status for o in orders] == ["PAID", "PENDING_PAYMENT"]
    assert len(orders) == placed_before, "an order was placed while the breaker was open"
    assert (count.on_board_once, count.on_board_twice_or_more, count.charges, count.doubled_charges) == (1, 0, 1, 0)
