"""An upload body larger than a menu photo may be is refused before the endpoint behind reads it (as
Reflex's does: the whole multipart form, before its handler checks who is asking). Over HTTP semantics
through httpx's ASGI transport, with a Starlette endpoint that parses the form as Reflex's does."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from hiorder_app.upload_limit import limit_uploads, upload_limit


def _run(coro):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _app(seen: list[int]):
    async def upload(request: Request):
        try:
            form = await request.form()
        except ClientDisconnect:  # as Reflex's endpoint answers a client gone mid-body
            return PlainTextResponse("")
        seen.append(sum([len(await f.read()) for f in form.getlist("files")]))
        return PlainTextResponse("ok")

    async def other(request: Request):
        seen.append(len(await request.body()))
        return PlainTextResponse("ok")

    return limit_uploads(Starlette(routes=[Route("/_upload", upload, methods=["POST"]),
                                           Route("/elsewhere", other, methods=["POST"])]))


def post(app, path: str, **kwargs) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://backend") as client:
            return await client.post(path, **kwargs)
    return _run(go())


def test_a_photo_within_the_limit_goes_through():
    seen: list[int] = []
    photo = b"\x89PNG" + b"x" * (upload_limit() // 2)
    response = post(_app(seen), "/_upload", files={"files": ("a.png", photo, "image/png")})
    assert (response.status_code, response.text, seen) == (200, "ok", [len(photo)])


def test_a_declared_length_past_the_limit_is_refused_unread():
    seen: list[int] = []
    response = post(_app(seen), "/_upload", files={"files": ("a.png", b"x" * (upload_limit() + 1), "image/png")})
    assert response.status_code == 413 and "too large" in response.text and "너무 커요" in response.text
    assert seen == []


def test_a_body_without_a_length_is_cut_off_at_the_limit():
    seen: list[int] = []
    chunk = b"x" * 65536

    async def endless():
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n\r\n'
        for _ in range(upload_limit() // len(chunk) * 4):
            yield chunk

    response = post(_app(seen), "/_upload", content=endless(),
                    headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413 and seen == []
    # An endpoint that fails on the body cut short (rather than answering) still gets the same refusal.
    assert post(limit_uploads(Starlette(routes=[Route("/_upload", _fails, methods=["POST"])])), "/_upload",
                content=endless()).status_code == 413


async def _fails(request: Request):
    await request.body()


def test_other_routes_are_not_limited():
    seen: list[int] = []
    body = b"x" * (upload_limit() + 1)
    assert post(_app(seen), "/elsewhere", content=body).status_code == 200 and seen == [len(body)]
