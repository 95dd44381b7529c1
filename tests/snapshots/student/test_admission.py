"""SVG snapshots of keeping a student's record: the new-student form, stopped on a code
permanent that disagrees with the sex typed (the reason under the field), and the status
dialog with « Retiré » chosen. At 80×24 and 120×36."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from registrar_tui.db import Database
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.student.screen import StudentScreen
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME, Seeded, seed
from tests.screens.helpers import settle, sign_in, type_text
from tests.snapshots.support import AppFactory, SnapCompare

TYPED = (
    "Antoine", "Nouveau", "M", "2015-01-01", "NOUA01511501", "École Laurier", "Primaire 5",
    "502", "", "Pollen", "", "Julie Nouveau", "514 555 0177",
)  # fmt: skip


def _new_student(seeded: Seeded) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot)
        await pilot.app.push_screen(FamilyScreen(seeded.tremblay_id, initial_tab="students"))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        for value in TYPED:
            assert isinstance(pilot.app.focused, Input)
            await type_text(pilot, value)
            await pilot.press("enter")
        await settle(pilot)

    return run_before


def _status_dialog(student_id: int) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
        await pilot.app.push_screen(StudentScreen(student_id))
        await settle(pilot)
        await pilot.press("u", "right", "space", "tab")
        await type_text(pilot, "2026-11-20")
        await pilot.press("tab")
        await type_text(pilot, "Déménagement à Sherbrooke")
        await settle(pilot)

    return run_before


def test_new_student_form_warns_on_the_code_permanent(
    snap_compare: SnapCompare, snapshot_app: AppFactory, snapshot_db: Database,
    size: tuple[int, int],
) -> None:  # fmt: skip
    seeded = seed(snapshot_db)
    run_before = _new_student(seeded)
    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=run_before)


def test_status_dialog_withdrawal(
    snap_compare: SnapCompare, snapshot_app: AppFactory, snapshot_db: Database,
    size: tuple[int, int],
) -> None:  # fmt: skip
    from sqlmodel import select

    from registrar_tui.models import Student

    seed(snapshot_db)
    with snapshot_db.read() as uow:
        hugo = uow.session.exec(select(Student.id).where(Student.student_number == "201337015"))
        run_before = _status_dialog(hugo.one() or 0)
    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=run_before)
