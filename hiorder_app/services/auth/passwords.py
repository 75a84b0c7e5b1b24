from functools import lru_cache

import bcrypt

from ...settings import get_settings


@lru_cache
def _dummy_hash() -> bytes:
    # Compared against when the username is unknown, so a miss costs the same time as a wrong password.
    return bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(get_settings().bcrypt_rounds))


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(get_settings().bcrypt_rounds)).decode()


def verify_password(password: str, password_hash: str | None) -> bool:
    ok = bcrypt.checkpw(password.encode(), password_hash.encode() if password_hash else _dummy_hash())
    return ok and password_hash is not None
