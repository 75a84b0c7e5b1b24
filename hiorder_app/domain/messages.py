"""User-facing messages in Korean and English, keyed by code. `{item}` is filled per language."""

MESSAGES: dict[str, tuple[str, str]] = {
    # sign-in
    "login.invalid": ("매장 코드, 아이디 또는 비밀번호가 올바르지 않아요.", "Store code, username or password is wrong."),
    "login.throttled": ("이 기기에서 로그인 시도가 너무 많아요. {seconds}초 후에 다시 시도해 주세요.", "Too many attempts from this device. Try again in {seconds} s."),
    "password.bad_length": ("비밀번호는 {min}~{max}자로 해 주세요.", "A password must be {min} to {max} characters."),
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
    # options and requests ({item}, {group}, {option} are (ko, en) pairs)
    "order.option_unknown": ("'{item}'에 없는 옵션이 들어 있어요. 메뉴를 다시 열어 골라 주세요.", "'{item}' has an option that does not exist. Open the dish again and choose."),
    "order.option_not_offered": ("'{item}'에는 '{group}' 옵션을 고를 수 없어요.", "'{group}' is not offered with '{item}'."),
    "order.option_gone": ("'{item}'의 '{group}' 중 '{option}'은(는) 더 이상 없어요.", "'{option}' of '{group}' is no longer offered with '{item}'."),
    "order.option_sold_out": ("'{item}'의 '{group}' 중 '{option}'은(는) 품절이에요.", "'{option}' of '{group}' for '{item}' is sold out."),
    "order.option_out_of_stock": ("'{item}'의 '{group}' 중 '{option}'은(는) {left}개만 남았어요.", "Only {left} of '{option}' ({group}) left for '{item}'."),
    "order.option_required": ("'{item}'의 '{group}'을(를) 골라 주세요.", "Choose '{group}' for '{item}'."),
    "order.option_too_few": ("'{item}'의 '{group}'은(는) {min}개 이상 골라 주세요.", "Choose at least {min} of '{group}' for '{item}'."),
    "order.option_too_many": ("'{item}'의 '{group}'은(는) {max}개까지 고를 수 있어요.", "Choose at most {max} of '{group}' for '{item}'."),
    "order.option_repeated": ("'{item}'의 '{group}'에서 같은 옵션을 두 번 골랐어요.", "The same '{group}' choice appears twice for '{item}'."),
    "order.note_too_long": ("요청 사항은 {max}자까지 쓸 수 있어요.", "A request can be at most {max} characters."),
    "order.note_invalid": ("요청 사항에 쓸 수 없는 문자가 있어요.", "The request contains characters that cannot be used."),
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
    "menu.category_not_empty": ("'{category}' 카테고리에 메뉴가 {count}개 있어 삭제할 수 없어요. 메뉴를 먼저 옮기거나 삭제해 주세요.", "'{category}' still has {count} item(s), so it cannot be deleted. Move or delete them first."),
    "menu.move_to_same": ("메뉴를 옮길 다른 카테고리를 골라 주세요.", "Choose another category to move the items to."),
    "menu.bad_allergen": ("알 수 없는 알레르기 유발 성분이에요: {value}", "Unknown allergen: {value}"),
    "menu.bad_spicy": ("'맵기'는 0부터 {max}까지의 정수로 입력해 주세요.", "'Spicy level' must be a whole number from 0 to {max}."),
    "option.bad_limits": ("선택 개수는 최소 0개 이상, 최대 1~{max}개이고, 최대가 최소보다 작으면 안 돼요.", "Choices: a minimum of 0 or more, a maximum of 1 to {max}, and the maximum no less than the minimum."),
    "option.bad_price": ("'추가 금액'은 0부터 {max}까지의 정수(원)로 입력해 주세요.", "'Extra price' must be a whole number of won from 0 to {max}."),
    "option.unknown_group": ("옵션 그룹을 찾을 수 없어요.", "That option group could not be found."),
    "option.unknown": ("옵션을 찾을 수 없어요.", "That option could not be found."),
    "board.bad_thresholds": ("경고 시간은 1~{max}분이고, 빨간색이 주황색보다 늦어야 해요.", "Thresholds are 1 to {max} minutes, red later than amber."),
    "board.recall_too_late": ("서빙한 지 오래된 주문은 되돌릴 수 없어요.", "That order was served too long ago to recall."),
    "board.line_unknown": ("주문의 해당 메뉴를 찾을 수 없어요.", "That line of the order could not be found."),
    # tables
    "table.unknown": ("테이블을 찾을 수 없어요.", "That table could not be found."),
    "table.bad_number": ("'테이블 번호'는 1부터 999까지의 정수로 입력해 주세요.", "'Table number' must be a whole number from 1 to 999."),
    "table.number_taken": ("{number}번 테이블은 이미 있어요.", "Table {number} already exists."),
    "table.bad_name": ("'테이블 이름'은 1~50자로 입력해 주세요.", "'Table name' must be 1 to 50 characters."),
    "link.invalid": ("이 QR 코드는 올바르지 않아요. 직원에게 문의해 주세요.", "This QR code is not valid. Please ask a member of staff."),
    "link.expired": ("이 QR 코드는 유효 기간이 지났어요. 직원에게 새 QR 코드를 요청해 주세요.", "This QR code has expired. Please ask a member of staff for a new one."),
    "link.replaced": ("이 QR 코드는 새 코드로 바뀌어 더 이상 쓸 수 없어요. 직원에게 문의해 주세요.", "This QR code has been replaced by a new one. Please ask a member of staff."),
    "input.invalid": ("입력값이 올바르지 않아요: {field}", "Invalid input: {field}"),
    # what a request that does not even have the right shape, or a failure that is not a refusal, reads
    "input.malformed": ("입력값이 올바르지 않아요.", "Invalid input."),
    "service.retry": ("잠시 후 다시 시도해 주세요.", "Please try again in a moment."),
}


def render(code: str, lang: str, params: dict) -> str:
    ko, en = MESSAGES.get(code, (code, code))
    template = en if lang == "en" else ko
    values = {k: (v[1] if lang == "en" else v[0]) if isinstance(v, tuple) else v for k, v in params.items()}
    return template.format(**values)
