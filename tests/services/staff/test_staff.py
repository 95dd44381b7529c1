"""Staff accounts: the first admin, the password policy, admin-only changes, the audit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, StaffUser
from registrar_tui.models.base import Language, Role
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.errors import (
    InvalidCredentials,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from registrar_tui.services.staff.accounts import (
    NewStaffUser,
    WeakPassword,
    add_user,
    check_password,
    disable_user,
    enable_user,
    list_users,
    reset_password,
    unlock_user,
)
from registrar_tui.services.staff.auth import authenticate
from tests.conftest import FIXED_NOW
from tests.services.ledger_data import School, build_school

PASSWORD = "Comptoir-neige-2026"


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def clerk(username: str = "jroy", **changes: object) -> NewStaffUser:
    fields: dict[str, object] = {
        "username": username,
        "full_name": "Jean Roy",
        "role": Role.CLERK,
        "password": PASSWORD,
        "establishment_code": "mtl",
        "language": Language.ENGLISH,
    }
    fields.update(changes)
    return NewStaffUser(**fields)  # type: ignore[arg-type]


def events(db: Database, action: str) -> list[AuditEvent]:
    """Detached copies of the audit events of `action`, oldest first."""
    with db.read() as uow:
        rows = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == action).order_by(col(AuditEvent.id))
        ).all()
        return [AuditEvent.model_validate(row.model_dump()) for row in rows]


def sign_in(db: Database, username: str, password: str) -> int:
    with db.write() as uow:
        return authenticate(uow, username, password).id


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("Court-2026", "au moins 12 caractères"),
        ("x" * 257, "dépasser 256"),
        ("mon-JROY-de-2026", "nom d'utilisateur"),
        ("abababababab", "5 caractères différents"),
        ("1212121212121212", "5 caractères différents"),
        ("correct horse battery", None),
        ("Comptoir-neige-2026", None),
    ],
)
def test_password_policy(password: str, refused: str | None) -> None:
    if refused is None:
        check_password(password, "jroy")
        return
    with pytest.raises(WeakPassword) as error:
        check_password(password, "jroy")
    assert refused in error.value.translated()
    assert error.value.field == "password"


def test_first_admin_without_actor_only_on_a_fresh_database(database: Database) -> None:
    with database.write() as uow, pytest.raises(PermissionDenied, match="administrateur"):
        add_user(uow, None, clerk())
    with database.write() as uow:
        first = add_user(uow, None, clerk("slapointe", role=Role.ADMIN, establishment_code=None))
    with database.write() as uow, pytest.raises(PermissionDenied, match="--as"):
        add_user(uow, None, clerk("second", role=Role.ADMIN, establishment_code=None))

    assert (first.username, first.role, first.is_active) == ("slapointe", Role.ADMIN, True)
    assert sign_in(database, "slapointe", PASSWORD) == first.id
    [added] = events(database, "user.add")
    assert added.actor_id is None and json.loads(added.after_json)["first_admin"] is True


def test_admin_adds_a_clerk_who_can_sign_in(database: Database, school: School) -> None:
    with database.write() as uow:
        account = add_user(uow, school.admin_id, clerk())

    assert account.establishment_code == "MTL"
    assert account.language is Language.ENGLISH
    assert sign_in(database, "jroy", PASSWORD) == account.id
    [added] = events(database, "user.add")
    assert (added.actor_id, added.entity_id) == (school.admin_id, account.id)
    after = json.loads(added.after_json)
    assert after["username"] == "jroy" and after["role"] == "clerk"
    with database.read() as uow:
        stored = uow.session.get(StaffUser, account.id)
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$")
    # Neither the password nor its hash is in the audit trail.
    assert PASSWORD not in added.after_json and "argon2" not in added.after_json
    assert "password_hash" not in added.after_json


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"username": "registrar"}, InvalidInput, "username"),  # taken
        ({"username": "Jean Roy"}, InvalidInput, "username"),
        ({"username": "j"}, InvalidInput, "username"),
        ({"full_name": "  "}, InvalidInput, "full_name"),
        ({"establishment_code": "LAV"}, NotFound, "establishment"),
        ({"password": "Jroy-2026-neige"}, WeakPassword, "password"),
    ],
)
def test_add_refusals_write_nothing(
    database: Database, school: School, changes: dict[str, object], error: type, field: str
) -> None:
    with database.write() as uow, pytest.raises(error) as raised:
        add_user(uow, school.admin_id, clerk(**changes))
    assert raised.value.field == field
    assert events(database, "user.add") == []


@pytest.mark.parametrize("actor", ["registrar_id", "clerk_id", "inactive_id"])
def test_only_an_active_admin_changes_accounts(
    database: Database, school: School, actor: str
) -> None:
    actor_id = getattr(school, actor)
    with database.write() as uow, pytest.raises(PermissionDenied):
        add_user(uow, actor_id, clerk())
    with database.write() as uow, pytest.raises(PermissionDenied):
        disable_user(uow, actor_id, "clerk")
    with database.write() as uow, pytest.raises(PermissionDenied):
        unlock_user(uow, actor_id, "clerk")
    with database.read() as uow, pytest.raises(PermissionDenied):
        list_users(uow, actor_id)


def test_disable_then_enable(database: Database, school: School) -> None:
    with database.write() as uow:
        add_user(uow, school.admin_id, clerk())
    with database.write() as uow:
        disabled = disable_user(uow, school.admin_id, "jroy")
    with pytest.raises(InvalidCredentials):
        sign_in(database, "jroy", PASSWORD)
    with database.write() as uow:
        enabled = enable_user(uow, school.admin_id, "jroy")

    assert (disabled.is_active, enabled.is_active) == (False, True)
    assert sign_in(database, "jroy", PASSWORD) == enabled.id
    [event] = events(database, "user.disable")
    assert json.loads(event.before_json)["is_active"] is True
    assert json.loads(event.after_json)["is_active"] is False
    assert len(events(database, "user.enable")) == 1
    with database.write() as uow, pytest.raises(NotFound):
        enable_user(uow, school.admin_id, "nobody")


def test_the_last_active_admin_cannot_be_disabled(database: Database, school: School) -> None:
    with database.write() as uow, pytest.raises(InvalidInput, match="dernier administrateur"):
        disable_user(uow, school.admin_id, "admin")
    with database.read() as uow:
        [admin] = [a for a in list_users(uow, school.admin_id) if a.username == "admin"]
    assert admin.is_active


def test_reset_password_applies_the_policy_and_lifts_the_lock(
    database: Database, school: School
) -> None:
    with database.write() as uow:
        user = uow.session.get(StaffUser, school.clerk_id)
        assert user is not None
        user.failed_attempts = 4
        user.locked_until = FIXED_NOW + timedelta(minutes=10)
    with database.write() as uow, pytest.raises(WeakPassword):
        reset_password(uow, school.admin_id, "clerk", "clerk-2026-nouveau")
    with database.write() as uow:
        account = reset_password(uow, school.admin_id, "clerk", PASSWORD)

    assert account.locked_until is None and account.failed_attempts == 0
    assert sign_in(database, "clerk", PASSWORD) == school.clerk_id
    [event] = events(database, "user.reset_password")
    assert event.actor_id == school.admin_id
    assert json.loads(event.before_json)["failed_attempts"] == 4
    assert PASSWORD not in event.after_json and "argon2" not in event.after_json


def test_unlock_lets_a_locked_user_in_before_thirty_minutes(
    database: Database, school: School
) -> None:
    with database.write() as uow:
        reset_password(uow, school.admin_id, "clerk", PASSWORD)
        user = uow.session.get(StaffUser, school.clerk_id)
        assert user is not None
        user.locked_until = FIXED_NOW + timedelta(minutes=29)
    with database.read() as uow:
        [listed] = [a for a in list_users(uow) if a.username == "clerk"]
    with database.write() as uow:
        unlocked = unlock_user(uow, school.admin_id, "clerk")

    assert listed.locked_until == FIXED_NOW + timedelta(minutes=29)
    assert unlocked.locked_until is None
    assert sign_in(database, "clerk", PASSWORD) == school.clerk_id
    [event] = events(database, "user.unlock")
    assert (event.actor_id, event.entity_id) == (school.admin_id, school.clerk_id)
    with database.read() as uow:
        assert verify_chains(uow).ok


def test_list_shows_every_account_by_username(database: Database, school: School) -> None:
    with database.read() as uow:
        accounts = list_users(uow, school.admin_id)

    assert [a.username for a in accounts] == [
        "admin",
        "clerk",
        "clerk2",
        "gone",
        "registrar",
    ]
    gone = accounts[3]
    assert (gone.is_active, gone.role, gone.establishment_code) == (
        False,
        Role.REGISTRAR,
        "MTL",
    )
