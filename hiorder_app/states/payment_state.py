"""The way back from the provider's checkout page: confirm the payment, or release the order."""

import reflex as rx

from ..domain.errors import DomainError
from ..services.payments import checkout as payments
from ..services.payments import return_ticket
from ..services.principal import Principal
from . import live_view
from .boundary import TABLE, event, page
from .tablet_state import TabletState


class PaymentState(TabletState):
    # confirming | delayed | failed | cancelled
    phase: str = "confirming"

    def _recover(self) -> None:
        super()._recover()
        # Not a refusal (the database or the provider was unreachable): offer to confirm again.
        if self.phase == "confirming":
            self.phase = "delayed"

    # The provider's answer arrives in the page's query string, which services.payments checks.
    @page(TABLE)
    def confirm(self, principal: Principal):
        params = self.router.url.query_parameters
        self.phase = "confirming"
        try:
            outcome = payments.confirm(
                principal, params.get("paymentKey", ""), params.get("orderId", ""), params.get("amount", ""),
            )
        except DomainError as exc:
            self._show_error(exc)
            self.phase = "delayed" if exc.code == "payment.delayed" else "failed"
            self.placing = False
            self._refresh_menu(principal)  # the header and "back to my cart" of a tab whose state was lost
            self._restore_cart()
            return None
        self._clear_error()
        # Paying an earlier order again keeps a cart filled since; the cart that became this order goes.
        if outcome.order_id != self.resumed_order_id or outcome.order_id == self.cart_order_id:
            self._set_cart({})
            self.note = ""
        self.resumed_order_id = 0
        self.placing = False
        self._paid_notice(outcome.order_id)
        return rx.redirect("/orders")

    @event()
    def retry(self):
        """The page's "try again": confirm again on this tab's state, or, when that state was lost (Redis
        restarted empty, so it no longer knows who is signed in), reload the page, which hydrates it from
        the browser and confirms on load. The service's confirm is idempotent: never a second charge."""
        if not self.role:
            return live_view.reload_page()
        return PaymentState.confirm

    @page(TABLE)
    def cancelled(self, principal: Principal):
        params = self.router.url.query_parameters
        self.placing = False
        try:
            payments.cancel_checkout(principal, params.get("orderId", ""))
        except DomainError as exc:
            self._show_error(exc)
            self.phase = "failed"
            return None
        code = params.get("code", "")
        if code == "PAY_PROCESS_CANCELED":
            self._show_error(DomainError("payment.cancelled"))
        elif code == return_ticket.EXPIRED_CODE:
            self._show_error(DomainError("payment.return_expired"))
        else:
            self._show_error(DomainError("payment.declined", reason=params.get("message", code)[:100]))
        self.phase = "cancelled"
        return None
