"""What the backend logged while a test drove it (it runs in this process, in the harness's thread)."""

import logging
import time


class BackendLog(logging.Handler):
    BOUNDARY = "hiorder_app.states.boundary"

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def clear(self) -> None:
        self.records = []

    def boundary_lines(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.name == self.BOUNDARY]

    def wait_for_boundary_lines(self, count: int, timeout: float = 5.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.boundary_lines()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.boundary_lines()

    def assert_quiet(self, logger: str | None = None) -> None:
        """Nothing at ERROR or above, no traceback, and every line one line (from `logger` only, if given)."""
        loud = [f"{r.name} {r.levelname}: {r.getMessage()[:300]}" for r in self.records
                if (logger is None or r.name == logger)
                and (r.levelno >= logging.ERROR or r.exc_info or "Traceback" in r.getMessage()
                     or "\n" in r.getMessage())]
        assert not loud, loud


def attach() -> tuple[BackendLog, list[logging.Logger]]:
    handler = BackendLog()
    loggers = [logging.getLogger()]
    reflex = logging.getLogger("reflex")
    if not reflex.propagate:  # the Reflex CLI cuts it off from the root logger
        loggers.append(reflex)
    for logger in loggers:
        logger.addHandler(handler)
    return handler, loggers
