"""Events leaving the write side: the outbox (rows in the same transaction), the bus that publishes
them after commit, and the per-process hub that fans them out to open views."""

# Importing the bus registers its after-commit publisher on every SQLAlchemy session, so any code that
# records an event (and so imports this package) also publishes it.
from . import bus  # noqa: F401
