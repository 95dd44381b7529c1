"""Sign-in: right and wrong passwords, the lock after ten failures, rehashing, the audit."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Role, StaffUser
from registrar_tui.models.base import Language
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.errors import AccountLocked, InvalidCredentials
from registrar_tui.services.staff.auth import (
    ATTEMPTED_NAME_LENGTH,
    LOCK_DURATION,
    MAX_FAILED_ATTEMPTS,
    StaffIdentity,
    authenticate,
)
from registrar_tui.services.staff.passwords import needs_rehash
from tests import builders
from tests.conftest import FIXED_NOW
from tests.passwords import hash_password

PASSWORD = "Validation-test-2026"


def _add_user(db: Database, password_hash: str | None = None) -> int:
    with db.write() as uow:
        return builders.staff(
            uow,
            None,
            username="registrar",
            full_name="Marie-Ève Côté",
            role=Role.REGISTRAR,
            password_hash=password_hash or hash_password(PASSWORD),
            created_at=FIXED_NOW,
        )


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


def _audit(db: Database) -> list[tuple[str, int | None, int | None, dict[str, object]]]:
    """(action, actor, entity, after) of every audit event, oldest first."""
    with db.read() as uow:
        rows = uow.session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [(r.action, r.actor_id, r.entity_id, json.loads(r.after_json)) for r in rows]


def test_every_attempt_is_audited_without_the_password(database: Database) -> None:
    user_id = _add_user(database)
    with database.write() as uow:
        authenticate(uow, "registrar", PASSWORD)
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            _try(database, "Mauvais-mot-de-passe")
    with pytest.raises(AccountLocked):
        _try(database, PASSWORD)
    with pytest.raises(InvalidCredentials):
        _try(database, PASSWORD, username="intrus\x1b[31m" + "x" * 100)

    audit = _audit(database)
    actions = [action for action, *_ in audit]
    assert actions == [
        "auth.login",
        *["auth.login_failed"] * MAX_FAILED_ATTEMPTS,
        "auth.locked",
        "auth.refused_locked",
        "auth.login_failed",
    ]
    assert audit[0][1:3] == (user_id, user_id)  # a success is the user's own act
    assert audit[0][3]["password_rehashed"] is False
    # Refusals name the account but no actor: whoever typed is not known to be the user.
    assert all(actor is None and entity == user_id for _, actor, entity, _ in audit[1:-1])
    assert audit[MAX_FAILED_ATTEMPTS][3]["failed_attempts"] == MAX_FAILED_ATTEMPTS
    locked_until = str(audit[MAX_FAILED_ATTEMPTS + 1][3]["locked_until"])
    assert locked_until.startswith((FIXED_NOW + LOCK_DURATION).isoformat()[:19])
    # An unknown username: what was typed, cleaned and shortened, with no actor or entity.
    unknown = audit[-1]
    assert unknown[1:3] == (None, None)
    assert unknown[3]["reason"] == "unknown_user"
    typed = str(unknown[3]["username"])
    assert typed.startswith("intrus[31mxxx") and len(typed) == ATTEMPTED_NAME_LENGTH
    with database.read() as uow:
        stored = uow.session.exec(select(AuditEvent.after_json, AuditEvent.before_json)).all()
        assert verify_chains(uow).ok
    assert not any(PASSWORD in after or "Mauvais" in after for after, _ in stored)


def test_inactive_account_refusal_is_audited_as_such(database: Database) -> None:
    user_id = _add_user(database)
    with database.write() as uow:
        user = uow.session.get(StaffUser, user_id)
        assert user is not None
        user.is_active = False
    with pytest.raises(InvalidCredentials):
        _try(database, PASSWORD)
    [(action, actor, entity, after)] = _audit(database)
    assert (action, actor, entity, after["reason"]) == (
        "auth.login_failed",
        None,
        user_id,
        "inactive",
    )


def test_rehash_on_login_is_audited(database: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    _add_user(database, password_hash=weak)
    with database.write() as uow:
        authenticate(uow, "registrar", PASSWORD)
    with database.write() as uow:
        authenticate(uow, "registrar", PASSWORD)
    assert [after["password_rehashed"] for *_, after in _audit(database)] == [True, False]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CLERK, {"can_browse_activities"}),
        (
            Role.REGISTRAR,
            {
                "can_browse_activities",
                "can_decide_requests",
                "can_void",
                "can_issue_credit_notes",
                "can_read_audit",
                "can_reveal_sin",
                "can_change_courses",
                "can_apply_term_fees",
                "can_register_late",
                "can_manage_activities",
                "can_manage_school_year",
                "can_edit_student_identity",
                "can_enter_marks",
                "can_close_online_drawers",
                "can_manage_payment_plans",
                "can_open_office",
            },
        ),
        (
            Role.ADMIN,
            {
                "is_admin",
                "can_browse_activities",
                "can_decide_requests",
                "can_void",
                "can_issue_credit_notes",
                "can_read_audit",
                "can_reveal_sin",
                "can_change_courses",
                "can_apply_term_fees",
                "can_register_late",
                "can_manage_activities",
                "can_manage_school_year",
                "can_edit_student_identity",
                "can_enter_marks",
                "can_close_online_drawers",
                "can_manage_payment_plans",
                "can_open_office",
            },
        ),
    ],
)
def test_the_identity_says_what_its_role_allows(role: Role, allowed: set[str]) -> None:
    identity = StaffIdentity(1, "someone", "Quelqu'un", role, 1, Language.FRENCH)
    capabilities = {
        name
        for name, member in vars(StaffIdentity).items()
        if isinstance(member, property) and (name.startswith("can_") or name.startswith("is_"))
    }
    assert {name for name in capabilities if identity.allows(name)} == allowed
    assert {name for name in capabilities if getattr(identity, name)} == allowed
    with pytest.raises(ValueError):
        identity.allows("role")
