"""services.auth.passwords: any password of any length (up to MAX_LENGTH) hashes and verifies, and only
that password; legacy plain-bcrypt hashes keep working; verify never raises, whatever it is given."""

import unicodedata

import bcrypt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiorder_app.domain.errors import DomainError
from hiorder_app.services.auth.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PREFIX,
    check_new_password,
    hash_password,
    rehashed,
    verify_password,
)

# Every code point, lone surrogates included (JSON can carry them).
ANY_CHAR = st.characters(exclude_categories=()) | st.characters(categories=["Cs"])
PASSWORDS = st.text(ANY_CHAR, min_size=MIN_LENGTH, max_size=MAX_LENGTH)
# bcrypt's cost comes from BCRYPT_ROUNDS=4 (tests/conftest.py): cheap enough for many examples.
HASHING = settings(max_examples=60, deadline=None)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@HASHING
@given(PASSWORDS)
def test_any_password_round_trips(password):
    stored = hash_password(password)
    assert stored.startswith(PREFIX) and len(stored) <= 100  # fits Account.password_hash
    assert verify_password(password, stored)
    assert verify_password(nfkc(password), stored)
    assert rehashed(password, stored) is None


@HASHING
@given(PASSWORDS, st.text(ANY_CHAR, min_size=1, max_size=40))
def test_only_that_password_verifies(password, suffix):
    stored = hash_password(password)
    for other in (password + suffix, password[:-1], suffix + password):
        if nfkc(other) != nfkc(password):
            assert not verify_password(other, stored)


@HASHING
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=18))  # at most 72 bytes, as bcrypt took
def test_a_legacy_hash_verifies_and_is_rewritten_in_the_current_format(password):
    legacy = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()
    assert verify_password(password, legacy)
    assert not verify_password(password + "x", legacy)
    upgraded = rehashed(password, legacy)
    assert upgraded.startswith(PREFIX) and verify_password(password, upgraded)


@HASHING
@given(st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.booleans(), st.lists(st.text()),
                 st.dictionaries(st.text(), st.text()), st.text(ANY_CHAR, max_size=3 * MAX_LENGTH)),
       st.one_of(st.none(), st.text(max_size=120), st.sampled_from(["", "$2b$04$x", PREFIX, PREFIX + "$2b$99$"])))
def test_verify_never_raises_and_never_says_yes_to_junk(password, stored):
    assert verify_password(password, stored) is False


def test_a_password_longer_than_the_limit_is_wrong_without_hashing_it():
    password = "x" * (MAX_LENGTH + 1)
    with pytest.raises(DomainError):
        hash_password(password)
    # Even against a hash of its first MAX_LENGTH characters (nothing longer can be set).
    assert not verify_password(password, hash_password(password[:MAX_LENGTH]))


@given(st.one_of(st.text(ANY_CHAR, max_size=MIN_LENGTH - 1), st.text(min_size=MAX_LENGTH + 1, max_size=2000),
                 st.integers(), st.none(), st.binary(min_size=MIN_LENGTH), st.lists(st.text())))
def test_a_password_that_cannot_be_set_is_refused_clearly(password):
    with pytest.raises(DomainError) as refused:
        check_new_password(password)
    assert refused.value.code == "password.bad_length"
    assert refused.value.params == {"min": MIN_LENGTH, "max": MAX_LENGTH}


def test_a_cheaper_or_legacy_hash_asks_for_a_rehash_and_a_current_one_does_not():
    current = hash_password("pw-1234")
    assert rehashed("pw-1234", current) is None
    cheaper = PREFIX + bcrypt.hashpw(b"irrelevant", bcrypt.gensalt(4)).decode().replace("$04$", "$03$", 1)
    assert rehashed("pw-1234", cheaper) is not None
    assert rehashed("pw-1234", bcrypt.hashpw(b"pw-1234", bcrypt.gensalt(4)).decode()) is not None
