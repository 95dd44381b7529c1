"""SVG snapshot of the student's SIN dialog (I on the identity tab), after a clerk typed
and saved a number: shown masked. At 80×24 and 120×36."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import col, select
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.models import Student
from registrar_tui.screens.student.screen import StudentScreen
from tests.screens.fixtures import seed
from tests.screens.helpers import settle, sign_in, type_text
from tests.snapshots.support import AppFactory, SnapCompare


def _sin_dialog(student_id: int) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await pilot.app.push_screen(StudentScreen(student_id))
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await type_text(pilot, "130 692 544")
        await pilot.press("ctrl+s")
        await settle(pilot)

    return run_before


def test_student_sin_saved_shows_masked(
    snap_compare: SnapCompare, snapshot_app: AppFactory, snapshot_db: Database,
    size: tuple[int, int],
) -> None:  # fmt: skip
    seed(snapshot_db)
    with snapshot_db.read() as uow:
        hugo = uow.session.exec(
            select(Student.id).where(col(Student.student_number) == "201337015")
        ).one()
    assert hugo is not None
    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=_sin_dialog(hugo))
