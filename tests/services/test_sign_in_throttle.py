"""Sign-in throttling (services/auth/throttle.py) through sign_in and sign_out_tablet: growing delays per
(account as typed, client) and per client; nobody's guessing keeps the right password from another
client out; known and unknown usernames answer alike, in similar time.

Time passes by moving the stored throttle times back (pass_time), never by sleeping or faking a clock.
"""

import statistics
import threading
import time
from datetime import timedelta
from itertools import count

import pytest
from sqlmodel import select

from hiorder_app.domain.errors import SignInFailed
from hiorder_app.domain.models import SignInThrottle
from hiorder_app.services.auth.accounts import create_admin
from hiorder_app.services.auth.sessions import resolve, sign_in, sign_out_tablet
from hiorder_app.services.db import session_scope
from hiorder_app.settings import get_settings

_clients = count()


def new_client() -> str:
    return f"browser-{next(_clients)}"


def answer(store_code, username, password, client, address=None) -> tuple:
    """What the caller is told: ("ok",) or the refusal's code and params."""
    try:
        sign_in(store_code, username, password, client, address=address)
    except SignInFailed as refusal:
        return (refusal.code, refusal.params)
    return ("ok",)


def staff_answer(tablet_token, username, password) -> tuple:
    try:
        sign_out_tablet(tablet_token, username, password)
    except SignInFailed as refusal:
        return (refusal.code, refusal.params)
    return ("ok",)


INVALID = ("login.invalid", {})


def throttled(seconds: int) -> tuple:
    return ("login.throttled", {"seconds": seconds})


def pass_time(seconds: float) -> None:
    """As if `seconds` went by for every throttle counter."""
    shift = timedelta(seconds=seconds)
    with session_scope() as s:
        for row in s.exec(select(SignInThrottle)).all():
            row.blocked_until = row.blocked_until and row.blocked_until - shift
            row.last_failure_at = row.last_failure_at and row.last_failure_at - shift
            s.add(row)


def throttle_rows() -> list[tuple]:
    with session_scope() as s:
        return sorted((r.key, r.scope, r.failures, r.blocked_until, r.last_failure_at)
                      for r in s.exec(select(SignInThrottle)).all())


@pytest.fixture
def configure(db, monkeypatch):
    """configure(NAME=value, ...): settings for this test only."""
    def apply(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, str(value))
        get_settings.cache_clear()
    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_defaults():
    settings = get_settings()
    assert (settings.sign_in_free_failures, settings.sign_in_client_free_failures) == (3, 10)
    assert settings.sign_in_address_free_failures == 30
    assert (settings.sign_in_first_delay_seconds, settings.sign_in_max_delay_seconds) == (1, 300)
    assert settings.sign_in_forget_minutes * 60 > settings.sign_in_max_delay_seconds


def test_wrong_passwords_meet_growing_delays(db, store):
    client = new_client()
    for _ in range(3):  # free failures; the third sets the first delay
        assert answer(store.code, "admin", "wrong", client) == INVALID
    for delay in (1, 2, 4, 8, 16):
        assert answer(store.code, "admin", "wrong", client) == throttled(delay)
        pass_time(delay - 0.5)
        assert answer(store.code, "admin", "wrong", client) == throttled(1)  # rounded up
        pass_time(0.5)
        assert answer(store.code, "admin", "wrong", client) == INVALID
    refusal = SignInFailed("login.throttled", seconds=32)
    assert refusal.message("en") == "Too many attempts from this device. Try again in 32 s."
    assert refusal.message("ko") == "이 기기에서 로그인 시도가 너무 많아요. 32초 후에 다시 시도해 주세요."
    assert db.count("auth_session") == 0


def test_the_delay_stops_growing_at_the_cap(db, store):
    client = new_client()
    cap = int(get_settings().sign_in_max_delay_seconds)
    waits = []
    for _ in range(40):
        if (reply := answer(store.code, "admin", "wrong", client)) != INVALID:
            waits.append(reply[1]["seconds"])
            pass_time(reply[1]["seconds"])
    assert waits[:10] == [1, 2, 4, 8, 16, 32, 64, 128, 256, cap]
    assert set(waits[9:]) == {cap}


def test_while_throttled_the_right_password_gets_the_same_answer_and_changes_nothing(db, store):
    client = new_client()
    for _ in range(3):
        answer(store.code, "admin", "wrong", client)
    before = throttle_rows()
    assert answer(store.code, "admin", store.password, client) == throttled(1)
    assert answer(store.code, "admin", "wrong", client) == throttled(1)
    assert throttle_rows() == before
    assert db.count("auth_session") == 0
    pass_time(1)
    assert answer(store.code, "admin", store.password, client) == ("ok",)


def test_success_starts_the_count_for_that_account_and_client_again(db, store):
    client = new_client()
    for _ in range(2):
        answer(store.code, "admin", "wrong", client)
    assert answer(store.code, "admin", store.password, client) == ("ok",)
    for _ in range(3):  # three free failures again, not one
        assert answer(store.code, "admin", "wrong", client) == INVALID
    assert answer(store.code, "admin", "wrong", client) == throttled(1)


