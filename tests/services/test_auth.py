"""services.auth: sign-in, failure lock-out, token sessions, and table sessions opened at sign-in."""

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from hiorder_app.domain.enums import Role
from hiorder_app.domain.errors import DomainError, SignInFailed
from hiorder_app.domain.models import Account, AuthSession, TableSession
from hiorder_app.domain.timeutil import utcnow
from hiorder_app.services.auth.accounts import create_admin
from hiorder_app.services.auth.sessions import replace_session, resolve, sign_in, sign_out, sign_out_tablet
from hiorder_app.services.db import session_scope
from hiorder_app.settings import get_settings


def account(store_id: int, username: str) -> Account:
    with session_scope() as s:
        return s.exec(select(Account).where(Account.store_id == store_id, Account.username == username)).one()


def update_account(account_id: int, **values) -> None:
    with session_scope() as s:
        row = s.get(Account, account_id)
        for key, value in values.items():
            setattr(row, key, value)
        s.add(row)


def refused(store_code: str, username: str, password: str) -> SignInFailed:
    with pytest.raises(SignInFailed) as exc:
        sign_in(store_code, username, password)
    return exc.value


def test_admin_signs_in(db, store):
    token, principal = sign_in(store.code, "admin", store.password)
    assert (principal.account_id, principal.store_id, principal.role) == (store.admin_id, store.id, Role.ADMIN)
    assert principal.is_admin
    assert principal.table_id is None and principal.table_number is None
    assert resolve(token) == principal
    assert db.count("table_session") == 0


def test_store_code_and_username_are_trimmed_and_code_is_case_insensitive(db, store):
    _, principal = sign_in(f"  {store.code.upper()} ", " admin ", store.password)
    assert principal.account_id == store.admin_id


def test_only_a_hash_of_the_token_is_stored(db, store):
    token, _ = sign_in(store.code, "admin", store.password)
    with session_scope() as s:
        [auth] = s.exec(select(AuthSession)).all()
    assert auth.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in auth.token_hash
    ttl = auth.expires_at - auth.created_at
    assert abs(ttl - timedelta(hours=get_settings().session_ttl_hours)) < timedelta(minutes=1)


def test_each_sign_in_gets_its_own_token(db, store):
    first, _ = sign_in(store.code, "admin", store.password)
    second, _ = sign_in(store.code, "admin", store.password)
    assert first != second
    sign_out(first)
    assert resolve(first) is None
    assert resolve(second) is not None


def test_wrong_password(db, store):
    err = refused(store.code, "admin", "wrong-password")
    assert err.code == "login.invalid"
    assert err.message("en") == "Store code, username or password is wrong."
    assert err.message("ko") == "매장 코드, 아이디 또는 비밀번호가 올바르지 않아요."
    assert account(store.id, "admin").failed_logins == 1
    assert db.count("auth_session") == 0


@pytest.mark.parametrize("store_code, username", [("store-a", "nobody"), ("no-such-store", "admin"), ("", "")])
def test_unknown_user_or_store_gets_the_same_answer(db, store, store_code, username):
    err = refused(store_code, username, store.password)
    assert err.code == "login.invalid"
    assert db.count("auth_session") == 0


def test_same_username_in_another_store_is_another_account(db, store, make_store):
    other = make_store("store-b")
    _, principal = sign_in("store-b", "admin", store.password)
    assert principal.store_id == other.id


def test_empty_password_is_refused(db, store):
    assert refused(store.code, "admin", "").code == "login.invalid"
    assert refused(store.code, "admin", None).code == "login.invalid"


def test_inactive_account_is_refused_even_with_the_right_password(db, store):
    update_account(store.admin_id, active=False)
    assert refused(store.code, "admin", store.password).code == "login.invalid"


def test_success_resets_the_failure_count(db, store):
    for _ in range(get_settings().login_max_failures - 1):
        refused(store.code, "admin", "wrong")
    sign_in(store.code, "admin", store.password)
    assert account(store.id, "admin").failed_logins == 0
    refused(store.code, "admin", "wrong")  # counting starts again: not locked
    sign_in(store.code, "admin", store.password)


def test_lock_after_max_failures(db, store):
    settings = get_settings()
    for _ in range(settings.login_max_failures - 1):
        assert refused(store.code, "admin", "wrong").code == "login.invalid"
    assert account(store.id, "admin").locked_until is None

    # The failure that reaches the limit is still "invalid"; it sets the lock.
    assert refused(store.code, "admin", "wrong").code == "login.invalid"
    locked = account(store.id, "admin")
    assert locked.locked_until > utcnow()
    assert locked.locked_until - utcnow() <= timedelta(minutes=settings.login_lock_minutes)

    # While locked, even the right password is refused, and nothing is counted.
    err = refused(store.code, "admin", store.password)
    assert err.code == "login.locked"
    assert f"{settings.login_lock_minutes}분" in err.message("ko")
    assert f"in {settings.login_lock_minutes} min" in err.message("en")
    assert refused(store.code, "admin", "wrong").code == "login.locked"
    assert account(store.id, "admin").locked_until == locked.locked_until
    assert db.count("auth_session") == 0


