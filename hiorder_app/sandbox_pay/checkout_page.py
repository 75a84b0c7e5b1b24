"""The provider's hosted checkout page: where the customer's browser pays, then goes back to the shop.

Its form posts to relative URLs ("checkout/pay" from ".../checkout"), so the page works both standalone
and mounted under a prefix such as /sandbox-pay, without knowing either.
"""

import hmac
import re
from html import escape
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .faults import FaultInjector
from .ledger import Ledger

_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")  # Toss's rule for orderId


class Checkout(NamedTuple):
    client_key: str
    order_id: str
    amount: int
    order_name: str
    success_url: str
    fail_url: str

    def hidden_fields(self) -> str:
        values = {"clientKey": self.client_key, "orderId": self.order_id, "amount": self.amount,
                  "orderName": self.order_name, "successUrl": self.success_url, "failUrl": self.fail_url}
        return "".join(f'<input type="hidden" name="{k}" value="{escape(str(v))}">' for k, v in values.items())


def parse_checkout(params, client_key: str | None) -> Checkout | str:
    """A Checkout, or what is wrong with the request (the shop's bug, shown to whoever opened the page)."""
    def get(name: str) -> str:
        return (params.get(name) or "").strip()

    if not get("clientKey") or (client_key is not None and not hmac.compare_digest(get("clientKey"), client_key)):
        return "clientKey가 올바르지 않습니다. / Unknown clientKey."
    if not _ORDER_ID.match(get("orderId")):
        return "orderId는 영문, 숫자, -, _ 6~64자입니다. / orderId: 6-64 letters, digits, - or _."
    if not get("amount").isdigit() or int(get("amount")) <= 0:
        return "amount는 양의 정수입니다. / amount must be a positive integer."
    if not 0 < len(get("orderName")) <= 100:
        return "orderName은 1~100자입니다. / orderName: 1-100 characters."
    for name in ("successUrl", "failUrl"):
        parts = urlsplit(get(name))
        if not (parts.scheme in ("http", "https") and parts.netloc) and not get(name).startswith("/"):
            return f"{name}는 http(s) 주소여야 합니다. / {name} must be an http(s) URL."
    return Checkout(get("clientKey"), get("orderId"), int(get("amount")), get("orderName"),
                    get("successUrl"), get("failUrl"))


def with_query(url: str, **params) -> str:
    """`url` with params added to whatever query it already has (and before its #fragment)."""
    parts = urlsplit(url)
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True) + list(params.items()))
    return urlunsplit(parts._replace(query=query))


def checkout_routes(ledger: Ledger, injector: FaultInjector, client_key: str | None) -> list[Route]:
    async def show(request: Request) -> Response:
        checkout = parse_checkout(request.query_params, client_key)
        if isinstance(checkout, str):
            return HTMLResponse(_page("결제를 시작할 수 없습니다 / Cannot start payment", _problem(checkout)), 400)
        return HTMLResponse(_page(f"{checkout.order_name} · 결제 / Checkout", _checkout_card(checkout)))

    async def pay(request: Request) -> Response:
        checkout = parse_checkout(await request.form(), client_key)
        if isinstance(checkout, str):
            return HTMLResponse(_page("결제할 수 없습니다 / Cannot pay", _problem(checkout)), 400)
        if injector.happens("decline_rate"):
            return RedirectResponse(with_query(
                checkout.fail_url, code="REJECT_CARD_PAYMENT",
                message="한도초과 혹은 잔액부족으로 결제에 실패했습니다.", orderId=checkout.order_id), 303)
        payment_key = ledger.open_payment(checkout.order_id, checkout.order_name, checkout.amount)
        return RedirectResponse(with_query(
            checkout.success_url, paymentKey=payment_key, orderId=checkout.order_id, amount=checkout.amount,
            paymentType="NORMAL"), 303)

    async def cancel(request: Request) -> Response:
        checkout = parse_checkout(await request.form(), client_key)
        if isinstance(checkout, str):
            return HTMLResponse(_page("잘못된 요청 / Bad request", _problem(checkout)), 400)
        return RedirectResponse(with_query(
            checkout.fail_url, code="PAY_PROCESS_CANCELED", message="사용자에 의해 결제가 취소되었습니다.",
            orderId=checkout.order_id), 303)

    return [Route("/checkout", show, methods=["GET"]), Route("/checkout/pay", pay, methods=["POST"]),
            Route("/checkout/cancel", cancel, methods=["POST"])]


