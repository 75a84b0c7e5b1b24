"""Work each backend process runs beside the web app for as long as it lives."""

import asyncio
import json
import logging

import redis.asyncio as aioredis

from .services.events.bus import CHANNEL_PREFIX, relay_once
from .services.events.live_hub import hub
from .services.events.retention import prune_outbox
from .services.payments import checkout as payments
from .settings import get_settings

log = logging.getLogger(__name__)


async def reconcile_payments_forever():
    """Settle lost confirms, retry due refunds and expire unpaid orders, on a timer.
    Every worker runs it; the services lock rows, so running it twice at once is harmless."""
    while True:
        await asyncio.sleep(get_settings().reconcile_interval_seconds)
        try:
            report = await asyncio.to_thread(payments.reconcile)
            if any(vars(report).values()):
                log.info("payment reconciliation: %s", report)
        except Exception:  # the loop must outlive one bad round (DB restart, provider outage)
            log.exception("payment reconciliation round failed")


async def relay_outbox_forever():
    """The outbox's safety net: publishes events whose post-commit publish did not get through."""
    while True:
        await asyncio.sleep(get_settings().outbox_relay_interval_seconds)
        try:
            await asyncio.to_thread(relay_once)
        except Exception:
            log.exception("outbox relay round failed")


async def prune_outbox_forever():
    """Deletes published outbox events past their retention, so the relay's table stays small. Every
    ordering worker runs it; concurrent prunes skip each other's rows. A first round soon after start,
    so workers restarted more often than the interval still prune."""
    delay = min(60.0, get_settings().outbox_prune_interval_seconds)
    while True:
        await asyncio.sleep(delay)
        delay = get_settings().outbox_prune_interval_seconds
        try:
            pruned = await asyncio.to_thread(prune_outbox)
            if pruned:
                log.info("outbox pruning: %d published events past retention deleted", pruned)
        except Exception:
            log.exception("outbox pruning round failed")


async def deliver_live_events_forever():
    """This process's one feed of live events: one Redis subscription for all its browsers, or, with
    no Redis configured, the in-process path the publisher uses directly."""
    hub.bind(asyncio.get_running_loop())
    url = get_settings().redis_url
    if not url:
        return
    delay = 0.5
    while True:
        try:
            # health_check_interval pings an idle connection, so one that died silently is noticed.
            async with aioredis.from_url(url, health_check_interval=15, socket_keepalive=True) as client:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                    while True:
                        msg = await pubsub.get_message(timeout=5.0)
                        if msg is None:
                            continue
                        if msg["type"] == "psubscribe":
                            # Subscribed (again): what was published meanwhile is in the read models.
                            hub.resync_all()
                            delay = 0.5
                        elif msg["type"] == "pmessage":
                            hub.deliver(json.loads(msg["data"]))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("live event subscription lost (%s); reconnecting in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def watch_event_loop_lag_forever(interval: float = 0.25, threshold: float | None = None):
    """Every browser of this process is served by one event loop: a call that blocks it (a query or a
    bcrypt hash outside a worker thread) stalls them all. A timer that wakes late shows by how much;
    above the threshold (default 100 ms) it is logged with the worst lag seen since the last warning."""
    threshold = get_settings().loop_lag_warn_ms / 1000 if threshold is None else threshold
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await asyncio.sleep(interval)
        lag = loop.time() - started - interval
        if lag > threshold:
            log.warning("event loop blocked for %.0f ms (warns above %.0f ms)", lag * 1000, threshold * 1000)


def role_lifespan_tasks(role: str) -> list:
    """What runs beside the web app, by role. Every process follows live events for its own browsers.
    Relaying the outbox and reconciling payments belong to `ordering`: they finish what a diner's payment
    started (a lost confirm, an expired checkout's stock, an event the board has not had yet), so they must
    keep running when the store deployment is down; the store console only consumes events."""
    tasks = [deliver_live_events_forever, watch_event_loop_lag_forever]
    if role in ("ordering", "all"):
        tasks += [relay_outbox_forever, reconcile_payments_forever, prune_outbox_forever]
    return tasks