def test_the_right_password_from_another_client_is_never_blocked(db, store):
    attacker = new_client()
    for _ in range(40):  # well past the cap, against the admin and the tablet
        for username in ("admin", "table1"):
            if (reply := answer(store.code, username, "guess", attacker)) != INVALID:
                pass_time(reply[1]["seconds"])
    cap = int(get_settings().sign_in_max_delay_seconds)
    pass_time(cap)
    assert answer(store.code, "admin", "guess", attacker) == INVALID
    assert answer(store.code, "admin", store.password, attacker) == throttled(cap)

    owner = new_client()
    assert answer(store.code, "admin", store.password, owner) == ("ok",)
    assert answer(store.code, "table1", store.password, owner) == ("ok",)
    # Nor is the owner's own typo counted against anyone but the owner's browser.
    assert answer(store.code, "admin", "typo", owner) == INVALID
    assert answer(store.code, "admin", store.password, owner) == ("ok",)


def test_a_client_guessing_across_accounts_is_throttled(db, store):
    client = new_client()
    free = get_settings().sign_in_client_free_failures
    for n in range(free):  # never three tries at one name, so only the client-wide count grows
        assert answer(store.code, f"user{n}", "guess", client) == INVALID
    assert answer(store.code, "someone-new", "guess", client) == throttled(1)
    assert answer(store.code, "admin", store.password, client) == throttled(1)
    assert answer(store.code, "admin", store.password, new_client()) == ("ok",)
    pass_time(1)
    assert answer(store.code, "admin", store.password, client) == ("ok",)
    # Signing in to one account does not reset the count across accounts: the next miss waits longer.
    assert answer(store.code, "user-x", "guess", client) == INVALID
    assert answer(store.code, "user-y", "guess", client) == throttled(2)


def test_a_new_client_for_every_guess_is_still_throttled_by_its_address(db, store):
    """A client names itself (a fresh socket is a fresh client token), so a guesser starting a new client
    for every guess is held by the count of its address; other addresses are untouched."""
    free = get_settings().sign_in_address_free_failures
    for _ in range(free):
        assert answer(store.code, "admin", "guess", new_client(), address="203.0.113.7") == INVALID
    assert answer(store.code, "admin", "guess", new_client(), address="203.0.113.7") == throttled(1)
    assert answer(store.code, "admin", store.password, new_client(), address="203.0.113.7") == throttled(1)
    assert answer(store.code, "admin", store.password, new_client(), address="198.51.100.2") == ("ok",)
    # Per store: the same address trying another store is not held by this one's count.
    assert answer("other-store", "admin", "guess", new_client(), address="203.0.113.7") == INVALID
    pass_time(1)
    assert answer(store.code, "admin", "guess", new_client(), address="203.0.113.7") == INVALID
    assert answer(store.code, "admin", "guess", new_client(), address="203.0.113.7") == throttled(2)
    assert db.count("auth_session") == 1


@pytest.mark.parametrize("store_code, unknown", [("store-a", "nobody"), ("no-such-store", "admin")])
def test_known_and_unknown_usernames_get_the_same_answers(db, store, store_code, unknown):
    def story(code, username, password):
        client, replies = new_client(), []
        for _ in range(8):
            replies.append(answer(code, username, "wrong", client))
            if replies[-1] != INVALID:
                pass_time(replies[-1][1]["seconds"])
        for _ in range(3):
            answer(code, username, "wrong", client)
        replies.append(answer(code, username, password, client))  # throttled, right password or not
        return replies

    known, unknown_replies = story(store.code, "admin", store.password), story(store_code, unknown, store.password)
    assert known == unknown_replies
    assert known[-1][0] == "login.throttled"
    assert {r[0] for r in known} == {"login.invalid", "login.throttled"}


def test_quiet_time_forgets_failures(db, store):
    client = new_client()
    for _ in range(3):
        answer(store.code, "admin", "wrong", client)
    pass_time(get_settings().sign_in_forget_minutes * 60)
    for _ in range(3):
        assert answer(store.code, "admin", "wrong", client) == INVALID
    assert answer(store.code, "admin", "wrong", client) == throttled(1)


def test_what_was_typed_is_not_stored_and_forgotten_rows_are_purged(db, store):
    typed = "비밀-사용자-" * 1000
    for _ in range(3):
        answer(store.code, typed, "wrong", new_client())
    assert answer(store.code, "admin", store.password, new_client()) == ("ok",)
    rows = throttle_rows()
    assert len(rows) == 6  # an (account, client) and a client row for each failure; the success left none
    assert all(len(key) == 64 and typed not in key and "browser" not in key for key, *_ in rows)

    pass_time(get_settings().sign_in_forget_minutes * 60 + 1)
    answer(store.code, "admin", "wrong", new_client())
    assert len(throttle_rows()) == 2  # the new failure's rows only


