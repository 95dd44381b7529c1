"""Pilot tests of the student record: tabs by number keys, a course's detail, safe text."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static, TabbedContent
from textual.worker import WorkerCancelled

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.student.course import CourseScreen
from registrar_tui.screens.student.screen import StudentScreen
from tests.conftest import fixed_clock
from tests.screens.helpers import rows, shown, sign_in, type_text
from tests.screens.student.student_fixtures import (
    ESCAPE_NOTE,
    HISTORY_ROWS,
    MARKUP_FIRST,
    MARKUP_LAST,
    PENDING_NOTE,
    PIANO_TEACHER,
    REGISTRAR_NAME,
    REJECTION_REASON,
    SOLFEGE_TEACHER,
    StudentWorld,
    seed_students,
)

Scenario = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    """`helpers.settle`, tolerating workers cancelled meanwhile.

    The family screen restarts its exclusive loaders (a cancelled worker makes
    `wait_for_complete` raise), which has nothing to do with what these tests check.
    """
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def search_for(pilot: Pilot[None], text: str) -> None:
    await type_text(pilot, text)
    await settle(pilot)


@pytest.fixture
def world(database: Database) -> StudentWorld:
    return seed_students(database)


def run(
    database: Database,
    student_id: int,
    scenario: Scenario,
    size: tuple[int, int] = (80, 24),
    language: str = "fr_CA",
) -> RegistrarApp:
    """Sign in, open the student's record, then play `scenario`."""
    app = create_app(database=database, clock=fixed_clock, language=language)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(StudentScreen(student_id))
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())
    return app


def text_of(screen: Widget, selector: str) -> str:
    return shown(screen.query_one(selector, Static))


def visible_text(screen: Widget) -> str:
    """Every Static and table row of the screen's active tab and header."""
    parts = [shown(static) for static in screen.query(Static) if static.display]
    for table in screen.query(DataTable):
        parts.extend(rows(table))
    return "\n".join(parts)


def footer_keys(screen: Widget) -> str:
    return " ".join(
        f"{key.key}:{key.description}" for key in screen.query_one(Footer).query("FooterKey")
    )


def test_number_keys_switch_tabs_and_show_the_record(
    database: Database, world: StudentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, StudentScreen)
        header = text_of(screen, "#student-title")
        assert "Léa Tremblay" in header and "201337007" in header and "TREL54030912" in header
        family = text_of(screen, "#student-family")
        assert "Tremblay" in family and "F0000001" in family and "MTL" in family
        tabs = screen.query_one(TabbedContent)
        assert tabs.active == "identity"
        identity = visible_text(screen.query_one("#identity-fields"))
        assert "Primaire 6 / 601" in identity

        await pilot.press("2")
        assert tabs.active == "courses"
        courses = rows(screen.query_one("#courses-table", DataTable))
        assert courses[0].startswith(f"Piano | {PIANO_TEACHER} | 3 | 85,0 | 2 (1 non just.)")
        assert courses[1].startswith(f"Solfège | {SOLFEGE_TEACHER} | 1 | 75,0 | 0")
        assert "AUT-2026" in text_of(screen, "#courses-title")

        await pilot.press("3")
        assert tabs.active == "history"
        history = rows(screen.query_one("#history-table", DataTable))
        assert len(history) == StudentScreen.PAGE_ROWS < HISTORY_ROWS
        assert history[0].startswith("HIV-2026 | Piano | Marie-Claude Bélanger | 85 |")
        assert history[1].startswith("HIV-2026 | Solfège | Jean-François Côté | 75,5 (moy.)")
        assert "Piano HIV-2026 : progrès constants." in text_of(screen, "#history-comment")

        await pilot.press("4")
        assert tabs.active == "repertoire"
        works = rows(screen.query_one("#repertoire-table", DataTable))
        assert works[0] == "8 nov. 2026 | Récital | Frédéric Chopin | Nocturne op. 9 no 2"
        event = text_of(screen, "#repertoire-event")
        assert "Récital d'automne" in event and "Grande salle du Conservatoire" in event

        await pilot.press("5")
        assert tabs.active == "reenrolment"
        requests = visible_text(screen.query_one("#reenrolment-body"))
        assert "HIV-2027" in requests and "réinscription ouverte jusqu'au 5 déc. 2026" in requests
        assert "En attente de validation" in requests and "Piano, Solfège" in requests
        assert PENDING_NOTE in requests
        assert "Refusée" in requests and REJECTION_REASON in requests
        assert REGISTRAR_NAME in requests
        assert "Ancienne demande" not in requests  # a request for the current term

        await pilot.press("1")
        assert tabs.active == "identity"
        assert "1:" in footer_keys(screen) and "5:" in footer_keys(screen)
        assert "Onglet" in " ".join(shown(label) for label in screen.query("FooterLabel"))

    run(database, world.lea_id, scenario)


