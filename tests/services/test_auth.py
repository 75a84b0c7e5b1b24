"""services.auth: sign-in, token sessions, passwords of any length, and table sessions opened at
sign-in. Throttling of failures: test_sign_in_throttle.py."""

import hashlib
import unicodedata
from datetime import timedelta

import bcrypt
import pytest
from sqlmodel import select

from hiorder_app.domain.enums import Role
from hiorder_app.domain.errors import DomainError, SignInFailed
from hiorder_app.domain.models import Account, AuthSession, TableSession
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.auth.accounts import create_admin, create_table_account
from hiorder_app.services.auth.passwords import MAX_LENGTH, PREFIX
from hiorder_app.services.auth.sessions import replace_session, resolve, sign_in, sign_out, sign_out_tablet
from hiorder_app.services.db import session_scope
from hiorder_app.settings import get_settings

CLIENT = "test-client"


def account(store_id: int, username: str) -> Account:
    with session_scope() as s:
        return s.exec(select(Account).where(Account.store_id == store_id, Account.username == username)).one()


def update_account(account_id: int, **values) -> None:
    with session_scope() as s:
        row = s.get(Account, account_id)
        for key, value in values.items():
            setattr(row, key, value)
        s.add(row)


def refused(store_code, username, password, client: str = CLIENT) -> SignInFailed:
    with pytest.raises(SignInFailed) as exc:
        sign_in(store_code, username, password, client)
    return exc.value


def test_admin_signs_in(db, store):
    token, principal = sign_in(store.code, "admin", store.password, CLIENT)
    assert (principal.account_id, principal.store_id, principal.role) == (store.admin_id, store.id, Role.ADMIN)
    assert principal.is_admin
    assert principal.table_id is None and principal.table_number is None
    assert resolve(token) == principal
    assert db.count("table_session") == 0


def test_store_code_and_username_are_trimmed_and_code_is_case_insensitive(db, store):
    _, principal = sign_in(f"  {store.code.upper()} ", " admin ", store.password, CLIENT)
    assert principal.account_id == store.admin_id


def test_only_a_hash_of_the_token_is_stored(db, store):
    token, _ = sign_in(store.code, "admin", store.password, CLIENT)
    with session_scope() as s:
        [auth] = s.exec(select(AuthSession)).all()
    assert auth.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in auth.token_hash
    ttl = auth.expires_at - auth.created_at
    assert abs(ttl - timedelta(hours=get_settings().session_ttl_hours)) < timedelta(minutes=1)


def test_each_sign_in_gets_its_own_token(db, store):
    first, _ = sign_in(store.code, "admin", store.password, CLIENT)
    second, _ = sign_in(store.code, "admin", store.password, CLIENT)
    assert first != second
    sign_out(first)
    assert resolve(first) is None
    assert resolve(second) is not None


def test_wrong_password(db, store):
    err = refused(store.code, "admin", "wrong-password")
    assert err.code == "login.invalid"
    assert err.message("en") == "Store code, username or password is wrong."
    assert err.message("ko") == "매장 코드, 아이디 또는 비밀번호가 올바르지 않아요."
    assert db.count("auth_session") == 0


@pytest.mark.parametrize("store_code, username", [("store-a", "nobody"), ("no-such-store", "admin"), ("", "")])
def test_unknown_user_or_store_gets_the_same_answer(db, store, store_code, username):
    err = refused(store_code, username, store.password)
    assert err.code == "login.invalid"
    assert db.count("auth_session") == 0


def test_same_username_in_another_store_is_another_account(db, store, make_store):
    other = make_store("store-b")
    _, principal = sign_in("store-b", "admin", store.password, CLIENT)
    assert principal.store_id == other.id


def test_empty_password_is_refused(db, store):
    assert refused(store.code, "admin", "").code == "login.invalid"
    assert refused(store.code, "admin", None).code == "login.invalid"


def test_inactive_account_is_refused_even_with_the_right_password(db, store):
    update_account(store.admin_id, active=False)
    assert refused(store.code, "admin", store.password).code == "login.invalid"


@pytest.mark.parametrize("token", [None, "", "not-a-token", 1, ["x"], {"token": "x"}])
def test_resolve_unknown_token(db, store, token):
    assert resolve(token) is None


def test_sign_out(db, store):
    token, _ = sign_in(store.code, "admin", store.password, CLIENT)
    sign_out(token)
    assert resolve(token) is None
    with session_scope() as s:
        revoked_at = s.exec(select(AuthSession.revoked_at)).one()
    sign_out(token)  # twice: no error, first revocation time kept
    sign_out(None)
    sign_out("not-a-token")
    with session_scope() as s:
        assert s.exec(select(AuthSession.revoked_at)).one() == revoked_at


