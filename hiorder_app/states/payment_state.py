"""The way back from the provider's checkout page: confirm the payment, or release the order."""

import asyncio

import reflex as rx

from ..domain.errors import DomainError
from ..services.payments import checkout as payments
from .tablet_state import TabletState


class PaymentState(TabletState):
    # confirming | delayed | failed | cancelled
    phase: str = "confirming"

    @rx.event
    async def confirm(self):
        principal = self._principal()
        if principal is None:
            return rx.redirect("/login")
        params = self.router.url.query_parameters
        self.phase = "confirming"
        try:
            outcome = await asyncio.to_thread(
                payments.confirm, principal, params.get("paymentKey", ""), params.get("orderId", ""),
                params.get("amount", ""),
            )
        except DomainError as exc:
            self._show_error(exc)
            self.phase = "delayed" if exc.code == "payment.delayed" else "failed"
            self.placing = False
            return None
        self._clear_error()
        self.cart = {}
        self.placing = False
        self.notice_ko = f"주문 #{outcome.order_id} 결제가 완료되었어요. 곧 준비해 드릴게요!"
        self.notice_en = f"Order #{outcome.order_id} is paid. It will be with you shortly!"
        return rx.redirect("/orders")

    @rx.event
    async def cancelled(self):
        principal = self._principal()
        if principal is None:
            return rx.redirect("/login")
        params = self.router.url.query_parameters
        self.placing = False
        try:
            await asyncio.to_thread(payments.cancel_checkout, principal, params.get("orderId", ""))
        except DomainError as exc:
            self._show_error(exc)
            self.phase = "failed"
            return None
        code = params.get("code", "")
        if code == "PAY_PROCESS_CANCELED":
            self._show_error(DomainError("payment.cancelled"))
        else:
            self._show_error(DomainError("payment.declined", reason=params.get("message", code)[:100]))
        self.phase = "cancelled"
        return None
