"""Item tags a diner filters and reads by: allergens, spicy level, vegetarian."""

from collections.abc import Iterable

from .errors import DomainError

# The allergens Korean food labelling names (식품 등의 표시기준, 알레르기 유발물질), code -> (ko, en),
# in the order the standard lists them.
ALLERGENS: dict[str, tuple[str, str]] = {
    "egg": ("알류", "Eggs"),
    "milk": ("우유", "Milk"),
    "buckwheat": ("메밀", "Buckwheat"),
    "peanut": ("땅콩", "Peanuts"),
    "soybean": ("대두", "Soybeans"),
    "wheat": ("밀", "Wheat"),
    "mackerel": ("고등어", "Mackerel"),
    "crab": ("게", "Crab"),
    "shrimp": ("새우", "Shrimp"),
    "pork": ("돼지고기", "Pork"),
    "peach": ("복숭아", "Peach"),
    "tomato": ("토마토", "Tomato"),
    "sulfite": ("아황산류", "Sulfites"),
    "walnut": ("호두", "Walnuts"),
    "chicken": ("닭고기", "Chicken"),
    "beef": ("쇠고기", "Beef"),
    "squid": ("오징어", "Squid"),
    "shellfish": ("조개류(굴, 전복, 홍합 포함)", "Shellfish (oysters, abalone, mussels)"),
    "pine_nut": ("잣", "Pine nuts"),
}
MAX_SPICY = 3  # 0 not spicy, 1 mild, 2 medium, 3 hot


def parse_allergens(values: Iterable[str] | str | None) -> str:
    """Allergen codes as stored (joined by ",", in the standard's order); an unknown code is refused."""
    if values is None:
        return ""
    codes = [v.strip() for v in (values.split(",") if isinstance(values, str) else values) if str(v).strip()]
    for code in codes:
        if code not in ALLERGENS:
            raise DomainError("menu.bad_allergen", value=str(code)[:30])
    return ",".join(code for code in ALLERGENS if code in set(codes))


def allergen_codes(stored: str) -> list[str]:
    return [c for c in (stored or "").split(",") if c in ALLERGENS]


def parse_spicy(value) -> int:
    if isinstance(value, bool):
        raise DomainError("menu.bad_spicy", max=MAX_SPICY)
    text = "0" if value in (None, "") else str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_SPICY:
        raise DomainError("menu.bad_spicy", max=MAX_SPICY)
    return int(text)


def hides(item_allergens: Iterable[str], avoided: Iterable[str]) -> bool:
    """Whether a diner avoiding these allergens should not see the dish."""
    return not set(avoided).isdisjoint(item_allergens)
