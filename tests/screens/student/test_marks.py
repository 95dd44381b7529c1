"""Pilot tests: a registrar enters what teachers report on the student's tabs.

Léa Tremblay (student_fixtures): AUT-2026 is the current term (2026-09-01 to 2026-12-19),
piano with three evaluations and two absences. The registrar enters a mark and an absence
and sees them on the course screen, on the courses tab and in the transcript PDF; a clerk
sees no entry key.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import Absence, Evaluation, RepertoireWork
from registrar_tui.screens.student.absence_form import AbsenceFormScreen
from registrar_tui.screens.student.course import CourseScreen
from registrar_tui.screens.student.evaluation_form import EvaluationFormScreen
from registrar_tui.screens.student.result_form import ResultFormScreen
from registrar_tui.screens.student.screen import StudentScreen
from registrar_tui.screens.student.work_form import WorkFormScreen
from tests.conftest import fixed_clock
from tests.reports.test_transcript import flat
from tests.screens.helpers import rows, shown, sign_in, sign_in_registrar
from tests.screens.student.student_fixtures import StudentWorld, seed_students
from tests.screens.student.test_student import Scenario, footer_keys, settle


@pytest.fixture
def world(database: Database) -> StudentWorld:
    return seed_students(database)


@pytest.fixture
def documents(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return tmp_path


def run(
    database: Database, student_id: int, scenario: Scenario, *, registrar: bool = True
) -> RegistrarApp:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await (sign_in_registrar(pilot) if registrar else sign_in(pilot))
            await app.push_screen(StudentScreen(student_id))
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())
    return app


async def fill(pilot: Pilot[None], **values: str) -> None:
    """Type into the form's boxes (by field name), replacing what they held."""
    for name, value in values.items():
        box = pilot.app.screen.query_one(f"#field-{name}", Input)
        box.value = ""
        box.insert_text_at_cursor(value)
    await pilot.pause()


def messages(pilot: Pilot[None]) -> str:
    return " ".join(shown(m) for m in pilot.app.screen.query(".field-message").results(Static))


