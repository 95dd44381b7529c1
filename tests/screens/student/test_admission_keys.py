"""Pilot: admit a student from the family's students tab, correct the identity as the
registrar, withdraw a student and find him again with the search's filter."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Student, StudentStatus
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.student.identity_form import StudentFormScreen
from registrar_tui.screens.student.screen import StudentScreen
from registrar_tui.screens.student.status import StudentStatusScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import rows, settle, shown, sign_in, sign_in_registrar, type_text

Scenario = Callable[[Pilot[None]], Awaitable[None]]

NEW_STUDENT = (
    "Antoine", "Nouveau", "M", "2015-01-01", "NOUA01511501", "École Laurier", "Primaire 5",
    "502", "", "Pollen", "", "Julie Nouveau", "514 555 0177",
)  # fmt: skip
"""What the clerk types, field by field; the code permanent is a girl's (month 51)."""


def run(database: Database, scenario: Scenario, *, registrar: bool = False) -> RegistrarApp:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await (sign_in_registrar(pilot) if registrar else sign_in(pilot))
            await scenario(pilot)

    asyncio.run(main())
    return app


async def fill(pilot: Pilot[None], values: tuple[str, ...]) -> None:
    """Type each value in the focused box, Enter to the next (Ctrl+A clears a box)."""
    for value in values:
        focused = pilot.app.focused
        assert isinstance(focused, Input), focused
        focused.value = ""
        await type_text(pilot, value)
        await pilot.press("enter")
    await settle(pilot)


def _student(database: Database, number: str) -> Student | None:
    with database.read() as uow:
        found = uow.session.exec(select(Student).where(col(Student.student_number) == number))
        student = found.first()
        if student is not None:
            uow.session.expunge(student)
        return student


def test_clerk_adds_a_student_number_assigned_warning_accepted(database: Database) -> None:
    seeded = seed(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(FamilyScreen(seeded.tremblay_id, initial_tab="students"))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, StudentFormScreen)
        await fill(pilot, NEW_STUDENT)  # Enter on the last field saves
        # The code permanent is a girl's: the reason shows under the field, nothing saved.
        warning = shown(form.query_one("#code_permanent-message", Static))
        assert "fille" in warning
        assert "Ctrl+S" in shown(form.query_one("#student-form-status", Static))
        assert _student(database, "261000001") is None
        await pilot.press("ctrl+s")  # accepted
        await settle(pilot)
        family = pilot.app.screen
        assert isinstance(family, FamilyScreen)
        table = family.query_one("#students-table", DataTable)
        new_rows = [row for row in rows(table) if "Nouveau" in row]
        assert new_rows and "261000001" in new_rows[0]
        assert table.cursor_row == rows(table).index(new_rows[0])

    run(database, scenario)
    student = _student(database, "261000001")
    assert student is not None
    assert (student.first_name, student.code_permanent, student.allergies) == (
        "Antoine",
        "NOUA01511501",
        "Pollen",
    )
    assert student.emergency_contact_phone == "514-555-0177"


def test_a_bad_code_permanent_is_refused_next_to_its_field(database: Database) -> None:
    seeded = seed(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(FamilyScreen(seeded.tremblay_id, initial_tab="students"))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, StudentFormScreen)
        values = list(NEW_STUDENT)
        values[4] = "NOU123"
        await fill(pilot, tuple(values))
        assert "4 lettres" in shown(form.query_one("#code_permanent-message", Static))
        assert pilot.app.focused is form.query_one("#student-code_permanent", Input)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FamilyScreen)

    run(database, scenario)
    assert _student(database, "261000001") is None


def test_a_student_already_on_file_is_shown_before_saving(database: Database) -> None:
    seeded = seed(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(FamilyScreen(seeded.tremblay_id, initial_tab="students"))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, StudentFormScreen)
        # Léa Tremblay, born 2014-03-09, is on file: typed without accent, in capitals.
        await fill(pilot, ("LEA", "tremblay", "F", "2014-03-09", "", "", "", "", "", "",
                           "", "", ""))  # fmt: skip
        notice = shown(form.query_one("#student-form-notice", Static))
        assert "Léa Tremblay" in notice and "201337007" in notice
        await pilot.press("ctrl+o")  # open the existing record
        await settle(pilot)
        assert isinstance(pilot.app.screen, StudentScreen)
        assert "201337007" in shown(pilot.app.screen.query_one("#student-title", Static))

    run(database, scenario)
    assert _student(database, "261000001") is None


