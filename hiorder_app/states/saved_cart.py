"""The tablet's cart as the browser keeps it (a LocalStorage string), so a cart outlives the server-side
state of its tab: an ordering process killed (Reflex then hands the tab a fresh state) or Redis restarted
empty. What the browser sends back is never trusted: it is parsed strictly and bounded, anything else is
dropped, and it only counts for the session it was written under. It is only a wish list: the menu
filters it when it is restored, and prices and rules are decided by the server when the order is placed.
"""

import hashlib
import json
from typing import Annotated, Literal

import pydantic

MAX_CHARS = 2000
MAX_LINES = 40
MAX_QUANTITY = 99
# A line key: item id, and its option ids sorted ("12", "12:3.7"); see tablet_state._line_key.
_LINE = r"^\d{1,9}(:\d{1,9}(\.\d{1,9}){0,19})?$"


class _Saved(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(strict=True, extra="forbid")
    v: Literal[1]
    s: Annotated[str, pydantic.Field(max_length=16)]
    c: Annotated[dict[Annotated[str, pydantic.StringConstraints(pattern=_LINE)],
                      Annotated[int, pydantic.Field(ge=1, le=MAX_QUANTITY)]],
                 pydantic.Field(max_length=MAX_LINES)]


def owner(token: str) -> str:
    """Which sign-in a saved cart belongs to (a short digest of the session token, not the token): a cart
    left in the browser by another table's or an ended session is not restored."""
    return hashlib.sha256(token.encode()).hexdigest()[:16] if token else ""


def dump(cart: dict[str, int], token: str) -> str:
    """The stored copy: "" for an empty cart (nothing kept), else compact JSON."""
    if not cart or not token:
        return ""
    lines = dict(list(cart.items())[:MAX_LINES])
    return json.dumps({"v": 1, "s": owner(token), "c": lines}, separators=(",", ":"))


def load(text: object, token: str) -> dict[str, int]:
    """The cart saved under this session, or {} for anything else (absent, malformed, too big, foreign)."""
    if not isinstance(text, str) or not text or len(text) > MAX_CHARS or not token:
        return {}
    try:
        saved = _Saved.model_validate_json(text)
    except pydantic.ValidationError:
        return {}
    if saved.s != owner(token):
        return {}
    return {key: qty for key, qty in saved.c.items() if key == _canonical(key)}


def _canonical(key: str) -> str:
    """A line key as the tablet writes it (options sorted, no repeats): another spelling is not ours."""
    item, _, options = key.partition(":")
    ids = sorted({int(o) for o in options.split(".")}) if options else []
    return f"{int(item)}:{'.'.join(map(str, ids))}" if ids else str(int(item))