def _checkout_card(c: Checkout) -> str:
    fields = c.hidden_fields()
    return f"""
<main class="card">
  <p class="badge">테스트 결제 · Sandbox</p>
  <h1>{escape(c.order_name)}</h1>
  <p class="amount">{c.amount:,}<small>원</small></p>
  <p class="muted">KRW {c.amount:,} · 주문번호 / Order {escape(c.order_id)}</p>
  <form method="post" action="checkout/pay">{fields}
    <button type="submit" class="pay">결제하기 / Pay</button>
  </form>
  <form method="post" action="checkout/cancel">{fields}
    <button type="submit" class="cancel">취소 / Cancel</button>
  </form>
  <p class="muted small">실제 돈이 결제되지 않습니다. / No real money is charged.</p>
</main>
<script>
  // One tap pays once: every button is off as soon as either form is sent.
  document.querySelectorAll("form").forEach(function (form) {{
    form.addEventListener("submit", function () {{
      document.querySelectorAll("button").forEach(function (b) {{ b.disabled = true; }});
      form.querySelector("button").setAttribute("aria-busy", "true");
    }});
  }});
  // Coming back with the browser's Back button restores the page from cache, buttons still off.
  window.addEventListener("pageshow", function (e) {{
    if (e.persisted) document.querySelectorAll("button").forEach(function (b) {{ b.disabled = false; }});
  }});
</script>"""


def _problem(message: str) -> str:
    return f'<main class="card"><p class="badge">오류 · Error</p><h1>{escape(message)}</h1></main>'


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
  * {{ box-sizing: border-box; }}
  body {{ margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
         padding: 16px; background: #f2f4f6; color: #191f28;
         font-family: -apple-system, BlinkMacSystemFont, "Apple SD Gothic Neo", "Noto Sans KR", sans-serif; }}
  .card {{ width: 100%; max-width: 400px; background: #fff; border-radius: 20px; padding: 28px 24px;
          box-shadow: 0 4px 24px rgba(0, 0, 0, .06); text-align: center; }}
  .badge {{ display: inline-block; margin: 0 0 12px; padding: 4px 10px; border-radius: 999px;
           background: #e8f3ff; color: #1b64da; font-size: 13px; font-weight: 600; }}
  h1 {{ margin: 0 0 8px; font-size: 20px; font-weight: 600; word-break: keep-all; overflow-wrap: anywhere; }}
  .amount {{ margin: 8px 0 4px; font-size: 36px; font-weight: 700; }}
  .amount small {{ font-size: 20px; margin-left: 2px; }}
  .muted {{ margin: 0 0 24px; color: #6b7684; font-size: 14px; overflow-wrap: anywhere; }}
  .small {{ margin: 16px 0 0; font-size: 12px; }}
  form {{ margin: 0; }}
  button {{ width: 100%; min-height: 52px; margin-top: 10px; border: 0; border-radius: 14px;
           font: inherit; font-size: 17px; font-weight: 600; cursor: pointer; }}
  button:focus-visible {{ outline: 3px solid #90c2ff; outline-offset: 2px; }}
  button:disabled {{ opacity: .5; cursor: default; }}
  .pay {{ background: #3182f6; color: #fff; }}
  .cancel {{ background: #f2f4f6; color: #4e5968; }}
</style></head>
<body>{body}</body></html>"""
