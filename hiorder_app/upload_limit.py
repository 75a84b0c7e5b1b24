"""Reflex's upload endpoint reads a whole multipart body (into temporary files) before the handler it
names checks who is asking, so any client, signed in or not, could make a backend spool gigabytes to
disk. This wrapper refuses (413) an upload body larger than the biggest menu photo allowed plus the form's
own overhead: at once when the declared length says so, and otherwise as soon as that much has arrived
(the rest is never read; Reflex sees the client as gone). nginx caps bodies too (deploy/); this holds for a
backend reached without it."""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from reflex_base.config import get_config
from reflex_base.constants import Endpoint

from .settings import get_settings

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]
# The multipart boundaries, part headers and the handler's bound arguments around the file itself.
FORM_OVERHEAD = 64 * 1024


def upload_limit() -> int:
    return get_settings().max_image_bytes + FORM_OVERHEAD


def limit_uploads(asgi_app: ASGIApp) -> ASGIApp:
    path = get_config().prepend_backend_path(str(Endpoint.UPLOAD))

    async def app(scope: Scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") != path:
            await asgi_app(scope, receive, send)
            return
        limit = upload_limit()
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        received, refused = 0, False

        async def counted() -> dict:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        started = False

        async def answered(message: dict) -> None:
            nonlocal started
            if refused and not started:
                return  # Reflex's answer to a body cut short: ours goes instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await asgi_app(scope, counted, answered)
        except Exception:
            if not refused:
                raise  # the endpoint's own failure, not the body we cut short
        if refused and not started:
            await _too_large(send, limit)

    return app


async def _too_large(send, limit: int) -> None:
    body = (f"사진 파일이 너무 커요 ({limit // 1024 // 1024} MB까지). / "
            f"The upload is too large (at most {limit // 1024 // 1024} MB).").encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