def test_parallel_guesses_from_one_client_cannot_slip_past_the_count(db, store, configure):
    configure(SIGN_IN_FIRST_DELAY_SECONDS=600)  # no delay may run out during the test
    client, replies, start = new_client(), [], threading.Barrier(12)

    def guess(n: int) -> None:
        start.wait()
        replies.append(answer(store.code, "admin", f"guess-{n}", client))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r[0] for r in replies) == ["login.invalid"] * 3 + ["login.throttled"] * 9


def test_an_ipv6_guesser_counts_per_64_network(db, store):
    """An IPv6 host may use any address of its /64: every one of them is the same count."""
    free = get_settings().sign_in_address_free_failures
    for n in range(free):
        assert answer(store.code, "admin", "guess", new_client(), address=f"2001:db8:1:2::{n + 1:x}") == INVALID
    assert answer(store.code, "admin", "guess", new_client(), address="2001:db8:1:2:ffff::9") == throttled(1)
    assert answer(store.code, "admin", "guess", new_client(), address="2001:db8:1:3::1") == INVALID


def test_parallel_guesses_from_one_address_are_each_counted_and_a_sign_in_there_does_not_wait(db, store):
    """Many clients at one address (a guesser's sockets, or a restaurant's tablets at opening): every
    failure is counted on the shared row, and the right password there goes through while they run."""
    address, start, replies = "203.0.113.9", threading.Barrier(13), []

    def guess(n: int) -> None:
        start.wait()
        replies.append(answer(store.code, "admin", f"guess-{n}", new_client(), address=address))

    def owner() -> None:
        start.wait()
        replies.append(answer(store.code, "admin", store.password, new_client(), address=address))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)] + [threading.Thread(target=owner)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r[0] for r in replies) == ["login.invalid"] * 12 + ["ok"]
    assert [r[2] for r in throttle_rows() if r[1] == "address"] == [12]


# --- the staff sign-out dialog on a table's tablet --------------------------------------------------


def test_staff_sign_out_is_throttled_per_tablet_and_never_blocks_the_owner(db, store):
    store.add_table(2)
    tablet, _ = sign_in(store.code, "table1", store.password, new_client())
    other_tablet, _ = sign_in(store.code, "table2", store.password, new_client())
    for _ in range(3):
        assert staff_answer(tablet, "admin", "guess") == ("tablet.staff_invalid", {})
    assert staff_answer(tablet, "admin", store.password) == throttled(1)
    assert resolve(tablet) is not None

    # The diner's guessing slows only this tablet's dialog: the owner signs in, other tablets sign out.
    assert answer(store.code, "admin", store.password, new_client()) == ("ok",)
    assert staff_answer(other_tablet, "admin", store.password) == ("ok",)
    assert resolve(other_tablet) is None

    pass_time(1)
    assert staff_answer(tablet, "admin", store.password) == ("ok",)
    assert resolve(tablet) is None


def test_the_tablet_is_the_client_whatever_session_or_browser_it_uses(db, store):
    """A diner cannot get fresh guesses by signing the table in again elsewhere (e.g. its QR link on a
    phone): the client of the staff dialog is the table's account, not the session or the browser."""
    first, _ = sign_in(store.code, "table1", store.password, new_client())
    second, _ = sign_in(store.code, "table1", store.password, new_client())
    for token in (first, second, first):
        assert staff_answer(token, "admin", "guess") == ("tablet.staff_invalid", {})
    assert staff_answer(second, "admin", "guess") == throttled(1)


def test_staff_sign_out_answers_known_and_unknown_admins_alike(db, store):
    create_admin(store.id, "owner2", "owner-password")
    replies = {}
    for username in ("owner2", "nobody", "table1"):  # a table's account is no admin: unknown here
        tablet, _ = sign_in(store.code, "table1", store.password, new_client())
        replies[username] = [staff_answer(tablet, username, "guess") for _ in range(5)]
        pass_time(get_settings().sign_in_forget_minutes * 60)  # each name starts from a quiet tablet
    assert replies["owner2"] == replies["nobody"] == replies["table1"]


# --- timing ---------------------------------------------------------------------------------------


def _median_seconds(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_unknown_usernames_take_as_long_as_wrong_passwords(db, store, configure):
    # A cost where bcrypt outweighs the database round trips, so a skipped check would show.
    configure(BCRYPT_ROUNDS=9)
    create_admin(store.id, "owner", "owner-password")  # hashed at that cost

    def miss(username):
        return lambda: answer(store.code, username, "wrong", new_client())

    miss("nobody")()  # warm up the dummy hash and the connections
    known, unknown = _median_seconds(miss("owner"), 7), _median_seconds(miss("nobody"), 7)
    assert 0.67 < unknown / known < 1.5, (known, unknown)

    # A throttled answer runs no bcrypt at all.
    client = new_client()
    for _ in range(3):
        answer(store.code, "owner", "wrong", client)
    refused = _median_seconds(lambda: answer(store.code, "owner", "owner-password", client), 7)
    assert refused < known / 2, (refused, known)
