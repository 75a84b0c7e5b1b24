"""The backend route the provider's success redirect lands on (services/payments/return_ticket.py).

The payment is confirmed here, before the tablet's page loads: the order is PAID and on the kitchen's
board while the browser is still being redirected, instead of after the whole app has loaded and its
socket connected. Then the browser goes on (303) to the tablet's own pages:
  * paid, or anything the page can say better itself (delayed, wrong amount, an unknown or closed
    order): /pay/success with the provider's query. Its on_load confirms again, which for a paid order
    only finds it paid (confirm is idempotent: a reload or a replayed redirect never charges twice),
    clears the cart and shows 주문 내역; otherwise it shows why, with its own retry.
  * declined by the provider at confirm: /pay/fail with the provider's code and reason, as a decline on
    the checkout page itself arrives (the order is already cancelled, its stock back).
The confirm runs in a worker thread: nothing here blocks the event loop that serves the tablets.
"""

import logging
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from .domain.errors import DomainError
from .services.payments import checkout as payments
from .services.payments import return_ticket
from .states.boundary import describe

log = logging.getLogger(__name__)

# What the provider's redirect carries that the tablet's success page reads.
_PROVIDER_PARAMS = ("paymentKey", "orderId", "amount")


async def payment_return(request: Request) -> Response:
    query = request.query_params
    try:
        ticket = return_ticket.read(query.get("t"), query.get("to"), request.url.hostname, query.get("orderId"))
    except DomainError as exc:
        # Not one of ours, not for this order, or past its order's checkout: nothing is done. An expired one
        # of ours names a trustworthy origin: the tablet's fail page says why and leads back to the menu
        # (a diner who took too long at the provider is not left on a bare error page).
        if exc.code == "payment.return_expired":
            failed = {"code": return_ticket.EXPIRED_CODE, "orderId": query.get("orderId", "")}
            return RedirectResponse(f"{exc.params['origin']}/pay/fail?{urlencode(failed)}", 303)
        return PlainTextResponse("결제 복귀 주소가 올바르지 않아요. / This payment return address is not valid.", 400)
    forward = {k: query[k] for k in _PROVIDER_PARAMS if k in query}
    try:
        await run_in_threadpool(payments.confirm_returned, ticket, query.get("paymentKey", ""),
                                query.get("orderId", ""), query.get("amount", ""))
    except DomainError as exc:
        if exc.code == "payment.declined":
            failed = {"code": exc.params.get("provider_code") or "REJECT_CARD_PAYMENT",
                      "message": str(exc.params.get("reason", ""))[:200], "orderId": query.get("orderId", "")}
            return RedirectResponse(f"{ticket.origin}/pay/fail?{urlencode(failed)}", 303)
    except Exception as exc:  # the database or the provider unreachable: the page's own confirm retries
        log.warning("confirm at the payment return failed, the tablet's page confirms again: %s", describe(exc))
    return RedirectResponse(f"{ticket.origin}/pay/success?{urlencode(forward)}", 303)


routes = [Route(return_ticket.PATH, payment_return, methods=["GET"])]
