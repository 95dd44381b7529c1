"""A terminal left alone locks: how long it waits, and the audit of each lock and unlock.

The wait is the shared setting `idle_minutes` (the school's rule) and the terminal's own
$REGISTRAR_IDLE_MINUTES; when both are set the shorter wins (a terminal in a public
corridor may lock sooner than the school's rule, never later); with neither, 15 minutes.
Unlocking checks the password with `services.auth.authenticate`, so wrong passwords on
the lock screen count toward the account's lock-out like any sign-in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models.base import Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.staff.auth import StaffIdentity, authenticate
from registrar_tui.services.staff.settings import IDLE_MINUTES, get_setting, set_setting

IDLE_ENV = "REGISTRAR_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 15
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 480
"""A working day: a longer wait would mean no lock at all."""
LOCK_ACTION = "auth.idle_lock"
UNLOCK_ACTION = "auth.unlock_screen"


def parse_minutes(text: str | None) -> int | None:
    """Whole minutes between the bounds, or None (blank, not a number, out of range)."""
    try:
        minutes = int((text or "").strip())
    except ValueError:
        return None
    return minutes if MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES else None


def idle_minutes(uow: UnitOfWork, environ: Mapping[str, str] | None = None) -> int:
    """Minutes without a key before this terminal locks (see the module's rule).

    A value that is not a whole number of minutes between 1 and 480 is ignored.
    """
    environment = os.environ if environ is None else environ
    configured = [
        minutes
        for minutes in (
            parse_minutes(get_setting(uow, IDLE_MINUTES)),
            parse_minutes(environment.get(IDLE_ENV)),
        )
        if minutes is not None
    ]
    return min(configured, default=DEFAULT_IDLE_MINUTES)


def set_idle_minutes(uow: UnitOfWork, minutes: int, actor_id: int) -> int:
    """Set the school's idle wait (admin only, audited by `set_setting`).

    Refuses: `PermissionDenied` (not an active admin), `InvalidInput` (outside 1–480).
    """
    active_staff(uow, actor_id, roles=[Role.ADMIN])
    if not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES:
        raise InvalidInput(
            N_("Entre {low} et {high} minutes."),
            field="minutes",
            low=MIN_IDLE_MINUTES,
            high=MAX_IDLE_MINUTES,
        )
    set_setting(uow, IDLE_MINUTES, str(minutes), actor_id)
    return minutes


def record_idle_lock(uow: UnitOfWork, actor_id: int, minutes: int) -> None:
    """Write down that the terminal of `actor_id` locked after `minutes` without a key.

    Refuses nothing (the user may have been deactivated meanwhile: the lock still
    happened). Needs a write unit of work.
    """
    record_event(uow, actor_id, LOCK_ACTION, "staff_user", actor_id, {}, {"idle_minutes": minutes})


@dataclass(frozen=True)
class Unlocked:
    """Who unlocked the terminal, and whether it is the user who was signed in."""

    identity: StaffIdentity
    resumed: bool
    """True: the same user, back where they were; False: another user, a fresh start."""


def unlock_screen(uow: UnitOfWork, locked_user_id: int, username: str, password: str) -> Unlocked:
    """Check the password of whoever unlocks; audit `auth.unlock_screen`.

    Refuses like `authenticate` (`InvalidCredentials`, `AccountLocked`); a wrong
    password is counted (and committed) before the refusal. Needs a write unit of work.
    """
    identity = authenticate(uow, username, password)
    resumed = identity.id == locked_user_id
    record_event(
        uow,
        identity.id,
        UNLOCK_ACTION,
        "staff_user",
        identity.id,
        {"locked_user_id": locked_user_id},
        {"user_id": identity.id, "resumed": resumed},
    )
    return Unlocked(identity=identity, resumed=resumed)
