"""User-facing messages in Korean and English, keyed by code. `{item}` is filled per language."""

MESSAGES: dict[str, tuple[str, str]] = {
    # sign-in
    "login.invalid": ("매장 코드, 아이디 또는 비밀번호가 올바르지 않아요.", "Store code, username or password is wrong."),
    "login.locked": ("로그인 실패가 많아 {minutes}분 후에 다시 시도해 주세요.", "Too many failed sign-ins. Try again in {minutes} min."),
    "tablet.signout_staff_only": ("태블릿 로그아웃은 직원만 할 수 있어요.", "Only staff can sign this tablet out."),
    "tablet.staff_invalid": ("관리자 아이디 또는 비밀번호가 올바르지 않아요.", "Admin username or password is wrong."),
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
    # payment
    "payment.delayed": ("결제가 잠시 지연되고 있어요. 잠시 후 다시 시도해 주세요.", "Payment is delayed, please try again shortly."),
    "payment.declined": ("결제가 승인되지 않았어요 ({reason}). 주문은 취소되었고 장바구니는 그대로예요.", "The payment was declined ({reason}). The order was cancelled; your cart is kept."),
    "payment.cancelled": ("결제를 취소했어요. 장바구니는 그대로예요.", "Payment cancelled. Your cart is kept."),
    "payment.amount_mismatch": ("결제 금액이 주문 금액과 달라 결제하지 않았어요.", "The payment amount does not match the order, so nothing was charged."),
    "payment.unknown_order": ("결제할 주문을 찾을 수 없어요.", "That order could not be found."),
    "payment.order_closed": ("이 주문은 취소되었거나 결제 시간이 지나 결제하지 않았어요.", "This order was cancelled or timed out, so nothing was charged."),
    "payment.refund_failed": ("환불 요청이 지연되고 있어요. 자동으로 다시 시도해요.", "The refund is delayed; it will be retried automatically."),
    "order.busy": ("주문이 많아 잠시 후 다시 주문해 주세요.", "Many orders right now — please try again in a moment."),
    "order.not_found": ("주문을 찾을 수 없어요.", "Order not found."),
    "order.bad_transition": ("이 주문은 지금 '{status}' 상태라 그렇게 바꿀 수 없어요.", "This order is '{status}' and cannot be changed that way."),
    # menu management ({field} is a (ko, en) pair)
    "menu.required": ("'{field}' 항목을 입력해 주세요.", "Please fill in '{field}'."),
    "menu.too_long": ("'{field}'은(는) {max}자까지 입력할 수 있어요.", "'{field}' can be at most {max} characters."),
    "menu.bad_price": ("'가격'은 0부터 {max}까지의 정수(원)로 입력해 주세요.", "'Price' must be a whole number of won from 0 to {max}."),
    "menu.bad_stock": ("'재고'는 0부터 {max}까지의 정수로 입력하거나, 무제한이면 비워 두세요.", "'Stock' must be a whole number from 0 to {max}, or empty for unlimited."),
    "menu.stock_changed": ("그 사이 주문이 들어와 재고가 {now}개로 바뀌었어요. 확인하고 다시 입력해 주세요.", "Orders came in meanwhile: stock is now {now}. Check it and enter the new count again."),
    "menu.bad_sort_order": ("'정렬 순서'는 0부터 {max}까지의 정수로 입력해 주세요.", "'Sort order' must be a whole number from 0 to {max}."),
    "menu.bad_kind": ("'종류'는 메인, 사이드, 음료 중 하나를 골라 주세요.", "'Kind' must be Main, Side or Drink."),
    "menu.unknown_category": ("선택한 카테고리를 찾을 수 없어요.", "That category could not be found."),
    "menu.unknown_item": ("메뉴를 찾을 수 없어요.", "That menu item could not be found."),
    "menu.item_has_orders": ("'{item}'은(는) 주문 기록이 있어 삭제할 수 없어요. 대신 판매 중지해 주세요.", "'{item}' has been ordered before, so it cannot be deleted. Stop selling it instead."),
    "menu.image_missing": ("올릴 사진을 골라 주세요.", "Choose a photo to upload."),
    "menu.image_type": ("사진은 PNG, JPEG, WebP 파일만 올릴 수 있어요.", "Photos must be PNG, JPEG or WebP files."),
    "menu.image_too_big": ("사진은 {max_mb}MB 이하만 올릴 수 있어요.", "Photos can be at most {max_mb} MB."),
    # tables
    "table.unknown": ("테이블을 찾을 수 없어요.", "That table could not be found."),
    "table.bad_number": ("'테이블 번호'는 1부터 999까지의 정수로 입력해 주세요.", "'Table number' must be a whole number from 1 to 999."),
    "table.number_taken": ("{number}번 테이블은 이미 있어요.", "Table {number} already exists."),
    "table.bad_name": ("'테이블 이름'은 1~50자로 입력해 주세요.", "'Table name' must be 1 to 50 characters."),
    "link.invalid": ("이 QR 코드는 올바르지 않아요. 직원에게 문의해 주세요.", "This QR code is not valid. Please ask a member of staff."),
    "link.expired": ("이 QR 코드는 유효 기간이 지났어요. 직원에게 새 QR 코드를 요청해 주세요.", "This QR code has expired. Please ask a member of staff for a new one."),
    "link.replaced": ("이 QR 코드는 새 코드로 바뀌어 더 이상 쓸 수 없어요. 직원에게 문의해 주세요.", "This QR code has been replaced by a new one. Please ask a member of staff."),
    "input.invalid": ("입력값이 올바르지 않아요: {field}", "Invalid input: {field}"),
}


def render(code: str, lang: str, params: dict) -> str:
    ko, en = MESSAGES.get(code, (code, code))
    template = en if lang == "en" else ko
    values = {k: (v[1] if lang == "en" else v[0]) if isinstance(v, tuple) else v for k, v in params.items()}
    return template.format(**values)
