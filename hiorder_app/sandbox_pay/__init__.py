"""A stand-in for Toss Payments (v1 server API + hosted checkout) with fault injection, for dev and tests.

Standalone: `python -m hiorder_app sandbox-pay --port 8100`; or mount `create_sandbox_app()` under a prefix.
"""

from .app import create_sandbox_app
from .faults import FaultInjector, Faults
from .ledger import Ledger

__all__ = ["FaultInjector", "Faults", "Ledger", "create_sandbox_app"]
