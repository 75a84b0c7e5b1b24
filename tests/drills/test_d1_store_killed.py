"""Drill 1: the store deployment crashes (SIGKILL) while the tablets order and pay; ordering must not notice,
and the store's board, once supervisor has it back, shows every order exactly once."""

import threading
import time

from tests.drills.records import PAID, tally
from tests.drills.tablets import Tablet, order_and_pay

TABLES = (1, 2, 3, 4, 5)
ROUNDS = 6
ORDERS = len(TABLES) * ROUNDS  # 30


def paid_since(records, order_id: int) -> int:
    return sum(1 for o in records.orders_after(order_id) if o.status in PAID)


def test_store_killed_while_tablets_order_and_pay(cluster, records, board, new_page, measured):
    item = records.plain_items()[0]
    tablets = [Tablet(new_page(), cluster.url("order"), n).sign_in() for n in TABLES]
    for tablet in tablets:
        tablet.expect_menu()
    before = records.last_order_id()
    started = time.monotonic()

    order_and_pay(tablets, item, rounds=1)
    killed_pid = cluster.kill_tree("store")
    paid_when_killed = paid_since(records, before)
    back: dict = {}

    def watch_store() -> None:  # no browser here: playwright's pages stay on the main thread
        back["seconds"] = cluster.wait_back("store", killed_pid)
        back["paid"] = paid_since(records, before)

    watcher = threading.Thread(target=watch_store, daemon=True)
    watcher.start()
    order_and_pay(tablets, item, rounds=ROUNDS - 1)
    ordering_done = time.monotonic() - started
    watcher.join(timeout=120)
    assert "seconds" in back, "the store process did not come back"

    orders = records.orders_after(before)
    seen, caught_up = board.wait_for([o.id for o in orders], timeout=30)
    board.expect_live()
    count = tally(cluster, orders, seen)
    measured(f"{count.line()}; {ORDERS} orders in {ordering_done:.1f} s, store back {back['seconds']:.1f} s after "
             f"SIGKILL, {back['paid'] - paid_when_killed} orders paid while it was down, board complete "
             f"{caught_up:.1f} s after the last payment")
    assert back["paid"] > paid_when_killed, "no order was paid while the store was down: the drill proved nothing"
    assert (count.placed, count.paid, count.on_board_once, count.on_board_twice_or_more) == (ORDERS, ORDERS, ORDERS, 0)
    assert (count.charges, count.doubled_charges) == (ORDERS, 0)
