"""What the two live views (the board, the tablet) share: their pace and how they wait for news."""

import asyncio
import logging
import time

import reflex as rx

from .boundary import describe

# A live view checks its session again before it shows anything new, and at least this often when
# nothing happens: one signed out, expired or revoked stops (and forgets the store's data) by then.
SESSION_CHECK_SECONDS = 30
# After a failed round (the database restarting), the pause before the view reloads and goes on.
RETRY_SECONDS = 2.0


async def next_batch(queue: asyncio.Queue, seconds: float) -> list[dict]:
    """The next event and everything already waiting behind it (one state write and one render per
    batch), or [] when `seconds` pass without one."""
    try:
        events = [await asyncio.wait_for(queue.get(), timeout=seconds)]
    except TimeoutError:
        return []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def until_check(checked: float) -> float:
    """Seconds left before a session checked at `checked` (time.monotonic()) is due again."""
    return max(0.0, checked + SESSION_CHECK_SECONDS - time.monotonic())


def failed(log: logging.Logger, view: str, failures: int, exc: Exception) -> int:
    """One warning line when a streak of failed rounds begins (an outage fails every view every round);
    the rest of the streak only at debug level. The streak's new length."""
    if failures == 0:
        log.warning("%s live view: a round failed, reloading every %g s until it works: %s", view,
                    RETRY_SECONDS, describe(exc))
    else:
        log.debug("%s live view: round %d failed: %s", view, failures + 1, describe(exc))
    return failures + 1


def recovered(log: logging.Logger, view: str, failures: int) -> int:
    if failures:
        log.info("%s live view: recovered after %d failed rounds", view, failures)
    return 0


async def state_lost(state) -> bool:
    """Whether this tab's server-side state was lost under its running live view: the session it
    resolved at the start is no longer recorded (Redis restarted empty, so the state is a fresh one
    that never took the browser's storage). Only a reload hydrates it again, from the browser's
    LocalStorage; a tab whose session really ended lands on the sign-in page by the same reload."""
    async with state:
        return not state.role


LOST, ENDED = "lost", "ended"


async def recheck(state) -> str:
    """Before a live view shows news: LOST (reload the page, see state_lost), ENDED (the session is gone:
    stop; the states forgot the store's data), or "" to go on."""
    if await state_lost(state):
        return LOST
    if await state._principal_in_background() is None:
        return ENDED
    return ""


def reload_page():
    return rx.call_script("window.location.reload()")
