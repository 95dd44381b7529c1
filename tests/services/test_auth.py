"""Sign-in: right and wrong passwords, the lock after ten failures, rehashing."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from argon2 import PasswordHasher

from registrar_tui.db import Database
from registrar_tui.models import Role, StaffUser
from registrar_tui.services.auth import LOCK_DURATION, MAX_FAILED_ATTEMPTS, authenticate
from registrar_tui.services.errors import AccountLocked, InvalidCredentials
from registrar_tui.services.passwords import hash_password, needs_rehash
from tests.conftest import FIXED_NOW

PASSWORD = "Validation-test-2026"


def _add_user(db: Database, password_hash: str | None = None) -> int:
    with db.write() as uow:
        user = StaffUser(
            username="registrar",
            full_name="Marie-Ève Côté",
            role=Role.REGISTRAR,
            password_hash=password_hash or hash_password(PASSWORD),
            created_at=FIXED_NOW,
        )
        uow.session.add(user)
        uow.session.flush()
        assert user.id is not None
        return user.id


def _user(db: Database, user_id: int) -> StaffUser:
    """A detached copy of the stored row."""
    with db.read() as uow:
        user = uow.session.get(StaffUser, user_id)
        assert user is not None
        return StaffUser.model_validate(user.model_dump())


def _try(db: Database, password: str, username: str = "registrar") -> None:
    with db.write() as uow:
        authenticate(uow, username, password)


def test_right_password_gives_the_identity(database: Database) -> None:
    user_id = _add_user(database)
    with database.write() as uow:
        identity = authenticate(uow, " registrar ", PASSWORD)
    assert identity.id == user_id
    assert identity.full_name == "Marie-Ève Côté"
    assert identity.role is Role.REGISTRAR


def test_wrong_password_and_unknown_user_get_the_same_refusal(database: Database) -> None:
    user_id = _add_user(database)
    with pytest.raises(InvalidCredentials) as wrong:
        _try(database, "nope")
    with pytest.raises(InvalidCredentials) as unknown:
        _try(database, PASSWORD, username="nobody")
    assert wrong.value.translated() == unknown.value.translated()
    assert wrong.value.field == "password"
    assert _user(database, user_id).failed_attempts == 1


def test_tenth_failure_locks_for_thirty_minutes(database: Database) -> None:
    user_id = _add_user(database)
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(InvalidCredentials):
            _try(database, "nope")
    assert _user(database, user_id).failed_attempts == MAX_FAILED_ATTEMPTS - 1
    with pytest.raises(AccountLocked):
        _try(database, "nope")
    locked_until = _user(database, user_id).locked_until
    assert locked_until is not None
    assert locked_until.replace(tzinfo=UTC) == FIXED_NOW + LOCK_DURATION
    # Even the right password is refused while locked.
    with pytest.raises(AccountLocked):
        _try(database, PASSWORD)


def test_lock_expires_and_success_resets_the_counter(database: Database) -> None:
    user_id = _add_user(database)
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            _try(database, "nope")
    later = Database(
        url=database.url,
        engine=database.engine,
        clock=lambda: FIXED_NOW + LOCK_DURATION + timedelta(seconds=1),
    )
    with pytest.raises(InvalidCredentials):
        _try(later, "nope")
    with later.write() as uow:
        authenticate(uow, "registrar", PASSWORD)
    user = _user(database, user_id)
    assert user.failed_attempts == 0 and user.locked_until is None


def test_weak_hash_is_upgraded_on_success(database: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    user_id = _add_user(database, password_hash=weak)
    with database.write() as uow:
        authenticate(uow, "registrar", PASSWORD)
    stored = _user(database, user_id).password_hash
    assert stored != weak and not needs_rehash(stored)


def test_inactive_user_cannot_sign_in(database: Database) -> None:
    user_id = _add_user(database)
    with database.write() as uow:
        user = uow.session.get(StaffUser, user_id)
        assert user is not None
        user.is_active = False
    with pytest.raises(InvalidCredentials):
        _try(database, PASSWORD)


def test_needs_a_write_unit_of_work(database: Database) -> None:
    _add_user(database)
    with database.read() as uow, pytest.raises(RuntimeError):
        authenticate(uow, "registrar", PASSWORD)
