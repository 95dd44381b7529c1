"""Password hashing: argon2id with parameters above OWASP's minimum."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# 19 MiB, 2 passes: OWASP's recommended floor for argon2id.
MEMORY_COST_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM, type=Type.ID
    )


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, with a fresh salt."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises on a wrong or malformed hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)
