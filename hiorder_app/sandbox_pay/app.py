"""The sandbox provider's HTTP face: Toss's v1 payment API, the hosted checkout, and test controls.

API and control endpoints want `Authorization: Basic base64(secretKey + ":")`, like Toss.
Control endpoints (never affected by faults):
  GET  /sandbox/faults    the faults in force (lose_confirm_response counts down as it is used)
  PUT  /sandbox/faults    replace them: a JSON object, missing fields take defaults, so {} clears all
  GET  /sandbox/payments  {"payments": [...]}: every payment object in the ledger, oldest first
  GET  /sandbox/idle      waits (up to ?timeout= seconds, default 10) until no API call is in flight:
                          {"in_flight": 0}, or 409 with the count left. A call still sleeping its latency when
                          a test ends would otherwise use up the next test's faults (a lost confirm, say).
"""

import asyncio
import base64
import binascii
import hmac
import json
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .checkout_page import checkout_routes
from .faults import FaultInjector, Faults
from .ledger import Answer, Ledger, error

Handler = Callable[[Request], Awaitable[Answer | Response]]

# What a reverse proxy says when the upstream took too long: the body is not the provider's JSON.
_PROXY_TIMEOUT_PAGE = "<html><head><title>504 Gateway Time-out</title></head><body>504 Gateway Time-out</body></html>"


def create_sandbox_app(secret_key: str = "test_sk_hiorder_sandbox", faults: Faults | None = None,
                       client_key: str | None = None) -> Starlette:
    """A fresh provider with an empty ledger. `faults` None reads SANDBOX_* env vars; `client_key` None
    accepts any non-empty clientKey on the checkout page."""
    ledger = Ledger()
    injector = FaultInjector(faults if faults is not None else Faults.from_env())
    in_flight = [0]  # API calls received and not yet answered (one event loop: no lock needed)
    drained = asyncio.Event()
    drained.set()

    def authorized(request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            credentials = base64.b64decode(token, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return scheme.lower() == "basic" and hmac.compare_digest(credentials.encode(), f"{secret_key}:".encode())

    def reply(answer: Answer | Response) -> Response:
        return answer if isinstance(answer, Response) else JSONResponse(answer.body, answer.status)

    def control(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if not authorized(request):
                return reply(error(401, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."))
            return reply(await handler(request))
        return endpoint

    def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if not authorized(request):
                return reply(error(401, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."))
            in_flight[0] += 1
            drained.clear()
            try:
                # Received first, then slow: once the client gives up, uvicorn answers reads with a disconnect,
                # and a confirm the client timed out on must still be processed, as a real provider would.
                await request.body()
                if injector.latency_s:
                    await asyncio.sleep(injector.latency_s)
                if injector.happens("error_rate"):
                    return reply(error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING",
                                       "내부 시스템 처리 작업이 실패했습니다."))
                return reply(await handler(request))
            finally:
                in_flight[0] -= 1
                if not in_flight[0]:
                    drained.set()
        return endpoint

    async def json_body(request: Request) -> dict | None:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def confirm(request: Request) -> Answer | Response:
        body = await json_body(request)
        if body is None:
            answer = error(400, "INVALID_REQUEST", "요청 본문이 JSON 객체가 아닙니다.")
        else:
            answer = ledger.confirm(body, request.headers.get("idempotency-key"),
                                    decline=injector.happens("confirm_decline_rate"))
        if injector.take_lost_confirm():
            return Response(_PROXY_TIMEOUT_PAGE, 504, media_type="text/html")
        return answer

    async def get_payment(request: Request) -> Answer:
        return ledger.get(request.path_params["payment_key"])

    async def get_by_order(request: Request) -> Answer:
        return ledger.get_by_order(request.path_params["order_id"])

    async def cancel(request: Request) -> Answer:
        body = await json_body(request)
        if body is None:
            return error(400, "INVALID_REQUEST", "요청 본문이 JSON 객체가 아닙니다.")
        return ledger.cancel(request.path_params["payment_key"], body, request.headers.get("idempotency-key"))

    async def get_faults(_request: Request) -> Answer:
        return Answer(200, injector.faults.to_dict())

    async def put_faults(request: Request) -> Answer:
        body = await json_body(request)
        if body is None:
            return error(400, "INVALID_REQUEST", "faults must be a JSON object")
        try:
            injector.set(Faults.from_dict(body))
        except (TypeError, ValueError) as exc:
            return error(400, "INVALID_REQUEST", str(exc))
        return Answer(200, injector.faults.to_dict())

    async def payments(_request: Request) -> Answer:
        return Answer(200, {"payments": ledger.dump()})

    async def idle(request: Request) -> Answer:
        try:
            timeout = min(max(float(request.query_params.get("timeout", "10")), 0.0), 60.0)
        except ValueError:
            return error(400, "INVALID_REQUEST", "timeout must be a number of seconds")
        try:
            await asyncio.wait_for(drained.wait(), timeout)
        except TimeoutError:
            pass
        return Answer(409 if in_flight[0] else 200, {"in_flight": in_flight[0]})

    routes = [
        Route("/v1/payments/confirm", api(confirm), methods=["POST"]),
        Route("/v1/payments/orders/{order_id}", api(get_by_order), methods=["GET"]),
        Route("/v1/payments/{payment_key}", api(get_payment), methods=["GET"]),
        Route("/v1/payments/{payment_key}/cancel", api(cancel), methods=["POST"]),
        Route("/sandbox/faults", control(get_faults), methods=["GET"]),
        Route("/sandbox/faults", control(put_faults), methods=["PUT"]),
        Route("/sandbox/payments", control(payments), methods=["GET"]),
        Route("/sandbox/idle", control(idle), methods=["GET"]),
        *checkout_routes(ledger, injector, client_key),
    ]
    app = Starlette(routes=routes)
    app.state.ledger, app.state.fault_injector = ledger, injector
    return app
