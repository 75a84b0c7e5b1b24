"""The one way in from a browser: every event handler is declared with `@event` or `@page`, and its
first line tells who may call it and what it takes:

    @event(ADMIN)
    def save_stock(self, principal: Principal, key: Key, stock: Text): ...

Before the body runs, what the browser sent is parsed into the declared types (inputs.py); a wrong
shape is answered "invalid input", logged as one line without the input, and changes nothing. Then
the caller is resolved from the session token and checked: an `@event` refuses with a message, a
`@page` (an on_load guard) sends the browser where it belongs. A body for a role gets the resolved
principal as its first argument; one for ANYONE gets none.

The body runs in a worker thread while the event holds this browser's state lock, so database and
bcrypt calls never stall the event loop that serves every other browser (`local=True` keeps a body
that only changes what the page shows on the loop; async bodies call `blocking()` themselves). A
refusal (DomainError) shows its message; anything else (the database restarting, a timeout) reads
"please try again in a moment", is logged as one line, and the state's `_recover()` undoes what the
handler began. A session found gone on the way (or another account signed in on this browser) makes
every page's state forget the store's data.

The states are SessionState subclasses; this module only relies on the methods it calls on them.
"""

import asyncio
import contextvars
import functools
import inspect
import logging
import typing
from concurrent.futures import ThreadPoolExecutor
from enum import Enum

import pydantic
import reflex as rx
from reflex.event import EventSpec

from ..domain.enums import Role
from ..domain.errors import DomainError
from ..domain.messages import render

log = logging.getLogger(__name__)


class Who(Enum):
    ANYONE = "anyone"
    ADMIN = "admin"
    TABLE = "table"


ANYONE, ADMIN, TABLE = Who.ANYONE, Who.ADMIN, Who.TABLE
_ROLES = {ADMIN: (Role.ADMIN, "auth.admin_only"), TABLE: (Role.CUSTOMER, "auth.customer_only")}

# As many as the database pool has connections (10 + 20 overflow): more threads would only queue there.
_POOL = ThreadPoolExecutor(max_workers=30, thread_name_prefix="handler")
_ARGS = pydantic.ConfigDict(strict=True, extra="forbid", arbitrary_types_allowed=True)


async def blocking(fn, /, *args, **kwargs):
    """Run a blocking call in a worker thread. When the event is cancelled meanwhile (the browser went
    to another page), wait for the thread before letting go: it may be writing to this browser's
    state, which the next event must not see half-written."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    future = asyncio.get_running_loop().run_in_executor(_POOL, call)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(future)
            break
        except asyncio.CancelledError:
            if future.done():
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return result


def describe(exc: BaseException) -> str:
    """One printable line: the exception's type and its message, without the SQL and parameters that
    SQLAlchemy appends to a database error's text."""
    detail = getattr(exc, "orig", None) or exc
    text = "".join(c if c.isprintable() else " " for c in " ".join(str(detail).split()))
    return f"{type(exc).__name__}: {text[:300]}"