def test_lock_is_per_account(db, store):
    for _ in range(get_settings().login_max_failures):
        refused(store.code, "table1", "wrong")
    assert refused(store.code, "table1", store.password).code == "login.locked"
    sign_in(store.code, "admin", store.password)


def test_sign_in_works_again_when_the_lock_ends(db, store):
    for _ in range(get_settings().login_max_failures):
        refused(store.code, "admin", "wrong")
    update_account(store.admin_id, locked_until=utcnow() - timedelta(seconds=1))
    token, _ = sign_in(store.code, "admin", store.password)
    assert resolve(token) is not None
    assert account(store.id, "admin").locked_until is None


def test_lock_message_rounds_minutes_up(db, store):
    update_account(store.admin_id, locked_until=utcnow() + timedelta(seconds=30))
    err = refused(store.code, "admin", store.password)
    assert err.code == "login.locked"
    assert err.params["minutes"] == 1


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_resolve_unknown_token(db, store, token):
    assert resolve(token) is None


def test_sign_out(db, store):
    token, _ = sign_in(store.code, "admin", store.password)
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
    token, _ = sign_in(store.code, "admin", store.password)
    with session_scope() as s:
        auth = s.exec(select(AuthSession)).one()
        auth.expires_at = utcnow() - timedelta(seconds=1)
        s.add(auth)
    assert resolve(token) is None


def test_token_of_a_disabled_account(db, store):
    token, _ = sign_in(store.code, "admin", store.password)
    update_account(store.admin_id, active=False)
    assert resolve(token) is None


def test_customer_sign_in_opens_a_table_session(db, store):
    assert db.count("table_session") == 0
    token, principal = sign_in(store.code, "table1", store.password)
    assert principal.role == Role.CUSTOMER
    assert (principal.table_id, principal.table_number) == (store.tables[1], 1)
    assert resolve(token) == principal
    with session_scope() as s:
        [ts] = s.exec(select(TableSession)).all()
    assert (ts.store_id, ts.table_id, ts.closed_at) == (store.id, store.tables[1], None)

    # Signing in again (tablet restarted) keeps the party's session.
    sign_in(store.code, "table1", store.password)
    assert db.count("table_session") == 1


def test_customer_sign_in_after_the_party_left_opens_a_new_session(db, store):
    sign_in(store.code, "table1", store.password)
    with session_scope() as s:
        ts = s.exec(select(TableSession)).one()
        ts.closed_at = utcnow()
        s.add(ts)
    sign_in(store.code, "table1", store.password)
    assert db.count("table_session") == 2
    assert db.scalar("SELECT COUNT(*) FROM table_session WHERE closed_at IS NULL") == 1


def test_failed_customer_sign_in_opens_nothing(db, store):
    refused(store.code, "table1", "wrong")
    assert db.count("table_session") == 0


def test_a_tablet_is_signed_out_by_staff_only(db, store):
    tablet, _ = sign_in(store.code, "table1", store.password)
    with pytest.raises(DomainError) as refused:
        sign_out(tablet)  # the diner's button, or the event sent by hand
    assert refused.value.code == "tablet.signout_staff_only"
    assert resolve(tablet) is not None

    for username, password in (("admin", "wrong"), ("table1", store.password), ("nobody", store.password)):
        with pytest.raises(SignInFailed) as failed:
            sign_out_tablet(tablet, username, password)
        assert failed.value.code == "tablet.staff_invalid"
        assert resolve(tablet) is not None
    assert account(store.id, "admin").failed_logins == 1  # counts toward the admin's lockout

    sign_out_tablet(tablet, "admin", store.password)
    assert resolve(tablet) is None
    assert account(store.id, "admin").failed_logins == 0


def test_an_admin_of_another_store_cannot_sign_this_tablet_out(db, store, make_store):
    other = make_store("other")
    create_admin(other.id, "boss", "other-store-secret")
    tablet, _ = sign_in(store.code, "table1", store.password)
    with pytest.raises(SignInFailed):
        sign_out_tablet(tablet, "boss", "other-store-secret")
    assert resolve(tablet) is not None


def test_a_qr_sign_in_replaces_the_browsers_earlier_session(db, store):
    earlier, _ = sign_in(store.code, "table1", store.password)
    replace_session(earlier)
    assert resolve(earlier) is None
    replace_session(None)
