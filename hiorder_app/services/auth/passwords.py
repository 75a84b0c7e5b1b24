"""Password hashes that take a password of any length.

bcrypt refuses more than 72 bytes, so the stored format is `hmac-bcrypt$` + bcrypt over
base64(HMAC-SHA256(key, NFKC(password))): always 44 bytes in, whatever was typed. Hashes written
before this format (plain bcrypt, `$2b$...`) still verify and are rewritten on the next sign-in.
"""

import base64
import hashlib
import hmac
import unicodedata
from functools import lru_cache

import bcrypt

from ...domain.errors import DomainError
from ...settings import get_settings

PREFIX = "hmac-bcrypt$"
MIN_LENGTH, MAX_LENGTH = 4, 1024
# A constant, not a setting and not SECRET_KEY: rotating a secret must not break every password. It is
# not secret; it ties the inner hash to this app, so plain SHA-256 lists leaked elsewhere cannot be
# tried against our bcrypt hashes. Changing it makes every stored password wrong.
_PREHASH_KEY = b"hiorder/password-prehash/v1"
_BCRYPT_MAX_BYTES = 72


def _utf8(text: str) -> bytes:
    # A lone surrogate (possible in decoded JSON) must hash, not raise.
    return text.encode("utf-8", "surrogatepass")


def _prehash(password: str) -> bytes:
    # NFKC: the same Korean or accented password typed on another keyboard (composed or not) matches.
    digest = hmac.new(_PREHASH_KEY, _utf8(unicodedata.normalize("NFKC", password)), hashlib.sha256).digest()
    return base64.b64encode(digest)  # bcrypt stops at a NUL byte; base64 has none


@lru_cache
def _dummy_hash(rounds: int) -> bytes:
    # Checked when there is no usable hash (unknown user), so a miss costs what a wrong password costs.
    return bcrypt.hashpw(_prehash("not-a-password"), bcrypt.gensalt(rounds))


def check_new_password(password) -> None:
    """Refuse, clearly, a password that cannot be set (type or length)."""
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise DomainError("password.bad_length", min=MIN_LENGTH, max=MAX_LENGTH)


def _hash(password: str) -> str:
    return PREFIX + bcrypt.hashpw(_prehash(password), bcrypt.gensalt(get_settings().bcrypt_rounds)).decode()


def hash_password(password: str) -> str:
    check_new_password(password)
    return _hash(password)


def _cost(stored: str) -> int | None:
    parts = stored.removeprefix(PREFIX).split("$")
    return int(parts[2]) if len(parts) == 4 and parts[2].isdigit() else None


def verify_password(password, stored: str | None) -> bool:
    """Whether `password` matches `stored`. Never raises: wrong types, absurd lengths and corrupt or
    missing hashes are all just "no", and every path that can be reached by a plausible password spends
    one bcrypt check, so the answer's timing does not tell whether the account exists."""
    if not isinstance(password, str) or len(password) > MAX_LENGTH:
        return False  # nothing of this type or length was ever set; no hashing for junk
    try:
        if stored and stored.startswith(PREFIX):
            return bcrypt.checkpw(_prehash(password), stored[len(PREFIX):].encode())
        raw = _utf8(password)
        if stored and stored.startswith("$2") and len(raw) <= _BCRYPT_MAX_BYTES:
            return bcrypt.checkpw(raw, stored.encode())
    except ValueError:  # a corrupt stored hash
        return False
    # No hash, or a legacy hash and a password longer than any that could have been set with it.
    bcrypt.checkpw(_prehash(password), _dummy_hash(get_settings().bcrypt_rounds))
    return False


def rehashed(password: str, stored: str) -> str | None:
    """A new hash for a password just verified against `stored`, if that is a legacy plain-bcrypt hash
    or cheaper than the configured cost; None if it is fine as it is."""
    cost = _cost(stored)
    if stored.startswith(PREFIX) and cost is not None and cost >= get_settings().bcrypt_rounds:
        return None
    return _hash(password)