def _where(exc: pydantic.ValidationError) -> str:
    """Which arguments were wrong and how, never what was sent (it may be huge, or forge log lines)."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False)[:4]:
        loc = ".".join(str(p)[:40] if isinstance(p, int) or str(p).isidentifier() else "?" for p in error["loc"])
        parts.append(f"{loc or 'arguments'}: {error['type']}")
    more = exc.error_count() - len(parts)
    return ", ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def _is_upload(annotation) -> bool:
    return typing.get_origin(annotation) is list and typing.get_args(annotation) == (rx.UploadFile,)


def _holder(state) -> tuple:
    return state.role, state.username, state.store_id


async def _forget_if_changed(state, before: tuple) -> None:
    """A session that ended on the way (signed out, expired, revoked), or that changed hands (another
    account signed in on this browser): every page's state forgets the store's data."""
    if before[0] and _holder(state) != before:
        await state._forget_store_data()


class _Stop(Exception):
    """The caller may not go on; `result` is what the handler returns instead (a redirect, or None)."""

    def __init__(self, result=None):
        self.result = result


class _Handler:
    def __init__(self, fn, who: Who, page: bool):
        self.fn, self.who, self.page, self.name = fn, who, page, fn.__qualname__
        hints = typing.get_type_hints(fn, include_extras=True)
        params = list(inspect.signature(fn).parameters.values())
        skip = 1 if who is ANYONE else 2
        if who is not ANYONE and (len(params) < 2 or params[1].name != "principal"):
            raise TypeError(f"{self.name}: a handler for {who.value} takes `principal` after self")
        sent = params[skip:]
        for p in sent:
            if p.name not in hints or p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                raise TypeError(f"{self.name}: `{p.name}` needs a type: it says what a browser may send")
        self.names = [p.name for p in sent]
        self.model = pydantic.create_model(
            f"{fn.__name__}_arguments", __config__=_ARGS,
            **{p.name: (hints[p.name], ... if p.default is p.empty else p.default) for p in sent})
        self.signature = inspect.Signature([params[0], *sent])
        self.uploads = {p.name: hints[p.name] for p in sent if _is_upload(hints[p.name])}

    # ---- the steps -----------------------------------------------------------------------------------
    def parse(self, args: tuple, kwargs: dict) -> dict:
        """The arguments as declared types, or _Stop after a warning line (the caller shows the message)."""
        try:
            if len(args) > len(self.names) or set(self.names[:len(args)]) & kwargs.keys():
                raise TypeError("arguments given twice or too many")
            parsed = self.model.model_validate(dict(zip(self.names, args, strict=False)) | kwargs)
        except pydantic.ValidationError as exc:
            log.warning("%s refused malformed input: %s", self.name, _where(exc))
            raise _Stop from None
        except TypeError as exc:
            log.warning("%s refused malformed input: %s", self.name, exc)
            raise _Stop from None
        return {n: getattr(parsed, n) for n in self.names}

    def admit(self, state, principal) -> tuple:
        """The arguments the body takes before the browser's: (principal,) for a role, () for anyone."""
        if self.who is ANYONE:
            return ()
        role, refusal = _ROLES[self.who]
        if principal is not None and principal.role == role:
            return (principal,)
        if self.page:
            raise _Stop(away(principal))
        state._show_error(DomainError("login.required" if principal is None else refusal))
        raise _Stop

    def failed(self, state, exc: Exception):
        if isinstance(exc, DomainError):
            state._show_error(exc)
            return None
        log.warning("%s failed, the user is asked to retry: %s", self.name, describe(exc))
        log.debug("%s failed", self.name, exc_info=exc)
        state._recover()
        state._show_error(DomainError("service.retry"))
        return None

    def run(self, state, values: dict, resolve: bool = True):
        """Admission and body, in one go (in the worker thread, for a sync body)."""
        try:
            before = self.admit(state, state._principal() if resolve and self.who is not ANYONE else None)
            return self.fn(state, *before, **values)
        except _Stop as stop:
            return stop.result
        except Exception as exc:
            return self.failed(state, exc)

    # ---- the wrappers Reflex calls ---------------------------------------------------------------------
    def threaded(self, local: bool):
        async def handler(state, *args, **kwargs):
            try:
                values = self.parse(args, kwargs)
            except _Stop:
                state._show_error(DomainError("input.malformed"))
                return None
            if local:
                return self.run(state, values, resolve=False)
            before = _holder(state)
            result = await blocking(self.run, state, values)
            await _forget_if_changed(state, before)
            return result
        return handler

    def coroutine(self):
        async def handler(state, *args, **kwargs):
            try:
                values = self.parse(args, kwargs)
            except _Stop:
                state._show_error(DomainError("input.malformed"))
                return None
            before = _holder(state)
            try:
                principal = await blocking(state._principal) if self.who is not ANYONE else None
                result = await self.fn(state, *self.admit(state, principal), **values)
            except _Stop as stop:
                result = stop.result
            except Exception as exc:
                result = self.failed(state, exc)
            await _forget_if_changed(state, before)
            return result
        return handler

    async def _enter_background(self, state, args, kwargs) -> tuple:
        try:
            values = self.parse(args, kwargs)
        except _Stop:
            async with state:
                state._show_error(DomainError("input.malformed"))
            raise
        if self.who is ANYONE:
            async with state:
                return self.admit(state, None), values
        # Two lock takes, not three: the principal is recorded and admitted under the same one.
        async with state:
            token = state.token
        principal = await state._resolve_in_background(token)
        async with state:
            await state._record_in_background(principal)
            return self.admit(state, principal), values

    async def _background_failed(self, state, exc: Exception) -> None:
        async with state:
            self.failed(state, exc)

    def background(self):
        """A live view's loop, run by Reflex outside the state lock. It re-checks the session itself (see
        SessionState._principal_in_background) and survives passing failures on its own; what still
        escapes ends it with one log line."""
        if inspect.isasyncgenfunction(self.fn):
            async def stream(state, *args, **kwargs):
                try:
                    before, values = await self._enter_background(state, args, kwargs)
                    async for update in self.fn(state, *before, **values):
                        yield update
                except _Stop:
                    return
                except Exception as exc:
                    await self._background_failed(state, exc)
            return stream

        async def task(state, *args, **kwargs):
            try:
                before, values = await self._enter_background(state, args, kwargs)
                await self.fn(state, *before, **values)
            except _Stop:
                return
            except Exception as exc:
                await self._background_failed(state, exc)
        return task


def event(who: Who = ANYONE, *, background: bool = False, local: bool = False, page: bool = False):
    """Declare an event handler: who may call it; its parameters' types say what a browser may send."""
    if local and (who is not ANYONE or background):
        raise TypeError("only a handler for anyone, outside a background task, runs on the event loop")

    def decorate(fn):
        spec = _Handler(fn, who, page)
        if background:
            wrapper = spec.background()
        elif inspect.iscoroutinefunction(fn):
            wrapper = spec.coroutine()
        elif inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
            raise TypeError(f"{spec.name}: only a background handler may yield")
        else:
            wrapper = spec.threaded(local)
        functools.update_wrapper(wrapper, fn)
        wrapper.__signature__ = spec.signature
        # Reflex converts arguments by the annotations it sees before a handler runs, and logs the raw
        # value when that fails. The parsing is ours, so it sees only the upload list it must find.
        wrapper.__annotations__ = dict(spec.uploads)
        # What a browser may send, as one model: tests generate what it refuses.
        wrapper.arguments = spec.model
        return rx.event(wrapper, background=background)

    return decorate


def page(who: Who, *, background: bool = False):
    """An on_load guard and loader: a caller who may not see the page is sent where they belong."""
    return event(who, background=background, page=True)


def away(principal) -> EventSpec:
    if principal is None:
        return rx.redirect("/login")
    return rx.redirect("/admin" if principal.role == Role.ADMIN else "/")


def on_unhandled(exception: Exception) -> EventSpec | None:
    """Reflex's handler of last resort, for what fails before a handler's boundary is reached (form
    data that is not a list of pairs, a `setvar` of a var that has no setter, a payload that is not an
    object): one log line, and the browser is asked to retry instead of being shown the exception."""
    log.warning("event failed outside a handler: %s", describe(exception))
    return rx.toast.error(f"{render('service.retry', 'ko', {})} / {render('service.retry', 'en', {})}",
                          id="backend_error")