def test_expired_token(db, store):
    token, _ = sign_in(store.code, "admin", store.password, CLIENT)
    with session_scope() as s:
        auth = s.exec(select(AuthSession)).one()
        auth.expires_at = utcnow() - timedelta(seconds=1)
        s.add(auth)
    assert resolve(token) is None


def test_token_of_a_disabled_account(db, store):
    token, _ = sign_in(store.code, "admin", store.password, CLIENT)
    update_account(store.admin_id, active=False)
    assert resolve(token) is None


def test_customer_sign_in_opens_a_table_session(db, store):
    assert db.count("table_session") == 0
    token, principal = sign_in(store.code, "table1", store.password, CLIENT)
    assert principal.role == Role.CUSTOMER
    assert (principal.table_id, principal.table_number) == (store.tables[1], 1)
    assert resolve(token) == principal
    with session_scope() as s:
        [ts] = s.exec(select(TableSession)).all()
    assert (ts.store_id, ts.table_id, ts.closed_at) == (store.id, store.tables[1], None)

    # Signing in again (tablet restarted) keeps the party's session.
    sign_in(store.code, "table1", store.password, CLIENT)
    assert db.count("table_session") == 1


def test_customer_sign_in_after_the_party_left_opens_a_new_session(db, store):
    sign_in(store.code, "table1", store.password, CLIENT)
    with session_scope() as s:
        ts = s.exec(select(TableSession)).one()
        ts.closed_at = utcnow()
        s.add(ts)
    sign_in(store.code, "table1", store.password, CLIENT)
    assert db.count("table_session") == 2
    assert db.scalar("SELECT COUNT(*) FROM table_session WHERE closed_at IS NULL") == 1


def test_failed_customer_sign_in_opens_nothing(db, store):
    refused(store.code, "table1", "wrong")
    assert db.count("table_session") == 0


def test_a_tablet_is_signed_out_by_staff_only(db, store):
    tablet, _ = sign_in(store.code, "table1", store.password, CLIENT)
    with pytest.raises(DomainError) as refused:
        sign_out(tablet)  # the diner's button, or the event sent by hand
    assert refused.value.code == "tablet.signout_staff_only"
    assert resolve(tablet) is not None

    for username, password in (("admin", "wrong"), ("table1", store.password), ("nobody", store.password)):
        with pytest.raises(SignInFailed) as failed:
            sign_out_tablet(tablet, username, password)
        assert failed.value.code == "tablet.staff_invalid"
        assert resolve(tablet) is not None

    sign_out_tablet(tablet, "admin", store.password)
    assert resolve(tablet) is None


def test_an_admin_of_another_store_cannot_sign_this_tablet_out(db, store, make_store):
    other = make_store("other")
    create_admin(other.id, "boss", "other-store-secret")
    tablet, _ = sign_in(store.code, "table1", store.password, CLIENT)
    with pytest.raises(SignInFailed):
        sign_out_tablet(tablet, "boss", "other-store-secret")
    assert resolve(tablet) is not None


def test_a_qr_sign_in_replaces_the_browsers_earlier_session(db, store):
    earlier, _ = sign_in(store.code, "table1", store.password, CLIENT)
    replace_session(earlier)
    assert resolve(earlier) is None
    replace_session(None)


def test_a_client_key_is_required(db, store):
    for client in ("", None, 7):
        with pytest.raises(ValueError):
            sign_in(store.code, "admin", store.password, client)
    assert db.count("auth_session") == 0


# --- passwords of any length ------------------------------------------------------------------------

LONG_PASSWORDS = {
    "korean-30": "비밀번호를잊지마세요" * 3,  # 90 bytes in UTF-8: more than bcrypt takes
    "passphrase": "correct horse battery staple " * 10,
    "emoji": "🍜🍺🍗" * 40,
    "longest": "x" * (MAX_LENGTH - 1) + "한",
    "control-characters": "tab\there\x00nul\nnewline-and-more-than-72-bytes-" * 3,
}


