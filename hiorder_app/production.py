"""Refusing to serve production on unsafe defaults. Run when the backend's web app is built (not when
the frontend is compiled or exported, which happens without the production secrets)."""

import logging

from .settings import Settings

log = logging.getLogger(__name__)


class UnsafeProductionSettings(SystemExit):
    pass


def check(settings: Settings, prod_mode: bool) -> None:
    """Raise UnsafeProductionSettings naming each variable to set, unless a demo is asked for."""
    if not (prod_mode or settings.hiorder_env.lower() == "production"):
        return
    problems = settings.unsafe_for_production()
    if not problems:
        return
    if settings.hiorder_demo:
        log.warning("HIORDER_DEMO=true: serving with demo settings (%s). Not for real orders.",
                    ", ".join(name for name, _ in problems))
        return
    lines = [f"  {name}: {why}" for name, why in problems]
    raise UnsafeProductionSettings(
        "HiOrder refuses to start in production with unsafe settings. Set these variables:\n" + "\n".join(lines)
        + "\n(For a demo with the sandbox provider, set HIORDER_DEMO=true explicitly.)")
