"""User-facing messages in Korean and English, keyed by code. `{item}` is filled per language."""

MESSAGES: dict[str, tuple[str, str]] = {
    # sign-in
    "login.invalid": ("매장 코드, 아이디 또는 비밀번호가 올바르지 않아요.", "Store code, username or password is wrong."),
    "login.locked": ("로그인 실패가 많아 {minutes}분 후에 다시 시도해 주세요.", "Too many failed sign-ins. Try again in {minutes} min."),
    "login.required": ("먼저 로그인해 주세요.", "Please sign in first."),
    "auth.admin_only": ("관리자만 할 수 있어요.", "Only store admins can do this."),
    "auth.customer_only": ("테이블 태블릿에서만 주문할 수 있어요.", "Orders are placed from a table tablet."),
    "auth.other_store": ("다른 매장의 정보에는 접근할 수 없어요.", "That belongs to another store."),
    # ordering
    "order.empty": ("장바구니가 비어 있어요.", "Your cart is empty."),
    "order.too_many_lines": ("한 번에 최대 {max}가지 메뉴까지 주문할 수 있어요.", "At most {max} different items per order."),
    "order.bad_quantity": ("'{item}' 수량은 1~{max}개로 해 주세요.", "Quantity of '{item}' must be 1 to {max}."),
    "order.unknown_item": ("없는 메뉴가 포함되어 있어요.", "The order contains an item that does not exist."),
    "order.inactive": ("'{item}'은(는) 지금 판매하지 않아요.", "'{item}' is not on sale right now."),
    "order.sold_out": ("'{item}'은(는) 품절이에요.", "'{item}' is sold out."),
    "order.out_of_stock": ("'{item}'의 재고가 부족해요 (남은 수량 {left}개).", "Not enough '{item}' left (only {left})."),
    "order.side_needs_main": ("'{item}'은(는) 사이드 메뉴라 메인 메뉴와 함께 주문해 주세요.", "'{item}' is a side dish: order it with a main dish."),
    "order.once_quantity": ("'{item}'은(는) 이벤트 메뉴라 1개만 주문할 수 있어요.", "'{item}' is an event item: only one per table."),
    "order.once_already": ("'{item}'은(는) 이벤트 메뉴라 테이블당 한 번만 주문할 수 있어요.", "'{item}' is an event item and this table already ordered it."),
    "order.duplicate_line": ("'{item}'이(가) 두 번 들어 있어요.", "'{item}' appears twice in the order."),
    "table.inactive": ("이 테이블은 지금 주문을 받지 않아요.", "This table is not taking orders."),
    "input.invalid": ("입력값이 올바르지 않아요: {field}", "Invalid input: {field}"),
}


def render(code: str, lang: str, params: dict) -> str:
    ko, en = MESSAGES.get(code, (code, code))
    template = en if lang == "en" else ko
    values = {k: (v[1] if lang == "en" else v[0]) if isinstance(v, tuple) else v for k, v in params.items()}
    return template.format(**values)
