"""The address a tablet's page reaches the backend at, worked out as Reflex's own client does it
(getBackendURL in .web/utils/state.js): the configured api_url, but a `localhost`-like host name is the
page's own, and a page served over https reaches it over https on the default port (a load balancer)."""

from urllib.parse import urlsplit

from reflex_base.config import get_config

_SAME_DOMAIN = {"localhost", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"}


def backend_origin(page_origin: str) -> str:
    api, page = urlsplit(get_config().api_url), urlsplit(page_origin)
    path = api.path.rstrip("/")
    if api.hostname not in _SAME_DOMAIN or not page.hostname:
        return f"{api.scheme}://{api.netloc}{path}"
    host = f"[{page.hostname}]" if ":" in page.hostname else page.hostname
    if page.scheme == "https":
        return f"https://{host}{path}"
    return f"{api.scheme}://{host}{f':{api.port}' if api.port else ''}{path}"
