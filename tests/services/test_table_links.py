"""services.table_links and auth.sign_in_with_link: signed, expiring QR sign-in links for tablets."""

import base64
from datetime import timedelta

import pytest

from hiorder_app.domain.errors import DomainError, SignInFailed
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.auth import table_links
from hiorder_app.services.auth.sessions import resolve, sign_in_with_link
from hiorder_app.services.read_models.order_views import table_orders
from hiorder_app.services.store_admin import tables as admin_tables
from hiorder_app.settings import get_settings
from tests.services.admin_refusals import assert_refused, other_store_admin


def token_of(link) -> str:
    return link.url.rsplit("/t/", 1)[1]


def test_links_need_an_admin_of_the_store(db, store, customer, make_store):
    for principal in (customer, None):
        assert_refused(db, lambda p: table_links.table_links(p, "http://x"), principal)
        assert_refused(db, lambda p: table_links.table_links(p, "http://x", store.tables[1]), principal)
    intruder = other_store_admin(make_store)
    assert {link.table_id for link in table_links.table_links(intruder, "http://x")}.isdisjoint(store.tables.values())
    assert_refused(db, lambda p: table_links.table_links(p, "http://x", store.tables[1]), intruder,
                   codes={"table.unknown"})


def test_a_link_signs_a_tablet_in_as_its_table(db, store, admin):
    store.add_table(2)
    links = table_links.table_links(admin, "http://shop.local:3000/")
    assert [link.number for link in links] == [1, 2]
    link = links[1]
    assert link.url.startswith("http://shop.local:3000/t/")
    svg = base64.b64decode(link.qr.removeprefix("data:image/svg+xml;base64,"))
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert "." not in token_of(link)  # a dev server would take the last path segment for a file name
    token, principal = sign_in_with_link(token_of(link))
    assert (principal.role, principal.table_number, principal.store_id) == ("CUSTOMER", 2, store.id)
    assert resolve(token) == principal
    assert table_orders(principal) == []  # its visit is open


def test_public_base_url_setting_wins(db, store, admin, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://order.example.com")
    get_settings.cache_clear()
    try:
        assert table_links.table_links(admin, "http://localhost:3000")[0].url.startswith("https://order.example.com/t/")
    finally:
        monkeypatch.delenv("PUBLIC_BASE_URL")
        get_settings.cache_clear()


def test_forged_or_tampered_links_are_refused(db, store, admin):
    good = token_of(table_links.table_links(admin, "")[0])
    store_id, table_id, version, expiry, signature = good.split("-", 4)
    other_table = store.add_table(2)
    forged = [
        "", "garbage", f"{store_id}-{other_table}-{version}-{expiry}-{signature}",  # another table, same signature
        f"{store_id}-{table_id}-{version}-{int(expiry) + 999}-{signature}",  # longer life
        f"{store_id}-{table_id}-{int(version) + 1}-{expiry}-{signature}",  # a newer credential version
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        table_links.make_token(int(store_id), int(table_id), int(version), utcnow() + timedelta(days=1)) + "x",
    ]
    for token in forged:
        with pytest.raises(SignInFailed) as caught:
            sign_in_with_link(token)
        assert caught.value.code == "link.invalid", token


def test_another_secret_key_makes_other_signatures(db, store, admin, monkeypatch):
    token = token_of(table_links.table_links(admin, "")[0])
    monkeypatch.setenv("SECRET_KEY", "another-installation")
    get_settings.cache_clear()
    try:
        with pytest.raises(SignInFailed):
            sign_in_with_link(token)
    finally:
        monkeypatch.delenv("SECRET_KEY")
        get_settings.cache_clear()


def test_expired_links_are_refused(db, store, admin):
    expired = table_links.make_token(store.id, store.tables[1], 0, utcnow() - timedelta(seconds=1))
    with pytest.raises(SignInFailed) as caught:
        sign_in_with_link(expired)
    assert caught.value.code == "link.expired"
    assert "유효 기간" in caught.value.message("ko")
    with pytest.raises(DomainError):
        table_links.read_token(table_links.make_token(1, 1, 0, utcnow()), now=utcnow() + timedelta(seconds=1))


def test_reissuing_the_password_retires_older_links(db, store, admin):
    old = token_of(table_links.table_links(admin, "")[0])
    admin_tables.reissue_password(admin, store.tables[1])
    with pytest.raises(SignInFailed) as caught:
        sign_in_with_link(old)
    assert caught.value.code == "link.replaced"
    assert "새 코드" in caught.value.message("ko")
    new = token_of(table_links.table_links(admin, "")[0])
    assert sign_in_with_link(new)[1].table_number == 1
