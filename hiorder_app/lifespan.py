"""Work each backend process runs beside the web app for as long as it lives."""

import asyncio
import logging

from .services import payments
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
