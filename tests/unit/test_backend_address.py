"""The success URL's backend address is the one Reflex's client would use from the same page."""

import pytest
from reflex_base.config import get_config

from hiorder_app.states.backend_address import backend_origin


@pytest.mark.parametrize("api_url, page_url, expected", [
    # make run: frontend 3000, backend 8000, on this machine or reached by its LAN address
    ("http://localhost:8000", "http://localhost:3000", "http://localhost:8000"),
    ("http://localhost:8000", "http://192.168.0.7:3000", "http://192.168.0.7:8000"),
    # make cluster: nginx on 8080 routes by host name
    ("http://localhost:8080", "http://order.localhost:8080", "http://order.localhost:8080"),
    # behind TLS at a load balancer: the default port
    ("http://localhost:8000", "https://order.example.com", "https://order.example.com"),
    # a backend named explicitly stays as named
    ("https://api.example.com/", "https://order.example.com", "https://api.example.com"),
    ("http://127.0.0.1:41234", "http://localhost:41235", "http://127.0.0.1:41234"),
])
def test_backend_origin_follows_reflex_client_rule(monkeypatch, api_url, page_url, expected):
    monkeypatch.setattr(get_config(), "api_url", api_url)
    assert backend_origin(page_url) == expected
