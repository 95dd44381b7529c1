"""SVG snapshots of the student record (identity, courses, history) and a course.

At 80×24 and 120×36, from `create_app` with the fixed clock and the student world
seeded in a SQLite copy of the migrated template. Cursor blink and animations are off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.screens.student.screen import StudentScreen
from tests.screens.helpers import settle, sign_in
from tests.screens.student.student_fixtures import StudentWorld, seed_students
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def world_db(snapshot_db: Database) -> tuple[Database, StudentWorld]:
    world = seed_students(snapshot_db)
    return snapshot_db, world


def _open(student_id: int, *keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await pilot.app.push_screen(StudentScreen(student_id))
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_student_identity(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=_open(world.lea_id))


def test_student_courses(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=_open(world.lea_id, "2"))


def test_student_history(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=_open(world.lea_id, "3"))


def test_course_detail(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.lea_id, "2", "enter")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)
