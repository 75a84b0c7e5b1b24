"""The rules an order must pass, as pure functions over snapshots the service loads."""

from collections.abc import Iterable
from dataclasses import dataclass

from .enums import ItemKind
from .errors import OrderRefused

# The default for settings.max_line_quantity, which is what every check and the cart read.
MAX_LINE_QUANTITY = 99


def is_sold_out(marked: bool, stock: int | None) -> bool:
    """Whether an item can be ordered at all: the admin's switch, or a limited stock used up."""
    return marked or (stock is not None and stock <= 0)


def line_cap(once_per_table: bool, max_quantity: int) -> int:
    """The most of one item a single order line (and so the cart) may hold."""
    return 1 if once_per_table else max_quantity


def check_unpaid(unpaid: int, most: int) -> None:
    """A visit may wait on at most `most` orders nobody has paid for yet: each holds its stock until it
    times out, so a tablet ordering without paying could otherwise keep every limited dish from the room."""
    if unpaid >= most:
        raise OrderRefused("order.too_many_unpaid", max=most)


def needs_main(kinds: Iterable[str]) -> bool:
    """Whether an order of items of these kinds may only be placed if the table already had a main:
    a side is never served alone."""
    kinds = set(kinds)
    return ItemKind.SIDE in kinds and ItemKind.MAIN not in kinds


@dataclass(frozen=True)
class ItemSnapshot:
    id: int
    store_id: int
    name_ko: str
    name_en: str
    price: int
    kind: str
    stock: int | None
    sold_out: bool  # the admin's switch; see is_sold_out
    once_per_table: bool
    active: bool

    @property
    def names(self) -> tuple[str, str]:
        return (self.name_ko, self.name_en)


@dataclass(frozen=True)
class TableHistory:
    """What the table session already ordered, counting only non-cancelled orders."""

    has_main: bool
    once_item_ids: frozenset[int]


def check_order(
    lines: list[tuple],
    items: dict[int, ItemSnapshot],
    store_id: int,
    history: TableHistory,
    max_lines: int = 50,
    max_quantity: int = MAX_LINE_QUANTITY,
) -> None:
    """Raise OrderRefused, naming the item, for the first rule the order breaks. A line is (item id,
    quantity) or (item id, quantity, choice key): one item may be on several lines with different
    choices (domain.menu_options), and the stock and once-per-table rules count them together."""
    if not lines:
        raise OrderRefused("order.empty")
    if len(lines) > max_lines:
        raise OrderRefused("order.too_many_lines", max=max_lines)
    seen: set[tuple] = set()
    taken: dict[int, int] = {}
    for line in lines:
        item_id, qty, key = line[0], line[1], tuple(line[2]) if len(line) > 2 else ()
        item = items.get(item_id)
        if item is None or item.store_id != store_id:
            raise OrderRefused("order.unknown_item")
        if (item_id, key) in seen:
            raise OrderRefused("order.duplicate_line", item=item.names)
        seen.add((item_id, key))
        if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= max_quantity:
            raise OrderRefused("order.bad_quantity", item=item.names, max=max_quantity)
        if not item.active:
            raise OrderRefused("order.inactive", item=item.names)
        if is_sold_out(item.sold_out, item.stock):
            raise OrderRefused("order.sold_out", item=item.names)
        taken[item_id] = qty = taken.get(item_id, 0) + qty
        if item.stock is not None and item.stock < qty:
            raise OrderRefused("order.out_of_stock", item=item.names, left=item.stock)
        if item.once_per_table:
            if qty > line_cap(True, max_quantity):
                raise OrderRefused("order.once_quantity", item=item.names)
            if item_id in history.once_item_ids:
                raise OrderRefused("order.once_already", item=item.names)
    if not history.has_main and needs_main(items[i].kind for i in taken):
        side = next(items[i] for i in taken if items[i].kind == ItemKind.SIDE)
        raise OrderRefused("order.side_needs_main", item=side.names)


def order_total(lines: list[tuple], items: dict[int, ItemSnapshot]) -> int:
    """Items' own prices only; with options, placement sums each line's menu_options.unit_price."""
    return sum(items[ln[0]].price * ln[1] for ln in lines)