def test_registrar_corrects_identity_clerk_has_no_key(database: Database) -> None:
    seed(database)
    lea = _student(database, "201337007")
    assert lea is not None and lea.id is not None
    lea_id = lea.id

    async def as_clerk(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(StudentScreen(lea_id))
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StudentScreen)  # no identity form for a clerk

    run(database, as_clerk)

    async def as_registrar(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(StudentScreen(lea_id))
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, StudentFormScreen)
        first = form.query_one("#student-first_name", Input)
        assert first.value == "Léa"
        first.value = ""
        await type_text(pilot, "Léonie")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The seeded code permanent (TREL54030912) has no 54th day: said under its box.
        assert "n'existe pas" in shown(form.query_one("#code_permanent-message", Static))
        code = form.query_one("#student-code_permanent", Input)
        assert pilot.app.focused is code
        code.value = ""
        await type_text(pilot, "TREL09531401")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, StudentScreen)
        assert "Léonie Tremblay" in shown(screen.query_one("#student-title", Static))

    run(database, as_registrar, registrar=True)
    corrected = _student(database, "201337007")
    assert corrected is not None
    assert (corrected.first_name, corrected.code_permanent) == ("Léonie", "TREL09531401")
    with database.read() as uow:
        assert uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "student.identity_update")
        ).one()


def test_withdrawn_student_leaves_the_search_and_comes_back_with_f3(database: Database) -> None:
    seed(database)
    hugo = _student(database, "201337015")
    assert hugo is not None and hugo.id is not None
    hugo_id = hugo.id

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(StudentScreen(hugo_id))
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, StudentStatusScreen)
        await pilot.press("right", "space")  # « Retiré »
        await pilot.press("ctrl+s")
        await settle(pilot)
        # No reason: refused under the reason box.
        assert "motif" in shown(dialog.query_one("#reason-message", Static)).lower()
        dialog.query_one("#status-reason", Input).focus()
        await type_text(pilot, "Déménagement")
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, StudentScreen)
        assert "retiré" in shown(screen.query_one("#student-title", Static))
        await pilot.press("escape")
        await settle(pilot)
        search = pilot.app.screen
        assert isinstance(search, SearchScreen)
        await type_text(pilot, "hugo")
        await settle(pilot)
        hits = search.query_one("#hits", DataTable)
        assert not [row for row in rows(hits) if "Hugo" in row]
        await pilot.press("f3")
        await settle(pilot)
        found = [row for row in rows(hits) if "Hugo" in row]
        assert found and found[0].startswith("Retiré")
        assert "retirés inclus" in shown(search.query_one("#search-status", Static))
        await pilot.press("f3")
        await settle(pilot)
        assert not [row for row in rows(hits) if "Hugo" in row]

    run(database, scenario, registrar=True)
    withdrawn = _student(database, "201337015")
    assert withdrawn is not None
    assert (withdrawn.status, withdrawn.status_reason) == (StudentStatus.WITHDRAWN, "Déménagement")


def test_clerk_outside_medical_roles_admits_without_health_fields(database: Database) -> None:
    from registrar_tui.models import Role
    from registrar_tui.services.records.need_to_know import set_medical_roles

    seeded = seed(database)
    with database.write() as uow:
        set_medical_roles(uow, [Role.REGISTRAR, Role.ADMIN], seeded.admin_id)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(FamilyScreen(seeded.tremblay_id, initial_tab="students"))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, StudentFormScreen)
        assert not form.query_one("#row-allergies").display
        assert not form.query_one("#row-medical_conditions").display
        # Eleven boxes: Enter on the emergency phone (the last shown) saves.
        await fill(pilot, ("Zoé", "Nouveau", "F", "2016-02-02", "", "", "", "", "",
                           "Julie Nouveau", "514 555 0177"))  # fmt: skip
        assert isinstance(pilot.app.screen, FamilyScreen)

    run(database, scenario)
    student = _student(database, "261000001")
    assert student is not None
    assert (student.first_name, student.allergies, student.emergency_contact_name) == (
        "Zoé",
        "",
        "Julie Nouveau",
    )
