import os
from pathlib import Path

import reflex as rx

_here = Path(__file__).resolve().parent
_bun = _here / ".tools" / "node_modules" / ".bin" / "bun"

config = rx.Config(
    app_name="hiorder_app",
    # With REDIS_URL set, client state lives in Redis and several backend workers can serve one store.
    redis_url=os.environ.get("REDIS_URL") or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Solid panels: Radix's default translucent ones put a 64 px backdrop blur behind every card, which
    # a tablet or kitchen PC without a strong GPU redraws on every update of a busy board.
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="orange", radius="large",
                                                        panel_background="solid"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    **({"bun_path": _bun} if _bun.exists() else {}),
)
