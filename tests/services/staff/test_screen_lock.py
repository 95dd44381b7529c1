"""The idle lock's rules: how long a terminal waits, and the audited lock and unlock."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AppSetting, AuditEvent, StaffUser
from registrar_tui.services.core.errors import InvalidCredentials, InvalidInput, PermissionDenied
from registrar_tui.services.staff.screen_lock import (
    IDLE_ENV,
    LOCK_ACTION,
    UNLOCK_ACTION,
    idle_minutes,
    record_idle_lock,
    set_idle_minutes,
    unlock_screen,
)
from registrar_tui.services.staff.settings import IDLE_MINUTES
from tests.screens.fixtures import (
    ADMIN_USERNAME,
    CLERK_PASSWORD,
    CLERK_USERNAME,
    REGISTRAR_PASSWORD,
    REGISTRAR_USERNAME,
    Seeded,
    seed,
)


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed(database)


def _events(database: Database, action: str) -> list[tuple[int | None, dict[str, object]]]:
    with database.read() as uow:
        return [
            (e.actor_id, json.loads(e.after_json))
            for e in uow.session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action) == action)
                .order_by(col(AuditEvent.id))
            )
        ]


@pytest.mark.parametrize(
    ("setting", "environment", "expected"),
    [
        (None, None, 15),  # nothing configured
        (None, "5", 5),  # the terminal's own
        ("30", None, 30),  # the school's
        ("30", "5", 5),  # both: the shorter
        ("10", "60", 10),  # a terminal cannot wait longer than the school allows
        ("abc", "0", 15),  # neither is a usable number of minutes
        (None, "481", 15),  # beyond a working day
    ],
)
def test_the_wait_is_the_shorter_of_school_and_terminal(
    database: Database, setting: str | None, environment: str | None, expected: int
) -> None:
    if setting is not None:
        with database.write() as uow:
            uow.session.add(AppSetting(key=IDLE_MINUTES, value=setting))
    environ = {} if environment is None else {IDLE_ENV: environment}
    with database.read() as uow:
        assert idle_minutes(uow, environ) == expected


def test_only_an_admin_sets_the_school_wait(database: Database, seeded: Seeded) -> None:
    with database.write() as uow, pytest.raises(PermissionDenied):
        set_idle_minutes(uow, 5, seeded.registrar_id)
    with database.write() as uow, pytest.raises(InvalidInput):
        set_idle_minutes(uow, 0, seeded.admin_id)
    with database.write() as uow:
        set_idle_minutes(uow, 5, seeded.admin_id)
    with database.read() as uow:
        assert idle_minutes(uow, {}) == 5


def test_a_lock_is_audited_for_the_user_away(database: Database, seeded: Seeded) -> None:
    with database.write() as uow:
        record_idle_lock(uow, seeded.clerk_id, 15)
    assert _events(database, LOCK_ACTION) == [(seeded.clerk_id, {"idle_minutes": 15})]


def test_the_same_user_resumes(database: Database, seeded: Seeded) -> None:
    with database.write() as uow:
        unlocked = unlock_screen(uow, seeded.clerk_id, CLERK_USERNAME, CLERK_PASSWORD)
    assert (unlocked.identity.id, unlocked.resumed) == (seeded.clerk_id, True)
    assert _events(database, UNLOCK_ACTION) == [
        (seeded.clerk_id, {"user_id": seeded.clerk_id, "resumed": True})
    ]


def test_another_user_takes_over(database: Database, seeded: Seeded) -> None:
    with database.write() as uow:
        unlocked = unlock_screen(uow, seeded.clerk_id, REGISTRAR_USERNAME, REGISTRAR_PASSWORD)
    assert (unlocked.identity.id, unlocked.resumed) == (seeded.registrar_id, False)
    assert _events(database, UNLOCK_ACTION) == [
        (seeded.registrar_id, {"user_id": seeded.registrar_id, "resumed": False})
    ]


def test_a_wrong_password_counts_toward_the_lock_out(database: Database, seeded: Seeded) -> None:
    with database.write() as uow, pytest.raises(InvalidCredentials):
        unlock_screen(uow, seeded.clerk_id, CLERK_USERNAME, "not the password")
    with database.write() as uow, pytest.raises(InvalidCredentials):
        unlock_screen(uow, seeded.clerk_id, ADMIN_USERNAME, "nor this one")
    with database.read() as uow:
        clerk = uow.session.get(StaffUser, seeded.clerk_id)
        admin = uow.session.get(StaffUser, seeded.admin_id)
        assert clerk is not None and admin is not None
        assert (clerk.failed_attempts, admin.failed_attempts) == (1, 1)
    assert _events(database, UNLOCK_ACTION) == []