def test_a_registrar_enters_a_mark_and_an_absence_and_sees_them_everywhere(
    database: Database, world: StudentWorld, documents: Path
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        app = pilot.app
        await pilot.press("2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CourseScreen)
        assert "n Éval." in footer_keys(app.screen).replace(":", " ")

        # A new evaluation: a date outside the term is refused next to the date.
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, EvaluationFormScreen)
        await fill(pilot, held_on="2027-01-15", title="Jury de Noël", mark="91")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EvaluationFormScreen)
        assert "AUT-2026" in shown(app.screen.query_one("#held_on-message", Static))
        await fill(pilot, held_on="2026-12-10", mark="101")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "0 à 100" in messages(pilot)
        await fill(pilot, mark="91", comment="Très belle sonorité.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CourseScreen)
        evaluations = rows(app.screen.query_one("#evaluations", DataTable))
        assert any("Jury de Noël" in row and "91" in row for row in evaluations)
        assert "4 évaluations" in shown(app.screen.query_one("#evaluations-title", Static))

        # A new absence, unjustified.
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AbsenceFormScreen)
        await fill(pilot, absent_on="2026-12-01", reason="Sans nouvelles")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CourseScreen)
        absences = rows(app.screen.query_one("#absences", DataTable))
        assert any("Sans nouvelles" in row and "non" in row for row in absences)
        assert "2 non justifiées" in shown(app.screen.query_one("#absences-title", Static))

        # The final mark and comment.
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ResultFormScreen)
        await fill(pilot, final_mark="88", teacher_comment="Progrès remarquables.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Note : 88" in shown(app.screen.query_one("#course-student", Static))

        # Back on the record: the courses tab counts them; r saves the transcript.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, StudentScreen)
        courses = rows(app.screen.query_one("#courses-table", DataTable))
        assert any("Piano" in row and "4" in row and "3 (2 non just.)" in row for row in courses)
        await pilot.press("r", "b")
        await settle(pilot)

    run(database, world.lea_id, scenario)
    with database.read() as uow:
        evaluation = uow.session.exec(
            select(Evaluation).where(col(Evaluation.title) == "Jury de Noël")
        ).one()
        assert (evaluation.mark, evaluation.comment) == (91, "Très belle sonorité.")
        absence = uow.session.exec(
            select(Absence).where(col(Absence.reason) == "Sans nouvelles")
        ).one()
        assert not absence.is_justified
    (transcript,) = (documents / "transcripts").glob("*.pdf")
    text = flat(transcript.read_bytes())
    for expected in (
        "RELEVÉ DE NOTES",
        "Léa Tremblay",
        "201337007",
        "AUT-2026",
        "Jury de Noël",
        "91",
        "Note finale : 88",
        "Progrès remarquables.",
        "Marie-Claude Bélanger",
    ):
        assert expected in text, expected
    (report,) = (documents / "absence-reports").glob("*.pdf")
    text = flat(report.read_bytes())
    assert "Sans nouvelles" in text and "Absences non justifiées 2" in text


def test_correcting_and_removing_an_evaluation(database: Database, world: StudentWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        app = pilot.app
        await pilot.press("2", "enter")
        await settle(pilot)
        await pilot.press("e")  # the first evaluation: « Gammes et arpèges », 82
        await settle(pilot)
        assert isinstance(app.screen, EvaluationFormScreen)
        assert app.screen.query_one("#field-mark", Input).value == "82"
        await fill(pilot, mark="84")
        await pilot.press("ctrl+s")
        await settle(pilot)
        evaluations = rows(app.screen.query_one("#evaluations", DataTable))
        assert any("Gammes et arpèges" in row and "84" in row for row in evaluations)
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        evaluations = rows(app.screen.query_one("#evaluations", DataTable))
        assert not any("Gammes et arpèges" in row for row in evaluations)

    run(database, world.lea_id, scenario)
    with database.read() as uow:
        assert not uow.session.exec(
            select(Evaluation).where(col(Evaluation.title) == "Gammes et arpèges")
        ).all()


def test_a_card_number_in_a_comment_is_refused_under_the_field(
    database: Database, world: StudentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("2", "enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await fill(pilot, absent_on="2026-11-20", reason="Voir 4111 1111 1111 1111")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AbsenceFormScreen)
        assert "numéro complet d'une carte" in shown(
            pilot.app.screen.query_one("#reason-message", Static)
        )

    run(database, world.lea_id, scenario)
    with database.read() as uow:
        assert not uow.session.exec(select(Absence).where(col(Absence.reason) != "")).all()[2:]


def test_a_registrar_adds_a_work_at_a_new_event(database: Database, world: StudentWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        app = pilot.app
        await pilot.press("4", "w")
        await settle(pilot)
        assert isinstance(app.screen, WorkFormScreen)
        from textual.widgets import Select

        app.screen.query_one("#field-event", Select).value = "new"
        await pilot.pause()
        await fill(
            pilot,
            event_title="Récital de décembre",
            venue="Salle Bourgie",
            held_on="2026-12-12",
            composer="Claude Debussy",
            title="Arabesque no 1",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StudentScreen)
        works = rows(app.screen.query_one("#repertoire-table", DataTable))
        assert "Arabesque no 1" in works[0] and "Claude Debussy" in works[0]
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        works = rows(app.screen.query_one("#repertoire-table", DataTable))
        assert not any("Arabesque" in row for row in works)

    run(database, world.lea_id, scenario)
    with database.read() as uow:
        assert not uow.session.exec(
            select(RepertoireWork).where(col(RepertoireWork.title) == "Arabesque no 1")
        ).all()


def test_on_the_history_tab_r_prints_the_highlighted_terms_transcript(
    database: Database, world: StudentWorld, documents: Path
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("3", "down", "down", "r")  # the third row: AUT-2025
        await settle(pilot)

    run(database, world.lea_id, scenario, registrar=False)
    (transcript,) = (documents / "transcripts").glob("*.pdf")
    assert transcript.name == "201337007-AUT-2025-releve.pdf"
    text = flat(transcript.read_bytes())
    assert "AUT-2025" in text and "Note finale : 82" in text and "AUT-2026" not in text


def test_a_clerk_has_no_entry_keys(database: Database, world: StudentWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        app = pilot.app
        await pilot.press("4")
        await settle(pilot)
        keys = [key.partition(":")[0] for key in footer_keys(app.screen).split()]
        assert "w" not in keys and "delete" not in keys
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, StudentScreen)
        await pilot.press("2")
        await settle(pilot)
        assert "r:Relevé" in footer_keys(app.screen)  # printing is for everyone
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CourseScreen)
        keys = [key.partition(":")[0] for key in footer_keys(app.screen).split()]
        for key in ("n", "a", "e", "c", "delete"):
            assert key not in keys, key
        await pilot.press("n", "a", "c")
        await settle(pilot)
        assert isinstance(app.screen, CourseScreen)

    run(database, world.lea_id, scenario, registrar=False)
