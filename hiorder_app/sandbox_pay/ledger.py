"""The sandbox provider's books: payments and stored idempotent responses, in memory, one per app.

Every operation returns the HTTP answer (status, JSON body) Toss would give. Each runs whole under one lock,
so two requests with the same Idempotency-Key can never both be processed.
"""

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")  # Toss timestamps are ISO 8601 in Korean time
READY_TTL_S = 600  # Toss expects the confirm within 10 minutes of the customer's authentication


class Answer(NamedTuple):
    status: int
    body: dict


def error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"code": code, "message": message})


def _now(clock: Callable[[], float]) -> str:
    return datetime.fromtimestamp(clock(), KST).isoformat(timespec="seconds")


@dataclass
class Payment:
    payment_key: str
    order_id: str
    order_name: str
    total_amount: int
    requested_at: str
    created: float
    status: str = "READY"
    balance_amount: int = 0
    approved_at: str | None = None
    cancels: list[dict] = field(default_factory=list)

    def to_api(self) -> dict:
        return {
            "mId": "tsbx_hiorder", "version": "2022-11-16", "type": "NORMAL", "country": "KR", "currency": "KRW",
            "paymentKey": self.payment_key, "orderId": self.order_id, "orderName": self.order_name,
            "status": self.status, "method": "카드" if self.approved_at else None,
            "totalAmount": self.total_amount, "balanceAmount": self.balance_amount,
            "requestedAt": self.requested_at, "approvedAt": self.approved_at,
            "cancels": [dict(c) for c in self.cancels],
        }


class Ledger:
    def __init__(self, clock: Callable[[], float] = time.time, ready_ttl_s: float = READY_TTL_S) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._ready_ttl_s = ready_ttl_s
        self._payments: dict[str, Payment] = {}
        self._idempotent: dict[str, tuple[str, Answer]] = {}  # key -> (request fingerprint, first answer)

    def open_payment(self, order_id: str, order_name: str, amount: int) -> str:
        """The customer authenticated on the checkout page: a READY payment awaiting the shop's confirm."""
        with self._lock:
            key = "tsbx_" + uuid.uuid4().hex
            self._payments[key] = Payment(key, order_id, order_name, amount, _now(self._clock), self._clock(),
                                          balance_amount=amount)
            return key

    def get(self, payment_key: str) -> Answer:
        with self._lock:
            payment = self._payments.get(payment_key)
            if payment is None:
                return error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
            return Answer(200, payment.to_api())

    def get_by_order(self, order_id: str) -> Answer:
        """An order may have several attempts (declined, abandoned); the one that went through wins."""
        with self._lock:
            attempts = [p for p in self._payments.values() if p.order_id == order_id]
            if not attempts:
                return error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
            approved = [p for p in attempts if p.approved_at]
            return Answer(200, (approved or attempts)[-1].to_api())

    def confirm(self, body: dict, idempotency_key: str | None, decline: bool) -> Answer:
        with self._lock:
            return self._idempotent_run(idempotency_key, "confirm", body,
                                        lambda: self._confirm(body, decline))

    def cancel(self, payment_key: str, body: dict, idempotency_key: str | None) -> Answer:
        with self._lock:
            return self._idempotent_run(idempotency_key, f"cancel {payment_key}", body,
                                        lambda: self._cancel(payment_key, body))

    def dump(self) -> list[dict]:
        with self._lock:
            return [p.to_api() for p in self._payments.values()]

    # -- rules (called under the lock) --------------------------------------------------------------------

    def _idempotent_run(self, key: str | None, operation: str, body: dict, run: Callable[[], Answer]) -> Answer:
        if not key:
            return run()
        fingerprint = operation + " " + json.dumps(body, sort_keys=True)
        stored = self._idempotent.get(key)
        if stored is not None:
            if stored[0] == fingerprint:
                return stored[1]
            return error(422, "IDEMPOTENCY_KEY_REUSED",
                         "같은 멱등키로 다른 요청을 보냈습니다. / This Idempotency-Key was used for another request.")
        answer = run()
        self._idempotent[key] = (fingerprint, answer)
        return answer

    def _confirm(self, body: dict, decline: bool) -> Answer:
        payment_key, order_id, amount = body.get("paymentKey"), body.get("orderId"), body.get("amount")
        if not isinstance(payment_key, str) or not isinstance(order_id, str) or not _is_amount(amount):
            return error(400, "INVALID_REQUEST", "paymentKey, orderId, amount(양의 정수)가 필요합니다.")
        payment = self._payments.get(payment_key)
        if payment is not None and payment.status == "READY" and self._clock() - payment.created > self._ready_ttl_s:
            payment.status = "EXPIRED"
        if payment is None or payment.status in ("ABORTED", "EXPIRED"):
            return error(404, "NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.")
        if payment.status != "READY":
            return error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
        if order_id != payment.order_id or amount != payment.total_amount:
            return error(400, "INVALID_REQUEST", "결제 정보(orderId, amount)가 결제 요청과 다릅니다.")
        if any(p.approved_at and p.order_id == order_id for p in self._payments.values()):
            return error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
        if decline:
            payment.status = "ABORTED"
            return error(403, "REJECT_CARD_PAYMENT", "한도초과 혹은 잔액부족으로 결제에 실패했습니다.")
        payment.status = "DONE"
        payment.approved_at = _now(self._clock)
        return Answer(200, payment.to_api())

    def _cancel(self, payment_key: str, body: dict) -> Answer:
        payment = self._payments.get(payment_key)
        if payment is None:
            return error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        if payment.status == "CANCELED":
            return error(400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.")
        if payment.status not in ("DONE", "PARTIAL_CANCELED"):
            return error(403, "NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다.")
        reason, amount = body.get("cancelReason"), body.get("cancelAmount", payment.balance_amount)
        if not isinstance(reason, str) or not reason.strip() or not _is_amount(amount):
            return error(400, "INVALID_REQUEST", "cancelReason이 필요하고 cancelAmount는 양의 정수여야 합니다.")
        if amount > payment.balance_amount:
            return error(403, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.")
        payment.balance_amount -= amount
        payment.status = "CANCELED" if payment.balance_amount == 0 else "PARTIAL_CANCELED"
        payment.cancels.append({
            "transactionKey": uuid.uuid4().hex, "cancelReason": reason, "cancelAmount": amount,
            "canceledAt": _now(self._clock), "cancelStatus": "DONE",
            "refundableAmount": payment.balance_amount,
        })
        return Answer(200, payment.to_api())


def _is_amount(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
