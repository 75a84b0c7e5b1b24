"""Starting calls at the same moment, for the tests that prove what holds under concurrency."""

import threading
from concurrent.futures import ThreadPoolExecutor

from hiorder_app.domain.errors import DomainError


def run_together(calls) -> list:
    """Run the zero-argument callables in threads that start at the same moment; return each
    result or the DomainError it raised, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except DomainError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