@pytest.mark.parametrize("password", LONG_PASSWORDS.values(), ids=LONG_PASSWORDS.keys())
def test_a_password_of_any_length_signs_in_and_only_that_one(db, store, password):
    create_admin(store.id, "owner", password)
    create_table_account(store.id, 2, password)
    assert sign_in(store.code, "owner", password, CLIENT)[1].username == "owner"
    assert sign_in(store.code, "table2", password, CLIENT)[1].table_number == 2
    # All of these share the first 72 bytes, all bcrypt itself would look at.
    assert all(len(wrong.encode()) > 72 for wrong in (password[:-1] + "?", password + "x"))
    for wrong in (password[:-1] + "?", password + "x", password[: len(password) // 2]):
        assert refused(store.code, "owner", wrong, client=f"other-{wrong[-1]}").code == "login.invalid"
    assert account(store.id, "owner").password_hash.startswith(PREFIX)


def test_staff_sign_out_takes_a_long_admin_password(db, store):
    password = "주인장비밀번호" * 10
    create_admin(store.id, "owner", password)
    tablet, _ = sign_in(store.code, "table1", store.password, CLIENT)
    with pytest.raises(SignInFailed) as failed:
        sign_out_tablet(tablet, "owner", password + "!")
    assert failed.value.code == "tablet.staff_invalid"
    sign_out_tablet(tablet, "owner", password)
    assert resolve(tablet) is None


def test_the_same_korean_password_typed_composed_or_decomposed_signs_in(db, store):
    composed = "한글비밀번호"
    create_admin(store.id, "owner", composed)
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert sign_in(store.code, "owner", decomposed, CLIENT)[1].username == "owner"


@pytest.mark.parametrize("password", [None, 1234, ["pw-1234"], "abc", "x" * (MAX_LENGTH + 1)])
def test_a_password_that_cannot_be_set_is_refused_clearly(db, store, password):
    for create in (lambda: create_admin(store.id, "owner", password),
                   lambda: create_table_account(store.id, 5, password)):
        with pytest.raises(DomainError) as refused_:
            create()
        assert refused_.value.code == "password.bad_length"
        assert refused_.value.message("en") == f"A password must be 4 to {MAX_LENGTH} characters."
        assert refused_.value.message("ko") == f"비밀번호는 4~{MAX_LENGTH}자로 해 주세요."
    assert db.scalar("SELECT COUNT(*) FROM account WHERE username IN ('owner', 'table5')") == 0


@pytest.mark.parametrize("password", ["x" * 100_000, "가" * (MAX_LENGTH + 1), 1234, ["pw-1234"], {"a": 1},
                                      b"pw-1234", 12.5, True])
def test_absurd_or_mistyped_passwords_are_just_wrong(db, store, password):
    assert refused(store.code, "admin", password).code == "login.invalid"
    tablet, _ = sign_in(store.code, "table1", store.password, CLIENT)
    with pytest.raises(SignInFailed) as failed:
        sign_out_tablet(tablet, "admin", password)
    assert failed.value.code == "tablet.staff_invalid"
    assert resolve(tablet) is not None


@pytest.mark.parametrize("store_code, username", [(["store-a"], "admin"), ("store-a", ["admin"]), (None, None),
                                                  ("store-a", "a" * 100_000), ("s" * 100_000, "admin"),
                                                  ("store-a", {"$ne": ""})])
def test_mistyped_or_absurd_names_are_just_wrong(db, store, store_code, username):
    assert refused(store_code, username, store.password).code == "login.invalid"
    assert db.count("auth_session") == 0


def test_a_legacy_bcrypt_hash_still_signs_in_and_is_rewritten(db, store):
    legacy = bcrypt.hashpw(b"old-password", bcrypt.gensalt(4)).decode()
    update_account(store.admin_id, password_hash=legacy)
    assert refused(store.code, "admin", "old-password-but-longer" * 4).code == "login.invalid"  # > 72 bytes
    assert refused(store.code, "admin", "wrong").code == "login.invalid"
    assert account(store.id, "admin").password_hash == legacy  # only the right password rewrites it

    sign_in(store.code, "admin", "old-password", CLIENT)
    rewritten = account(store.id, "admin").password_hash
    assert rewritten.startswith(PREFIX) and rewritten != legacy
    sign_in(store.code, "admin", "old-password", CLIENT)
    assert account(store.id, "admin").password_hash == rewritten  # rewritten once, not at every sign-in
    assert refused(store.code, "admin", "wrong").code == "login.invalid"


def test_a_cheaper_hash_is_upgraded_to_the_configured_cost(db, store, monkeypatch):
    monkeypatch.setenv("BCRYPT_ROUNDS", "5")
    get_settings.cache_clear()
    sign_in(store.code, "admin", store.password, CLIENT)
    assert account(store.id, "admin").password_hash.startswith(PREFIX + "$2b$05$")


@pytest.mark.parametrize("stored", ["", "garbage", "$2b$04$tooshort", PREFIX + "$2b$04$broken", PREFIX])
def test_a_corrupt_stored_hash_is_a_wrong_password_not_a_crash(db, store, stored):
    update_account(store.admin_id, password_hash=stored)
    assert refused(store.code, "admin", store.password).code == "login.invalid"
    assert refused(store.code, "admin", stored or "x").code == "login.invalid"
