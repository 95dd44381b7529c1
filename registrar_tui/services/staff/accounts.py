"""Staff accounts: create, disable, enable, reset a password, unlock, list.

Who may act: an active admin (`actor_id`). One exception, the first set-up: while the
database has no active admin, `add_user` with no actor may create an admin account
(and only that), so a fresh installation can get its first administrator from the
command line. Once an admin exists, every change names the admin who made it.

Every change writes one audit event ("user.add", "user.disable", "user.enable",
"user.reset_password", "user.unlock") in the same transaction; no password and no
password hash ever goes into the audit.

Password policy (`check_password`): at least 12 characters (at most 256), not
containing the username (ignoring case), and not a run of a few repeated characters
(at least 5 different ones). No composition rule beyond that: a long passphrase is
better than a short mix of classes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Establishment, StaffUser
from registrar_tui.models.base import Language, Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import as_utc, utc_now
from registrar_tui.services.core.errors import InvalidInput, NotFound, PermissionDenied
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.staff.passwords import hash_password

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MIN_DISTINCT_CHARACTERS = 5
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

MSG_PASSWORD_SHORT = N_("Le mot de passe doit compter au moins {minimum} caractères.")
MSG_PASSWORD_LONG = N_("Le mot de passe ne peut dépasser {maximum} caractères.")
MSG_PASSWORD_USERNAME = N_("Le mot de passe ne doit pas contenir le nom d'utilisateur.")
MSG_PASSWORD_REPETITIVE = N_(
    "Le mot de passe doit contenir au moins {minimum} caractères différents."
)
MSG_USERNAME = N_(
    "Nom d'utilisateur : 2 à 64 caractères parmi a-z, 0-9, point, tiret et soulignement, "
    "commençant par une lettre ou un chiffre."
)
MSG_USERNAME_TAKEN = N_("Le nom d'utilisateur « {username} » existe déjà.")
MSG_NAME_REQUIRED = N_("Entrez le nom complet.")
MSG_USER_NOT_FOUND = N_("Utilisateur « {username} » introuvable.")
MSG_ESTABLISHMENT_NOT_FOUND = N_("Établissement « {code} » introuvable.")
MSG_FIRST_ADMIN_ONLY = N_(
    "Un administrateur existe déjà : indiquez qui fait la modification avec --as."
)
MSG_FIRST_MUST_BE_ADMIN = N_("Le premier compte créé doit être un administrateur (--role admin).")
MSG_LAST_ADMIN = N_("Impossible de désactiver le dernier administrateur actif.")


class WeakPassword(InvalidInput):
    """The password does not follow the policy (the message says which rule)."""


@dataclass(frozen=True)
class StaffAccount:
    """One staff account as the list shows it (never the password hash)."""

    id: int
    username: str
    full_name: str
    role: Role
    establishment_code: str | None
    language: Language
    is_active: bool
    failed_attempts: int
    locked_until: datetime | None  # aware UTC; None when not locked now


@dataclass(frozen=True)
class NewStaffUser:
    """What an admin gives to create an account."""

    username: str
    full_name: str
    role: Role
    password: str
    establishment_code: str | None = None
    language: Language = Language.FRENCH


def check_password(password: str, username: str) -> None:
    """Refuse a password outside the policy (WeakPassword, field "password")."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(MSG_PASSWORD_SHORT, field="password", minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(MSG_PASSWORD_LONG, field="password", maximum=MAX_PASSWORD_LENGTH)
    if username.strip() and username.strip().casefold() in password.casefold():
        raise WeakPassword(MSG_PASSWORD_USERNAME, field="password")
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise WeakPassword(
            MSG_PASSWORD_REPETITIVE, field="password", minimum=MIN_DISTINCT_CHARACTERS
        )


def _active_admins(uow: UnitOfWork) -> int:
    return int(
        uow.session.exec(
            select(func.count())
            .select_from(StaffUser)
            .where(col(StaffUser.role) == Role.ADMIN, col(StaffUser.is_active).is_(True))
        ).one()
    )


def _require_admin(uow: UnitOfWork, actor_id: int) -> None:
    active_staff(uow, actor_id, roles=[Role.ADMIN])


def _find(uow: UnitOfWork, username: str) -> StaffUser:
    user = uow.session.exec(
        select(StaffUser).where(col(StaffUser.username) == username.strip())
    ).first()
    if user is None:
        raise NotFound(MSG_USER_NOT_FOUND, field="username", username=username.strip())
    return user


def _account(uow: UnitOfWork, user: StaffUser, codes: dict[int, str]) -> StaffAccount:
    assert user.id is not None
    locked = as_utc(user.locked_until) if user.locked_until else None
    return StaffAccount(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        establishment_code=None
        if user.establishment_id is None
        else codes.get(user.establishment_id),
        language=Language(user.language),
        is_active=user.is_active,
        failed_attempts=user.failed_attempts,
        locked_until=locked if locked is not None and locked > utc_now(uow) else None,
    )


def _codes(uow: UnitOfWork) -> dict[int, str]:
    rows = uow.session.exec(select(Establishment.id, Establishment.code)).all()
    return {row[0]: row[1] for row in rows if row[0] is not None}


