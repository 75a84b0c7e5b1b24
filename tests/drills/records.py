"""What the cluster's database and its payment provider say happened: the drills' final count."""

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from tests.drills.cluster_control import Cluster

PAID = ("PAID", "ACCEPTED", "SERVED")


@dataclass(frozen=True)
class MenuPick:
    name: str  # as the Korean tablet shows it
    category: str


class Records:
    def __init__(self, database_url: str):
        # pre_ping: the PostgreSQL drill restarts the server under this pool too.
        self.engine = sa.create_engine(database_url, pool_pre_ping=True, pool_size=2)

    def _rows(self, query: str, **params) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(query), params))

    def last_order_id(self) -> int:
        return self._rows("SELECT COALESCE(MAX(id), 0) FROM orders")[0][0]

    def orders_after(self, order_id: int) -> list:
        """(id, table number, status, payment_ref) of every order placed after `order_id`, in order."""
        return self._rows(
            "SELECT o.id, t.number, o.status, o.payment_ref FROM orders o JOIN dining_table t ON t.id = o.table_id"
            " WHERE o.id > :after ORDER BY o.id", after=order_id)

    def created_at(self, order_id: int):
        return self._rows("SELECT created_at FROM orders WHERE id = :id", id=order_id)[0][0]

    def plain_items(self, kind: str = "MAIN", count: int = 2) -> list[MenuPick]:
        """Items a tablet can add with one tap and order any number of times: on sale, no counted stock,
        not once-per-table, no option groups to choose from."""
        rows = self._rows(
            "SELECT m.name_ko, c.name_ko FROM menu_item m JOIN category c ON c.id = m.category_id"
            " WHERE m.kind = :kind AND m.active AND NOT m.sold_out AND m.stock IS NULL AND NOT m.once_per_table"
            " AND NOT EXISTS (SELECT 1 FROM menu_item_option_group g WHERE g.menu_item_id = m.id)"
            " ORDER BY c.sort_order, m.sort_order, m.id LIMIT :count", kind=kind, count=count)
        assert len(rows) == count, f"the demo menu has fewer than {count} plain {kind} items"
        return [MenuPick(name, category) for name, category in rows]

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass
class Tally:
    placed: int
    paid: int
    on_board_once: int
    on_board_twice_or_more: int
    charges: int
    doubled_charges: int

    def line(self) -> str:
        return (f"placed {self.placed}, paid {self.paid}, on the board once {self.on_board_once}"
                f" (more than once {self.on_board_twice_or_more}), charges {self.charges}"
                f" (orders charged twice {self.doubled_charges})")


def tally(cluster: Cluster, orders: list, board_ids: Counter) -> Tally:
    """Count the drill's orders (rows from Records.orders_after) against the board and the provider."""
    done = Counter(p["orderId"] for p in cluster.ledger() if p["status"] == "DONE")
    refs = {o.payment_ref for o in orders}
    paid = [o for o in orders if o.status in PAID]
    return Tally(
        placed=len(orders),
        paid=len(paid),
        on_board_once=sum(1 for o in paid if board_ids[o.id] == 1),
        on_board_twice_or_more=sum(1 for o in orders if board_ids[o.id] > 1),
        charges=sum(n for ref, n in done.items() if ref in refs),
        doubled_charges=sum(1 for ref, n in done.items() if ref in refs and n > 1),
    )
