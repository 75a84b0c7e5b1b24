"""The console's stock boxes follow live counts, but never under the admin's fingers: while a box has
focus its row keeps the count shown when the edit began, and the save is measured against that count
(so an edit typed while orders took stock is still refused as stale, not written over them)."""


def text(stock: int | None) -> str:
    return "" if stock is None else str(stock)


def shown(edits: dict[str, str], key: str, stock: int | None) -> str:
    """What the box shows: the count seen when its edit began, else the live one."""
    return edits.get(key, text(stock))


def box(edits: dict[str, str], key: str, stock: int | None, rev: int, lang: str) -> dict[str, str]:
    """A row's stock box: its text, the React key that redraws it (only) when that text moves, and,
    while it is being edited, the live count when orders moved it meanwhile (else "")."""
    value, live = shown(edits, key, stock), text(stock)
    now = "" if key not in edits or live == value else (
        f"now {live or 'unlimited'}" if lang == "en" else f"지금 {live + '개' if live else '무제한'}")
    return {"stock": value, "stock_key": f"{key}-{value}-{rev}", "stock_now": now}


def begin(edits: dict[str, str], key: str, stock: int | None) -> dict[str, str]:
    return edits if key in edits else edits | {key: text(stock)}


def end(edits: dict[str, str], key: str, stock: int | None) -> tuple[dict[str, str], str]:
    """(the edits still open, the count this one was typed against)."""
    return {k: v for k, v in edits.items() if k != key}, edits.get(key, text(stock))


def applied(rows: list[dict], left: dict[str, int], key=lambda row: row["key"]) -> list[dict] | None:
    """`rows` with the counts an order event carried (id -> left), or None when none of them is here."""
    if not any(key(r) in left for r in rows):
        return None
    return [r | {"stock": left[key(r)]} if key(r) in left else r for r in rows]


# The item dialog's stock field is one more box, under its own key: it follows the live count until the
# admin focuses it, then keeps what it showed and says the live count beside it, and the dialog's save is
# measured against what it showed (the service keeps the stored count when the field was left as shown).
DIALOG = "dialog:"


def dialog_key(item_key: str) -> str:
    return DIALOG + item_key


def without_dialog(edits: dict[str, str]) -> dict[str, str]:
    """The edits with the dialog's field closed (the dialog opened afresh or closed)."""
    return {k: v for k, v in edits.items() if not k.startswith(DIALOG)}
