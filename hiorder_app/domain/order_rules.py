"""The rules an order must pass, as pure functions over snapshots the service loads."""

from dataclasses import dataclass

from .enums import ItemKind
from .errors import OrderRefused


@dataclass(frozen=True)
class ItemSnapshot:
    id: int
    store_id: int
    name_ko: str
    name_en: str
    price: int
    kind: str
    stock: int | None
    sold_out: bool
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
    lines: list[tuple[int, int]],
    items: dict[int, ItemSnapshot],
    store_id: int,
    history: TableHistory,
    max_lines: int = 50,
    max_quantity: int = 99,
) -> None:
    """Raise OrderRefused, naming the item, for the first rule the order breaks."""
    if not lines:
        raise OrderRefused("order.empty")
    if len(lines) > max_lines:
        raise OrderRefused("order.too_many_lines", max=max_lines)
    seen: set[int] = set()
    for item_id, qty in lines:
        item = items.get(item_id)
        if item is None or item.store_id != store_id:
            raise OrderRefused("order.unknown_item")
        if item_id in seen:
            raise OrderRefused("order.duplicate_line", item=item.names)
        seen.add(item_id)
        if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= max_quantity:
            raise OrderRefused("order.bad_quantity", item=item.names, max=max_quantity)
        if not item.active:
            raise OrderRefused("order.inactive", item=item.names)
        if item.sold_out or item.stock == 0:
            raise OrderRefused("order.sold_out", item=item.names)
        if item.stock is not None and item.stock < qty:
            raise OrderRefused("order.out_of_stock", item=item.names, left=item.stock)
        if item.once_per_table:
            if qty != 1:
                raise OrderRefused("order.once_quantity", item=item.names)
            if item_id in history.once_item_ids:
                raise OrderRefused("order.once_already", item=item.names)
    has_main = history.has_main or any(items[i].kind == ItemKind.MAIN for i, _ in lines)
    if not has_main:
        side = next((items[i] for i, _ in lines if items[i].kind == ItemKind.SIDE), None)
        if side is not None:
            raise OrderRefused("order.side_needs_main", item=side.names)


def order_total(lines: list[tuple[int, int]], items: dict[int, ItemSnapshot]) -> int:
    return sum(items[i].price * q for i, q in lines)
