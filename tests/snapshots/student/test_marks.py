"""SVG snapshots of the marks forms and the registrar's course keys (80×24 and 120×36).

The registrar on Léa Tremblay's record (student_fixtures), fixed clock: the course screen
with its entry keys, a new evaluation refused next to its date, the correction of an
absence, the end-of-term result, and a work at a new event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from registrar_tui.db import Database
from registrar_tui.screens.student.screen import StudentScreen
from tests.screens.helpers import settle, sign_in_registrar
from tests.screens.student.student_fixtures import StudentWorld, seed_students
from tests.snapshots.support import AppFactory, SnapCompare


@pytest.fixture
def world_db(snapshot_db: Database) -> tuple[Database, StudentWorld]:
    return snapshot_db, seed_students(snapshot_db)


def _open(
    student_id: int, *keys: str, then: Callable[[Pilot[Any]], Any] | None = None
) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in_registrar(pilot)
        await pilot.app.push_screen(StudentScreen(student_id))
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if then is not None:
            await then(pilot)
            await settle(pilot)

    return run_before


async def _wrong_date(pilot: Pilot[Any]) -> None:
    screen = pilot.app.screen
    for name, value in (("held_on", "2027-01-15"), ("title", "Jury de Noël"), ("mark", "91")):
        box = screen.query_one(f"#field-{name}", Input)
        box.value = value
    await pilot.press("ctrl+s")
    # The refusal comes back from a worker, then focuses the date: wait for both (a busy
    # machine may take a few frames), then for the screen to be drawn again.
    date_box = screen.query_one("#field-held_on", Input)
    for _ in range(50):
        await settle(pilot)
        message = screen.query_one("#held_on-message")
        if date_box.has_focus and message.has_class("-visible"):
            break
        await pilot.pause(0.05)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def _new_event(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#field-event", Select).value = "new"


def test_course_keys_for_the_registrar(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.lea_id, "2", "enter")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_evaluation_form_refuses_a_date_outside_the_term(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.lea_id, "2", "enter", "n", then=_wrong_date)
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_absence_form_correcting_an_absence(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.lea_id, "2", "enter", "tab", "e")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_result_form(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.lea_id, "2", "enter", "c")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_work_form_at_a_new_event(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.lea_id, "4", "w", then=_new_event)
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)


def test_repertoire_keys_for_the_registrar(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, StudentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db
    run_before = _open(world.lea_id, "4")
    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)
