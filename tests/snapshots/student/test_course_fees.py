"""SVG snapshots of the student record's fee dialogs: a course added (what it bills,
before the key that confirms) and the certificate billed, waiting for its payment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.student.screen import StudentScreen
from tests.screens.desk.reenrolment_fixtures import ReenrolmentWorld, seed_reenrolment
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def world_db(snapshot_db: Database) -> tuple[Database, ReenrolmentWorld]:
    return snapshot_db, seed_reenrolment(snapshot_db)


def _open(student_id: int, *keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
        await pilot.app.push_screen(StudentScreen(student_id))
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_adding_a_course_says_what_it_bills(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, ReenrolmentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.students.lea_id, "2", "a", "enter")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_the_certificate_billed_waits_for_its_payment(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, ReenrolmentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.students.lea_id, "2", "t", "f")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_the_course_picker_shows_term_day_time_teacher_and_seats(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, ReenrolmentWorld],
    size: tuple[int, int],
) -> None:
    """The current term's groups and the coming winter's (it starts within 60 days)."""
    db, world = world_db
    run_before = _open(world.students.lea_id, "2", "a")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)