def _snapshot(user: StaffUser) -> dict[str, object]:
    """What the audit keeps of an account (no password material)."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": str(user.role),
        "establishment_id": user.establishment_id,
        "language": str(user.language),
        "is_active": user.is_active,
        "failed_attempts": user.failed_attempts,
        "locked_until": as_utc(user.locked_until) if user.locked_until else None,
    }


def add_user(uow: UnitOfWork, actor_id: int | None, new: NewStaffUser) -> StaffAccount:
    """Create an account; `actor_id` None only for the first admin of a fresh database.

    Refuses: PermissionDenied (actor not an active admin, or no actor once an admin
    exists: MSG_FIRST_ADMIN_ONLY; a first account that is not an admin), InvalidInput
    (username format or taken, empty name), NotFound (establishment code), WeakPassword.
    """
    if actor_id is None:
        if _active_admins(uow) > 0:
            raise PermissionDenied(MSG_FIRST_ADMIN_ONLY)
        if new.role is not Role.ADMIN:
            raise PermissionDenied(MSG_FIRST_MUST_BE_ADMIN, field="role")
    else:
        _require_admin(uow, actor_id)
    username = new.username.strip()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(MSG_USERNAME, field="username")
    full_name = safe_text(new.full_name, field="full_name", max_length=200)
    if not full_name:
        raise InvalidInput(MSG_NAME_REQUIRED, field="full_name")
    establishment_id = None
    if new.establishment_code:
        code = new.establishment_code.strip().upper()
        establishment_id = uow.session.exec(
            select(Establishment.id).where(col(Establishment.code) == code)
        ).first()
        if establishment_id is None:
            raise NotFound(MSG_ESTABLISHMENT_NOT_FOUND, field="establishment", code=code)
    check_password(new.password, username)
    taken = uow.session.exec(
        select(StaffUser.id).where(func.lower(col(StaffUser.username)) == username)
    ).first()
    if taken is not None:
        raise InvalidInput(MSG_USERNAME_TAKEN, field="username", username=username)
    now = utc_now(uow)
    user = StaffUser(
        username=username,
        full_name=full_name,
        role=new.role,
        password_hash=hash_password(new.password),
        establishment_id=establishment_id,
        language=new.language,
        created_at=now,
        password_changed_at=now,
    )
    uow.session.add(user)
    uow.session.flush()
    assert user.id is not None
    after = _snapshot(user)
    after["first_admin"] = actor_id is None
    record_event(uow, actor_id, "user.add", "staff_user", user.id, {}, after)
    return _account(uow, user, _codes(uow))


def _change(
    uow: UnitOfWork, actor_id: int, username: str, action: str, **changes: object
) -> StaffAccount:
    """Apply `changes` to the account and audit them (the admin check comes first)."""
    _require_admin(uow, actor_id)
    user = _find(uow, username)
    before = _snapshot(user)
    for name, value in changes.items():
        setattr(user, name, value)
    uow.session.add(user)
    uow.session.flush()
    assert user.id is not None
    record_event(uow, actor_id, action, "staff_user", user.id, before, _snapshot(user))
    return _account(uow, user, _codes(uow))


def disable_user(uow: UnitOfWork, actor_id: int, username: str) -> StaffAccount:
    """Disable an account (it can no longer sign in); the history keeps its name.

    Refuses: PermissionDenied (actor), NotFound, InvalidInput (the last active admin).
    """
    _require_admin(uow, actor_id)
    user = _find(uow, username)
    if user.role == Role.ADMIN and user.is_active and _active_admins(uow) <= 1:
        raise InvalidInput(MSG_LAST_ADMIN, field="username")
    return _change(uow, actor_id, username, "user.disable", is_active=False)


def enable_user(uow: UnitOfWork, actor_id: int, username: str) -> StaffAccount:
    """Enable a disabled account again. Refuses: PermissionDenied (actor), NotFound."""
    return _change(uow, actor_id, username, "user.enable", is_active=True)


def reset_password(uow: UnitOfWork, actor_id: int, username: str, password: str) -> StaffAccount:
    """Give the account a new password; clears the failed count and any lock.

    Refuses: PermissionDenied (actor), NotFound, WeakPassword.
    """
    _require_admin(uow, actor_id)
    user = _find(uow, username)
    check_password(password, user.username)
    return _change(
        uow,
        actor_id,
        username,
        "user.reset_password",
        password_hash=hash_password(password),
        password_changed_at=utc_now(uow),
        failed_attempts=0,
        locked_until=None,
    )


def unlock_user(uow: UnitOfWork, actor_id: int, username: str) -> StaffAccount:
    """Lift a lock before it expires and clear the failed count.

    Refuses: PermissionDenied (actor), NotFound.
    """
    return _change(uow, actor_id, username, "user.unlock", failed_attempts=0, locked_until=None)


def list_users(uow: UnitOfWork, actor_id: int | None = None) -> list[StaffAccount]:
    """Every account, by username. With an actor, refuses PermissionDenied unless admin."""
    if actor_id is not None:
        _require_admin(uow, actor_id)
    codes = _codes(uow)
    users = uow.session.exec(select(StaffUser).order_by(col(StaffUser.username))).all()
    return [_account(uow, user, codes) for user in users]


def find_account(uow: UnitOfWork, username: str) -> StaffAccount:
    """One account by username (NotFound)."""
    return _account(uow, _find(uow, username), _codes(uow))