def test_history_and_repertoire_come_a_page_at_a_time(
    database: Database, world: StudentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("3")
        table = screen.query_one("#history-table", DataTable)
        first = rows(table)
        assert f"1–10 sur {HISTORY_ROWS}" in text_of(screen, "#history-status")
        assert "pagedown:" in footer_keys(screen)
        await pilot.press("pagedown")
        second = rows(table)
        assert len(second) == HISTORY_ROWS - StudentScreen.PAGE_ROWS
        assert second[-1].startswith("AUT-2023 | Solfège")
        assert not set(first) & set(second)
        assert f"11–12 sur {HISTORY_ROWS}" in text_of(screen, "#history-status")
        await pilot.press("pageup")
        assert rows(table) == first

        await pilot.press("4")
        works = screen.query_one("#repertoire-table", DataTable)
        assert works.row_count == StudentScreen.PAGE_ROWS
        await pilot.press("pagedown")
        assert rows(works) == ["11 avr. 2025 | Concours | Erik Satie | Gymnopédie no 1"]
        assert "Concours des jeunes interprètes" in text_of(screen, "#repertoire-event")

    run(database, world.lea_id, scenario)


def test_enter_on_a_course_shows_its_evaluations_and_absences(
    database: Database, world: StudentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("2")
        assert "enter:Voir" in footer_keys(pilot.app.screen)
        await pilot.press("enter")
        await settle(pilot)
        course = pilot.app.screen
        assert isinstance(course, CourseScreen)
        assert course.enrolment_id == world.piano_enrolment_id
        title = text_of(course, "#course-title")
        assert "Piano" in title and PIANO_TEACHER in title and "AUT-2026" in title
        evaluations = rows(course.query_one("#evaluations", DataTable))
        assert evaluations[1] == "27 oct. 2026 | Étude imposée | 88 | Très musical."
        assert evaluations[2].startswith("17 nov. 2026 | Audition de mi-session | — |")
        absences = rows(course.query_one("#absences", DataTable))
        assert absences == ["6 oct. 2026 | oui | Rendez-vous médical", "3 nov. 2026 | non | "]
        assert "1 non justifiée" in text_of(course, "#absences-title")

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StudentScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SearchScreen)

    run(database, world.lea_id, scenario)


def test_enter_on_a_past_course_opens_it_too(database: Database, world: StudentWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("3", "down", "enter")
        await settle(pilot)
        course = pilot.app.screen
        assert isinstance(course, CourseScreen)
        assert "HIV-2026" in text_of(course, "#course-title")
        assert "75,5 (moy.)" in text_of(course, "#course-student")
        assert len(rows(course.query_one("#evaluations", DataTable))) == 2

    run(database, world.lea_id, scenario)


def test_a_student_with_nothing_yet_says_so(database: Database, world: StudentWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("2")
        assert screen.query_one("#courses-table", DataTable).row_count == 0
        assert "aucun cours cette session" in text_of(screen, "#courses-title")
        enter = next(
            key for key in screen.query_one(Footer).query("FooterKey") if key.key == "enter"
        )
        assert enter.has_class("-disabled")  # nothing to open
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, StudentScreen)
        await pilot.press("3")
        assert "Aucun cours des sessions passées." in text_of(screen, "#history-status")
        await pilot.press("5")
        body = visible_text(screen.query_one("#reenrolment-body"))
        assert "Aucune demande de réinscription pour cette session." in body

    run(database, world.hugo_id, scenario)


def test_markup_and_escapes_in_student_data_show_literally(
    database: Database, world: StudentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        header = text_of(screen, "#student-title")
        assert f"{MARKUP_FIRST} {MARKUP_LAST}" in header
        identity = visible_text(screen.query_one("#identity-fields"))
        assert "[red]arachides[/red]" in identity
        assert "[link=http://x]École[/link]" in identity
        assert "Asthme sévère" in identity and "\x1b" not in identity
        assert ESCAPE_NOTE not in identity
        await pilot.press("2")
        course = rows(screen.query_one("#courses-table", DataTable))[0]
        assert course.startswith("[i]Théâtre[/i] | [b]Prof[/b] ")
        assert "Roy" in course and "\x1b" not in course
        await pilot.press("enter")
        await settle(pilot)
        absences = rows(pilot.app.screen.query_one("#absences", DataTable))
        assert absences == ["4 nov. 2026 | non | [@click=app.quit]motif"]
        assert pilot.app.is_running

    run(database, world.markup_id, scenario)


def test_unknown_student_is_refused_in_the_header(database: Database, world: StudentWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        assert text_of(pilot.app.screen, "#student-title") == "Dossier d'élève introuvable."

    run(database, 999_999, scenario)


def test_english_labels_and_discipline_names(database: Database, world: StudentWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("2")
        course = rows(screen.query_one("#courses-table", DataTable))[1]
        assert course.startswith(f"Music theory | {SOLFEGE_TEACHER} | 1 | 75.0 | 0")
        assert "Back" in footer_keys(screen)

    run(database, world.lea_id, scenario, language="en")


def test_every_footer_key_fits_80_columns_on_every_tab(
    database: Database, world: StudentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        for tab in "12345":
            await pilot.press(tab)
            await settle(pilot)
            footer = screen.query_one(Footer)
            items = list(footer.query("FooterKey")) + list(footer.query("FooterLabel"))
            assert items
            for item in items:
                region = item.region
                assert region.width > 0 and region.right <= 80, (tab, str(item.render()))

    run(database, world.lea_id, scenario)


def test_from_the_family_students_tab_enter_opens_the_record(
    database: Database, world: StudentWorld
) -> None:
    from registrar_tui.screens.counter.family import FamilyScreen

    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(FamilyScreen(world.seeded.tremblay_id))
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, StudentScreen), app.screen
            assert app.screen.student_id == world.lea_id
            assert "Léa Tremblay" in text_of(app.screen, "#student-title")
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, FamilyScreen)

    asyncio.run(main())


def test_a_student_search_hit_opens_the_record_above_the_family(
    database: Database, world: StudentWorld
) -> None:
    from registrar_tui.screens.counter.family import FamilyScreen

    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await search_for(pilot, "201337007")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, StudentScreen)
            assert app.screen.student_id == world.lea_id
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, FamilyScreen)

    asyncio.run(main())


def test_many_courses_come_a_page_at_a_time(database: Database, world: StudentWorld) -> None:
    from sqlmodel import col, select

    from registrar_tui.models import Course, Discipline, Enrolment, Student, Teacher, Term
    from tests.screens.student.student_fixtures import CREATED

    with database.write() as uow:
        term = uow.session.exec(select(Term).where(col(Term.code) == "AUT-2026")).one()
        piano = uow.session.exec(select(Discipline).where(col(Discipline.code) == "PIA")).one()
        teacher = uow.session.exec(select(Teacher)).first()
        site_id = uow.session.get_one(Student, world.hugo_id).establishment_id
        assert term.id and piano.id and teacher is not None
        for section in range(2, 14):  # twelve piano groups, sections 02 to 13
            course = Course(
                term_id=term.id,
                establishment_id=site_id,
                discipline_id=piano.id,
                teacher_id=teacher.id,
                section=f"{section:02d}",
            )
            uow.session.add(course)
            uow.session.flush()
            assert course.id is not None
            uow.session.add(
                Enrolment(student_id=world.hugo_id, course_id=course.id, enrolled_at=CREATED)
            )

    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("2")
        table = screen.query_one("#courses-table", DataTable)
        assert table.row_count == StudentScreen.PAGE_ROWS
        assert "1–10 sur 12" in text_of(screen, "#courses-title")
        await pilot.press("pagedown")
        assert table.row_count == 2
        assert "11–12 sur 12" in text_of(screen, "#courses-title")
        await pilot.press("pageup")
        assert table.row_count == StudentScreen.PAGE_ROWS

    run(database, world.hugo_id, scenario)
