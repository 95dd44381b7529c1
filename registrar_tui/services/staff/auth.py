"""Staff sign-in: password check, failed-attempt counting and temporary lock-out.

Every attempt ends in one `LoginOutcome`, and every outcome goes through
`_record_outcome`: that is the single place where the attempt is written down (the
failed-attempt counter, the lock, and the audit trail: "auth.login",
"auth.login_failed", "auth.locked", "auth.refused_locked"). No password, right or
wrong, is ever written; for an unknown username the attempted name is kept, cleaned
and shortened, with no actor.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import StaffUser
from registrar_tui.models.base import Language, Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import AccountLocked, InvalidCredentials
from registrar_tui.services.staff.passwords import hash_password, needs_rehash, verify_password
from registrar_tui.text import clean_text, contains_card_number

MAX_FAILED_ATTEMPTS = 10
"""Consecutive wrong passwords that lock an account."""
LOCK_DURATION = timedelta(minutes=30)
ATTEMPTED_NAME_LENGTH = 64
"""An unknown username is audited up to this length (the column's own limit)."""


@dataclass(frozen=True)
class StaffIdentity:
    """Who is signed in: what the screens need to know about the staff user."""

    id: int
    username: str
    full_name: str
    role: Role
    establishment_id: int | None
    language: Language

    # What the role allows, decided here once: screens show or hide an action by these and
    # never compare role names; each service checks the same roles again when it runs.
    @property
    def is_admin(self) -> bool:
        """Manages users, settings and reference data."""
        return self.role == Role.ADMIN

    @property
    def can_decide_requests(self) -> bool:
        """Approves or rejects portal changes and re-enrolments (the pending queue)."""
        return self.role in SUPERVISORS

    @property
    def can_void(self) -> bool:
        """Voids a payment."""
        return self.role in SUPERVISORS

    @property
    def can_close_online_drawers(self) -> bool:
        """Sees and closes the portal's « en ligne » drawers (online payments)."""
        return self.role in SUPERVISORS

    @property
    def can_read_audit(self) -> bool:
        """Reads the audit trail."""
        return self.role in SUPERVISORS

    @property
    def can_reveal_sin(self) -> bool:
        """Reveals and edits a guardian's social insurance number."""
        return self.role in SUPERVISORS

    @property
    def can_issue_credit_notes(self) -> bool:
        """Cancels an invoice or waives a fee by a credit note; refunds family credit."""
        return self.role in SUPERVISORS

    @property
    def can_manage_payment_plans(self) -> bool:
        """Agrees a payment plan (échéancier) with a family, or cancels one."""
        return self.role in SUPERVISORS

    @property
    def can_change_courses(self) -> bool:
        """Changes a term's courses: adds one to a student already enrolled that term, or
        drops one. A first enrolment (no active course in the term) is open to every staff
        member, clerks included (`services/records/enrolment.add_course`)."""
        return self.role in SUPERVISORS

    @property
    def can_enter_marks(self) -> bool:
        """Enters evaluations, absences, end-of-term results and repertoire."""
        return self.role in SUPERVISORS

    @property
    def can_apply_term_fees(self) -> bool:
        """Charges a term's late-confirmation fee."""
        return self.role in SUPERVISORS

    @property
    def can_register_late(self) -> bool:
        """Registers a student to an activity after its deadline (with a reason)."""
        return self.role in SUPERVISORS

    @property
    def can_edit_student_identity(self) -> bool:
        """Corrects a student's names, birth date, code permanent, school; changes the status."""
        return self.role in SUPERVISORS

    @property
    def can_manage_school_year(self) -> bool:
        """Creates terms and course groups, rolls groups over to the next term (F5)."""
        return self.role in SUPERVISORS

    @property
    def can_open_office(self) -> bool:
        """Opens the office: its dashboard (F9) and the office screens it leads to."""
        return self.role in SUPERVISORS

    @property
    def can_browse_activities(self) -> bool:
        """Opens the activities (every staff role)."""
        return True

    @property
    def can_manage_activities(self) -> bool:
        """Creates and edits activities and their items, closes and cancels them."""
        return self.role in SUPERVISORS

    def allows(self, capability: str) -> bool:
        """The capability named by its property (`"can_void"`); ValueError for no such one."""
        if not isinstance(getattr(type(self), capability, None), property):
            raise ValueError(capability)
        return bool(getattr(self, capability))


class LoginOutcome(enum.StrEnum):
    SUCCESS = "success"
    WRONG_PASSWORD = "wrong_password"
    LOCKED_NOW = "locked_now"
    REFUSED_LOCKED = "refused_locked"
    UNKNOWN_USER = "unknown_user"


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    # Verifying against a decoy when the user is unknown makes both refusals take the
    # same time, so response time does not reveal which usernames exist.
    return hash_password("decoy password never used")


def authenticate(uow: UnitOfWork, username: str, password: str) -> StaffIdentity:
    """Check `password` for `username` and return the signed-in identity.

    Refuses with `InvalidCredentials` (same message for an unknown or inactive user and a
    wrong password) and `AccountLocked` while the account is locked. A wrong password
    increments the user's failed attempts; the tenth in a row locks the account for
    `LOCK_DURATION`. Success resets the counter and upgrades an outdated password hash.

    The counter must survive the refusal, so this function commits the unit of work
    before raising: it needs a write unit of work.
    """
    if not uow.is_write:
        raise RuntimeError("authenticate() needs a write unit of work")
    now = as_utc(uow.now())
    user = uow.session.exec(
        select(StaffUser).where(col(StaffUser.username) == username.strip())
    ).first()
    # The portal's accounts are programs: they call the API with a key, never sign in here.
    if user is None or not user.is_active or user.role == Role.PORTAL:
        verify_password(_decoy_hash(), password)
        _record_outcome(uow, user, LoginOutcome.UNKNOWN_USER, now, attempted=username)
        raise InvalidCredentials(field="password")
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        until = as_utc(user.locked_until)
        _record_outcome(uow, user, LoginOutcome.REFUSED_LOCKED, now)
        raise AccountLocked(until, field="username")
    if not verify_password(user.password_hash, password):
        if user.failed_attempts + 1 >= MAX_FAILED_ATTEMPTS:
            _record_outcome(uow, user, LoginOutcome.LOCKED_NOW, now)
            raise AccountLocked(now + LOCK_DURATION, field="username")
        _record_outcome(uow, user, LoginOutcome.WRONG_PASSWORD, now)
        raise InvalidCredentials(field="password")
    rehashed = needs_rehash(user.password_hash)
    if rehashed:
        user.password_hash = hash_password(password)
    _record_outcome(uow, user, LoginOutcome.SUCCESS, now, rehashed=rehashed)
    assert user.id is not None
    return StaffIdentity(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        establishment_id=user.establishment_id,
        language=Language(user.language),
    )


def attempted_name(username: str) -> str:
    """What an unknown username is audited as: no control characters, no card number,
    at most ATTEMPTED_NAME_LENGTH characters (a password typed in the wrong field is
    usually longer and is cut)."""
    cleaned = " ".join(clean_text(username).split())
    if contains_card_number(cleaned):
        return "[…]"
    if len(cleaned) > ATTEMPTED_NAME_LENGTH:
        return cleaned[: ATTEMPTED_NAME_LENGTH - 1] + "…"
    return cleaned


def _record_outcome(
    uow: UnitOfWork,
    user: StaffUser | None,
    outcome: LoginOutcome,
    now: datetime,
    *,
    attempted: str = "",
    rehashed: bool = False,
) -> None:
    """Write down one sign-in attempt: counter, lock and audit, in the same transaction.

    Refusals are committed here, before the error is raised: the count and the audit of
    a failure must survive the refusal.
    """
    if outcome is LoginOutcome.UNKNOWN_USER:
        # An inactive account is named by its id; an unknown one by what was typed.
        if user is None:
            reason = "unknown_user"
        else:
            reason = "portal_account" if user.role == Role.PORTAL else "inactive"
        after: dict[str, object] = {"username": attempted_name(attempted), "reason": reason}
        entity_id = None if user is None else user.id
        record_event(uow, None, "auth.login_failed", "staff_user", entity_id, {}, after)
        uow.session.commit()
        return
    assert user is not None and user.id is not None
    failed_before = user.failed_attempts
    before = _lock_state(user)
    if outcome is LoginOutcome.SUCCESS:
        user.failed_attempts = 0
        user.locked_until = None
    elif outcome is LoginOutcome.WRONG_PASSWORD:
        user.failed_attempts += 1
    elif outcome is LoginOutcome.LOCKED_NOW:
        # A fresh count after the lock: the user gets the full number of tries again.
        user.failed_attempts = 0
        user.locked_until = now + LOCK_DURATION
    uow.session.add(user)
    after = _lock_state(user)
    if outcome is LoginOutcome.SUCCESS:
        after["password_rehashed"] = rehashed
        record_event(uow, user.id, "auth.login", "staff_user", user.id, before, after)
        return
    # A refusal has no actor: whoever typed the password is not known to be the user.
    if outcome is LoginOutcome.REFUSED_LOCKED:
        record_event(uow, None, "auth.refused_locked", "staff_user", user.id, before, after)
    elif outcome is LoginOutcome.WRONG_PASSWORD:
        record_event(uow, None, "auth.login_failed", "staff_user", user.id, before, after)
    else:
        failed = {"failed_attempts": failed_before + 1, "locked_until": None}
        record_event(uow, None, "auth.login_failed", "staff_user", user.id, before, failed)
        record_event(uow, None, "auth.locked", "staff_user", user.id, before, after)
    uow.session.commit()


def _lock_state(user: StaffUser) -> dict[str, object]:
    locked = None if user.locked_until is None else as_utc(user.locked_until)
    return {"failed_attempts": user.failed_attempts, "locked_until": locked}
