"""Menu options (맵기, 곱빼기, 사리 추가): the rules a line's choices must pass, as pure functions over
snapshots the service loads. Every refusal names the item and the group in both languages."""

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .errors import DomainError, OrderRefused
from .order_rules import is_sold_out

MAX_CHOICES = 20  # per group: more than this is no longer a choice a diner reads on a tablet
MAX_PRICE_DELTA = 1_000_000
MAX_NOTE_LENGTH = 100


@dataclass(frozen=True)
class OptionGroupSnapshot:
    id: int
    store_id: int
    name_ko: str
    name_en: str
    min_select: int
    max_select: int
    deleted: bool = False

    @property
    def names(self) -> tuple[str, str]:
        return (self.name_ko, self.name_en or self.name_ko)

    @property
    def single(self) -> bool:
        return self.max_select == 1


@dataclass(frozen=True)
class OptionSnapshot:
    id: int
    group_id: int
    name_ko: str
    name_en: str
    price_delta: int
    sold_out: bool = False
    deleted: bool = False
    sort_order: int = 0
    stock: int | None = None  # None: unlimited

    @property
    def names(self) -> tuple[str, str]:
        return (self.name_ko, self.name_en or self.name_ko)


def check_group_limits(min_select, max_select) -> tuple[int, int]:
    """A group's selection bounds as an admin sets them: 맵기 is (1, 1), 토핑 (0, 3)."""
    ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (min_select, max_select))
    if not ok or not (0 <= min_select <= max_select and 1 <= max_select <= MAX_CHOICES):
        raise DomainError("option.bad_limits", max=MAX_CHOICES)
    return min_select, max_select


def choice_key(option_ids: Iterable[int]) -> tuple[int, ...]:
    """What makes two cart lines of one item the same line: the set of options chosen, in any order."""
    return tuple(sorted(set(option_ids)))


def check_choices(item_names: tuple[str, str], item_group_ids: Sequence[int],
                  groups: Mapping[int, OptionGroupSnapshot], options: Mapping[int, OptionSnapshot],
                  chosen: Sequence[int]) -> tuple[OptionSnapshot, ...]:
    """Raise OrderRefused for the first rule the choices break; return the chosen options in the order a
    diner reads them (the item's groups in order, then each group's sort order).

    `groups` and `options` hold what the database has (deleted and sold-out ones included, so a refusal
    can name them); an id missing from them does not exist, or belongs to another store."""
    offered = list(dict.fromkeys(item_group_ids))
    picked: dict[int, list[OptionSnapshot]] = {}
    for option_id in chosen:
        option = options.get(option_id)
        group = groups.get(option.group_id) if option is not None else None
        if option is None or group is None:
            raise OrderRefused("order.option_unknown", item=item_names)
        if group.id not in offered or group.deleted:
            raise OrderRefused("order.option_not_offered", item=item_names, group=group.names)
        if option.deleted:
            raise OrderRefused("order.option_gone", item=item_names, group=group.names, option=option.names)
        if is_sold_out(option.sold_out, option.stock):
            raise OrderRefused("order.option_sold_out", item=item_names, group=group.names, option=option.names)
        same_group = picked.setdefault(group.id, [])
        if option in same_group:
            raise OrderRefused("order.option_repeated", item=item_names, group=group.names)
        same_group.append(option)
    for group_id in offered:
        group = groups.get(group_id)
        if group is None or group.deleted:
            continue
        count = len(picked.get(group_id, ()))
        if count < group.min_select:
            code = "order.option_required" if count == 0 and group.min_select == 1 else "order.option_too_few"
            raise OrderRefused(code, item=item_names, group=group.names, min=group.min_select)
        if count > group.max_select:
            raise OrderRefused("order.option_too_many", item=item_names, group=group.names, max=group.max_select)
    return tuple(option for group_id in offered
                 for option in sorted(picked.get(group_id, ()), key=lambda o: (o.sort_order, o.id)))


def check_option_stock(lines: Iterable[tuple[tuple[str, str], int, Sequence[OptionSnapshot]]],
                       groups: Mapping[int, OptionGroupSnapshot]) -> dict[int, int]:
    """Lines as (item names, quantity, chosen options). A limited option (곱빼기 noodles, a 사리 that runs
    out) is taken once per unit of every line choosing it, whichever dish (a shared group counts both);
    the line that would go past its stock is refused naming its item, group and option. Returns each
    limited option's id -> the quantity to take."""
    taken: dict[int, int] = {}
    for item_names, quantity, chosen in lines:
        for option in chosen:
            if option.stock is None:
                continue
            taken[option.id] = taken.get(option.id, 0) + quantity
            if taken[option.id] > option.stock:
                raise OrderRefused("order.option_out_of_stock", item=item_names, group=groups[option.group_id].names,
                                   option=option.names, left=option.stock)
    return taken


def unit_price(item_price: int, chosen: Iterable[OptionSnapshot]) -> int:
    """The price of one of the item with these choices; deltas are never negative (a smaller size is the
    item's price and a larger one adds to it), so no choice can make a dish cost less than nothing."""
    return item_price + sum(option.price_delta for option in chosen)


def option_lines(chosen: Iterable[OptionSnapshot], groups: Mapping[int, OptionGroupSnapshot]) -> list[dict]:
    """The snapshot an order line keeps of its choices: a later menu edit does not rewrite history.
    `reserved`: the option was counted when ordered, so the order took its units (check_option_stock) and a
    release gives back exactly those, whatever the option's count has become since."""
    return [{"id": o.id, "group_ko": groups[o.group_id].name_ko, "group_en": groups[o.group_id].name_en,
             "name_ko": o.name_ko, "name_en": o.name_en, "price_delta": o.price_delta,
             "reserved": o.stock is not None} for o in chosen]


_SPACES = re.compile(r"\s+")


def clean_note(value) -> str:
    """A diner's request on an order ("덜 맵게 해 주세요"): one line of plain text, at most 100 characters.
    Line breaks and runs of spaces become one space; other control or format characters (which could
    hide or reorder what the kitchen reads) are refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError("input.invalid", field="note")
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
        raise OrderRefused("order.note_invalid")
    if len(text) > MAX_NOTE_LENGTH:
        raise OrderRefused("order.note_too_long", max=MAX_NOTE_LENGTH)
    return text
