import bcrypt

# Compared against when the username is unknown, so a miss costs the same time as a wrong password.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt()).decode()


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify_password(password: str, password_hash: str | None) -> bool:
    ok = bcrypt.checkpw(password.encode(), (password_hash or _DUMMY_HASH).encode())
    return ok and password_hash is not None
